"""Every number of the dashboards equals the same number computed here from the raw rows
(doses, reactions, targets, tallies, the stock ledger), read through the console's JSON and
.xlsx as a province officer, a commune officer and an analyst see them."""

import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.models import TargetPopulation
from sosuckhoe.analytics.overdue import overdue_count
from sosuckhoe.analytics.selectors import USE_WINDOW_DAYS
from sosuckhoe.analytics.targets import target_set, targets_seed_from_persons
from sosuckhoe.analytics.tests.truth import band_of
from sosuckhoe.people.models import Person, Sex
from sosuckhoe.supply.models import MovementKind, StockBalance, StockMovement
from sosuckhoe.supply.schedule import next_dose_due
from sosuckhoe.supply.services import stock_use
from sosuckhoe.testing.doses import paper_dose
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose, Reaction, ReactionOutcome, VoidKind
from sosuckhoe.vaccination.services.bookings import booking_check_in, booking_create
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.eligibility import birth_of, prior_doses
from sosuckhoe.vaccination.services.reactions import reaction_outcome_set, reaction_record
from sosuckhoe.vaccination.services.registrations import registration_approve, registration_create
from sosuckhoe.vaccination.services.tally import tally_enter

# (days ago of the first dose, of the second or None), per person of a commune.
HISTORIES = [(80, 10), (40, None), (75, 3), (70, 2), (5, None), (170, 60), (100, 1)]


def _paper(cast, person, lot, site, days_ago):  # type: ignore[no-untyped-def]
    actor = cast.actor("national_admin")
    return paper_dose(actor=actor, person=person, lot=lot, site=site, days_ago=days_ago)


def _booked_today(cast, person, group, session, lot, site, screened):  # type: ignore[no-untyped-def]
    """A dose of today from a booking of a registration in `group`."""
    registration = registration_create(
        actor=cast.actor("commune"), person=person, priority_group=group
    )
    registration_approve(actor=cast.actor("commune"), registration=registration)
    booking = booking_create(
        actor=cast.actor("commune"),
        person=person,
        slot=session.slots.get(),
        registration=registration,
    )
    booking_check_in(actor=cast.actor("site_staff"), booking=booking)
    screened(person)
    return dose_record(
        actor=cast.actor("site_staff"), person=person, product=lot.product, lot=lot, site=site
    )


@pytest.fixture
def world(cast, site, site_b, stock, group, make_session, screened):  # type: ignore[no-untyped-def]
    """Persons of both communes of the province and of the other province, with doses of two
    products on many days, a void, reactions (one serious), targets, tallies and stock used."""
    comirnaty = stock("comirnaty", number="CO-1", doses=200)
    vaxzevria = stock("vaxzevria", number="VX-1", doses=100, at=site_b)
    for unit, place, lot, births in (
        (cast.units.commune_a, site, comirnaty, (1950, 1990, 2010)),
        (cast.units.commune_b, site_b, vaxzevria, (1970, 2001)),
        (cast.units.other_commune, site_b, comirnaty, (1980,)),
    ):
        for i, (first, second) in enumerate(HISTORIES):
            person = PersonFactory(
                home_unit=unit,
                birth_date=dt.date(births[i % len(births)], 3, 2),
                sex=Sex.FEMALE if i % 2 else Sex.MALE,
            )
            _paper(cast, person, lot, place, first)
            if second is not None:
                _paper(cast, person, lot, place, second)
    dose = Dose.objects.filter(person__home_unit=cast.units.commune_b).first()
    dose_void(actor=cast.actor("province"), dose=dose, kind=VoidKind.NOT_VALID, reason="Sai")
    session = make_session(5)
    _booked_today(cast, cast.own_person, group, session, comirnaty, site, screened)
    signs = (["C1", "C2"], ["C1"], ["C3"])
    for dose, terms in zip(Dose.objects.valid().order_by("id")[:3], signs, strict=True):
        reaction = reaction_record(
            actor=cast.actor("site_staff"), dose=dose, onset_at=timezone.now(), terms=terms
        )
    reaction_outcome_set(
        actor=cast.actor("province"), reaction=reaction, outcome=ReactionOutcome.SEQUELAE
    )
    commune = cast.actor("commune")
    target_set(actor=commune, unit=cast.units.commune_a, persons=12)
    target_set(actor=commune, unit=cast.units.commune_a, persons=2, priority_group=group.code)
    target_set(actor=cast.actor("province"), unit=cast.units.commune_b, persons=9)
    today = timezone.localdate()
    tally_enter(actor=commune, site=site, day=today, product=comirnaty.product, doses=5)
    tally_enter(actor=commune, site=site, day=today - dt.timedelta(days=1),
                product=comirnaty.product, doses=3)  # fmt: skip
    stock_use(actor=commune, facility=site, lot=comirnaty, doses=7, on=today - dt.timedelta(days=2))
    stock_use(
        actor=commune, facility=site, lot=comirnaty, doses=4, on=today - dt.timedelta(days=20)
    )
    return cast


