"""The audit row of an operation on one person, scoped to the person's unit."""

from typing import Any

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, AuditEvent
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
