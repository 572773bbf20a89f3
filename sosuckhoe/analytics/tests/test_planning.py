"""The plan of a product per unit equals what the raw rows say (targets, doses, stock,
shipments, sessions); a shipment's split follows need in whole vials and sums to the
shipment; shared out, it is stock transfers made by the supply service, all or nothing."""

import datetime as dt
import math
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.analytics.models import ExpectedShipment, ShipmentStatus, TargetPopulation
from sosuckhoe.analytics.planning import (
    DEFAULT_SESSION_CAPACITY,
    RATE_DAYS,
    UnitNeed,
    plan_compute,
    remaining_doses,
    series_length,
    shipment_distribute,
    shipment_record,
    split_propose,
)
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind, UnitLevel
from sosuckhoe.supply.models import Lot, MovementKind, Product, StockBalance, StockMovement
from sosuckhoe.supply.services import stock_receive
from sosuckhoe.testing.doses import PAPER
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.generator import campaign_generate
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.doses import dose_record

JOB = Actor.system("planning-tests")


def test_remaining_doses_are_whole_series_for_those_not_begun_and_the_rest_of_begun_ones():
    # 100 to reach, 40 begun (30 on this vaccine, 25 of them with dose 2): 60 × 2 + 5.
    assert remaining_doses(target=100, begun=40, counts={1: 30, 2: 25}, series=2) == 125
    # More begun than the target: nobody new, only the unfinished series.
    assert remaining_doses(target=10, begun=40, counts={1: 30, 2: 30}, series=2) == 0
    assert remaining_doses(target=10, begun=0, counts={}, series=3) == 30


def _need(pk: int, need: int, stock: int = 0) -> UnitNeed:
    unit = AdminUnit(pk=pk, name=str(pk), path=f"x/{pk}/")
    return UnitNeed(unit, 0, False, 0, need, need, stock, 0, 0.0, 100, 1, dt.date(2026, 1, 1))


def test_a_split_follows_the_shortfall_in_whole_vials_and_sums_to_the_shipment():
    needs = [_need(1, 600, stock=100), _need(2, 300), _need(3, 100, stock=100)]
    split = split_propose(needs=needs, doses=605, vial=10)
    assert sum(split.values()) == 605
    assert split[3] == 0  # it has what it needs
    assert all(n % 10 == 0 for unit, n in split.items() if unit != 1)  # the broken vial: 1's
    assert split[1] > split[2] > 0
    assert abs(split[1] / (split[1] + split[2]) - 500 / 800) < 0.02


def test_a_split_follows_the_need_when_nobody_falls_short():
    needs = [_need(1, 30, stock=30), _need(2, 10, stock=10)]
    assert split_propose(needs=needs, doses=40) == {1: 30, 2: 10}
    assert split_propose(needs=[_need(1, 0)], doses=40) == {1: 0}


@pytest.fixture
def province_campaign(cast, reference, site, site_b, make_session):  # type: ignore[no-untyped-def]
    """Histories in both communes, a few first doses in the last days, today's stock, a
    target for commune A (commune B has none: its register counts), sessions at site A."""
    for i in range(40):
        home = (cast.units.commune_a, cast.units.commune_b)[i % 2]
        PersonFactory(home_unit=home, birth_date=dt.date(1950 + i % 45, 3, 1))
    campaign_generate(actor=JOB, unit=cast.units.province, seed=5)
    comirnaty = Product.objects.get(key="comirnaty")
    lot = Lot.objects.filter(product=comirnaty, expiry_date__gte=timezone.localdate()).get()
    for i in range(6):
        person = PersonFactory(home_unit=cast.units.commune_a, birth_date=dt.date(1980, 1, 1 + i))
        given = timezone.now() - dt.timedelta(days=1 + i * 4)  # four within the last 14 days
        dose_record(actor=JOB, person=person, product=comirnaty, lot=lot, site=site,
                    given_at=given, late_entry_reason=PAPER, use_stock=False)  # fmt: skip
    TargetPopulation.objects.create(
        unit=cast.units.commune_a, persons=90, updated_by_name="planning-tests"
    )
    make_session(20, 30)
    return comirnaty