def _json(cast, role, slug, **params):  # type: ignore[no-untyped-def]
    response = cast.client_for(role).get(reverse("console:dashboard_json", args=[slug]), params)
    assert response.status_code == 200
    return response.json()


def _valid_doses(units):  # type: ignore[no-untyped-def]
    ids = [u.pk for u in units]
    return list(Dose.objects.valid().filter(person__home_unit_id__in=ids).select_related("person"))


def _province_units(cast):  # type: ignore[no-untyped-def]
    return [cast.units.commune_a, cast.units.commune_b]


def test_coverage_by_commune_is_the_valid_doses_of_each_number_over_the_target(world):
    cast = world
    data = _json(cast, "province", "coverage")
    truth = {}
    for unit in _province_units(cast):
        given = Counter((d.kind, d.number) for d in _valid_doses([unit]))
        target = TargetPopulation.objects.filter(
            unit=unit, priority_group=0, age_band=""
        ).aggregate(n=Sum("persons"))["n"]
        row = {"code": unit.code, "name": unit.name, "target": target}
        for (kind, number), n in given.items():
            row[f"given_{kind}_{number}"] = n
            row[f"coverage_{kind}_{number}"] = round(100 * n / target, 1)
        truth[unit.code] = row
    assert {r["code"]: {k: v for k, v in r.items() if v} for r in data["rows"]} == truth
    everyone = Counter((d.kind, d.number) for d in _valid_doses(_province_units(cast)))
    assert data["total"]["target"] == 21
    assert data["total"]["coverage"]["primary_1"] == round(100 * everyone["primary", 1] / 21, 1)
    assert data["drill"]
    assert data["map"] is None


def test_coverage_of_a_priority_group_counts_its_doses_over_its_target(world, group):
    cast = world
    data = _json(cast, "commune", "coverage", group=group.code)
    assert [r["code"] for r in data["rows"]] == [cast.units.commune_a.code]
    booked = [
        d
        for d in _valid_doses([cast.units.commune_a])
        if d.booking and d.booking.registration.priority_group == group
    ]
    assert data["rows"][0]["target"] == 2
    assert sum(v for k, v in data["rows"][0].items() if k.startswith("given_")) == len(booked)


def test_coverage_of_an_age_band_counts_the_doses_given_at_that_age_over_its_target(world):
    cast = world
    commune = cast.units.commune_a
    target_set(actor=cast.actor("commune"), unit=commune, persons=4, age_band="65+")
    data = _json(cast, "commune", "coverage", band="65+")
    given = Counter(
        (d.kind, d.number)
        for d in _valid_doses([commune])
        if band_of(d.person_id, d.given_on) == "65+"
    )
    assert given  # the person born in 1950 had their doses at 76
    row = data["rows"][0]
    assert row["target"] == 4
    assert {k: v for k, v in row.items() if k.startswith("given_") and v} == {
        f"given_{kind}_{number}": n for (kind, number), n in given.items()
    }
    assert row["coverage_primary_1"] == round(100 * given["primary", 1] / 4, 1)


def test_doses_per_day_by_product_and_their_seven_day_average_are_the_raw_doses(world):
    cast = world
    data = _json(cast, "province", "doses", by="product")
    doses = _valid_doses(_province_units(cast))
    per_day = Counter(d.given_on for d in doses)
    per_product = Counter((d.given_on, d.product.key) for d in doses)
    today = timezone.localdate()
    assert len(data["rows"]) == 90
    assert data["rows"][-1]["day"] == today.isoformat()
    for row in data["rows"]:
        day = dt.date.fromisoformat(row["day"])
        assert row["total"] == per_day[day]
        week = sum(per_day[day - dt.timedelta(days=i)] for i in range(7))
        assert row["average7"] == round(week / 7, 1)
        for key in ("comirnaty", "vaxzevria"):
            assert row.get(f"s:{key}", 0) == per_product[day, key]
    assert sum(r["total"] for r in data["rows"]) == sum(
        1 for d in doses if d.given_on > today - dt.timedelta(days=90)
    )


def test_doses_per_day_by_dose_number_are_the_raw_doses(world):
    cast = world
    data = _json(cast, "district", "doses", by="dose")
    assert all(r["total"] == 0 for r in data["rows"])  # Nam Định's district has no doses
    data = _json(cast, "province", "doses", by="dose")
    per_number = Counter(
        (d.given_on.isoformat(), f"s:{d.kind}:{d.number}")
        for d in _valid_doses(_province_units(cast))
    )
    shown = {
        (r["day"], k): v for r in data["rows"] for k, v in r.items() if k.startswith("s:") and v
    }
    assert shown == {
        k: v for k, v in per_number.items() if k[0] in {r["day"] for r in data["rows"]}
    }


