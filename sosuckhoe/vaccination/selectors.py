"""Reads of vaccination records. Every list of personal records goes through `visible_to`
and leaves one audit row naming what it showed; counts show no one and are not audited."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.people.audit import record_read, records_shown
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.schedule import NextDose, next_dose_due
from sosuckhoe.vaccination.age_bands import AGE_BANDS, AgeBand
from sosuckhoe.vaccination.models import (
    Booking,
    BookingStatus,
    DailyTally,
    Dose,
    Investigation,
    PriorityGroup,
    Reaction,
    Registration,
    RegistrationStatus,
    Screening,
    SessionSlot,
    VaccinationSession,
)
from sosuckhoe.vaccination.services.eligibility import (
    birth_of,
    is_highly_exposed,
    is_immunocompromised,
    prior_doses,
)

LIST_LIMIT = 200


def _reach(actor: Actor, unit: AdminUnit) -> None:
    """Counts of a unit are for anyone whose unit holds it, analysts included; else not found."""
    user = actor.user
    if user is None:
        return
    if not user.works_over(unit):
        raise Http404


# --- A person's page --------------------------------------------------------------------


@dataclass(frozen=True)
class VaccinationHistory:
    """What a person's page shows of vaccination: voided doses included, to be struck through."""

    person: Person
    registrations: list[Registration]
    bookings: list[Booking]
    screenings: list[Screening]
    doses: list[Dose]
    reactions: list[Reaction]
    next_due: NextDose | None

    @property
    def records(self) -> list[Any]:
        return [*self.registrations, *self.bookings, *self.screenings, *self.doses, *self.reactions]


def _history_of(user: Any, person: Person) -> dict[str, list[Any]]:
    registrations = Registration.objects.visible_to(user).filter(person=person)
    bookings = Booking.objects.visible_to(user).filter(person=person)
    screenings = Screening.objects.visible_to(user).filter(person=person)
    doses = Dose.objects.visible_to(user).filter(person=person)
    reactions = Reaction.objects.visible_to(user).filter(dose__person=person)
    return {
        "registrations": list(
            registrations.select_related("priority_group", "preferred_site").order_by(
                "created_at", "id"
            )
        ),
        "bookings": list(
            bookings.select_related("session__site", "session__product", "slot").order_by(
                "created_at", "id"
            )
        ),
        "screenings": list(screenings.select_related("site", "form").order_by("screened_at", "id")),
        "doses": list(
            doses.select_related("product", "lot", "site", "vaccinator", "voided_by").order_by(
                "given_at", "id"
            )
        ),
        "reactions": list(
            reactions.select_related("dose__product", "investigation")
            .prefetch_related("terms")
            .order_by("onset_at", "id")
        ),
    }


def _next_due(person: Person, on: dt.date) -> NextDose | None:
    return next_dose_due(
        birth=birth_of(person),
        history=prior_doses(person, until=on),
        on=on,
        immunocompromised=is_immunocompromised(person, on=on),
        high_exposure=is_highly_exposed(person),
    )


def person_vaccination_history(
    *, actor: Actor, person_uuid: UUID, on: dt.date | None = None
) -> VaccinationHistory:
    """A person's registrations, bookings, screenings, doses and reactions, as far as the
    reader may see them: all when the person is theirs, those of their sites when the person
    lives elsewhere. Not found when they may see none; audited on the person."""
    person = Person.objects.select_related("home_unit").filter(uuid=person_uuid).first()
    if person is None:
        raise Http404
    parts, on = _history_of(actor.user, person), on or timezone.localdate()
    own = Person.objects.visible_to(actor.user).filter(pk=person.pk).exists()
    if not own and not any(parts.values()):
        raise Http404
    history = VaccinationHistory(
        person=person, next_due=_next_due(person, on) if own else None, **parts
    )
    audit_write(
        actor=actor,
        action=AuditAction.VIEW,
        scope_path=person.home_unit.path,
        object_type="person",
        object_uuid=person.uuid,
        summary=f"{person.full_name}: vaccination",
        changes={"shown": [str(r.uuid) for r in history.records]},
    )
    return history


