"""Persons: search, read, register, correct, register a ward, merge."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.certificates.outputs import qr_svg_inline
from sosuckhoe.certificates.selectors import person_certificates
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.forms import PersonForm, SearchForm
from sosuckhoe.console.forms_vaccination import VoidForm
from sosuckhoe.console.views.doses import may_void
from sosuckhoe.people.models import IdKind, Person
from sosuckhoe.people.selectors import (
    person_read,
    person_related,
    persons_read,
    persons_search,
)
from sosuckhoe.people.services import person_create, person_merge, person_update
from sosuckhoe.vaccination.selectors import VaccinationHistory, person_vaccination_history


@require_safe
@personal_data_view
def person_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    text = form.data.get("q", "") if form.is_valid() else ""
    results = persons_search(actor=Actor.of_request(request), text=text) if text else []
    return render(
        request,
        "console/person_search.html",
        {"search_form": form, "results": results, "searched": bool(text)},
    )


@require_safe
@personal_data_view
def person_detail(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    person = person_read(actor=actor, person_uuid=person_uuid)
    if person.merged_into_id:
        messages.info(request, _("This record was merged into the one shown."))
        return redirect("console:person", person_uuid=person.merged_into.uuid)
    history = person_vaccination_history(actor=actor, person_uuid=person.uuid)
    context = {
        "person": person,
        "related": person_related(actor=actor, person=person),
        "history": history,
        "voidable": {d.pk for d in history.doses if may_void(actor, d)},
        "void_form": VoidForm(),
        **_certificate_context(actor, person, history),
    }
    return render(request, "console/person_detail.html", context)


def _certificate_context(
    actor: Actor, person: Person, history: VaccinationHistory
) -> dict[str, object]:
    """The current certificate with its QR, the history of those issued and revoked, and
    whether issuing one makes sense (a valid dose is shown)."""
    issued = person_certificates(actor=actor, person=person)
    current = next((c for c in issued if c.revoked_at is None), None)
    return {
        "certificate": current,
        # segno writes the SVG from the Base45 text alone: nothing typed by anyone is in it.
        "certificate_qr": mark_safe(qr_svg_inline(current.hc1)) if current else "",
        "certificates": issued,
        "certificate_issuable": current is None and any(d.is_valid for d in history.doses),
    }


def save_person_form(
    request: HttpRequest, form: PersonForm, person: Person | None, **links: object
) -> Person | None:
    """Run the create or update service; field errors go back onto the form. `links` are
    family links a new person gets (guardian, household)."""
    if not form.is_valid():
        return None
    actor = Actor.of_request(request)
    fields = dict(form.cleaned_data)
    submission_key = fields.pop("submission_key")
    try:
        if person is None:
            return person_create(actor=actor, submission_key=submission_key, **fields, **links)
        return person_update(actor=actor, person=person, **fields)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@personal_data_view
def person_new(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, unit=request.user.unit)
    if request.method == "POST" and (person := save_person_form(request, form, None)):
        messages.success(request, _("The person was registered."))
        return redirect("console:person", person_uuid=person.uuid)
    return render(request, "console/person_form.html", {"form": form, "person": None})


@personal_data_view
def person_new_ward(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    """Register a child under a guardian: same home, phone and household as the guardian."""
    guardian = person_read(actor=Actor.of_request(request), person_uuid=person_uuid)
    initial = {
        "home_unit": guardian.home_unit,
        "address_line": guardian.address_line,
        "phone": guardian.phone,
        "id_kind": IdKind.NONE,
    }
    form = PersonForm(request.POST or None, initial=initial, unit=request.user.unit)
    links = {"guardian": guardian, "household": guardian.household}
    if request.method == "POST" and (person := save_person_form(request, form, None, **links)):
        messages.success(request, _("The child was registered under this guardian."))
        return redirect("console:person", person_uuid=person.uuid)
    context = {"form": form, "person": None, "guardian": guardian}
    return render(request, "console/person_form.html", context)


@personal_data_view
def person_edit(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    person = person_read(actor=Actor.of_request(request), person_uuid=person_uuid)
    form = PersonForm(request.POST or None, instance=person, unit=request.user.unit)
    if request.method == "POST" and save_person_form(request, form, person):
        messages.success(request, _("The changes were saved."))
        return redirect("console:person", person_uuid=person.uuid)
    return render(request, "console/person_form.html", {"form": form, "person": person})


@personal_data_view
def person_merge_view(request: HttpRequest, person_uuid: UUID, other_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    keep, duplicate = persons_read(actor=actor, person_uuids=[person_uuid, other_uuid])
    if request.method == "POST":
        try:
            person_merge(actor=actor, keep=keep, duplicate=duplicate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The records were merged."))
        return redirect("console:person", person_uuid=keep.uuid)
    return render(request, "console/person_merge.html", {"keep": keep, "duplicate": duplicate})
