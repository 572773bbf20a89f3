"""The public lists verifiers download (signer certificates and revoked identifiers) and the
verifier page. No sign-in: they hold no personal data, and offline verifiers fetch them as
they are."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sosuckhoe.certificates.schema import vaccination_value_sets
from sosuckhoe.certificates.selectors import revocation_list_document, trust_list_document
from sosuckhoe.certificates.verifier import REASONS

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


# What the verifier page needs besides itself; its service worker keeps them for offline use.
_VERIFIER_ASSETS = (
    "console/console.css",
    "console/console.js",
    "certificates/verifier.css",
    "certificates/verifier.js",
    "jsqr/jsQR.js",
)


def _verifier_data() -> dict[str, Any]:
    return {
        "trustList": reverse("certificates:trust_list"),
        "revocations": reverse("certificates:revocations"),
        "worker": reverse("verifier_worker"),
        "reasons": {code: str(text) for code, text in REASONS.items()},
        "valueSets": vaccination_value_sets(),
        "messages": {
            "listsFrom": _("Trust and revocation lists of %(time)s."),
            "listsMissing": _("The lists could not be loaded: connect once to verify."),
            "noCode": _("No QR code was found in this picture."),
            "noCamera": _("The camera cannot be used here; choose a picture or paste the text."),
            "dose": _("%(n)s of %(of)s"),
        },
    }


@require_safe
def verifier(request: HttpRequest) -> HttpResponse:
    """Reads a certificate (camera, picture or pasted text) and verifies it in the browser,
    with the public lists it keeps: offline once loaded."""
    return render(request, "certificates/verifier.html", {"verifier_data": _verifier_data()})


@require_safe
def verifier_worker(request: HttpRequest) -> HttpResponse:
    """The verifier page's service worker, served from the page's folder so that its scope
    covers the page; it lists the files to keep by their current (hashed) names."""
    keep = [reverse("verifier"), *(static(name) for name in _VERIFIER_ASSETS)]
    lists = [reverse("certificates:trust_list"), reverse("certificates:revocations")]
    response = render(
        request,
        "certificates/verifier-worker.js",
        {
            "keep": json.dumps(keep),
            "lists": json.dumps(lists),
            "version": hashlib.sha256(json.dumps(keep).encode()).hexdigest()[:12],
        },
        content_type="application/javascript",
    )
    # A browser looks for a new worker on each visit: the file names change with a release.
    patch_cache_control(response, no_cache=True)
    return response
