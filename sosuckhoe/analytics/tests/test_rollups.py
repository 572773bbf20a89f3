"""The counts follow each dose and reaction written, and a rebuild finds the same."""

import datetime as dt
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sosuckhoe.analytics.models import DoseRollup, DoseTotal, LotDoses
from sosuckhoe.analytics.services import dose_key, rollups_rebuild
from sosuckhoe.analytics.tests.truth import dose_table, reaction_table, tables, truths
from sosuckhoe.people.models import IdKind, Sex
from sosuckhoe.people.services import person_merge, person_update
from sosuckhoe.testing.doses import PAPER
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import AefiTerm, Dose, ReactionOutcome, VoidKind
from sosuckhoe.vaccination.services import batch as batch_service
from sosuckhoe.vaccination.services import doses as dose_service
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.bookings import booking_check_in, booking_create
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.reactions import reaction_outcome_set, reaction_record
from sosuckhoe.vaccination.services.registrations import registration_approve, registration_create


def _give(cast, person, lot, site, **kwargs):  # type: ignore[no-untyped-def]
    return dose_record(
        actor=cast.actor("site_staff"),
        person=person,
        product=lot.product,
        lot=lot,
        site=site,
        **kwargs,
    )


def _paper(cast, person, lot, site, days_ago):  # type: ignore[no-untyped-def]
    return _give(
        cast,
        person,
        lot,
        site,
        given_at=timezone.now() - dt.timedelta(days=days_ago),
        late_entry_reason=PAPER,
        use_stock=False,
    )


def _checked_in(cast, person, group, slot):  # type: ignore[no-untyped-def]
    """The person registered in `group`, approved, booked into `slot` and checked in."""
    registration = registration_create(
        actor=cast.actor("commune"), person=person, priority_group=group
    )
    registration_approve(actor=cast.actor("commune"), registration=registration)
    booking = booking_create(
        actor=cast.actor("commune"),
        person=person,
        slot=slot,
        registration=registration,
    )
    return booking_check_in(actor=cast.actor("site_staff"), booking=booking)


def _counts_are_right() -> None:
    """Every count table kept equals the raw rows', and a rebuild changes nothing."""
    kept = tables()
    assert kept == truths()
    rollups_rebuild()
    assert tables() == kept


def test_a_dose_counts_once_under_the_persons_commune_day_product_number_age_and_sex(
    cast, site, stock, screened
):
    lot = stock()
    screened(cast.own_person)
    _give(cast, cast.own_person, lot, site)
    today = timezone.localdate()
    assert dose_table() == {
        (cast.units.commune_a.pk, today, lot.product_id, "primary", 1, "18-49", "M", 0): 1
    }
    _counts_are_right()


def test_a_dose_given_in_the_booking_of_a_registration_counts_under_its_priority_group(
    cast, site, stock, screened, group, make_session
):
    lot = stock()
    _checked_in(cast, cast.own_person, group, make_session(5).slots.get())
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    assert dose.booking is not None
    assert [key[-1] for key in dose_table()] == [group.code]
    _counts_are_right()


def test_a_missing_dose_entered_later_moves_the_later_dose_to_its_new_number(
    cast, site, stock, screened
):
    lot = stock()
    screened(cast.own_person)
    today = _give(cast, cast.own_person, lot, site)
    missing = _paper(cast, cast.own_person, lot, site, days_ago=60)
    numbers = {(key[1], key[4]): n for key, n in dose_table().items()}
    assert numbers == {(missing.given_on, 1): 1, (today.given_on, 2): 1}
    _counts_are_right()


def test_a_voided_dose_leaves_the_counts_and_the_dose_after_it_is_counted_renumbered(
    cast, site, stock, screened
):
    lot = stock()
    first = _paper(cast, cast.own_person, lot, site, days_ago=60)
    screened(cast.own_person)
    second = _give(cast, cast.own_person, lot, site)
    dose_void(
        actor=cast.actor("site_staff"), dose=first, kind=VoidKind.NOT_VALID, reason="Sai người"
    )
    assert {(key[1], key[4]): n for key, n in dose_table().items()} == {(second.given_on, 1): 1}
    _counts_are_right()