def test_lagging_communes_are_those_below_the_provinces_coverage_of_the_first_dose(world):
    cast = world
    data = _json(cast, "province", "lagging")
    shares = {}
    for unit, target in ((cast.units.commune_a, 12), (cast.units.commune_b, 9)):
        first = sum(1 for d in _valid_doses([unit]) if (d.kind, d.number) == ("primary", 1))
        shares[unit.code] = (first, first / target)
    overall = sum(f for f, _s in shares.values()) / 21
    behind = sorted((s, code) for code, (_f, s) in shares.items() if s < overall)
    assert [r["code"] for r in data["rows"]] == [code for _s, code in behind]
    for row in data["rows"]:
        assert row["given"] == shares[row["code"]][0]


def test_stock_on_hand_and_days_left_per_lot_are_the_ledgers(world):
    cast = world
    data = _json(cast, "province", "stock")
    today = timezone.localdate()
    since = today - dt.timedelta(days=USE_WINDOW_DAYS - 1)
    truth = {}
    for balance in StockBalance.objects.filter(doses__gt=0).select_related("lot"):
        if not balance.facility.unit.path.startswith(cast.units.province.path):
            continue
        used = -sum(
            m.doses
            for m in StockMovement.objects.filter(lot=balance.lot, on__gte=since, on__lte=today)
            if m.kind in (MovementKind.USE, MovementKind.USE_RETURN)
        )
        on_hand = truth.get(balance.lot.number, (0, 0))[0] + balance.doses
        truth[balance.lot.number] = (on_hand, used / USE_WINDOW_DAYS)
    assert {r["lot"]: r["on_hand"] for r in data["rows"]} == {k: v[0] for k, v in truth.items()}
    comirnaty = next(r for r in data["rows"] if r["lot"] == "CO-1")
    used_per_day = round(truth["CO-1"][1], 2)  # today's dose from stock, and the 7 used
    assert used_per_day == round(8 / USE_WINDOW_DAYS, 2)
    assert comirnaty["used_per_day"] == used_per_day
    assert comirnaty["days_left"] == round(truth["CO-1"][0] / used_per_day, 1)
    assert next(r for r in data["rows"] if r["lot"] == "VX-1")["days_left"] is None


def test_reactions_per_100000_doses_by_product_and_lot_are_the_raw_signs_over_the_doses(world):
    cast = world
    doses = _valid_doses(_province_units(cast))
    ids = [u.pk for u in _province_units(cast)]
    signs = Counter()
    serious = Counter()
    for reaction in Reaction.objects.filter(dose__person__home_unit_id__in=ids):
        for _term in reaction.terms.all():
            signs[reaction.dose.product.name] += 1
            serious[reaction.dose.product.name] += reaction.serious
    given = Counter(d.product.name for d in doses)
    data = _json(cast, "province", "reactions-product")
    for row in data["rows"]:
        assert row["doses"] == given[row["label"]]
        assert row["signs"] == signs[row["label"]]
        assert row["per_100k"] == round(100_000 * signs[row["label"]] / given[row["label"]], 1)
        assert row["serious_per_100k"] == round(
            100_000 * serious[row["label"]] / given[row["label"]], 1
        )
    assert {r["label"] for r in data["rows"]} == set(given)
    by_lot = _json(cast, "province", "reactions-lot")
    lot_doses = Counter(f"{d.product.name} {d.lot.number}" for d in doses)
    lot_signs = Counter()
    for reaction in Reaction.objects.filter(dose__person__home_unit_id__in=ids):
        lot_signs[f"{reaction.dose.product.name} {reaction.dose.lot.number}"] += len(
            reaction.terms.all()
        )
    assert {r["label"]: (r["doses"], r["signs"]) for r in by_lot["rows"]} == {
        k: (lot_doses[k], n) for k, n in lot_signs.items()
    }


def test_the_entry_backlog_is_each_sites_tally_less_the_doses_entered_on_those_days(world, site):
    cast = world
    data = _json(cast, "province", "backlog")
    today = timezone.localdate()
    entered = sum(
        1
        for d in Dose.objects.valid().filter(site=site, product__key="comirnaty")
        if d.given_on in (today, today - dt.timedelta(days=1))
    )
    assert data["rows"] == [
        {"site": site.name, "tallied": 8, "entered": entered, "missing": 8 - entered}
    ]