def dose_read(*, actor: Actor, dose_uuid: UUID) -> Dose:
    """One dose for a member of staff, audited; not found when it is not theirs to see."""
    dose = (
        Dose.objects.visible_to(actor.user)
        .select_related("person__home_unit", "product", "lot", "site", "screening", "voided_by")
        .filter(uuid=dose_uuid)
        .first()
    )
    return record_read(
        dose, actor=actor, person=lambda d: d.person, object_type="dose", summary=str
    )


# --- A site's day -----------------------------------------------------------------------


def site_day_doses(*, actor: Actor, site: Facility, day: dt.date) -> list[Dose]:
    """The doses a site gave on a day, voided ones included, in the order given."""
    doses = list(
        Dose.objects.visible_to(actor.user)
        .filter(site=site, given_on=day)
        .select_related("person", "product", "lot")
        .order_by("given_at", "id")[:LIST_LIMIT]
    )
    records_shown(
        actor=actor,
        object_type="dose",
        records=doses,
        summary=f"{site.name} {day:%d/%m/%Y}",
        scope_path=site.unit.path,
    )
    return doses


def session_queue(*, actor: Actor, session: VaccinationSession) -> list[Booking]:
    """The people of a session, booked and walk-in, by slot and arrival; cancelled and moved
    bookings left out."""
    bookings = list(
        Booking.objects.visible_to(actor.user)
        .filter(session=session)
        .exclude(status__in=[BookingStatus.CANCELLED, BookingStatus.MOVED])
        .select_related("person", "slot")
        .order_by("slot__starts_at", "checked_in_at", "created_at", "id")
    )
    records_shown(
        actor=actor,
        object_type="booking",
        records=bookings,
        summary=str(session),
        scope_path=session.site.unit.path,
    )
    return bookings


# --- Review ---------------------------------------------------------------------------


def registrations_to_review(
    *,
    actor: Actor,
    unit: AdminUnit,
    status: str = RegistrationStatus.PENDING,
    limit: int = LIST_LIMIT,
) -> list[Registration]:
    """Registrations of the unit's residents in a status, the oldest first."""
    _reach(actor, unit)
    registrations = list(
        Registration.objects.visible_to(actor.user)
        .filter(status=status, person__home_unit_id__in=unit.subtree_ids)
        .select_related("person__home_unit", "priority_group", "preferred_site")
        .order_by("created_at", "id")[:limit]
    )
    records_shown(
        actor=actor,
        object_type="registration",
        records=registrations,
        summary=f"{unit.name}: {status}",
        scope_path=unit.path,
    )
    return registrations


def _residents(unit: AdminUnit) -> QuerySet[Person]:
    return Person.objects.active().filter(home_unit_id__in=unit.subtree_ids)


def _registered() -> Exists:
    return Exists(
        Registration.objects.filter(person=OuterRef("pk")).exclude(
            status__in=[RegistrationStatus.REJECTED, RegistrationStatus.DUPLICATE]
        )
    )


def _vaccinated() -> Exists:
    return Exists(Dose.objects.valid().filter(person=OuterRef("pk")))


@dataclass(frozen=True)
class Coverage:
    key: str  # the band, or the priority group's code
    population: int
    registered: int
    vaccinated: int


def coverage_by_age_band(*, actor: Actor, unit: AdminUnit, on: dt.date) -> list[Coverage]:
    """For each age band of the unit's residents: how many, how many registered, how many
    have at least one valid dose."""
    _reach(actor, unit)
    return _band_counts(unit, on)


def _band_counts(unit: AdminUnit, on: dt.date) -> list[Coverage]:
    residents = _residents(unit).annotate(is_registered=_registered(), is_vaccinated=_vaccinated())
    aggregates: dict[str, Any] = {}
    for i, band in enumerate(AGE_BANDS):
        in_band = band.persons_q(on)
        aggregates[f"p{i}"] = Count("pk", filter=in_band)
        aggregates[f"r{i}"] = Count("pk", filter=in_band & Q(is_registered=True))
        aggregates[f"v{i}"] = Count("pk", filter=in_band & Q(is_vaccinated=True))
    totals = residents.aggregate(**aggregates)
    return [
        Coverage(band.key, totals[f"p{i}"], totals[f"r{i}"], totals[f"v{i}"])
        for i, band in enumerate(AGE_BANDS)
    ]


@dataclass(frozen=True)
class GroupCoverage:
    code: int
    registered: int
    vaccinated: int


