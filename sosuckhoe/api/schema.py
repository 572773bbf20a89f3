"""How the schema describes the ways to sign API calls; loaded by the app's config so that
these register."""

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "sosuckhoe.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; `manage.py api_token_create USERNAME` makes a key.",
        }


class ConsoleSessionScheme(SessionScheme):
    """The console's session cookie, as drf-spectacular describes DRF's own."""

    target_class = "sosuckhoe.api.authentication.SessionAuthentication"
