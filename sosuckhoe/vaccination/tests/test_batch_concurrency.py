"""A batch sent twice at the same moment, on PostgreSQL (skipped on SQLite: one writer)."""

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from sosuckhoe.supply.models import StockBalance
from sosuckhoe.testing.factories import PersonFactory, cccd_for
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_a_batch_sent_twice_at_once_records_each_dose_once(
    cast, transactional_db, site, stock, screened
):
    lot = stock(doses=20)
    persons = [
        PersonFactory(
            home_unit=cast.units.commune_a,
            id_number=cccd_for(birth_year=1985, sex="M", serial=800_000 + i),
        )
        for i in range(5)
    ]
    for person in persons:
        screened(person)
    items = [
        DoseItem(
            person=p.uuid,
            product="comirnaty",
            lot=lot.number,
            site=site.uuid,
            given_at=timezone.now(),
            submission_key=uuid.uuid4(),
        )
        for p in persons
    ]
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