def coverage_by_priority_group(*, actor: Actor, unit: AdminUnit) -> list[GroupCoverage]:
    """For each priority group: the unit's residents registered in it (rejected and duplicate
    registrations left out), and how many of them have a valid dose."""
    _reach(actor, unit)
    registrations = (
        Registration.objects.filter(
            person__home_unit_id__in=unit.subtree_ids, person__merged_into__isnull=True
        )
        .exclude(status__in=[RegistrationStatus.REJECTED, RegistrationStatus.DUPLICATE])
        .annotate(dosed=Exists(Dose.objects.valid().filter(person=OuterRef("person"))))
    )
    rows = registrations.values("priority_group__code").annotate(
        registered=Count("person", distinct=True),
        vaccinated=Count("person", distinct=True, filter=Q(dosed=True)),
    )
    by_code = {row["priority_group__code"]: row for row in rows}
    return [
        GroupCoverage(
            code,
            by_code.get(code, {}).get("registered", 0),
            by_code.get(code, {}).get("vaccinated", 0),
        )
        for code in PriorityGroup.objects.order_by("code").values_list("code", flat=True)
    ]


def persons_not_reached(
    *,
    actor: Actor,
    unit: AdminUnit,
    on: dt.date,
    missing: str,
    band: AgeBand | None = None,
    group: PriorityGroup | None = None,
    limit: int = LIST_LIMIT,
) -> list[Person]:
    """Residents of the unit who have not registered (`missing="registration"`) or have no
    valid dose (`missing="dose"`), in an age band or a priority group, the oldest first."""
    _reach(actor, unit)
    persons = (
        Person.objects.visible_to(actor.user).active().filter(home_unit_id__in=unit.subtree_ids)
    )
    persons = (
        persons.exclude(_registered())
        if missing == "registration"
        else persons.exclude(_vaccinated())
    )
    if band is not None:
        persons = persons.filter(band.persons_q(on))
    if group is not None:
        persons = persons.filter(vaccination_registrations__priority_group=group).distinct()
    found = list(persons.select_related("home_unit").order_by("birth_year", "id")[:limit])
    records_shown(
        actor=actor,
        object_type="person",
        records=found,
        summary=f"{unit.name}: no {missing}",
        scope_path=unit.path,
    )
    return found


# --- Reactions --------------------------------------------------------------------------


def investigations_open(*, actor: Actor, limit: int = LIST_LIMIT) -> list[Investigation]:
    """Serious reactions not yet assessed, the most urgent first."""
    found = list(
        Investigation.objects.visible_to(actor.user)
        .filter(assessed_at__isnull=True)
        .select_related("reaction__dose__person", "reaction__dose__site", "reaction__dose__product")
        .order_by("assess_by", "id")[:limit]
    )
    records_shown(
        actor=actor,
        object_type="investigation",
        records=[i.reaction for i in found],
        summary="open investigations",
    )
    return found


def investigation_read(*, actor: Actor, investigation_uuid: UUID) -> Investigation:
    """One investigation with its reaction, dose and person, audited on the person; not found
    when it is not the reader's to see."""
    investigation = (
        Investigation.objects.visible_to(actor.user)
        .select_related(
            "reaction__dose__person__home_unit",
            "reaction__dose__site",
            "reaction__dose__product",
            "reaction__dose__lot",
            "reaction__reporter",
            "assessed_by",
        )
        .prefetch_related("reaction__terms")
        .filter(uuid=investigation_uuid)
        .first()
    )
    return record_read(
        investigation,
        actor=actor,
        person=lambda i: i.reaction.dose.person,
        object_type="investigation",
        summary=lambda i: f"{i.reaction.dose.person.full_name}: investigation",
        changes=lambda i: {"persons": [str(i.reaction.dose.person.uuid)]},
    )


# --- The tally --------------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    site: Facility
    day: dt.date
    product_key: str
    tallied: int | None  # None: no tally entered
    entered: int

    @property
    def missing(self) -> int | None:
        """Doses on paper not yet entered (negative: more entered than tallied)."""
        return None if self.tallied is None else self.tallied - self.entered


