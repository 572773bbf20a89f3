"""A batch of doses keeps every rule of dose_record, item by item."""

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.core.models import SubmissionKey
from sosuckhoe.people.models import IdKind
from sosuckhoe.supply.models import OpenVial, StockBalance, StockMovement
from sosuckhoe.supply.services import lot_recall
from sosuckhoe.testing.doses import PAPER
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.common import document_holders_locked, refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record

NOW = timezone.now


def _adult(cast):  # type: ignore[no-untyped-def]
    return PersonFactory(home_unit=cast.units.commune_a)


def _item(person, lot, site, **kwargs) -> DoseItem:  # type: ignore[no-untyped-def]
    values = {"product": lot.product.key, "lot": lot.number, "given_at": NOW(), **kwargs}
    return DoseItem(person=person.uuid, site=site.uuid, **values)


def _paper(cast, person, lot, site, days_ago):  # type: ignore[no-untyped-def]
    """An earlier dose, entered from paper."""
    return dose_record(
        actor=cast.actor("site_staff"),
        person=person,
        product=lot.product,
        lot=lot,
        site=site,
        given_at=NOW() - dt.timedelta(days=days_ago),
        late_entry_reason=PAPER,
        use_stock=False,
    )


# Each case makes one item that dose_record refuses for its code; `use_stock` of the batch.
def _interval(cast, ctx):  # type: ignore[no-untyped-def]
    _paper(cast, ctx.person, ctx.lot, ctx.site, days_ago=10)
    ctx.screened(ctx.person)
    return _item(ctx.person, ctx.lot, ctx.site)


def _may_not_follow(cast, ctx):  # type: ignore[no-untyped-def]
    _paper(cast, ctx.person, ctx.stock("vaxzevria"), ctx.site, days_ago=60)
    ctx.screened(ctx.person)
    return _item(ctx.person, ctx.stock("bbibp-corv"), ctx.site)


def _expired(cast, ctx):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    lot = ctx.stock(
        "vaxzevria", expiry=today - dt.timedelta(days=1), received=today - dt.timedelta(days=3)
    )
    ctx.screened(ctx.person)
    return _item(ctx.person, lot, ctx.site)


def _recalled(cast, ctx):  # type: ignore[no-untyped-def]
    lot = ctx.stock("vaxzevria")
    lot_recall(actor=Actor.system("nihe"), lot=lot, reason="Thu hồi theo công văn")
    ctx.screened(ctx.person)
    return _item(ctx.person, lot, ctx.site)


def _wrong_product(cast, ctx):  # type: ignore[no-untyped-def]
    lot = ctx.stock("vaxzevria")
    ctx.screened(ctx.person)
    return DoseItem(
        person=ctx.person.uuid, product="comirnaty", lot=lot, site=ctx.site.uuid, given_at=NOW()
    )


def _out_of_stock(cast, ctx):  # type: ignore[no-untyped-def]
    lot = ctx.stock("vaxzevria", at=ctx.site_b)
    ctx.screened(ctx.person)
    return _item(ctx.person, lot, ctx.site)


def _not_screened(cast, ctx):  # type: ignore[no-untyped-def]
    return _item(ctx.person, ctx.lot, ctx.site)


def _screened_no(cast, ctx):  # type: ignore[no-untyped-def]
    ctx.screened(ctx.person, "1")  # anaphylaxis after an earlier dose: contraindicated
    return _item(ctx.person, ctx.lot, ctx.site)


def _screening_of_another(cast, ctx):  # type: ignore[no-untyped-def]
    other = ctx.screened(_adult(cast))
    return _item(ctx.person, ctx.lot, ctx.site, screening=other.uuid)


def _exists(cast, ctx):  # type: ignore[no-untyped-def]
    ctx.screened(ctx.person)
    dose_record(
        actor=cast.actor("site_staff"),
        person=ctx.person,
        product=ctx.lot.product,
        lot=ctx.lot,
        site=ctx.site,
    )
    return _item(ctx.person, ctx.lot, ctx.site)


