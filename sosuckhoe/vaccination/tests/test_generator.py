"""The demo's and the benchmarks' vaccination data: campaign histories through the batch
service, reactions, voids, today's stock and the coming week's sessions."""

import datetime as dt
from collections import Counter

from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import StockBalance
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.generator import (
    CAMPAIGN_REASON,
    campaign_generate,
    histories_generate,
)
from sosuckhoe.vaccination.models import Dose, Reaction, VaccinationSession

JOB = Actor.system("generator-tests")


def _adults(cast, count):  # type: ignore[no-untyped-def]
    Facility.objects.create(
        name="Trạm Y tế", kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_a
    )
    return [
        PersonFactory(home_unit=cast.units.commune_a, birth_date=dt.date(1950 + i % 50, 3, 1))
        for i in range(count)
    ]


def test_most_adults_get_two_or_three_doses_numbered_by_the_rules_of_their_day(cast, reference):
    _adults(cast, 60)
    report = histories_generate(actor=JOB, unit=cast.units.province, seed=7)
    doses = Dose.objects.all()
    assert report.doses == doses.count()
    per_person = Counter(doses.values_list("person_id", flat=True))
    two_or_three = sum(1 for n in per_person.values() if n in (2, 3))
    assert two_or_three > report.persons / 2
    assert all(d.rule is not None and d.late_entry_reason == CAMPAIGN_REASON for d in doses)
    assert all(dt.date(2021, 3, 8) <= d.given_on <= dt.date(2022, 12, 31) for d in doses)
    firsts = doses.filter(kind="primary", number=1).count()
    assert firsts == len(per_person)
    assert AuditEvent.objects.filter(object_type="dose").count() == doses.count()


def test_a_second_run_gives_no_one_a_second_history(cast, reference):
    _adults(cast, 10)
    histories_generate(actor=JOB, unit=cast.units.province, seed=1)
    again = histories_generate(actor=JOB, unit=cast.units.province, seed=1)
    assert (again.persons, again.doses) == (0, 0)


def test_the_campaign_adds_reactions_voids_stock_and_the_weeks_sessions(cast, reference):
    _adults(cast, 120)
    report = campaign_generate(actor=JOB, unit=cast.units.province, seed=3)
    assert report.reactions == Reaction.objects.count() >= 1
    assert report.voids == Dose.objects.filter(voided_at__isnull=False).count()
    assert StockBalance.objects.filter(doses__gt=0).count() == report.receipts
    days = set(VaccinationSession.objects.values_list("date", flat=True))
    today = timezone.localdate()
    assert days == {today + dt.timedelta(days=n) for n in range(1, 8)}
