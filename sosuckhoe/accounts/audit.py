"""The audit trail: who acts, and the row each read or write leaves behind."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from sosuckhoe.accounts.models import AuditAction, AuditEvent, StaffUser
from sosuckhoe.core.bulk import insert_few, unsaved
from sosuckhoe.places.models import AdminUnit


@dataclass(frozen=True)
class Actor:
    """Who performs an operation: a member of staff at an address, or a named system job."""

    user: StaffUser | None
    ip: str | None = None
    system_name: str = ""

    @classmethod
    def of_request(cls, request: HttpRequest) -> "Actor":
        user = request.user if isinstance(request.user, StaffUser) else None
        return cls(user=user, ip=client_ip(request))

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(user=None, system_name=name)

    @property
    def name(self) -> str:
        return self.user.get_username() if self.user else f"system:{self.system_name}"

    @property
    def scope_path(self) -> str:
        return self.user.unit.path if self.user else ""

    def covers(self, unit: AdminUnit) -> bool:
        """Whether the actor may read and write personal records of `unit`: staff who read
        personal data, within their unit's subtree; a named system job everywhere."""
        return self._reaches(unit, lambda user: user.reads_personal_data)

    def manages(self, unit: AdminUnit) -> bool:
        """Whether the actor manages the staff accounts and the jobs of `unit`: a province
        officer or national administrator within their unit's subtree; a named system job
        (a command, a worker) everywhere."""
        return self._reaches(unit, lambda user: user.is_manager)

    def _reaches(self, unit: AdminUnit, role_allows: Callable[[StaffUser], bool]) -> bool:
        if self.user is None:
            return bool(self.system_name)
        if not role_allows(self.user):
            return False
        return self.user.works_over(unit)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy's own address behind a load balancer; gunicorn is configured
    # with forwarded_allow_ips so that it rewrites REMOTE_ADDR from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or None


def audit_write(
    *,
    actor: Actor,
    action: AuditAction,
    scope_path: str | None = None,
    object_type: str = "",
    object_uuid: Any = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; call it inside the transaction of the operation it records."""
    event = audit_event(
        actor=actor,
        action=action,
        scope_path=scope_path,
        object_type=object_type,
        object_uuid=object_uuid,
        summary=summary,
        changes=changes,
    )
    insert_few(AuditEvent, [event])
    return event


def audit_event(
    *,
    actor: Actor,
    action: AuditAction,
    scope_path: str | None = None,
    object_type: str = "",
    object_uuid: Any = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event audit_write appends, unsaved: a batch writes many with one bulk_insert."""
    return unsaved(
        AuditEvent,
        {"actor": actor.user},
        actor_username=actor.name,
        ip=actor.ip,
        action=action,
        object_type=object_type,
        object_uuid=object_uuid,
        scope_path=actor.scope_path if scope_path is None else scope_path,
        summary=summary[:300],
        changes=changes or {},
    )
