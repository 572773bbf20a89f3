"""Sessions and bookings: never overbooked, never double-booked, a double click books once.

A slot's `booked` counts the bookings that hold or used a place in it. A booking raises the
count with one conditional UPDATE (`booked < capacity`), which PostgreSQL re-checks on the
latest row after waiting for a concurrent booker, and a CHECK refuses a count past capacity
whatever code runs. The person's row is locked first: one person's bookings run one at a time,
and a resent form finds the booking its first copy made. Locks are taken person first, then
slots in id order."""

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core import rows
from sosuckhoe.core.bulk import insert_few
from sosuckhoe.core.idempotency import create_once
from sosuckhoe.core.rows import planned_once
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.models import (
    OPEN_BOOKING,
    Booking,
    BookingStatus,
    Registration,
    RegistrationStatus,
    SessionSlot,
    SessionStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.services.common import (
    conflict_refused,
    locked,
    person_locked,
    record_audit,
    refusal,
    refuse_any,
    require_active,
    require_cover,
)
from sosuckhoe.vaccination.services.eligibility import eligibility_check

ALREADY_BOOKED = "already_booked"


@dataclass(frozen=True)
class SlotSpec:
    starts_at: dt.time
    ends_at: dt.time
    capacity: int


def _check_slots(slots: Sequence[SlotSpec]) -> None:
    if not slots:
        raise refusal("no_slots", _("Give the session at least one time slot."))
    ordered = sorted(slots, key=lambda s: s.starts_at)
    for slot in ordered:
        if slot.ends_at <= slot.starts_at or slot.capacity < 1:
            raise refusal("slot_invalid", _("Each slot ends after it starts and takes someone."))
    for earlier, later in itertools.pairwise(ordered):
        if later.starts_at < earlier.ends_at:
            raise refusal("slots_overlap", _("The time slots overlap."))


def _session_audit(
    actor: Actor, action: AuditAction, session: VaccinationSession, **changes: object
) -> None:
    record_audit(
        actor=actor,
        action=action,
        record=session,
        object_type="session",
        scope_path=session.site.unit.path,
        changes={k: str(v) for k, v in changes.items()},
    )


@transaction.atomic
def session_create(
    *, actor: Actor, site: Facility, date: dt.date, product: Product, slots: Sequence[SlotSpec]
) -> VaccinationSession:
    """Open a session of one product at a site on a day, in time slots of a set capacity."""
    require_cover(actor, site.unit)
    if not (site.is_vaccination_site and site.is_active):
        raise refusal("not_a_site", _("This facility is not an open vaccination site."))
    if date < timezone.localdate():
        raise refusal("date_in_past", _("The session's date has passed."))
    if not product.is_active:
        raise refusal("product_inactive", _("This vaccine is no longer in use."))
    _check_slots(slots)
    session = VaccinationSession(site=site, date=date, product=product)
    with conflict_refused(
        "session_exists", _("This site already has a session of this vaccine that day.")
    ):
        session.save()
    SessionSlot.objects.bulk_create(
        SessionSlot(session=session, starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity)
        for s in slots
    )
    _session_audit(
        actor,
        AuditAction.CREATE,
        session,
        date=date,
        product=product.key,
        places=sum(s.capacity for s in slots),
    )
    return session


def _booking_audit(actor: Actor, action: AuditAction, booking: Booking, **changes: object) -> None:
    record_audit(
        actor=actor,
        action=action,
        record=booking,
        object_type="booking",
        scope_path=booking.person.home_unit.path,
        summary=f"{booking.person.full_name}: {booking.session}",
        changes={"status": booking.status, "session": str(booking.session.uuid), **changes},
    )


def _bookable(session: VaccinationSession) -> None:
    if session.status != SessionStatus.OPEN:
        raise refusal("session_closed", _("This session is not open for booking."))
    if session.date < timezone.localdate():
        raise refusal("session_past", _("This session's day has passed."))


# Whether the person holds an open booking of a session from a day on: every booking asks it,
# a statement written once where the ORM compiled its join each time.
_HOLDS_BOOKING_SQL = (
    "SELECT 1 FROM vaccination_booking b"
    " JOIN vaccination_vaccinationsession s ON s.id = b.session_id"
    f" WHERE b.person_id = %s AND b.status IN ({', '.join(['%s'] * len(OPEN_BOOKING))})"
    " AND s.date >= %s LIMIT 1"
)


def _check_person_may_book(person: Person, session: VaccinationSession) -> None:
    """One open booking at a time from today on: a person who wants another day moves it."""
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with planned_once() as cursor:
        cursor.execute(_HOLDS_BOOKING_SQL, [person.pk, *OPEN_BOOKING, today])
        held = cursor.fetchone() is not None
    if held:
        raise refusal(ALREADY_BOOKED, _("This person already holds a booking; move it instead."))
    eligibility = eligibility_check(person=person, on=session.date, product=session.product)
    refuse_any(list(eligibility.refusals))


def _check_registration(registration: Registration | None, person: Person) -> None:
    if registration is None:
        return
    if registration.person_id != person.pk or registration.status != RegistrationStatus.APPROVED:
        raise refusal(
            "registration_not_approved",
            _("Only an approved registration of this person is booked."),
        )


def _slot_full() -> ValidationError:
    return refusal("slot_full", _("This time slot is full."))


def _check_place_left(slot: SessionSlot) -> None:
    """Refuse a slot that was full when it was read. A slot that had a place left still goes
    through _take_place, which decides who gets the last one."""
    if slot.booked >= slot.capacity:
        raise _slot_full()


def _take_place(slot: SessionSlot) -> None:
    """Raise the slot's count unless it is full: the one statement that decides who gets in
    (written once: the ORM compiled it on every booking)."""
    with planned_once() as cursor:
        cursor.execute(
            "UPDATE vaccination_sessionslot SET booked = booked + 1"
            " WHERE id = %s AND booked < capacity",
            [slot.pk],
        )
        taken = cursor.rowcount
    if not taken:
        raise _slot_full()


def _give_back_place(slot_id: int | None) -> None:
    if slot_id is not None:
        SessionSlot.objects.filter(pk=slot_id).update(booked=F("booked") - 1)


def _registration_to(registration_id: int | None, status: str) -> None:
    if registration_id is not None:
        Registration.objects.filter(pk=registration_id).update(status=status)


@cache
def _session_sql() -> str:
    return (
        f"SELECT {rows.select_list(VaccinationSession, 's')}, {rows.select_list(Facility, 'f')},"
        f" {rows.select_list(AdminUnit, 'u')}, {rows.select_list(Product, 'p')}"
        " FROM vaccination_vaccinationsession s JOIN places_facility f ON f.id = s.site_id"
        " JOIN places_adminunit u ON u.id = f.unit_id JOIN supply_product p ON p.id = s.product_id"
        " WHERE s.id = %s"
    )


def _session_of(slot: SessionSlot) -> VaccinationSession:
    """The slot's session with its site, the site's unit and the product: a statement written
    once (`core.rows`), as every booking reads it."""
    found = rows.one(
        _session_sql(), [slot.session_id], VaccinationSession, Facility, AdminUnit, Product
    )
    if found is None:
        raise VaccinationSession.DoesNotExist(f"session {slot.session_id}")
    session, site, site.unit, session.product = found
    session.site = site
    return session


def booking_add(
    actor: Actor, person: Person, slot: SessionSlot, registration: Registration | None = None
) -> Booking:
    """Book a person into a slot, every rule checked. The caller holds the transaction and
    the person's lock (booking_create; the bulk assignment)."""
    session = _session_of(slot)
    require_active(person)
    require_cover(actor, person.home_unit, session.site.unit)
    _bookable(session)
    if registration is not None:
        registration = locked(Registration, registration.pk)
    _check_registration(registration, person)
    _check_person_may_book(person, session)
    _take_place(slot)
    booking = Booking(session=session, slot=slot, person=person, registration=registration)
    with conflict_refused(ALREADY_BOOKED, _("This person is already booked in this session.")):
        insert_few(Booking, [booking])
    _registration_to(registration.pk if registration else None, RegistrationStatus.BOOKED)
    _booking_audit(actor, AuditAction.CREATE, booking, slot=str(slot))
    return booking


@transaction.atomic
def booking_create(
    *,
    actor: Actor,
    person: Person,
    slot: SessionSlot,
    registration: Registration | None = None,
    submission_key: UUID | None = None,
) -> Booking:
    """Book a person into a time slot; a form sent twice books once."""
    # Before any lock: at a busy session most attempts end here. A timetable is no secret, so
    # saying that a slot is full tells nothing about a person outside the actor's units. A
    # form sent again goes on: it may have taken the slot's last place the first time.
    if submission_key is None:
        _check_place_left(slot)
    subject = person_locked(person)

    def find(uuid: UUID) -> Booking:
        return Booking.objects.visible_to(actor.user).get(uuid=uuid)

    return create_once(
        submission_key,
        owner=actor.name,
        create=lambda: booking_add(actor, subject, slot, registration),
        find=find,
    )


def _open_booking(actor: Actor, booking: Booking, *statuses: str) -> Booking:
    """The booking locked after its person, refused outside both its units or when closed."""
    person_locked(booking.person)
    fresh: Booking = locked(Booking, booking.pk, "person__home_unit", "session__site__unit")
    require_cover(actor, fresh.person.home_unit, fresh.session.site.unit)
    if fresh.status not in statuses:
        raise refusal(
            "booking_not_open",
            _("This booking is %(status)s.") % {"status": fresh.get_status_display()},
        )
    return fresh


@transaction.atomic
def booking_cancel(*, actor: Actor, booking: Booking, reason: str = "") -> Booking:
    """Cancel a booking: its place is free again and its registration back to approved."""
    booking = _open_booking(actor, booking, BookingStatus.BOOKED, BookingStatus.CHECKED_IN)
    booking.status, booking.cancel_reason = BookingStatus.CANCELLED, reason.strip()[:300]
    booking.save(update_fields=["status", "cancel_reason"])
    _give_back_place(booking.slot_id)
    _registration_to(booking.registration_id, RegistrationStatus.APPROVED)
    _booking_audit(actor, AuditAction.UPDATE, booking, reason=booking.cancel_reason)
    return booking


@transaction.atomic
def booking_move(*, actor: Actor, booking: Booking, to_slot: SessionSlot) -> Booking:
    """Move a booking to another slot (of the same or another session): a new booking takes
    a place there, and the old one, pointing at it, gives its place back."""
    old = _open_booking(actor, booking, BookingStatus.BOOKED)
    if old.slot_id == to_slot.pk:
        raise refusal("same_slot", _("The booking is already in this time slot."))
    # Out of the open statuses first, so that the one-open-booking rules let the new one in
    # (it becomes "moved" once the new one exists); the slots' counts change in id order.
    Booking.objects.filter(pk=old.pk).update(status=BookingStatus.CANCELLED)
    if old.slot_id is not None and old.slot_id < to_slot.pk:
        _give_back_place(old.slot_id)
    _registration_to(old.registration_id, RegistrationStatus.APPROVED)
    new = booking_add(actor, old.person, to_slot, old.registration)
    if old.slot_id is not None and old.slot_id > to_slot.pk:
        _give_back_place(old.slot_id)
    old.status, old.moved_to = BookingStatus.MOVED, new
    old.save(update_fields=["status", "moved_to"])
    _booking_audit(actor, AuditAction.UPDATE, old, moved_to=str(new.uuid))
    return new


@transaction.atomic
def booking_check_in(*, actor: Actor, booking: Booking) -> Booking:
    """Check a booked person in at the site, on the session's day."""
    booking = _open_booking(actor, booking, BookingStatus.BOOKED)
    require_cover(actor, booking.session.site.unit)
    _on_session_day(booking.session)
    booking.status, booking.checked_in_at = BookingStatus.CHECKED_IN, timezone.now()
    booking.save(update_fields=["status", "checked_in_at"])
    _booking_audit(actor, AuditAction.UPDATE, booking)
    return booking


def _on_session_day(session: VaccinationSession) -> None:
    if session.status != SessionStatus.OPEN or session.date != timezone.localdate():
        raise refusal("not_session_day", _("Check-in is on the session's day only."))


@transaction.atomic
def walk_in_check_in(*, actor: Actor, person: Person, session: VaccinationSession) -> Booking:
    """Check in someone who came without a booking: they join the day's queue, outside the slots."""
    subject = person_locked(person)
    session = VaccinationSession.objects.select_related("site__unit").get(pk=session.pk)
    require_active(subject)
    require_cover(actor, session.site.unit)
    _on_session_day(session)
    booking = Booking(
        session=session,
        person=subject,
        walk_in=True,
        status=BookingStatus.CHECKED_IN,
        checked_in_at=timezone.now(),
    )
    with conflict_refused(ALREADY_BOOKED, _("This person is already booked in this session.")):
        booking.save()
    _booking_audit(actor, AuditAction.CREATE, booking, walk_in=True)
    return booking


def booking_close_for_dose(*, booking: Booking) -> None:
    """Mark the booking a dose was given in, and its registration, as vaccinated; its place
    stays taken."""
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.VACCINATED)
    _registration_to(booking.registration_id, RegistrationStatus.VACCINATED)