def truth(cast, unit: AdminUnit, product: Product, today: dt.date, rate: float) -> dict:  # type: ignore[no-untyped-def]
    """Each row's figures computed from the raw rows."""
    series = series_length(product)
    result = {}
    for row in (cast.units.commune_a, cast.units.commune_b):
        target = TargetPopulation.objects.filter(unit=row, priority_group=0, age_band="").first()
        people = target.persons if target else Person.objects.filter(home_unit=row).count()
        primary = Dose.objects.filter(voided_at__isnull=True, person__home_unit=row, kind="primary")
        begun = primary.filter(number=1).count()
        counts = Counter(primary.filter(product=product).values_list("number", flat=True))
        unfinished = sum(max(counts[1] - counts[k], 0) for k in range(2, series + 1))
        remaining = max(people - begun, 0) * series + unfinished
        since = today - dt.timedelta(days=RATE_DAYS - 1)
        recent = primary.filter(product=product, given_on__range=(since, today)).count()
        stock = sum(
            StockBalance.objects.filter(
                facility__unit=row, lot__product=product, lot__expiry_date__gte=today
            ).values_list("doses", flat=True)
        )
        result[row.pk] = {
            "target": people,
            "begun": begun,
            "remaining": remaining,
            "need": math.ceil(remaining / (1 - rate)),
            "stock": stock,
            "rate": recent / RATE_DAYS,
        }
    return result


def test_the_plan_of_each_commune_equals_the_raw_rows(cast, province_campaign, today):
    product, province = province_campaign, cast.units.province
    plan = plan_compute(unit=province, product=product, wastage_rate=0.1, today=today)
    expected = truth(cast, province, product, today, 0.1)
    assert [n.unit for n in plan.rows] == [cast.units.commune_a, cast.units.commune_b]
    for need in plan.rows:
        got = {
            "target": need.target,
            "begun": need.begun,
            "remaining": need.remaining,
            "need": need.need,
            "stock": need.stock,
            "rate": need.rate,
        }
        assert got == expected[need.unit.pk], need.unit
    a, b = plan.rows
    assert (a.target_from_register, b.target_from_register) == (False, True)
    assert a.rate > 0
    assert a.reaches_on == today + dt.timedelta(days=math.ceil(a.remaining / a.rate))
    assert a.capacity == 50  # the session at site A: 20 + 30 places
    assert a.sessions == math.ceil(a.remaining / 50)
    assert b.capacity == DEFAULT_SESSION_CAPACITY
    assert plan.total.remaining == a.remaining + b.remaining


def test_expected_shipments_count_against_the_need_of_their_unit(cast, province_campaign, today):
    product = province_campaign
    shipment_record(actor=cast.actor("province"), product=product, doses=120,
                    expected_on=today, unit=cast.units.commune_b)  # fmt: skip
    shipment_record(actor=cast.actor("province"), product=product, doses=500,
                    expected_on=today, unit=cast.units.province)  # fmt: skip
    plan = plan_compute(unit=cast.units.province, product=product, today=today)
    assert [n.expected for n in plan.rows] == [0, 120]
    assert plan.total.expected == 620
    b = plan.rows[1]
    assert b.shortfall == max(b.need - b.stock - 120, 0)
    with pytest.raises(ValidationError):
        shipment_record(actor=cast.actor("province_other"), product=product, doses=5,
                        expected_on=today, unit=cast.units.province)  # fmt: skip


@pytest.fixture
def store(cast, province_campaign):  # type: ignore[no-untyped-def]
    """The province's store in commune A, holding today's Comirnaty lot."""
    store = Facility.objects.create(
        name="Kho vắc xin tỉnh", kind=FacilityKind.HEALTH_CENTRE, unit=cast.units.province
    )
    lot = Lot.objects.filter(balances__doses__gt=0, product=province_campaign).first()
    stock_receive(actor=JOB, facility=store, lot=lot, doses=600)
    return store, lot