def tally_backlog(
    *, actor: Actor, unit: AdminUnit, since: dt.date, until: dt.date
) -> list[Backlog]:
    """Per site, day and product of the unit: the paper tally and the doses entered."""
    _reach(actor, unit)
    sites = {f.pk: f for f in Facility.objects.filter(unit_id__in=unit.subtree_ids)}
    window = {"site_id__in": list(sites), "product__isnull": False}
    tallies = (
        DailyTally.objects.filter(day__range=(since, until), **window)
        .values_list("site_id", "day", "product__key")
        .annotate(n=Sum("doses"))
    )
    entered = (
        Dose.objects.valid()
        .filter(given_on__range=(since, until), **window)
        .values_list("site_id", "given_on", "product__key")
        .annotate(n=Count("id"))
    )
    tallied = {(s, d, p): n for s, d, p, n in tallies}
    given = {(s, d, p): n for s, d, p, n in entered}
    keys: Iterable[tuple[int, dt.date, str]] = sorted(
        set(tallied) | set(given), key=lambda k: (k[1], k[0], k[2])
    )
    return [
        Backlog(sites[s], d, p, tallied.get((s, d, p)), given.get((s, d, p), 0)) for s, d, p in keys
    ]


# --- Single records for the API, and the records a write names ----------------------------


def registration_read(*, actor: Actor, registration_uuid: UUID) -> Registration:
    """One registration for a member of staff, audited; not found when not theirs to see."""
    registration = (
        Registration.objects.visible_to(actor.user)
        .select_related("person__home_unit", "priority_group", "preferred_site")
        .filter(uuid=registration_uuid)
        .first()
    )
    return record_read(
        registration,
        actor=actor,
        person=lambda r: r.person,
        object_type="registration",
        summary=lambda r: f"{r.person.full_name}: registration",
    )


def booking_read(*, actor: Actor, booking_uuid: UUID) -> Booking:
    """One booking for a member of staff (to move it), audited; not found when not theirs."""
    booking = (
        Booking.objects.visible_to(actor.user)
        .select_related("person__home_unit", "session__site", "session__product", "slot")
        .filter(uuid=booking_uuid)
        .first()
    )
    return record_read(
        booking,
        actor=actor,
        person=lambda b: b.person,
        object_type="booking",
        summary=lambda b: f"{b.person.full_name}: {b.session}",
    )


def booking_for_change(*, actor: Actor, booking_uuid: UUID) -> Booking:
    """The booking a write names, within the actor's scope; not found otherwise."""
    return get_object_or_404(Booking.objects.visible_to(actor.user), uuid=booking_uuid)


def dose_for_change(*, actor: Actor, dose_uuid: UUID) -> Dose:
    """The dose a write names, within the actor's scope; not found otherwise."""
    return get_object_or_404(Dose.objects.visible_to(actor.user), uuid=dose_uuid)


def reaction_for_change(*, actor: Actor, reaction_uuid: UUID) -> Reaction:
    """The reaction a write names, within the actor's scope; not found otherwise."""
    return get_object_or_404(
        Reaction.objects.visible_to(actor.user).select_related("dose"), uuid=reaction_uuid
    )


def reactions_of_dose(*, actor: Actor, dose: Dose) -> list[Reaction]:
    """The reactions recorded after a dose the actor sees, audited as one list."""
    reactions = list(
        Reaction.objects.visible_to(actor.user)
        .filter(dose=dose)
        .prefetch_related("terms")
        .select_related("investigation", "reporter")
        .order_by("onset_at", "id")
    )
    if reactions:
        audit_write(
            actor=actor,
            action=AuditAction.VIEW,
            scope_path=dose.person.home_unit.path,
            object_type="reaction",
            object_uuid=dose.uuid,
            summary=f"{dose.person.full_name}: reactions ({len(reactions)})",
            changes={"shown": [str(r.uuid) for r in reactions]},
        )
    return reactions


def sessions_of_site(*, site: Facility, day: dt.date | None) -> QuerySet[VaccinationSession]:
    """A site's sessions (from a day on, or of that day) with their slots: a timetable open to
    any member of staff, like the one citizens book from; it names no one."""
    sessions = VaccinationSession.objects.filter(site=site)
    sessions = sessions.filter(date=day) if day else sessions.filter(date__gte=timezone.localdate())
    slots = Prefetch("slots", queryset=SessionSlot.objects.order_by("starts_at", "id"))
    return sessions.select_related("product", "site").prefetch_related(slots).order_by("date", "id")