def test_a_reaction_counts_under_each_sign_and_moves_to_serious_with_an_outcome_that_is(
    cast, site, stock, screened
):
    lot = stock()
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    reaction = reaction_record(
        actor=cast.actor("site_staff"), dose=dose, onset_at=timezone.now(), terms=["C1", "C2"]
    )
    terms = dict(AefiTerm.objects.filter(code__in=["C1", "C2"]).values_list("code", "pk"))
    common = {key[4]: n for key, n in reaction_table().items() if not key[5]}
    assert common == {terms["C1"]: 1, terms["C2"]: 1}
    reaction_outcome_set(
        actor=cast.actor("province"), reaction=reaction, outcome=ReactionOutcome.SEQUELAE
    )
    assert {(key[4], key[5]): n for key, n in reaction_table().items()} == {
        (terms["C1"], True): 1,
        (terms["C2"], True): 1,
    }
    _counts_are_right()


def _statements(work):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


# A dose changes three count tables: per day, of all days, per lot.
TABLES_OF_A_DOSE = 3


def _counts_cost() -> int:
    """The statements that keep a dose's three count tables: one on PostgreSQL (the upserts
    as WITH queries), one a table elsewhere."""
    return 1 if connection.vendor == "postgresql" else TABLES_OF_A_DOSE


def test_keeping_the_counts_costs_a_dose_one_statement_or_one_per_count_table(
    cast, site, stock, screened, group, make_session
):
    """The person, the booking, its registration and group are read by the rules already."""
    lot = stock()
    slot = make_session(5).slots.get()
    persons = [PersonFactory(home_unit=cast.units.commune_a) for _ in range(3)]
    for person in persons:
        _checked_in(cast, person, group, slot)
        screened(person)
    _give(cast, persons[0], lot, site)  # the schedule's rules read once, and kept
    with mock.patch.object(dose_service, "rollups_apply"):
        without = _statements(lambda: _give(cast, persons[1], lot, site))
    with_counts = _statements(lambda: _give(cast, persons[2], lot, site))
    assert with_counts == without + _counts_cost()
    assert sum(dose_table().values()) == 2  # not the dose given without the counts


def test_keeping_the_counts_costs_a_batch_one_statement_or_one_per_count_table(
    cast, site, stock, screened
):
    lot = stock()
    persons = [PersonFactory(home_unit=cast.units.commune_a) for _ in range(6)]
    for person in persons:
        screened(person)

    def batch(some):  # type: ignore[no-untyped-def]
        items = [
            DoseItem(
                person=p.uuid,
                product=lot.product.key,
                lot=lot.number,
                site=site.uuid,
                given_at=timezone.now(),
            )
            for p in some
        ]
        return lambda: doses_record_batch(actor=cast.actor("site_staff"), items=items)

    batch(persons[:2])()  # the schedule's rules read once, and kept
    with mock.patch.object(batch_service, "rollups_apply"):
        without = _statements(batch(persons[2:4]))
    assert _statements(batch(persons[4:])) == without + _counts_cost()
    assert sum(dose_table().values()) == 4


# Birthdays that end an age band on the day of the dose or the day before; a person known by
# the year of birth alone is born on its 1 January.
AGES = [
    (dt.date(2008, 2, 29), dt.date(2026, 2, 28), "12-17"),
    (dt.date(2008, 2, 29), dt.date(2026, 3, 1), "18-49"),
    (dt.date(1976, 2, 29), dt.date(2026, 2, 28), "18-49"),
    (dt.date(1976, 2, 29), dt.date(2026, 3, 1), "50-64"),
    (dt.date(1961, 11, 20), dt.date(2026, 11, 19), "50-64"),
    (dt.date(1961, 11, 20), dt.date(2026, 11, 20), "65+"),
    (dt.date(2021, 12, 1), dt.date(2026, 11, 30), "0-4"),
    (dt.date(2021, 12, 1), dt.date(2026, 12, 1), "5-11"),
    (2014, dt.date(2025, 12, 31), "5-11"),
    (2014, dt.date(2026, 1, 1), "12-17"),
]