def test_a_commune_officer_sees_their_commune_only_and_no_unit_outside_it(world):
    cast = world
    data = _json(cast, "commune", "coverage")
    assert [r["code"] for r in data["rows"]] == [cast.units.commune_a.code]
    assert data["drill"] is False
    doses = _json(cast, "commune", "doses")
    assert sum(r["total"] for r in doses["rows"]) == sum(
        1
        for d in _valid_doses([cast.units.commune_a])
        if d.given_on > timezone.localdate() - dt.timedelta(days=90)
    )
    client = cast.client_for("commune")
    url = reverse("console:dashboard_json", args=["coverage"])
    assert client.get(url, {"unit": cast.units.commune_b.code}).status_code == 404
    assert client.get(url, {"unit": cast.units.province.code}).status_code == 404


def test_the_national_dashboard_colours_the_provinces_on_the_map(world):
    cast = world
    data = _json(cast, "national_admin", "coverage")
    assert data["map"].endswith("vn_provinces_34_from2025-07.geojson")
    codes = {r["code"]: r for r in data["rows"]}
    assert set(codes) == {cast.units.province.code, cast.units.other_province.code}
    first = sum(1 for d in _valid_doses(_province_units(cast)) if d.number == 1)
    assert codes[cast.units.province.code]["given_primary_1"] == first


def test_an_analyst_reads_the_counts_of_their_unit(world):
    cast = world
    assert _json(cast, "analyst", "coverage") == _json(cast, "province", "coverage")


def test_each_charts_data_downloads_as_xlsx_with_the_same_rows(world):
    cast = world
    client = cast.client_for("province")
    for slug in ("coverage", "doses", "stock", "backlog", "reactions-product"):
        data = _json(cast, "province", slug)
        response = client.get(reverse("console:dashboard_xlsx", args=[slug]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == data["title"]
        assert list(rows[1]) == [c["label"] for c in data["columns"]]
        keys = [c["key"] for c in data["columns"]]
        expected = [
            [dt.datetime.fromisoformat(r[k]) if k in ("day", "expiry") else r.get(k) for k in keys]
            for r in data["rows"]
        ]
        assert [list(row) for row in rows[2:]] == expected


def test_seeded_targets_are_the_persons_on_record_per_commune_band_and_group(world, group):
    cast = world
    targets_seed_from_persons(
        actor=Actor.system("tests"), unit=cast.units.province, on=timezone.localdate()
    )
    counts = defaultdict(int)
    for person in Person.objects.filter(home_unit__path__startswith=cast.units.province.path):
        counts[person.home_unit_id] += 1
    seeded = dict(
        TargetPopulation.objects.filter(priority_group=0, age_band="").values_list(
            "unit_id", "persons"
        )
    )
    assert seeded == dict(counts)
    registered = TargetPopulation.objects.get(unit=cast.units.commune_a, priority_group=group.code)
    assert registered.persons == 1
    bands = TargetPopulation.objects.filter(unit=cast.units.commune_a, priority_group=0).exclude(
        age_band=""
    )
    assert sum(t.persons for t in bands) == counts[cast.units.commune_a.pk]


def test_site_staff_and_units_outside_are_refused_a_target(world):
    cast = world
    for role, unit in (
        ("site_staff", cast.units.commune_a),
        ("analyst", cast.units.commune_a),
        ("commune", cast.units.commune_b),
    ):
        with pytest.raises(ValidationError):
            target_set(actor=cast.actor(role), unit=unit, persons=5)
    with pytest.raises(ValidationError):
        target_set(actor=cast.actor("province"), unit=cast.units.province, persons=5)


def test_people_overdue_per_commune_are_those_the_schedule_finds_past_their_window(world):
    cast = world
    today = timezone.localdate()
    found = overdue_count(actor=Actor.system("tests"), unit=cast.units.province, on=today)
    truth: Counter = Counter()
    for unit in _province_units(cast):
        for person in Person.objects.filter(home_unit=unit, doses__voided_at=None).distinct():
            due = next_dose_due(birth=birth_of(person), history=prior_doses(person, until=today),
                                on=today)  # fmt: skip
            if due is not None and due.overdue:
                truth[unit.code, f"overdue_{due.kind}_{due.number}"] += 1
    assert found == sum(truth.values())
    assert found > 0
    data = _json(cast, "province", "overdue")
    shown = Counter(
        {(r["code"], k): v for r in data["rows"] for k, v in r.items() if k.startswith("overdue_")}
    )
    assert +shown == truth
    assert {r["counted_on"] for r in data["rows"]} == {today.isoformat()}
    assert _json(cast, "commune", "overdue")["rows"][0]["total"] == sum(
        n for (code, _k), n in truth.items() if code == cast.units.commune_a.code
    )
