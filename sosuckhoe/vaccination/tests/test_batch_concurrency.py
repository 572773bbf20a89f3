"""A batch sent twice at the same moment, on PostgreSQL (skipped on SQLite: one writer)."""

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from sosuckhoe.supply.models import StockBalance
from sosuckhoe.supply.services import StockUses, stock_use
from sosuckhoe.testing.factories import PersonFactory, cccd_for
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def _screened_items(cast, screened, site, lot, *, keyed: bool) -> list[DoseItem]:  # type: ignore[no-untyped-def]
    """Today's doses of five adults of commune A screened at the site, with submission keys
    if `keyed`."""
    persons = [
        PersonFactory(
            home_unit=cast.units.commune_a,
            id_number=cccd_for(birth_year=1985, sex="M", serial=800_000 + i),
        )
        for i in range(5)
    ]
    for person in persons:
        screened(person)
    return [
        DoseItem(
            person=p.uuid,
            product="comirnaty",
            lot=lot.number,
            site=site.uuid,
            given_at=timezone.now(),
            submission_key=uuid.uuid4() if keyed else None,
        )
        for p in persons
    ]


def test_a_batch_sent_twice_at_once_records_each_dose_once(
    cast, transactional_db, site, stock, screened
):
    lot = stock(doses=20)
    items = _screened_items(cast, screened, site, lot, keyed=True)
    barrier, answers = threading.Barrier(2, timeout=30), []

    def send() -> None:
        barrier.wait()
        try:
            answers.append(doses_record_batch(actor=cast.actor("site_staff"), items=items))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = answers
    assert [r.dose.uuid for r in first] == [r.dose.uuid for r in second]
    assert Dose.objects.count() == 5
    assert StockBalance.objects.get(facility=site, lot=lot).doses == 15


def test_stock_taken_while_a_batch_is_judged_refuses_what_is_gone(
    cast, transactional_db, site, stock, screened, monkeypatch
):
    """The batch judges its uses on the balance as it read it, unlocked; another site officer
    uses 18 of the 20 doses before the batch writes: the batch is judged again with the
    balance locked, and only 2 of its 5 doses are recorded."""
    lot = stock(doses=20)
    items = _screened_items(cast, screened, site, lot, keyed=False)
    write, writes = StockUses.write, []

    def others_first(self: StockUses) -> None:
        if not writes:  # the first attempt only: another connection takes 18 doses, commits

            def use() -> None:
                try:
                    stock_use(actor=cast.actor("site_staff"), facility=site, lot=lot, doses=18)
                finally:
                    connection.close()

            other = threading.Thread(target=use)
            other.start()
            other.join()
        writes.append(self)
        return write(self)

    monkeypatch.setattr(StockUses, "write", others_first)
    results = doses_record_batch(actor=cast.actor("site_staff"), items=items)
    assert len(writes) == 2
    assert [r.accepted for r in results] == [True, True, False, False, False]
    assert {e.code for r in results[2:] for e in r.error.error_list} == {"out_of_stock"}
    assert Dose.objects.count() == 2
    assert StockBalance.objects.get(facility=site, lot=lot).doses == 0
