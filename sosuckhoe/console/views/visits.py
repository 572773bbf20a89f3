"""One person's visit to a site today: check-in, screening, dose."""

import datetime as dt
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.forms_vaccination import DoseForm, ScreeningAnswersForm
from sosuckhoe.console.refusals import refusal_messages, refusal_on_form
from sosuckhoe.console.views.sites import WATCH, site_day_url, site_of
from sosuckhoe.people.models import Person
from sosuckhoe.people.selectors import person_read
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.schedule import DoseAssessment
from sosuckhoe.supply.selectors import lots_usable
from sosuckhoe.vaccination.models import (
    PLACE_TAKEN,
    Booking,
    BookingStatus,
    SessionStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.selectors import VaccinationHistory, person_vaccination_history
from sosuckhoe.vaccination.services import (
    booking_check_in,
    dose_record,
    screening_record,
    walk_in_check_in,
)
from sosuckhoe.vaccination.services.eligibility import ScheduleView, contraindication_refusals
from sosuckhoe.vaccination.services.screening import screening_form_for


def _booking_here(history: VaccinationHistory, site: Facility, day: dt.date) -> Booking | None:
    """The person's booking at a session of the site on the day: open, or vaccinated in."""
    return next(
        (
            b
            for b in history.bookings
            if b.session.site_id == site.pk and b.session.date == day and b.status in PLACE_TAKEN
        ),
        None,
    )


def _usable_lots(site: Facility, day: dt.date) -> QuerySet[Lot]:
    """Every lot the site may give from today, of every product in use."""
    lots = lots_usable(facility=site, on=day).filter(product__is_active=True)
    return lots.order_by("product__name", "expiry_date", "number")


def _assessments(
    person: Person, lots: QuerySet[Lot], day: dt.date
) -> list[tuple[Product, DoseAssessment, list[str]]]:
    """For each product the site has: the dose the schedule would make it, and every refusal."""
    view, products = ScheduleView.of(person, day), {lot.product for lot in lots}
    rows = []
    for product in sorted(products, key=lambda p: p.name):
        assessment = view.assess(product)
        refusals = [*contraindication_refusals(person, product, day), *assessment.refusals]
        rows.append((product, assessment, [m for r in refusals for m in r.messages]))
    return rows


def _lot_for(lots: QuerySet[Lot], booking: Booking | None) -> Lot | None:
    """The lot offered first: the first to expire of the booked session's vaccine."""
    wanted = booking.session.product_id if booking else None
    return next((lot for lot in lots if lot.product_id == wanted), None)


def _visit(
    request: HttpRequest, site_uuid: UUID, person_uuid: UUID
) -> tuple[Actor, Facility, Person, dt.date]:
    """Who acts, at which site of theirs, for which person of theirs (read, audited), today."""
    actor, site = Actor.of_request(request), site_of(request, site_uuid)
    return actor, site, person_read(actor=actor, person_uuid=person_uuid), timezone.localdate()


def _open_session(site: Facility, day: dt.date) -> VaccinationSession | None:
    """The site's first open session of the day: where a walk-in joins."""
    sessions = VaccinationSession.objects.filter(site=site, date=day, status=SessionStatus.OPEN)
    return sessions.order_by("id").first()


def _visit_url(site: Facility, person: Person) -> str:
    return reverse("console:site_visit", args=[site.uuid, person.uuid])


@require_safe
@personal_data_view
def site_visit(request: HttpRequest, site_uuid: UUID, person_uuid: UUID) -> HttpResponse:
    actor, site, person, today = _visit(request, site_uuid, person_uuid)
    history = person_vaccination_history(actor=actor, person_uuid=person.uuid, on=today)
    screenings = [s for s in history.screenings if s.site_id == site.pk and s.screened_on == today]
    screening = screenings[-1] if screenings else None
    lots = _usable_lots(site, today)
    doses = [d for d in history.doses if d.site_id == site.pk and d.given_on == today]
    booking = _booking_here(history, site, today)
    context = {
        "site": site,
        "person": person,
        "booking": booking,
        "sessions": _open_session(site, today) is not None,
        "screening": screening,
        "decisive": screening.answers.filter(decisive=True).select_related("item")
        if screening
        else [],
        "doses": doses,
        "assessments": _assessments(person, lots, today),
        # One dose a visit: a second one today is a correction, made on the person's page.
        "dose_form": DoseForm(lots=lots, initial={"lot": _lot_for(lots, booking)})
        if lots and not any(d.is_valid for d in doses)
        else None,
    }
    return render(request, "console/site_visit.html", context)


@require_POST
@personal_data_view
def site_check_in(request: HttpRequest, site_uuid: UUID, person_uuid: UUID) -> HttpResponse:
    """Check in a booked person, or someone who came without a booking as a walk-in."""
    actor, site, person, today = _visit(request, site_uuid, person_uuid)
    history = person_vaccination_history(actor=actor, person_uuid=person.uuid, on=today)
    booking = _booking_here(history, site, today)
    session = _open_session(site, today)
    try:
        if booking is not None:
            booking_check_in(actor=actor, booking=booking)
        elif session is not None:
            walk_in_check_in(actor=actor, person=person, session=session)
        else:
            messages.error(request, _("This site holds no open session today."))
            return redirect(_visit_url(site, person))
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": person.full_name})
    return redirect(_visit_url(site, person))


@personal_data_view
def site_screening(request: HttpRequest, site_uuid: UUID, person_uuid: UUID) -> HttpResponse:
    """The screening form in force for the person's age; the outcome is derived, not chosen."""
    actor, site, person, today = _visit(request, site_uuid, person_uuid)
    try:
        sheet = screening_form_for(person=person, on=today)
    except ValidationError as error:
        refusal_messages(request, error)
        return redirect(_visit_url(site, person))
    form = ScreeningAnswersForm(request.POST or None, items=list(sheet.items.all()))
    if request.method == "POST" and form.is_valid() and _screen(request, actor, site, person, form):
        return redirect(_visit_url(site, person))
    context = {"site": site, "person": person, "sheet": sheet, "form": form}
    return render(request, "console/site_screening.html", context)


def _screen(
    request: HttpRequest, actor: Actor, site: Facility, person: Person, form: ScreeningAnswersForm
) -> bool:
    booking = (
        Booking.objects.visible_to(request.user)
        .filter(
            person=person,
            session__site=site,
            session__date=timezone.localdate(),
            status=BookingStatus.CHECKED_IN,
        )
        .select_related("session__product")
        .first()
    )
    try:
        screening_record(
            actor=actor,
            person=person,
            site=site,
            answers=form.answers(),
            vitals=form.vitals(),
            product=booking.session.product if booking else None,
            booking=booking,
        )
    except ValidationError as error:
        refusal_on_form(form, error)
        return False
    return True


@require_POST
@personal_data_view
def site_dose(request: HttpRequest, site_uuid: UUID, person_uuid: UUID) -> HttpResponse:
    """Record the dose given now; every refusal is shown and nothing is written."""
    actor, site, person, today = _visit(request, site_uuid, person_uuid)
    form = DoseForm(request.POST, lots=_usable_lots(site, today))
    if not form.is_valid():
        messages.error(request, _("Choose a lot the site has in stock."))
        return redirect(_visit_url(site, person))
    lot = form.cleaned_data["lot"]
    try:
        dose = dose_record(
            actor=actor,
            person=person,
            product=lot.product,
            lot=lot,
            site=site,
            vaccinator=actor.user,
            submission_key=form.cleaned_data["submission_key"],
        )
    except ValidationError as error:
        refusal_messages(request, error)
        return redirect(_visit_url(site, person))
    until = timezone.localtime(dose.given_at + WATCH)
    messages.success(
        request,
        _("%(name)s: %(kind)s %(number)s recorded; watch until %(until)s.")
        % {
            "name": person.full_name,
            "kind": dose.get_kind_display(),
            "number": dose.number,
            "until": f"{until:%H:%M}",
        },
    )
    return redirect(site_day_url(site))
