"""Who calls the API: a member of staff by their key, or the console's own scripts by its
session (with the CSRF check)."""

from functools import cache

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.api.models import ApiToken, key_digest
from sosuckhoe.core import rows
from sosuckhoe.places.cache import tree_cached
from sosuckhoe.places.models import AdminUnit

KEYWORD = "Token"


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`: the key's hash names an active token of an active user;
    one query, the user's unit from the cache as for a console session."""

    def authenticate(self, request: Request) -> tuple[StaffUser, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send one key after the word Token."))
        token = _active_token(key_digest(parts[1].decode(errors="replace")))
        if token is None:
            raise exceptions.AuthenticationFailed(_("This key is unknown or revoked."))
        user = token.user
        unit_id = user.unit_id
        user.unit = tree_cached(f"places:unit:{unit_id}", lambda: AdminUnit.objects.get(pk=unit_id))
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


@cache
def _token_sql() -> str:
    return (
        f"SELECT {rows.select_list(ApiToken, 't')}, {rows.select_list(StaffUser, 'u')}"
        " FROM api_apitoken t JOIN accounts_staffuser u ON u.id = t.user_id"
        " WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def _active_token(digest: str) -> ApiToken | None:
    """The active token of an active user with this digest, with its user: the statement of
    every API call, written once (`core.rows`) where the ORM compiled it on each."""
    found = rows.one(_token_sql(), [digest], ApiToken, StaffUser)
    if found is None:
        return None
    token, token.user = found
    return token


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    """The console's session; a write without the CSRF token says so by its own code."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise CsrfFailed() from None
