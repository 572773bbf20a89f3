"""Assigning approved registrants to sessions in bulk: priority group first, then the oldest,
within the sessions' capacity; each booked person is sent their place and time."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.vaccination.models import (
    Booking,
    Registration,
    RegistrationStatus,
    SessionSlot,
    SessionStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.services.bookings import booking_add
from sosuckhoe.vaccination.services.common import person_locked, require_cover
from sosuckhoe.vaccination.services.notices import booking_notify

SLOT_FULL = "slot_full"


@dataclass
class AssignmentReport:
    booked: list[Booking] = field(default_factory=list)
    # Registrants no session would take, by the first rule that refused them.
    refused: Counter[str] = field(default_factory=Counter)
    # Registrants left waiting when every place was taken.
    waiting: int = 0
    notified: int = 0


def _queue(unit: AdminUnit) -> QuerySet[Registration]:
    """Approved registrants of the unit, priority group first, then the oldest (a birth year
    alone counts as the start of that year)."""
    return (
        Registration.objects.filter(
            status=RegistrationStatus.APPROVED,
            person__home_unit_id__in=unit.subtree_ids,
            person__merged_into__isnull=True,
        )
        .select_related("person__home_unit", "priority_group")
        .order_by(
            "priority_group__code",
            "person__birth_year",
            F("person__birth_date").asc(nulls_first=True),
            "created_at",
            "id",
        )
    )


def _free_slots(sessions: Sequence[VaccinationSession]) -> list[SessionSlot]:
    return list(
        SessionSlot.objects.filter(
            session__in=sessions,
            session__status=SessionStatus.OPEN,
            session__date__gte=timezone.localdate(),
            booked__lt=F("capacity"),
        ).order_by("session__date", "starts_at", "id")
    )


def _place(
    actor: Actor, registration: Registration, slots: list[SessionSlot]
) -> tuple[Booking | None, str | None]:
    """Book the registrant into the first slot that takes them; else the first refusal."""
    refused_sessions: set[int] = set()
    first_refusal = None
    for slot in list(slots):
        if slot.session_id in refused_sessions:
            continue
        try:
            with transaction.atomic():
                booking = booking_add(actor, person_locked(registration.person), slot, registration)
        except ValidationError as error:
            code = error.error_list[0].code or "invalid"
        else:
            slot.booked += 1
            if slot.booked >= slot.capacity:
                slots.remove(slot)
            return booking, None
        if code == SLOT_FULL:  # taken by a booker outside this assignment
            slots.remove(slot)
            continue
        refused_sessions.add(slot.session_id)
        first_refusal = first_refusal or code
    return None, first_refusal


@transaction.atomic
def registrations_assign(
    *, actor: Actor, unit: AdminUnit, sessions: Sequence[VaccinationSession]
) -> AssignmentReport:
    """Book the unit's approved registrants into the sessions' free places, in priority order;
    each booking is checked and audited as one made by hand, and its notice queued."""
    require_cover(actor, unit)
    report, slots = AssignmentReport(), _free_slots(sessions)
    for registration in _queue(unit):
        if not slots:
            report.waiting += 1
            continue
        booking, code = _place(actor, registration, slots)
        if booking is None:
            report.refused[code or "invalid"] += 1
            continue
        report.booked.append(booking)
        report.notified += booking_notify(actor=actor, booking=booking) is not None
    return report