def test_the_rebuild_computes_the_age_band_of_the_dose_day_as_the_writes_do(cast, site, stock):
    """Rows made directly: the schedule would refuse some of these ages for this product."""
    lot = stock()
    for born, day, band in AGES:
        person = PersonFactory(
            home_unit=cast.units.commune_a,
            birth_date=None if isinstance(born, int) else born,
            birth_year=born if isinstance(born, int) else born.year,
        )
        dose = Dose.objects.create(
            person=person,
            product=lot.product,
            lot=lot,
            site=site,
            given_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
            given_on=day,
            kind="primary",
            number=1,
            series_doses=2,
        )
        assert dose_key(dose).age_band == band, (born, day)
    rollups_rebuild()
    assert sorted(key[5] for key in dose_table()) == sorted(band for _b, _d, band in AGES)
    assert tables() == truths()


def test_a_rebuild_of_one_unit_recomputes_its_communes_and_leaves_the_others(
    cast, site, site_b, stock, screened
):
    lot = stock(doses=5)
    _paper(cast, cast.own_person, lot, site, days_ago=10)
    _give(
        cast,
        cast.sibling_person,
        lot,
        site,
        given_at=timezone.now() - dt.timedelta(days=3),
        late_entry_reason=PAPER,
        use_stock=False,
    )
    for model in (DoseRollup, DoseTotal, LotDoses):
        model.objects.update(doses=7)
    call_command("rollups_rebuild", "--unit", cast.units.commune_a.code, stdout=mock.Mock())
    for table in ("doses", "totals", "lots"):
        by_unit = {key[0]: n for key, n in tables()[table].items()}
        assert by_unit == {cast.units.commune_a.pk: 1, cast.units.commune_b.pk: 7}, table


def test_the_rebuild_command_refuses_an_unknown_unit(db):
    with pytest.raises(CommandError):
        call_command("rollups_rebuild", "--unit", "99999")


def test_a_person_moved_and_corrected_takes_the_counts_of_their_doses_and_reactions(
    cast, site, stock, screened
):
    lot = stock()
    person = PersonFactory(home_unit=cast.units.commune_a, id_kind=IdKind.NONE, id_number="")
    _paper(cast, person, lot, site, days_ago=60)
    screened(person)
    dose = _give(cast, person, lot, site)
    reaction_record(
        actor=cast.actor("site_staff"), dose=dose, onset_at=timezone.now(), terms=["C1"]
    )
    person_update(
        actor=cast.actor("province"),
        person=person,
        home_unit=cast.units.commune_b,
        birth_date=dt.date(1960, 1, 1),
        birth_year=1960,
        sex=Sex.FEMALE,
    )
    assert {key[0] for key in [*dose_table(), *reaction_table()]} == {cast.units.commune_b.pk}
    assert {(key[5], key[6]) for key in dose_table()} == {("65+", "F")}
    _counts_are_right()


def test_a_merge_counts_the_duplicates_doses_as_the_kept_person(cast, site, stock):
    lot = stock()
    born = {"birth_date": None, "birth_year": 1950, "sex": Sex.FEMALE}
    keep = PersonFactory(home_unit=cast.units.commune_a, id_kind=IdKind.NONE, id_number="", **born)
    duplicate = PersonFactory(
        home_unit=cast.units.commune_b,
        id_kind=IdKind.NONE,
        id_number="",
        **(born | {"birth_date": dt.date(1950, 12, 30)}),
    )
    _paper(cast, keep, lot, site, days_ago=200)
    _paper(cast, duplicate, lot, site, days_ago=100)
    person_merge(actor=cast.actor("province"), keep=keep, duplicate=duplicate)
    # Both doses now count in the kept person's commune, with the birth date filled in.
    assert {key[0] for key in dose_table()} == {cast.units.commune_a.pk}
    _counts_are_right()
