"""Stock: every movement changes the balance it says, the balance never goes negative, open
vials count their unused doses as wastage, and the ledger always sums to the balance."""

import contextlib
import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.supply import services
from sosuckhoe.supply.models import (
    MovementKind,
    OpenVial,
    StockBalance,
    StockMovement,
    StockReason,
)
from sosuckhoe.supply.selectors import (
    lots_usable,
    stock_balances,
    stock_by_lot,
    stock_movements,
    stock_on_hand,
)
from sosuckhoe.supply.tests.conftest import SYSTEM

TODAY = dt.date(2026, 1, 10)


def ledger(facility, lot) -> int:  # type: ignore[no-untyped-def]
    rows = StockMovement.objects.filter(facility=facility, lot=lot)
    return rows.aggregate(total=Sum("doses"))["total"] or 0


def refusal(call, code: str) -> ValidationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def test_a_receipt_adds_doses_and_leaves_its_audit_row(site, stocked):
    lot = stocked(doses=60, doses_per_vial=1)
    assert stock_on_hand(facility=site, lot=lot) == 60
    movement = StockMovement.objects.get(facility=site, lot=lot)
    audit = AuditEvent.objects.get(object_uuid=movement.uuid)
    assert (audit.object_type, audit.scope_path) == ("stock_movement", site.unit.path)


def test_using_more_than_is_on_hand_is_refused_and_nothing_is_written(site, stocked):
    lot = stocked(doses=1, doses_per_vial=1)
    services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)
    before = StockMovement.objects.count()
    refusal(
        lambda: services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY), "out_of_stock"
    )
    assert StockMovement.objects.count() == before
    assert stock_on_hand(facility=site, lot=lot) == 0


def test_the_database_refuses_a_negative_balance_whatever_code_writes_it(site, stocked):
    lot = stocked(doses=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(facility=site, lot=lot).update(doses=-1)


def test_an_expired_or_recalled_lot_is_not_used(site, stocked, cast):
    lot = stocked(doses=5, doses_per_vial=1, expiry=dt.date(2026, 1, 31))
    late = dt.date(2026, 2, 1)
    refusal(
        lambda: services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=late), "lot_expired"
    )
    services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=dt.date(2026, 1, 31))
    refusal(
        lambda: services.lot_recall(actor=cast.actor("province"), lot=lot, reason="QC"),
        "recall_not_allowed",
    )
    lot = services.lot_recall(actor=cast.actor("national_admin"), lot=lot, reason="Lỗi chất lượng")
    refusal(
        lambda: services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY), "lot_recalled"
    )
    assert list(lots_usable(facility=site, product=lot.product, on=TODAY)) == []


def test_a_lot_number_is_registered_once_and_a_different_expiry_is_refused(products, make_lot):
    first = make_lot(number=" fk 1234 ")
    assert first.number == "FK1234"
    assert make_lot(number="FK1234").pk == first.pk
    refusal(lambda: make_lot(number="FK1234", expiry=dt.date(2031, 1, 1)), "lot_mismatch")
    assert first.doses_per_vial == products["comirnaty"].doses_per_vial


def test_a_transfer_moves_doses_between_two_facilities_as_two_linked_lines(
    site, sibling_site, stocked, cast
):
    lot = stocked(doses=30)
    sent, received = services.stock_transfer(
        actor=cast.actor("province"), source=site, destination=sibling_site, lot=lot, doses=12
    )
    assert (sent.doses, received.doses, received.counterpart_id) == (-12, 12, sent.pk)
    assert stock_on_hand(facility=site, lot=lot) == 18
    assert stock_on_hand(facility=sibling_site, lot=lot) == 12
    refusal(
        lambda: services.stock_transfer(
            actor=SYSTEM, source=site, destination=sibling_site, lot=lot, doses=19
        ),
        "out_of_stock",
    )
    refusal(
        lambda: services.stock_transfer(
            actor=SYSTEM, source=site, destination=site, lot=lot, doses=1
        ),
        "same_facility",
    )


def test_waste_needs_a_reason_and_a_note_for_other(site, stocked):
    lot = stocked(doses=10)
    refusal(
        lambda: services.stock_waste(actor=SYSTEM, facility=site, lot=lot, doses=1, reason=""),
        "reason_required",
    )
    refusal(
        lambda: services.stock_waste(
            actor=SYSTEM, facility=site, lot=lot, doses=1, reason=StockReason.OTHER
        ),
        "note_required",
    )
    wasted = services.stock_waste(
        actor=SYSTEM, facility=site, lot=lot, doses=2, reason=StockReason.BROKEN
    )
    assert (wasted.kind, wasted.doses, wasted.reason) == ("waste", -2, "broken")


