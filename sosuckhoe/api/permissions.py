"""Which roles may use an endpoint at all; which records they reach is the selectors' scope."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsStaff(BasePermission):
    """Any signed-in member of staff: reference data and stock, which hold no personal data."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)


class ReadsPersonalData(IsStaff):
    """Staff whose role reads personal data; an analyst gets 403 whatever the record."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and request.user.reads_personal_data
