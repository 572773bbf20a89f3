"""The audit rows of an operation on one person, of reading one record of theirs, and of a
list of such records, scoped to the persons' unit."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.http import Http404

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.idempotency import HasUuid
from sosuckhoe.people.models import Person


def person_audit(
    *,
    actor: Actor,
    action: AuditAction,
    person: Person,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return audit_write(
        actor=actor,
        action=action,
        scope_path=person.home_unit.path,
        object_type="person",
        object_uuid=person.uuid,
        summary=summary or person.full_name,
        changes=changes,
    )


R = TypeVar("R", bound=HasUuid)


def record_read(
    record: R | None,
    *,
    actor: Actor,
    person: Callable[[R], Person],
    object_type: str,
    summary: Callable[[R], str],
    changes: Callable[[R], dict[str, Any]] | None = None,
) -> R:
    """One record of a person (a dose, a booking, a certificate…) read by staff: not found when
    the scoped query found none, else its reading audited in the person's unit."""
    if record is None:
        raise Http404
    owner = person(record)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW,
        scope_path=owner.home_unit.path,
        object_type=object_type,
        object_uuid=record.uuid,
        summary=summary(record),
        changes=changes(record) if changes else None,
    )
    return record


def records_shown(
    *,
    actor: Actor,
    object_type: str,
    records: Sequence[Any],
    summary: str,
    scope_path: str | None = None,
) -> None:
    """One row naming every record a list showed and whose they are; none for an empty list.
    A record is a person or belongs to one (`record.person`, or `record.dose.person`)."""
    if not records:
        return
    audit_write(
        actor=actor,
        action=AuditAction.VIEW,
        object_type=object_type,
        scope_path=scope_path,
        summary=f"{summary} ({len(records)})",
        changes={
            "shown": [str(r.uuid) for r in records],
            "persons": sorted({str(_person_of(r).uuid) for r in records}),
        },
    )


def _person_of(record: Any) -> Person:
    return (
        record
        if isinstance(record, Person)
        else getattr(record, "person", None) or record.dose.person
    )
