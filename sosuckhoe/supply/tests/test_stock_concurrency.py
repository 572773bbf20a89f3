"""Two sites using the last dose at the same instant: run on PostgreSQL, skipped on SQLite."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sosuckhoe.supply import services
from sosuckhoe.supply.models import StockMovement
from sosuckhoe.supply.selectors import stock_on_hand
from sosuckhoe.testing.concurrency import in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


@pytest.mark.parametrize("doses_per_vial", [1, 10])
def test_two_users_of_the_last_dose_at_once_one_succeeds_and_one_is_out_of_stock(
    cast, site, stocked, transactional_db, monkeypatch, doses_per_vial
):
    lot = stocked(doses=1, doses_per_vial=doses_per_vial)
    barrier = threading.Barrier(2, timeout=10)
    real_check = services._check_usable

    def check_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_check(*args, **kwargs)
        barrier.wait()  # both have passed every check before either takes the dose

    monkeypatch.setattr(services, "_check_usable", check_then_wait)

    def use(i: int) -> StockMovement:
        actor = cast.actor(("site_staff", "commune")[i])
        return services.stock_use(actor=actor, facility=site, lot=lot, on=dt.date(2026, 1, 10))

    results = in_threads(2, use)
    assert sorted(type(r).__name__ for r in results) == ["StockMovement", "ValidationError"]
    error = next(r for r in results if isinstance(r, ValidationError))
    assert error.code == "out_of_stock"
    assert stock_on_hand(facility=site, lot=lot) == 0
    assert StockMovement.objects.filter(lot=lot, kind="use").count() == 1


def test_the_ledger_refuses_to_be_changed_or_deleted(site, stocked):
    lot = stocked(doses=3)
    from django.db import DatabaseError, transaction

    movement = StockMovement.objects.get(lot=lot)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(doses=300)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).delete()