def test_returning_expiring_and_adjusting_change_the_balance_as_they_say(site, stocked):
    lot = stocked(doses=20, expiry=dt.date(2026, 3, 31))
    services.stock_return(actor=SYSTEM, facility=site, lot=lot, doses=5, reference="PX-01")
    refusal(
        lambda: services.stock_expire(actor=SYSTEM, facility=site, lot=lot, on=TODAY),
        "lot_not_expired",
    )
    adjusted = services.stock_adjust(
        actor=SYSTEM, facility=site, lot=lot, counted=13, reason=StockReason.PHYSICAL_COUNT
    )
    assert adjusted is not None
    assert adjusted.doses == -2
    assert (
        services.stock_adjust(
            actor=SYSTEM, facility=site, lot=lot, counted=13, reason=StockReason.PHYSICAL_COUNT
        )
        is None
    )
    expired = services.stock_expire(actor=SYSTEM, facility=site, lot=lot, on=dt.date(2026, 4, 1))
    assert expired.doses == -13
    assert stock_on_hand(facility=site, lot=lot) == 0


def test_undoing_a_use_puts_the_dose_back_once(site, stocked):
    lot = stocked(doses=3, doses_per_vial=1)
    use = services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY, reference="dose-1")
    returned = services.stock_return_use(actor=SYSTEM, movement=use)
    assert (returned.kind, returned.doses, returned.counterpart_id) == ("use_return", 1, use.pk)
    assert stock_on_hand(facility=site, lot=lot) == 3
    refusal(lambda: services.stock_return_use(actor=SYSTEM, movement=use), "use_already_returned")
    refusal(lambda: services.stock_return_use(actor=SYSTEM, movement=returned), "not_a_use")


def test_closing_an_opened_vial_counts_its_unused_doses_as_wastage(site, stocked):
    lot = stocked(doses=20, doses_per_vial=10)
    for _ in range(7):
        services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)
    vial = OpenVial.objects.get(facility=site, lot=lot, closed_at__isnull=True)
    assert (vial.doses, vial.used) == (10, 7)
    # The 3 doses left in the open vial may not be sent away while it is open.
    refusal(
        lambda: services.stock_waste(
            actor=SYSTEM, facility=site, lot=lot, doses=11, reason=StockReason.BROKEN
        ),
        "out_of_stock",
    )
    (wasted,) = services.stock_session_close(actor=SYSTEM, facility=site, on=TODAY)
    assert (wasted.kind, wasted.doses, wasted.reason) == ("waste", -3, "open_vial")
    vial.refresh_from_db()
    assert (vial.wasted, vial.closed_at is not None) == (3, True)
    assert stock_on_hand(facility=site, lot=lot) == 10
    refusal(lambda: services.stock_vial_close(actor=SYSTEM, vial=vial), "vial_closed")


def test_a_vial_emptied_by_its_last_dose_closes_with_no_waste(site, stocked):
    lot = stocked(doses=12, doses_per_vial=6)
    for _ in range(7):
        services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)
    vials = list(OpenVial.objects.filter(facility=site, lot=lot).order_by("pk"))
    assert [(v.used, v.wasted) for v in vials] == [(6, 0), (1, None)]
    assert services.stock_session_close(actor=SYSTEM, facility=site)[0].doses == -5


def test_a_dose_from_the_open_vial_takes_three_statements(site, stocked, django_assert_num_queries):
    lot = stocked(doses=12, doses_per_vial=6)
    services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)  # opens a vial
    events: list[AuditEvent] = []
    with transaction.atomic(), django_assert_num_queries(3):  # balance, vial, ledger line
        use = services.stock_use_within(
            actor=SYSTEM, facility=site, lot=lot, on=TODAY, reference="r", events=events
        )
    vial = OpenVial.objects.get(facility=site, lot=lot)
    assert (use.vial_id, vial.used, stock_on_hand(facility=site, lot=lot)) == (vial.pk, 2, 10)
    assert [e.object_uuid for e in events] == [use.uuid]  # its audit row, left to the caller


def test_a_dose_undone_after_its_vial_was_thrown_away_counts_as_wasted(site, stocked):
    lot = stocked(doses=10, doses_per_vial=10)
    use = services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)
    services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)
    services.stock_session_close(actor=SYSTEM, facility=site, on=TODAY)
    services.stock_return_use(actor=SYSTEM, movement=use)
    vial = OpenVial.objects.get(facility=site, lot=lot)
    assert (vial.used, vial.wasted) == (1, 9)
    assert stock_on_hand(facility=site, lot=lot) == 0
    assert ledger(site, lot) == 0


def test_a_dose_undone_while_its_vial_is_open_goes_back_into_the_vial(site, stocked):
    lot = stocked(doses=10, doses_per_vial=10)
    use = services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY)
    services.stock_return_use(actor=SYSTEM, movement=use)
    assert OpenVial.objects.get(facility=site, lot=lot).used == 0
    assert services.stock_session_close(actor=SYSTEM, facility=site)[0].doses == -10


