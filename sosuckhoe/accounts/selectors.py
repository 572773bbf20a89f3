"""Reads of the audit log, scoped like personal data: the reader's unit subtree."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from sosuckhoe.accounts.models import AuditEvent, StaffUser


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
