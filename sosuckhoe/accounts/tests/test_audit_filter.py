"""Each field of the audit-log filter keeps what it names and nothing else."""

import datetime as dt
import uuid
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from sosuckhoe.accounts.audit import audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.accounts.selectors import AuditFilter, audit_events_search

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = [dt.date(2025, 9, 1), dt.date(2025, 9, 2), dt.date(2025, 9, 3)]
RECORDS = [uuid.uuid4(), uuid.uuid4()]


@pytest.fixture
def events(cast) -> dict[str, int]:
    """Three events that differ in every field the filter knows."""
    rows = {
        "a": ("commune", AuditAction.VIEW, RECORDS[0], DAYS[0]),
        "b": ("province", AuditAction.VIEW, RECORDS[1], DAYS[1]),
        "c": ("commune", AuditAction.UPDATE, RECORDS[1], DAYS[2]),
    }
    ids = {}
    for name, (actor, action, record, day) in rows.items():
        # 00:30 in Vietnam is the evening before in UTC: the day is Vietnam's.
        at = dt.datetime.combine(day, dt.time(0, 30), tzinfo=VIETNAM)
        with mock.patch("django.utils.timezone.now", return_value=at):
            event = audit_write(
                actor=cast.actor(actor), action=action, object_type="person", object_uuid=record
            )
        ids[name] = event.pk
    return ids


def _found(cast, events: dict[str, int], **criteria: object) -> set[str]:
    results = audit_events_search(
        user=cast.users["national_admin"], criteria=AuditFilter(**criteria)
    )
    by_id = {pk: name for name, pk in events.items()}
    return {by_id[pk] for pk in results.values_list("pk", flat=True) if pk in by_id}


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, {"a", "b", "c"}),
        ({"username": "commune"}, {"a", "c"}),
        ({"username": "comm"}, set()),  # the whole name, not a part
        ({"action": AuditAction.VIEW}, {"a", "b"}),
        ({"action": AuditAction.UPDATE}, {"c"}),
        ({"object_uuids": (str(RECORDS[1]),)}, {"b", "c"}),
        ({"object_uuids": ()}, set()),  # a lookup that found no record finds no event
        ({"since": DAYS[1]}, {"b", "c"}),
        ({"until": DAYS[1]}, {"a", "b"}),
        ({"since": DAYS[1], "until": DAYS[1]}, {"b"}),
        ({"username": "commune", "action": AuditAction.VIEW}, {"a"}),
    ],
)
def test_each_filter_field_keeps_what_it_names_and_nothing_else(cast, events, criteria, expected):
    assert _found(cast, events, **criteria) == expected


def test_a_member_of_staff_who_reads_no_audit_log_is_refused(cast):
    with pytest.raises(PermissionDenied):
        audit_events_search(user=cast.users["commune"], criteria=AuditFilter())
