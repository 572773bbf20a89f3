"""The public lists verifiers download: signer certificates and revoked identifiers. No
sign-in: they hold no personal data, and offline verifiers fetch them as they are."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from sosuckhoe.certificates.selectors import revocation_list_document, trust_list_document

# How long a verifier may use its copy without asking again; a new revocation should reach
# verifiers sooner than a new signer key, which is published long before it signs.
TRUST_LIST_MAX_AGE = 3600
REVOCATIONS_MAX_AGE = 300


def _document(request: HttpRequest, document: Callable[[], Any], max_age: int) -> HttpResponse:
    body = json.dumps(document(), separators=(",", ":"), sort_keys=True).encode()
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="application/json"
    )
    response["ETag"] = etag
    # Public data that verifiers of other origins (and caches) may hold.
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def trust_list(request: HttpRequest) -> HttpResponse:
    return _document(request, trust_list_document, TRUST_LIST_MAX_AGE)


@require_safe
def revocations(request: HttpRequest) -> HttpResponse:
    return _document(request, revocation_list_document, REVOCATIONS_MAX_AGE)
