"""Writers of doses that share count rows, at once: run on PostgreSQL, skipped on SQLite."""

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from sosuckhoe.analytics.services import rollups_rebuild
from sosuckhoe.analytics.tests.truth import dose_table, dose_truth
from sosuckhoe.testing.concurrency import in_threads
from sosuckhoe.testing.doses import PAPER
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.doses import dose_record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]

WRITERS = 10
PERSONS_EACH = 5
# Every writer's doses fall on these days, for persons alike (commune, age band, sex): the
# writers update the same count rows, each in its own order of days.
DAYS_AGO = (400, 300, 200)


def test_writers_of_the_same_counts_at_once_neither_deadlock_nor_lose_a_dose(
    cast, transactional_db, site, stock
):
    lot = stock(doses=10)
    persons = [
        [PersonFactory(home_unit=cast.units.commune_a) for _ in range(PERSONS_EACH)]
        for _ in range(WRITERS)
    ]
    now = timezone.now()

    def doses_of(writer: int) -> list[tuple[object, dt.datetime]]:
        order = random.Random(writer)
        wanted = [(p, now - dt.timedelta(days=d)) for p in persons[writer] for d in DAYS_AGO]
        order.shuffle(wanted)
        return wanted

    def batch(writer: int) -> object:
        items = [
            DoseItem(
                person=person.uuid,
                product=lot.product.key,
                lot=lot.number,
                site=site.uuid,
                given_at=at,
                late_entry_reason=PAPER,
            )
            for person, at in doses_of(writer)
        ]
        results = doses_record_batch(actor=cast.actor("site_staff"), items=items, use_stock=False)
        return sum(r.accepted for r in results)

    def one_by_one(writer: int) -> object:
        recorded = 0
        for person, at in doses_of(writer):
            try:
                record(person, at)
            except ValidationError:  # the schedule may refuse a dose entered out of order
                continue
            recorded += 1
        return recorded

    def record(person: object, at: dt.datetime) -> None:
        dose_record(
            actor=cast.actor("site_staff"),
            person=person,
            product=lot.product,
            lot=lot,
            site=site,
            given_at=at,
            late_entry_reason=PAPER,
            use_stock=False,
        )

    results = in_threads(WRITERS, lambda i: (batch if i % 2 else one_by_one)(i))
    assert all(isinstance(r, int) for r in results), results
    recorded = Dose.objects.valid().count()
    assert recorded == sum(results) > WRITERS * PERSONS_EACH
    assert sum(dose_table().values()) == recorded
    kept = dose_table()
    assert kept == dose_truth()
    rollups_rebuild()
    assert dose_table() == kept