def _merged(cast, ctx):  # type: ignore[no-untyped-def]
    merged = PersonFactory(home_unit=cast.units.commune_a, merged_into=ctx.person)
    return _item(merged, ctx.lot, ctx.site)


def _other_site(cast, ctx):  # type: ignore[no-untyped-def]
    lot = ctx.stock("vaxzevria", at=ctx.site_b)
    ctx.screened(ctx.person, at=ctx.site_b)
    return _item(ctx.person, lot, ctx.site_b)


def _late_no_reason(cast, ctx):  # type: ignore[no-untyped-def]
    return _item(ctx.person, ctx.lot, ctx.site, given_at=NOW() - dt.timedelta(days=3))


def _future(cast, ctx):  # type: ignore[no-untyped-def]
    ctx.screened(ctx.person)
    return _item(ctx.person, ctx.lot, ctx.site, given_at=NOW() + dt.timedelta(hours=2))


def _today_without_stock(cast, ctx):  # type: ignore[no-untyped-def]
    ctx.screened(ctx.person)
    return _item(ctx.person, ctx.lot, ctx.site)


def _unknown_person(cast, ctx):  # type: ignore[no-untyped-def]
    return DoseItem(
        person=uuid.uuid4(), product="comirnaty", lot="X", site=ctx.site.uuid, given_at=NOW()
    )


def _unknown_lot(cast, ctx):  # type: ignore[no-untyped-def]
    ctx.screened(ctx.person)
    return DoseItem(
        person=ctx.person.uuid,
        product="comirnaty",
        lot="NO-SUCH-LOT",
        site=ctx.site.uuid,
        given_at=NOW(),
    )


CASES = [
    ("interval_too_short", _interval, True),
    ("product_may_not_follow", _may_not_follow, True),
    ("lot_expired", _expired, True),
    ("lot_recalled", _recalled, True),
    ("lot_wrong_product", _wrong_product, True),
    ("out_of_stock", _out_of_stock, True),
    ("not_screened_eligible", _not_screened, True),
    ("contraindicated", _screened_no, True),
    ("screening_mismatch", _screening_of_another, True),
    ("dose_exists", _exists, True),
    ("person_merged", _merged, True),
    ("outside_unit", _other_site, True),
    ("late_entry_reason_required", _late_no_reason, True),
    ("given_in_future", _future, True),
    ("stock_required", _today_without_stock, False),
    ("person_not_found", _unknown_person, True),
    ("lot_unknown", _unknown_lot, True),
]


class Ctx:
    def __init__(self, cast, site, site_b, stock, screened):  # type: ignore[no-untyped-def]
        self.site, self.site_b, self.stock, self.screened = site, site_b, stock, screened
        self.person = _adult(cast)
        self.lot = stock("comirnaty", number="BATCH-1")


def _counts():  # type: ignore[no-untyped-def]
    return (Dose.objects.count(), StockMovement.objects.count(), AuditEvent.objects.count())


@pytest.mark.parametrize(("code", "make", "use_stock"), CASES, ids=[c[0] for c in CASES])
def test_each_refusal_of_dose_record_refuses_its_item_and_not_the_good_ones(
    cast, site, site_b, stock, screened, code, make, use_stock
):
    ctx = Ctx(cast, site, site_b, stock, screened)
    bad = make(cast, ctx)
    good_person = _adult(cast)
    if use_stock:
        screened(good_person)
        good = _item(good_person, ctx.lot, site)
    else:  # a batch without stock takes paper records of earlier days
        good = _item(good_person, ctx.lot, site, given_at=NOW() - dt.timedelta(days=40))
        good = DoseItem(**{**good.__dict__, "late_entry_reason": PAPER})
    before = _counts()
    first, refused, last = doses_record_batch(
        actor=cast.actor("site_staff"), items=[good, bad, good], use_stock=use_stock
    )
    assert refused.index == 1
    assert refused.dose is None
    assert code in refusal_codes(refused.error), refusal_codes(refused.error)
    assert first.accepted
    assert first.dose.person == good_person
    assert not last.accepted
    assert "dose_exists" in refusal_codes(last.error)
    doses, movements, events = _counts()
    assert doses == before[0] + 1
    assert movements == before[1] + (1 if use_stock else 0)
    assert events == before[2] + 1 + (1 if use_stock else 0)


