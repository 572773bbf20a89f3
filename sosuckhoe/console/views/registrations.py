"""Registrations reviewed by the health officers of a unit, who is not reached yet, sessions
created and filled with the approved registrants."""

from collections.abc import Callable
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import officer_view
from sosuckhoe.console.forms_vaccination import (
    AssignForm,
    DuplicateForm,
    NotReachedForm,
    RejectForm,
    SessionForm,
)
from sosuckhoe.console.refusals import refusal_messages, refusal_on_form
from sosuckhoe.console.unit_pick import unit_pick
from sosuckhoe.console.views.sites import site_day_url, sites_of
from sosuckhoe.people.selectors import persons_search
from sosuckhoe.supply.selectors import products_active
from sosuckhoe.vaccination.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.selectors import (
    AGE_BANDS,
    coverage_by_age_band,
    coverage_by_priority_group,
    persons_not_reached,
    registrations_to_review,
)
from sosuckhoe.vaccination.services import (
    registration_approve,
    registration_mark_duplicate,
    registration_reject,
    registrations_assign,
    session_create,
)

REVIEWED_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)


def _registration(request: HttpRequest, registration_uuid: UUID) -> Registration:
    scoped = Registration.objects.visible_to(request.user).select_related("person")
    return get_object_or_404(scoped, uuid=registration_uuid)


def _to_review(request: HttpRequest, status: str) -> HttpResponse:
    """Back to the list the review was made from, on the unit it was narrowed to (the list
    checks the unit again)."""
    query = {"status": status}
    if "unit" in request.GET:
        query["unit"] = request.GET["unit"]
    return redirect(f"{reverse('console:registrations')}?{urlencode(query)}")


@require_safe
@officer_view
def registrations(request: HttpRequest) -> HttpResponse:
    """The unit's registrations waiting for review (or approved, waiting for a place)."""
    status = request.GET.get("status", RegistrationStatus.PENDING)
    if status not in REVIEWED_STATUSES:
        status = RegistrationStatus.PENDING
    pick = unit_pick(request)
    found = registrations_to_review(actor=Actor.of_request(request), unit=pick.unit, status=status)
    context = {
        "pick": pick,
        "registrations": found,
        "status": status,
        "statuses": [(s, RegistrationStatus(s).label) for s in REVIEWED_STATUSES],
        "reject_form": RejectForm(),
        "duplicate_form": DuplicateForm(),
    }
    return render(request, "console/registrations.html", context)


def _review(
    request: HttpRequest, registration: Registration, done: str, call: Callable[[], object]
) -> HttpResponse:
    """Run one review service; its refusals as messages; back to the list it came from."""
    status = registration.status
    try:
        call()
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, done % {"name": registration.person.full_name})
    return _to_review(request, status)


@require_POST
@officer_view
def registration_approve_view(request: HttpRequest, registration_uuid: UUID) -> HttpResponse:
    registration, actor = _registration(request, registration_uuid), Actor.of_request(request)
    return _review(
        request,
        registration,
        _("The registration of %(name)s was approved."),
        lambda: registration_approve(actor=actor, registration=registration),
    )


@require_POST
@officer_view
def registration_reject_view(request: HttpRequest, registration_uuid: UUID) -> HttpResponse:
    registration, actor = _registration(request, registration_uuid), Actor.of_request(request)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the registration is rejected."))
        return _to_review(request, registration.status)
    return _review(
        request,
        registration,
        _("The registration of %(name)s was rejected."),
        lambda: registration_reject(
            actor=actor, registration=registration, reason=form.cleaned_data["reason"]
        ),
    )


@require_POST
@officer_view
def registration_duplicate_view(request: HttpRequest, registration_uuid: UUID) -> HttpResponse:
    """Close a registration made under a second record; the first is found by its document."""
    registration, actor = _registration(request, registration_uuid), Actor.of_request(request)
    form = DuplicateForm(request.POST)
    found = persons_search(actor=actor, text=form.data.get("of", "")) if form.is_valid() else []
    others = [p for p in found if p.pk != registration.person_id]
    if len(others) != 1:
        messages.error(request, _("Give the document number of one other record in your unit."))
        return _to_review(request, registration.status)
    return _review(
        request,
        registration,
        _("The registration of %(name)s was closed as a duplicate."),
        lambda: registration_mark_duplicate(
            actor=actor,
            registration=registration,
            of_person=others[0],
            merge=form.cleaned_data["merge"],
        ),
    )


@require_safe
@officer_view
def not_reached(request: HttpRequest) -> HttpResponse:
    """Who of the unit has not registered or not been vaccinated, by age band and group."""
    actor, pick, today = Actor.of_request(request), unit_pick(request), timezone.localdate()
    unit = pick.unit
    bands = {band.key: band for band in AGE_BANDS}
    filters = request.GET.copy()
    filters.pop("unit", None)  # the unit alone asks for no list
    form = NotReachedForm(filters or None, bands=list(bands))
    persons = []
    if form.is_valid():
        persons = persons_not_reached(
            actor=actor,
            unit=unit,
            on=today,
            missing=form.cleaned_data["missing"],
            band=bands.get(form.cleaned_data["band"]),
            group=form.cleaned_data["group"],
        )
    context = {
        "pick": pick,
        "form": form,
        "persons": persons,
        "searched": form.is_bound,
        "by_band": coverage_by_age_band(actor=actor, unit=unit, on=today),
        "by_group": coverage_by_priority_group(actor=actor, unit=unit),
    }
    return render(request, "console/not_reached.html", context)


def _open_sessions(request: HttpRequest) -> QuerySet[VaccinationSession]:
    return (
        VaccinationSession.objects.filter(
            site__in=sites_of(request), status=SessionStatus.OPEN, date__gte=timezone.localdate()
        )
        .select_related("site", "product")
        .order_by("date", "site__name")
    )


@officer_view
def assign(request: HttpRequest) -> HttpResponse:
    """Book the unit's approved registrants into the chosen sessions, priority first."""
    pick = unit_pick(request)
    form = AssignForm(request.POST or None, sessions=_open_sessions(request))
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = registrations_assign(
                actor=Actor.of_request(request),
                unit=pick.unit,
                sessions=list(form.cleaned_data["sessions"]),
            )
        except ValidationError as error:
            refusal_messages(request, error)
    context = {"pick": pick, "form": form, "report": report}
    return render(request, "console/assign.html", context)


@officer_view
def session_new(request: HttpRequest) -> HttpResponse:
    """Open a session of one vaccine at a site on a day, in time slots."""
    form = SessionForm(
        request.POST or None,
        sites=sites_of(request),
        products=products_active(),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_create(
                actor=Actor.of_request(request),
                site=data["site"],
                date=data["date"],
                product=data["product"],
                slots=data["slots"],
            )
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The session was created."))
            return redirect(site_day_url(session.site, session.date))
    return render(request, "console/session_form.html", {"form": form})
