"""The gates of the staff console: signed in, and allowed to read personal data."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    return login_required(view)


def personal_data_view(view: View) -> View:
    """A view that shows persons: the role must read personal data; which persons is decided
    by `Person.objects.visible_to`, so what is outside the unit is simply not found."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.reads_personal_data:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(guarded)


def audit_reader_view(view: View) -> View:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.reads_audit_log:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(guarded)