def test_a_batch_sent_twice_with_submission_keys_adds_nothing(cast, site, stock, screened):
    lot = stock("comirnaty", doses=50)
    persons = [_adult(cast) for _ in range(4)]
    for person in persons:
        screened(person)
    items = [_item(p, lot, site, submission_key=uuid.uuid4()) for p in persons]
    actor = cast.actor("site_staff")
    first = doses_record_batch(actor=actor, items=items)
    before = (_counts(), SubmissionKey.objects.count(), StockBalance.objects.get(lot=lot).doses)
    again = doses_record_batch(actor=actor, items=items)
    assert [r.dose.uuid for r in again] == [r.dose.uuid for r in first]
    assert before == (
        _counts(),
        SubmissionKey.objects.count(),
        StockBalance.objects.get(lot=lot).doses,
    )
    assert before[2] == 46


def test_someone_elses_submission_key_is_refused(cast, site, stock, screened):
    lot = stock("comirnaty")
    person = _adult(cast)
    screened(person)
    item = _item(person, lot, site, submission_key=uuid.uuid4())
    doses_record_batch(actor=cast.actor("site_staff"), items=[item])
    (result,) = doses_record_batch(actor=cast.actor("commune"), items=[item])
    assert not result.accepted


def test_a_persons_paper_history_in_one_batch_is_numbered_in_the_order_given(cast, site, stock):
    lot = stock("vaxzevria")
    person = _adult(cast)
    days = (30, 200, 260)
    items = [
        _item(person, lot, site, given_at=NOW() - dt.timedelta(days=d), late_entry_reason=PAPER)
        for d in days
    ]
    results = doses_record_batch(actor=cast.actor("site_staff"), items=items, use_stock=False)
    assert [(r.dose.kind, r.dose.number) if r.dose else r.error for r in results] == [
        ("booster", 1),
        ("primary", 2),
        ("primary", 1),
    ]


def test_a_batch_dose_before_one_on_record_renumbers_it_as_dose_record_does(cast, site, stock):
    lot = stock("vaxzevria")
    person = _adult(cast)
    later = _paper(cast, person, lot, site, days_ago=30)
    assert (later.kind, later.number) == ("primary", 1)
    item = _item(
        person, lot, site, given_at=NOW() - dt.timedelta(days=100), late_entry_reason=PAPER
    )
    (result,) = doses_record_batch(actor=cast.actor("site_staff"), items=[item], use_stock=False)
    later.refresh_from_db()
    assert ((result.dose.kind, result.dose.number), (later.kind, later.number)) == (
        ("primary", 1),
        ("primary", 2),
    )
    event = AuditEvent.objects.get(object_uuid=result.dose.uuid)
    assert event.changes["renumbered"] == {str(later.uuid): ["primary 1", "primary 2"]}


def test_doses_before_others_on_record_renumber_each_persons_own_later_doses(cast, site, stock):
    lot = stock("vaxzevria")
    persons = [_adult(cast) for _ in range(3)]
    later = {person.pk: _paper(cast, person, lot, site, days_ago=30) for person in persons}
    early = NOW() - dt.timedelta(days=100)
    items = [_item(p, lot, site, given_at=early, late_entry_reason=PAPER) for p in persons]
    results = doses_record_batch(actor=cast.actor("site_staff"), items=items, use_stock=False)
    for result in results:
        dose = later[result.dose.person_id]
        dose.refresh_from_db()
        assert (dose.kind, dose.number) == ("primary", 2)
        event = AuditEvent.objects.get(object_uuid=result.dose.uuid)
        assert event.changes["renumbered"] == {str(dose.uuid): ["primary 1", "primary 2"]}


