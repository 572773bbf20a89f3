"""Reads of the audit log and of staff accounts, scoped like personal data: the reader's unit
subtree."""

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from sosuckhoe.accounts.models import ROLE_RANK, AuditEvent, StaffUser


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""
    object_uuids: tuple[str, ...] | None = None  # None: any record
    since: dt.date | None = None
    until: dt.date | None = None


def audit_events_visible_to(user: StaffUser) -> QuerySet[AuditEvent]:
    if not user.reads_audit_log:
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor")
    if user.sees_whole_country:
        return events
    return events.filter(scope_path__startswith=user.unit.path)


def audit_events_search(*, user: StaffUser, criteria: AuditFilter) -> QuerySet[AuditEvent]:
    conditions = Q()
    if criteria.username:
        conditions &= Q(actor_username=criteria.username)
    if criteria.action:
        conditions &= Q(action=criteria.action)
    if criteria.object_uuids is not None:
        conditions &= Q(object_uuid__in=criteria.object_uuids)
    if criteria.since:
        conditions &= Q(at__date__gte=criteria.since)
    if criteria.until:
        conditions &= Q(at__date__lte=criteria.until)
    return audit_events_visible_to(user).filter(conditions)


@dataclass(frozen=True)
class StaffFilter:
    text: str = ""  # the start of a username, or any part of the name
    role: str = ""
    active: bool | None = None


def staff_visible_to(user: StaffUser) -> QuerySet[StaffUser]:
    """The accounts a manager manages: those of their unit's subtree (all for a national
    administrator) whose role is not above their own."""
    if not user.is_manager:
        raise PermissionDenied
    roles = [role for role, rank in ROLE_RANK.items() if rank <= ROLE_RANK[user.role]]
    staff = StaffUser.objects.select_related("unit").filter(role__in=roles)
    if user.sees_whole_country:
        return staff
    return staff.filter(unit__path__startswith=user.unit.path)


def staff_search(*, user: StaffUser, criteria: StaffFilter) -> QuerySet[StaffUser]:
    conditions = Q()
    if text := criteria.text.strip():
        conditions &= Q(username__istartswith=text) | Q(first_name__icontains=text)
    if criteria.role:
        conditions &= Q(role=criteria.role)
    if criteria.active is not None:
        conditions &= Q(is_active=criteria.active)
    return staff_visible_to(user).filter(conditions).order_by("username")


def staff_get(*, user: StaffUser, staff_uuid: UUID) -> StaffUser:
    """One account the manager manages; any other is not found."""
    found = staff_visible_to(user).filter(uuid=staff_uuid).first()
    if found is None:
        raise Http404
    return found
