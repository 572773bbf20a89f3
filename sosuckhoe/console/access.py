"""The gates of the staff console: signed in, and allowed to read personal data."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from sosuckhoe.accounts.models import ROLE_RANK, Role
from sosuckhoe.vaccination.services.reactions import ASSESSOR_ROLES

View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    return login_required(view)


def _requires(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """A signed-in view for users whose role passes `allowed`; 403 for the others, whatever
    record the URL names, so the answer reveals nothing about records."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


# Which persons such a view shows is decided by `Person.objects.visible_to`: what is outside
# the user's unit is simply not found.
personal_data_view = _requires(lambda user: user.reads_personal_data)
audit_reader_view = _requires(lambda user: user.reads_audit_log)
# Staff accounts and jobs of the manager's subtree; any other account or job is not found.
manager_view = _requires(lambda user: user.is_manager)
# Reviewing registrations and planning sessions: health officers (commune and above), not
# the staff of a site nor analysts.
officer_view = _requires(
    lambda user: user.reads_personal_data and ROLE_RANK[user.role] >= ROLE_RANK[Role.COMMUNE]
)
# The causality assessment of a serious reaction: the district and province, for the council.
assessor_view = _requires(lambda user: user.role in ASSESSOR_ROLES)