def _random_step(rng: random.Random, site, other, lot) -> None:  # type: ignore[no-untyped-def]
    doses = rng.randint(1, 15)
    step = rng.choice(
        ["receive", "use", "use", "use", "undo", "waste", "transfer", "adjust", "close"]
    )
    calls = {
        "receive": lambda: services.stock_receive(
            actor=SYSTEM, facility=site, lot=lot, doses=doses
        ),
        "use": lambda: services.stock_use(actor=SYSTEM, facility=site, lot=lot, on=TODAY),
        "undo": lambda: services.stock_return_use(
            actor=SYSTEM,
            movement=rng.choice(
                list(StockMovement.objects.filter(kind=MovementKind.USE)) or [None]
            ),
        ),
        "waste": lambda: services.stock_waste(
            actor=SYSTEM, facility=site, lot=lot, doses=doses, reason=StockReason.COLD_CHAIN
        ),
        "transfer": lambda: services.stock_transfer(
            actor=SYSTEM, source=site, destination=other, lot=lot, doses=doses
        ),
        "adjust": lambda: services.stock_adjust(
            actor=SYSTEM, facility=site, lot=lot, counted=rng.randint(0, 40),
            reason=StockReason.PHYSICAL_COUNT,
        ),
        "close": lambda: services.stock_session_close(actor=SYSTEM, facility=site),
    }  # fmt: skip
    # A refused step (or nothing to undo) changes nothing.
    with contextlib.suppress(ValidationError, AttributeError):
        calls[step]()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_a_random_sequence_of_movements_the_ledger_equals_the_balance(
    site, sibling_site, stocked, seed
):
    lot = stocked(doses=30, doses_per_vial=10)
    rng = random.Random(seed)
    for _ in range(150):
        _random_step(rng, site, sibling_site, lot)
        on_hand = stock_on_hand(facility=site, lot=lot)
        assert on_hand >= 0
        assert on_hand == ledger(site, lot)
        open_left = sum(
            v.doses - v.used for v in OpenVial.objects.filter(facility=site, closed_at__isnull=True)
        )
        assert open_left <= on_hand
    assert stock_on_hand(facility=sibling_site, lot=lot) == ledger(sibling_site, lot)
    kinds = set(StockMovement.objects.values_list("kind", flat=True))
    assert {"use", "use_return", "transfer_out", "waste"} <= kinds


def _every_write(actor, site, elsewhere, lot, use, vial):  # type: ignore[no-untyped-def]
    return (
        lambda: services.stock_receive(actor=actor, facility=site, lot=lot, doses=1),
        lambda: services.stock_use(actor=actor, facility=site, lot=lot, on=TODAY),
        lambda: services.stock_transfer(
            actor=actor, source=site, destination=elsewhere, lot=lot, doses=1
        ),
        lambda: services.stock_waste(
            actor=actor, facility=site, lot=lot, doses=1, reason=StockReason.BROKEN
        ),
        lambda: services.stock_return(actor=actor, facility=site, lot=lot, doses=1),
        lambda: services.stock_expire(actor=actor, facility=site, lot=lot),
        lambda: services.stock_adjust(
            actor=actor, facility=site, lot=lot, counted=0, reason=StockReason.PHYSICAL_COUNT
        ),
        lambda: services.stock_return_use(actor=actor, movement=use),
        lambda: services.stock_vial_close(actor=actor, vial=vial),
        lambda: services.stock_session_close(actor=actor, facility=site),
    )


def test_an_actor_outside_the_facility_unit_is_refused_and_nothing_is_written(
    site, foreign_site, stocked, cast
):
    lot = stocked(doses=10)
    vial_lot = stocked(doses=10, number="V10", doses_per_vial=10)
    services.stock_use(actor=SYSTEM, facility=site, lot=vial_lot, on=TODAY)
    use = StockMovement.objects.get(kind=MovementKind.USE)
    vial = OpenVial.objects.get()
    before = (StockMovement.objects.count(), AuditEvent.objects.count())
    for who in ("commune_other", "province_other", "analyst"):
        for call in _every_write(cast.actor(who), site, foreign_site, lot, use, vial):
            refusal(call, "outside_scope")
    assert (StockMovement.objects.count(), AuditEvent.objects.count()) == before
    assert stock_on_hand(facility=site, lot=lot) == 10


def test_officers_of_the_unit_and_above_may_use_its_stock(site, stocked, cast):
    lot = stocked(doses=10, doses_per_vial=1)
    for who in ("site_staff", "commune", "province", "national_admin"):
        services.stock_use(actor=cast.actor(who), facility=site, lot=lot, on=TODAY)
    assert stock_on_hand(facility=site, lot=lot) == 6


def test_stock_reads_show_only_the_readers_subtree(site, sibling_site, foreign_site, stocked, cast):
    lot = stocked(doses=30)
    services.stock_transfer(actor=SYSTEM, source=site, destination=sibling_site, lot=lot, doses=10)
    services.stock_transfer(actor=SYSTEM, source=site, destination=foreign_site, lot=lot, doses=5)
    commune = cast.users["commune"]
    assert [b.facility for b in stock_balances(user=commune)] == [site]
    assert {b.facility for b in stock_balances(user=cast.users["province"])} == {site, sibling_site}
    assert stock_balances(user=commune, facility=foreign_site).count() == 0
    (row,) = stock_by_lot(user=cast.users["province"], unit=cast.units.province)
    assert (row.lot, row.doses, row.facilities) == (lot, 25, 2)
    assert stock_movements(user=cast.users["province_other"]).count() == 1
    assert stock_movements(user=cast.users["national_admin"]).count() == 5
