"""Requests to correct a vaccination record: entered from the person's page for a citizen who
came or called, listed for the unit (open first), answered by an officer with a note. The
answer changes no dose: the officer corrects the record with the dose pages first."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import officer_view, personal_data_view
from sosuckhoe.console.forms_corrections import CorrectionRequestForm, ResolveForm
from sosuckhoe.console.refusals import refusal_on_form
from sosuckhoe.console.unit_pick import unit_pick
from sosuckhoe.people.models import Person
from sosuckhoe.people.selectors import person_read
from sosuckhoe.vaccination.correction_selectors import (
    CorrectionPage,
    correction_form_doses,
    correction_request_read,
    correction_requests_list,
)
from sosuckhoe.vaccination.models import CorrectionStatus
from sosuckhoe.vaccination.services import correction_request_create, correction_request_resolve
from sosuckhoe.vaccination.services.corrections import may_resolve


def _person_named(request: HttpRequest, actor: Actor) -> Person | None:
    """The person `?person=` names, read as their page reads them; else not found."""
    named = request.GET.get("person", "")
    if not named:
        return None
    try:
        person_uuid = UUID(named)
    except ValueError:
        raise Http404 from None
    return person_read(actor=actor, person_uuid=person_uuid)


@require_safe
@personal_data_view
def corrections(request: HttpRequest) -> HttpResponse:
    """The requests of the picked unit, open first; `?status=` narrows to one status and
    `?person=` to one person's (from their page; not found when not the reader's)."""
    actor, pick = Actor.of_request(request), unit_pick(request)
    status = request.GET.get("status", "")
    if status not in CorrectionStatus.values:
        status = ""
    person = _person_named(request, actor)
    found = correction_requests_list(actor=actor, unit=pick.unit, status=status, person=person)
    context = {
        "pick": pick,
        "requests": found,
        "status": status,
        "statuses": CorrectionStatus.choices,
        "person": person,
    }
    return render(request, "console/correction_list.html", context)


@personal_data_view
def correction_new(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    """A request entered for a citizen, from the person's page; `?dose=` names the dose."""
    actor = Actor.of_request(request)
    person = person_read(actor=actor, person_uuid=person_uuid)
    doses = correction_form_doses(actor=actor, person=person)
    form = CorrectionRequestForm(
        request.POST or None, doses=doses, initial={"dose": request.GET.get("dose", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = correction_request_create(actor=actor, person=person, **form.cleaned_data)
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The correction request was entered."))
            return redirect("console:correction", request_uuid=created.uuid)
    context = {"person": person, "form": form}
    return render(request, "console/correction_form.html", context)


def _correction_page(request: HttpRequest, page: CorrectionPage, form: ResolveForm) -> HttpResponse:
    context = {
        "correction": page.request,
        "person": page.request.person,
        "doses": page.doses,
        "form": form,
        "may_resolve": page.request.is_open and may_resolve(Actor.of_request(request)),
    }
    return render(request, "console/correction_detail.html", context)


@require_safe
@personal_data_view
def correction_detail(request: HttpRequest, request_uuid: UUID) -> HttpResponse:
    """The request, the person's doses beside it, and the officer's answer."""
    page = correction_request_read(actor=Actor.of_request(request), request_uuid=request_uuid)
    return _correction_page(request, page, ResolveForm(doses=page.doses))


@require_POST
@officer_view
def correction_resolve(request: HttpRequest, request_uuid: UUID) -> HttpResponse:
    """Accept or reject with a note; a refusal shows the page again with the answer typed."""
    actor = Actor.of_request(request)
    page = correction_request_read(actor=actor, request_uuid=request_uuid)
    form = ResolveForm(request.POST, doses=page.doses)
    if form.is_valid():
        try:
            correction_request_resolve(actor=actor, request=page.request, **form.cleaned_data)
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("console:correction", request_uuid=page.request.uuid)
    return _correction_page(request, page, form)
