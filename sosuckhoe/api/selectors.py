"""Reads the API needs that the console's selectors do not offer yet; each goes through
`visible_to` and audits what it shows, as `vaccination.selectors` does."""

import datetime as dt
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.places.models import Facility
from sosuckhoe.vaccination.models import (
    Booking,
    Dose,
    Reaction,
    Registration,
    SessionSlot,
    VaccinationSession,
)


def registration_read(*, actor: Actor, registration_uuid: UUID) -> Registration:
    """One registration for a member of staff, audited; not found when not theirs to see."""
    registration = (
        Registration.objects.visible_to(actor.user)
        .select_related("person__home_unit", "priority_group", "preferred_site")
        .filter(uuid=registration_uuid)
        .first()
    )
    if registration is None:
        raise Http404
    audit_write(
        actor=actor,
        action=AuditAction.VIEW,
        scope_path=registration.person.home_unit.path,
        object_type="registration",
        object_uuid=registration.uuid,
        summary=f"{registration.person.full_name}: registration",
    )
    return registration


def booking_for_change(*, actor: Actor, booking_uuid: UUID) -> Booking:
    """The booking a write names, within the actor's scope; not found otherwise."""
    booking = Booking.objects.visible_to(actor.user).filter(uuid=booking_uuid).first()
    if booking is None:
        raise Http404
    return booking


def dose_for_change(*, actor: Actor, dose_uuid: UUID) -> Dose:
    """The dose a write names, within the actor's scope; not found otherwise."""
    dose = Dose.objects.visible_to(actor.user).filter(uuid=dose_uuid).first()
    if dose is None:
        raise Http404
    return dose


def reactions_of_dose(*, actor: Actor, dose: Dose) -> list[Reaction]:
    """The reactions recorded after a dose the actor sees, audited as one list."""
    reactions = list(
        Reaction.objects.visible_to(actor.user)
        .filter(dose=dose)
        .prefetch_related("terms")
        .select_related("investigation")
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
