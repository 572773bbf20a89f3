"""Many rows at once (core.bulk): on PostgreSQL by COPY, elsewhere by bulk_create; the same
rows either way."""

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.db import IntegrityError, transaction

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.bulk import bulk_insert, insert_few, unsaved
from sosuckhoe.core.models import SubmissionKey
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.tests.conftest import reference, reference_rows  # noqa: F401

pytestmark = pytest.mark.django_db


def _event(n: int) -> AuditEvent:
    return AuditEvent(
        actor_username="system:test",
        action=AuditAction.CREATE,
        object_type="dose",
        object_uuid=uuid.uuid4(),
        scope_path="2025-07/37/",
        summary=f"dose {n}",
        changes={"n": n, "shown": ["a", "b"], "late": n % 2 == 0},
        ip="127.0.0.1",
    )


def test_rows_with_an_automatic_key_get_their_ids_and_every_value() -> None:
    events = bulk_insert(AuditEvent, [_event(n) for n in range(5)])
    assert all(e.pk is not None and not e._state.adding for e in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events])}
    assert len(stored) == 5
    for event in events:
        row = stored[event.pk]
        assert (row.object_uuid, row.summary, row.changes) == (
            event.object_uuid,
            event.summary,
            event.changes,
        )
        assert row.at is not None  # auto_now_add, as bulk_create
        assert row.at == event.at
        assert row.ip == "127.0.0.1"


def test_rows_with_their_own_key_are_written_as_given() -> None:
    keys = [SubmissionKey(key=uuid.uuid4(), result_uuid=uuid.uuid4(), owner="x") for _ in range(3)]
    bulk_insert(SubmissionKey, keys)
    stored = set(SubmissionKey.objects.values_list("key", "result_uuid"))
    assert {(k.key, k.result_uuid) for k in keys} <= stored


def test_a_constraint_violated_raises_djangos_integrity_error_and_writes_nothing() -> None:
    key = uuid.uuid4()
    bulk_insert(SubmissionKey, [SubmissionKey(key=key, result_uuid=uuid.uuid4())])
    again = [
        SubmissionKey(key=uuid.uuid4(), result_uuid=uuid.uuid4()),
        SubmissionKey(key=key, result_uuid=uuid.uuid4()),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(SubmissionKey, again)
    assert SubmissionKey.objects.count() == 1


def test_nothing_to_insert_is_no_statement(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert bulk_insert(AuditEvent, []) == []


def _fields_of(obj: object) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_an_unsaved_row_holds_what_the_models_constructor_gives(cast, django_assert_num_queries):
    unit = cast.units.commune_a
    given = {"name": "Trạm Y tế", "kind": FacilityKind.COMMUNE_STATION, "uuid": uuid.uuid4()}
    built = Facility(unit=unit, **given)
    with django_assert_num_queries(0):
        fast = unsaved(Facility, {"unit": unit}, **given)
        assert fast.unit is unit  # kept, not read again
    assert _fields_of(fast) == _fields_of(built)
    assert fast._state.adding
    assert fast.pk is None
    other = unsaved(Facility, {"unit": unit}, name="Trạm 2", kind=FacilityKind.COMMUNE_STATION)
    assert other.uuid not in (None, fast.uuid)  # a default to call is called for each row
    bulk_insert(Facility, [fast, other])
    assert set(Facility.objects.filter(unit=unit).values_list("name", "is_active")) >= {
        ("Trạm Y tế", True),
        ("Trạm 2", True),
    }


def test_a_few_rows_get_their_ids_in_order_and_every_value(django_assert_num_queries) -> None:
    events = [_event(n) for n in range(3)]
    with django_assert_num_queries(1):
        insert_few(AuditEvent, events)
    assert all(e.pk is not None and not e._state.adding for e in events)
    for event in events:
        stored = AuditEvent.objects.get(pk=event.pk)  # each id is its own row's
        assert _fields_of(stored) == _fields_of(event)
        assert stored.at is not None  # auto_now_add, as save


def test_a_few_rows_that_break_a_constraint_raise_djangos_integrity_error() -> None:
    key = uuid.uuid4()
    insert_few(SubmissionKey, [SubmissionKey(key=key, result_uuid=uuid.uuid4())])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_few(SubmissionKey, [SubmissionKey(key=key, result_uuid=uuid.uuid4())])
    assert SubmissionKey.objects.filter(key=key).count() == 1


def test_times_days_uuids_and_json_are_read_back_as_written(reference) -> None:  # noqa: F811
    """COPY is given their text (core.bulk): a time in another zone, a text that COPY and
    JSON escape, and empty values come back as the ORM wrote them."""
    hanoi = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    recalled = dt.datetime(2022, 3, 4, 7, 30, 15, 123456, tzinfo=hanoi)
    product = Product.objects.get(key="comirnaty")
    lots = bulk_insert(
        Lot,
        [
            Lot(product=product, number="R1", expiry_date=dt.date(2023, 1, 31), doses_per_vial=6,
                recalled_at=recalled, recall_reason="a\tb\\c\n"),
            Lot(product=product, number="R2", expiry_date=dt.date(2024, 2, 29), doses_per_vial=6),
        ],
    )  # fmt: skip
    stored = {lot.number: lot for lot in Lot.objects.filter(number__in=["R1", "R2"])}
    assert stored["R1"].recalled_at == recalled
    assert (stored["R1"].expiry_date, stored["R2"].expiry_date) == (
        dt.date(2023, 1, 31),
        dt.date(2024, 2, 29),
    )
    assert (stored["R1"].recall_reason, stored["R2"].recalled_at) == ("a\tb\\c\n", None)
    assert [stored[lot.number].uuid for lot in lots] == [lot.uuid for lot in lots]
    changes = {"name": 'Nguyễn\t"x"\\', "none": None, "list": [1.5, True]}
    event = _event(1)
    event.changes = changes
    bulk_insert(AuditEvent, [event])
    assert AuditEvent.objects.get(pk=event.pk).changes == changes
