"""Vaccination certificates: issue a person's, hand out its QR code and card, print the cards
of a session's persons."""

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.certificates.models import Certificate
from sosuckhoe.certificates.outputs import card_pdf, cards_pdf, qr_png, qr_svg
from sosuckhoe.certificates.selectors import (
    cards_unscoped,
    certificate_read,
    session_certificates,
    session_persons_uncertified,
)
from sosuckhoe.certificates.services import certificate_issue
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.refusals import refusal_messages
from sosuckhoe.console.views.sites import site_day_url, sites_of
from sosuckhoe.people.selectors import person_read
from sosuckhoe.vaccination.models import VaccinationSession

# What each download is: its purpose in the audit log, its type, its file name's ending.
_DOWNLOADS: dict[str, tuple[str, Callable[[Certificate], bytes]]] = {
    "qr.png": ("image/png", lambda c: qr_png(c.hc1)),
    "qr.svg": ("image/svg+xml", lambda c: qr_svg(c.hc1)),
    "card.pdf": ("application/pdf", lambda c: card_pdf(cards_unscoped([c])[0])),
}


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: never kept by a proxy or the browser's cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@personal_data_view
def certificate_download(request: HttpRequest, certificate_uuid: UUID, kind: str) -> HttpResponse:
    if kind not in _DOWNLOADS:
        raise Http404
    certificate = certificate_read(
        actor=Actor.of_request(request), certificate_uuid=certificate_uuid, purpose=kind
    )
    content_type, render = _DOWNLOADS[kind]
    return _file(render(certificate), content_type, f"certificate-{certificate.uuid}-{kind}")


@require_POST
@personal_data_view
def certificate_issue_view(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    person = person_read(actor=actor, person_uuid=person_uuid)
    try:
        certificate_issue(actor=actor, person=person)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The vaccination certificate was issued."))
    return redirect("console:person", person_uuid=person.uuid)


def _session_of(request: HttpRequest, session_uuid: UUID) -> VaccinationSession:
    """A session at a site of the user's subtree; any other is not found."""
    session = (
        VaccinationSession.objects.filter(site__in=sites_of(request), uuid=session_uuid)
        .select_related("site__unit", "product")
        .first()
    )
    if session is None:
        raise Http404
    return session


@require_safe
@personal_data_view
def session_cards(request: HttpRequest, session_uuid: UUID) -> HttpResponse:
    """One PDF of the cards of the session's persons who have a certificate. Reading prints
    what exists; issuing the missing ones is the POST beside it, a write of its own."""
    session = _session_of(request, session_uuid)
    certificates = session_certificates(actor=Actor.of_request(request), session=session)
    if not certificates:
        messages.info(request, _("Nobody vaccinated in this session has a certificate yet."))
        return redirect(site_day_url(session.site, session.date))
    content = cards_pdf(cards_unscoped(certificates), title=str(session))
    name = f"certificates-{session.date:%Y-%m-%d}-{session.uuid}.pdf"
    return _file(content, "application/pdf", name)


@require_POST
@personal_data_view
def session_certificates_issue(request: HttpRequest, session_uuid: UUID) -> HttpResponse:
    """Issue a certificate to each of the session's persons who has none: one transaction
    each, so that one refusal (a merged record) does not hold back the others."""
    session, actor = _session_of(request, session_uuid), Actor.of_request(request)
    issued, refusals = 0, set()
    for person in session_persons_uncertified(actor=actor, session=session):
        try:
            certificate_issue(actor=actor, person=person)
        except ValidationError as error:
            refusals.update(error.messages)
        else:
            issued += 1
    # Each reason once: "no signer key" would otherwise repeat for every person.
    refusal_messages(request, ValidationError(sorted(refusals)))
    messages.success(
        request,
        ngettext("%(count)d certificate was issued.", "%(count)d certificates were issued.", issued)
        % {"count": issued},
    )
    return redirect(site_day_url(session.site, session.date))