def test_a_batch_draws_vials_and_stock_as_single_doses_do(cast, site, stock, screened):
    lot = stock("comirnaty", doses=12)  # two vials of 6
    persons = [_adult(cast) for _ in range(8)]
    for person in persons:
        screened(person)
    results = doses_record_batch(
        actor=cast.actor("site_staff"), items=[_item(p, lot, site) for p in persons]
    )
    assert all(r.accepted for r in results)
    assert StockBalance.objects.get(facility=site, lot=lot).doses == 4
    vials = list(OpenVial.objects.filter(lot=lot).order_by("pk").values_list("used", "closed_at"))
    assert [used for used, _ in vials] == [6, 2]
    assert vials[0][1] is not None
    assert vials[1][1] is None
    uses = StockMovement.objects.filter(lot=lot, kind="use")
    assert sorted(uses.values_list("reference", flat=True)) == sorted(
        f"dose:{r.dose.uuid}" for r in results
    )
    assert all(r.dose.stock_use.reference == f"dose:{r.dose.uuid}" for r in results)


def test_the_reads_of_a_batch_do_not_grow_with_its_items(cast, site, stock, screened):
    lot = stock("comirnaty", doses=100)

    def reads(count: int) -> int:
        persons = [_adult(cast) for _ in range(count)]
        for person in persons:
            screened(person)
        items = [_item(p, lot, site) for p in persons]
        with CaptureQueriesContext(connection) as captured:
            doses_record_batch(actor=cast.actor("site_staff"), items=items)
        return sum(q["sql"].lstrip().upper().startswith("SELECT") for q in captured)

    reads(1)  # the schedule rules, read once and kept
    assert reads(5) == reads(30)


def test_document_holders_locked_are_found_by_kind_and_number(cast):
    cccd = _adult(cast)
    passport = PersonFactory(
        home_unit=cast.units.commune_b, id_kind=IdKind.PASSPORT, id_number='B"12\\3,{4}'
    )
    merged = PersonFactory(home_unit=cast.units.commune_a, merged_into=cccd)
    wanted = {
        (cccd.id_kind, cccd.id_number),
        (IdKind.PASSPORT, passport.id_number),
        (merged.id_kind, merged.id_number),
        (IdKind.CMND, cccd.id_number),  # the number under another kind: no holder
        (IdKind.NONE, ""),  # no document
    }
    with transaction.atomic():
        found = document_holders_locked(wanted)
    assert found == {
        (cccd.id_kind, cccd.id_number): cccd,
        (IdKind.PASSPORT, passport.id_number): passport,
        (merged.id_kind, merged.id_number): merged,
    }
    assert found[(IdKind.PASSPORT, passport.id_number)].home_unit.pk == cast.units.commune_b.pk


def test_persons_held_by_the_callers_transaction_are_taken_as_given(cast, site, stock):
    persons = [_adult(cast) for _ in range(3)]
    given = NOW() - dt.timedelta(days=30)
    lot = stock("comirnaty")
    with transaction.atomic():
        # Locked by their documents, as an import's chunk locks the persons it names.
        holders = document_holders_locked({(p.id_kind, p.id_number) for p in persons})
        held = list(holders.values())
        items = [
            replace(_item(p, lot, site, given_at=given, late_entry_reason=PAPER), person=p)
            for p in held
        ]
        with CaptureQueriesContext(connection) as captured:
            results = doses_record_batch(
                actor=cast.actor("site_staff"),
                items=items,
                use_stock=False,
                held={p.pk for p in held},
            )
    assert len(held) == 3
    assert [r.dose.number for r in results] == [1, 1, 1]
    assert not [q for q in captured if "people_person" in q["sql"]]  # neither locked nor read
    assert Dose.objects.filter(person__in=persons).count() == 3