def test_the_stock_of_the_province_itself_counts_in_its_total_only(cast, store):
    _store, lot = store
    plan = plan_compute(unit=cast.units.province, product=lot.product)
    assert plan.total.stock == sum(n.stock for n in plan.rows) + 600
    assert plan.total.sessions == sum(n.sessions for n in plan.rows)


def test_a_shared_out_shipment_is_one_stock_transfer_per_unit(cast, province_campaign, store):
    facility, lot = store
    officer = cast.actor("province")
    shipment = shipment_record(actor=officer, product=province_campaign, doses=600,
                               expected_on=timezone.localdate(),
                               unit=cast.units.province)  # fmt: skip
    split = {cast.units.commune_a: 240, cast.units.commune_b: 300}
    received = shipment_distribute(
        actor=officer, shipment=shipment, source=facility, lot=lot, split=split
    )
    lines = StockMovement.objects.filter(pk__in=received).select_related("facility")
    assert {(m.facility.unit_id, m.doses) for m in lines} == {
        (cast.units.commune_a.pk, 240),
        (cast.units.commune_b.pk, 300),
    }
    assert all(m.kind == MovementKind.TRANSFER_IN for m in lines)
    assert StockBalance.objects.get(facility=facility, lot=lot).doses == 60
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISTRIBUTED
    assert AuditEvent.objects.filter(object_uuid=shipment.uuid).count() == 2
    with pytest.raises(ValidationError) as refused:
        shipment_distribute(actor=officer, shipment=shipment, source=facility, lot=lot,
                            split=split)  # fmt: skip
    assert refused.value.code == "shipment_done"


@pytest.mark.parametrize(
    ("who", "split_a"),
    [("commune_other", 10), ("province", 10_000), ("analyst", 10)],
)
def test_a_refused_split_writes_nothing(cast, province_campaign, store, who, split_a):
    facility, lot = store
    shipment = shipment_record(actor=cast.actor("province"), product=province_campaign,
                               doses=600, expected_on=timezone.localdate(),
                               unit=cast.units.province)  # fmt: skip
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError):
        shipment_distribute(actor=cast.actor(who), shipment=shipment, source=facility, lot=lot,
                            split={cast.units.commune_a: split_a})  # fmt: skip
    assert StockMovement.objects.count() == before
    assert ExpectedShipment.objects.get().status == ShipmentStatus.EXPECTED


def test_the_split_page_proposes_and_sends_the_edited_split(cast, province_campaign, store):
    facility, lot = store
    shipment = shipment_record(actor=cast.actor("province"), product=province_campaign,
                               doses=600, expected_on=timezone.localdate(),
                               unit=cast.units.province)  # fmt: skip
    client = cast.client_for("province")
    url = reverse("console:shipment_split", args=[shipment.uuid])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    proposed = [form[f"u_{u.code}"].initial for u in (cast.units.commune_a, cast.units.commune_b)]
    assert sum(proposed) == 600
    balance = StockBalance.objects.get(facility=facility, lot=lot)
    response = client.post(url, {"source": balance.pk, "on": timezone.localdate().isoformat(),
                                 "u_13669": 100, "u_14464": 200})  # fmt: skip
    assert response.status_code == 302
    assert StockBalance.objects.get(pk=balance.pk).doses == 300
    assert cast.client_for("commune").get(url).status_code == 404


def test_the_planning_page_shows_the_plan_of_the_picked_unit(cast, province_campaign):
    client = cast.client_for("analyst")
    page = client.get(reverse("console:planning"), {"product": "comirnaty"})
    assert page.status_code == 200
    plan = page.context["plan"]
    assert [n.unit for n in plan.rows] == [cast.units.commune_a, cast.units.commune_b]
    assert cast.units.commune_b.name in page.content.decode()
    narrowed = client.get(reverse("console:planning"), {"unit": "13669", "product": "comirnaty"})
    assert [n.unit.level for n in narrowed.context["plan"].rows] == [UnitLevel.COMMUNE]
