"""Every error of the API as JSON: `{"code", "message", "fields"}`, the message translated."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

# Refusals that say another request came first or the record already exists.
CONFLICTS = frozenset({"slot_full", "dose_exists", "already_booked", "already_registered"})
# A service's "outside your unit" is the API's "not found": a record not yours is not shown.
NOT_YOURS = "outside_unit"


def _messages() -> dict[str, str]:
    return {
        "not_found": _("Not found."),
        "not_authenticated": _("Send your key: Authorization: Token <key>."),
        "permission_denied": _("Your role may not use this."),
        "csrf_failed": _("Send the console's CSRF token with the request."),
        "method_not_allowed": _("This method is not allowed here."),
        "throttled": _("Too many requests; wait and try again."),
        "invalid": _("The request is not valid; see the fields."),
        "parse_error": _("The request body is not valid JSON."),
        "unsupported_media_type": _("Send JSON (Content-Type: application/json)."),
        "not_acceptable": _("This endpoint answers in JSON."),
        "server_error": _("Something went wrong on our side; the error was logged."),
    }


def error_body(code: str, message: str = "", fields: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message or _messages()[code], "fields": fields or {}}


def refusal_answer(error: DjangoValidationError) -> tuple[int, dict[str, Any]]:
    """A service's refusal as the API's status and body."""
    parts = (
        [e for errors in error.error_dict.values() for e in errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    codes = [e.code or "invalid" for e in parts]
    if NOT_YOURS in codes:
        return status.HTTP_404_NOT_FOUND, error_body("not_found")
    fields = error.message_dict if hasattr(error, "error_dict") else {}
    conflict = any(code in CONFLICTS for code in codes)
    body = error_body(codes[0], " ".join(error.messages), fields)
    return status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST, body


def _api_error(exc: exceptions.APIException) -> Response:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = error_body("invalid", fields=fields)
    elif isinstance(exc, exceptions.AuthenticationFailed):
        body = error_body("authentication_failed", str(exc.detail))
    else:
        code = exc.default_code if exc.default_code in _messages() else "invalid"
        body = error_body(code, fields=exc.detail if isinstance(exc.detail, dict) else None)
    return Response(body, status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's handler for the API's views: refusals of the services included, and anything
    unexpected as a JSON 500 rather than Django's HTML page."""
    set_rollback()
    if isinstance(exc, DjangoValidationError):
        answer_status, body = refusal_answer(exc)
        return Response(body, status=answer_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        return _api_error(exc)
    logger.exception("API error in %s", context.get("view"))
    return Response(error_body("server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """An address under /api/ that names no endpoint."""
    return JsonResponse(
        error_body("not_found"), status=404, json_dumps_params={"ensure_ascii": False}
    )
