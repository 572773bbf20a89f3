"""Keeping a signed-in session alive without writing it on every request."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# When the session's idle expiry was last pushed forward, in seconds since the epoch.
RENEWED_AT = "_idle_renewed_at"
RENEW_AFTER_SECONDS = 60


class SessionRenewalMiddleware:
    """Push a signed-in session's expiry (SESSION_COOKIE_AGE from now) forward at most once a
    minute, where SESSION_SAVE_EVERY_REQUEST would write the row on every request.

    A session thus ends between SESSION_COOKIE_AGE - 60 and SESSION_COOKIE_AGE seconds after
    the last request. It sits just inside SessionMiddleware, so that its stamp is saved by it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # A request that never read the session (/healthz) renews nothing and costs no query;
        # the session of a signed-out or deactivated user is not kept alive.
        user = getattr(request, "user", None)
        if not session.accessed or user is None or not user.is_authenticated:
            return response
        now = int(time.time())
        # A session written anyway (signing in, a message) takes the stamp for free.
        if session.modified or now - session.get(RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
            session[RENEWED_AT] = now
        return response
