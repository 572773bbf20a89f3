"""The application's token check (sosuckhoe/api/authentication.py) on the reference's models:
the same header, the same hash, the same one query."""

import hashlib

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from bench.reference.models import ApiToken, StaffUser


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[StaffUser, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0] != b"Token":
            return None
        digest = hashlib.sha256(parts[1]).hexdigest()
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("unknown key")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return "Token"
