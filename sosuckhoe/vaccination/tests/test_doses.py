import datetime as dt
import uuid
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import StockBalance, StockMovement
from sosuckhoe.supply.services import lot_recall
from sosuckhoe.testing.doses import PAPER
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Booking, BookingStatus, Dose, Screening, VoidKind
from sosuckhoe.vaccination.services.bookings import booking_check_in, booking_create
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.eligibility import Contraindication, person_facts


def _give(cast, person, lot, site, role="site_staff", product=None, **kwargs):
    return dose_record(
        actor=cast.actor(role),
        person=person,
        product=product or lot.product,
        lot=lot,
        site=site,
        **kwargs,
    )


def _missing(cast, person, lot, site, days_ago, **kwargs):
    """A dose given `days_ago` that only the paper book has: entered late, its stock long
    counted."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    return _give(
        cast, person, lot, site, given_at=when, late_entry_reason=PAPER, use_stock=False, **kwargs
    )


def _balance(site, lot):
    return StockBalance.objects.get(facility=site, lot=lot).doses


@contextmanager
def refused(code):
    """The call is refused for `code`, and nothing is written: no dose, no stock movement,
    no balance change, no audit row."""
    before = (
        Dose.objects.count(),
        StockMovement.objects.count(),
        list(StockBalance.objects.order_by("pk").values_list("doses", flat=True)),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as error:
        yield error
    assert code in refusal_codes(error.value), refusal_codes(error.value)
    after = (
        Dose.objects.count(),
        StockMovement.objects.count(),
        list(StockBalance.objects.order_by("pk").values_list("doses", flat=True)),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_a_dose_uses_one_dose_of_stock_and_its_number_is_derived(cast, site, stock, screened):
    lot = stock(doses=6)
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    assert (dose.kind, dose.number, dose.series_doses) == ("primary", 1, 2)
    assert dose.rule.code == "primary-1-comirnaty"
    assert _balance(site, lot) == 5
    assert dose.stock_use.reference == f"dose:{dose.uuid}"
    event = AuditEvent.objects.get(object_type="dose", object_uuid=dose.uuid)
    assert (event.action, event.scope_path, event.changes["late"]) == (
        AuditAction.CREATE,
        cast.units.commune_a.path,
        False,
    )


def test_the_second_dose_after_the_interval_is_primary_two(cast, site, stock, screened):
    lot = stock()
    _missing(cast, cast.own_person, lot, site, days_ago=25)
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    assert (dose.kind, dose.number) == ("primary", 2)


def test_a_dose_too_soon_after_the_last_is_refused(cast, site, stock, screened):
    lot = stock()
    _missing(cast, cast.own_person, lot, site, days_ago=10)
    screened(cast.own_person)
    with refused("interval_too_short"):
        _give(cast, cast.own_person, lot, site)


def test_a_product_that_may_not_follow_the_first_dose_is_refused(cast, site, stock, screened):
    _missing(cast, cast.own_person, stock("vaxzevria"), site, days_ago=60)
    sinopharm = stock("bbibp-corv")
    screened(cast.own_person)
    with refused("product_may_not_follow"):
        _give(cast, cast.own_person, sinopharm, site)


def test_an_expired_lot_is_refused(cast, site, stock, screened):
    today = timezone.localdate()
    lot = stock(expiry=today - dt.timedelta(days=1), received=today - dt.timedelta(days=3))
    screened(cast.own_person)
    with refused("lot_expired"):
        _give(cast, cast.own_person, lot, site)


def test_a_recalled_lot_is_refused(cast, site, stock, screened):
    lot = stock()
    lot_recall(actor=Actor.system("nihe"), lot=lot, reason="Thu hồi theo công văn")
    lot.refresh_from_db()
    screened(cast.own_person)
    with refused("lot_recalled"):
        _give(cast, cast.own_person, lot, site)


def test_a_lot_of_another_product_is_refused(cast, site, stock, screened, comirnaty):
    lot = stock("vaxzevria")
    screened(cast.own_person)
    with refused("lot_wrong_product"):
        _give(cast, cast.own_person, lot, site, product=comirnaty)


def test_a_lot_not_in_stock_at_the_site_is_refused(cast, site, site_b, stock, screened):
    lot = stock(at=site_b)
    screened(cast.own_person)
    with refused("out_of_stock"):
        _give(cast, cast.own_person, lot, site)


def test_a_person_not_screened_today_is_refused(cast, site, stock):
    lot = stock()
    with refused("not_screened_eligible"):
        _give(cast, cast.own_person, lot, site)


@pytest.mark.parametrize("item", ["1", "2", "5"], ids=["contraindicated", "postpone", "hospital"])
def test_a_person_screened_not_eligible_today_is_refused(cast, site, stock, screened, item):
    lot = stock()
    screened(cast.own_person, item)
    with refused("not_screened_eligible"):
        _give(cast, cast.own_person, lot, site)


def test_a_hospital_vaccinates_those_screening_sends_to_hospital(cast, stock, screened):
    hospital = Facility.objects.create(
        name="Bệnh viện tỉnh", kind=FacilityKind.HOSPITAL, unit=cast.units.commune_a
    )
    lot = stock(at=hospital)
    screened(cast.own_person, "5", at=hospital)
    assert _give(cast, cast.own_person, lot, hospital).number == 1


def test_a_person_screened_in_the_caution_group_is_vaccinated(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person, "7")
    assert _give(cast, cast.own_person, lot, site).number == 1


def test_the_same_dose_entered_twice_is_refused(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person)
    _give(cast, cast.own_person, lot, site)
    with refused("dose_exists"):
        _give(cast, cast.own_person, lot, site)


def test_the_database_keeps_one_valid_dose_of_a_product_a_day(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    copy = {
        f: getattr(dose, f)
        for f in (
            "person",
            "product",
            "lot",
            "site",
            "given_at",
            "given_on",
            "kind",
            "number",
            "series_doses",
        )
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Dose.objects.create(**copy)
    Dose.objects.filter(pk=dose.pk).update(
        voided_at=timezone.now(), void_kind=VoidKind.ENTERED_IN_ERROR, void_reason="x"
    )
    assert Dose.objects.create(**copy).pk


def test_a_merged_record_is_not_vaccinated(cast, site, stock):
    merged = PersonFactory(home_unit=cast.units.commune_a, merged_into=cast.own_person)
    lot = stock()
    with refused("person_merged"):
        _give(cast, merged, lot, site)


def test_every_reason_of_a_refusal_is_given_at_once(cast, site, stock, comirnaty):
    lot = stock("vaxzevria")
    with refused("lot_wrong_product") as error:
        _give(cast, cast.own_person, lot, site, product=comirnaty)
    assert set(refusal_codes(error.value)) == {"lot_wrong_product", "not_screened_eligible"}


def test_a_site_vaccinates_a_visitor_and_both_communes_see_the_dose(cast, site, stock, screened):
    lot = stock()
    screened(cast.sibling_person)
    dose = _give(cast, cast.sibling_person, lot, site)
    for role, sees in (
        ("site_staff", True),
        ("commune_other", True),
        ("province", True),
        ("province_other", False),
        ("analyst", False),
    ):
        assert Dose.objects.visible_to(cast.users[role]).filter(pk=dose.pk).exists() == sees


def test_staff_of_another_commune_record_no_dose_at_this_site(cast, site, stock, screened):
    lot = stock()
    screened(cast.sibling_person)
    with refused("outside_unit"):
        _give(cast, cast.sibling_person, lot, site, role="commune_other")


def test_a_double_click_records_one_dose(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person)
    key = uuid.uuid4()
    first = _give(cast, cast.own_person, lot, site, submission_key=key)
    again = _give(cast, cast.own_person, lot, site, submission_key=key)
    assert again.pk == first.pk
    assert (Dose.objects.count(), _balance(site, lot)) == (1, 49)


def test_a_dose_given_in_a_booking_closes_it(cast, site, stock, screened, make_session):
    lot = stock()
    booking = booking_create(
        actor=cast.actor("commune"), person=cast.own_person, slot=make_session(5).slots.get()
    )
    booking_check_in(actor=cast.actor("site_staff"), booking=booking)
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    assert dose.booking == booking
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VACCINATED


def test_an_immunocompromised_person_gets_an_additional_dose_28_days_after_the_series(
    cast, site, stock, screened
):
    lot = stock()
    _missing(cast, cast.own_person, lot, site, days_ago=80)
    _missing(cast, cast.own_person, lot, site, days_ago=40)
    screened(cast.own_person)
    with refused("interval_too_short"):  # a booster: 3 months after the series
        _give(cast, cast.own_person, lot, site)
    screened(cast.own_person, "6")  # severe immunodeficiency: caution, and the additional dose
    dose = _give(cast, cast.own_person, lot, site)
    assert (dose.kind, dose.number) == ("additional", 1)


# --- Late entries -----------------------------------------------------------------------


def test_a_missing_dose_is_entered_with_its_real_date_and_the_later_ones_renumbered(
    cast, site, stock, screened
):
    lot = stock()
    screened(cast.own_person)
    today = _give(cast, cast.own_person, lot, site)
    assert (today.kind, today.number) == ("primary", 1)
    missing = _missing(cast, cast.own_person, lot, site, days_ago=60)
    today.refresh_from_db()
    assert ((missing.kind, missing.number), (today.kind, today.number)) == (
        ("primary", 1),
        ("primary", 2),
    )
    assert (missing.stock_use, missing.late_entry_reason) == (None, PAPER)
    event = AuditEvent.objects.get(object_uuid=missing.uuid)
    assert event.changes["late"] is True
    assert event.changes["renumbered"] == {str(today.uuid): ["primary 1", "primary 2"]}


def test_a_late_entry_says_why(cast, site, stock):
    lot = stock()
    with refused("late_entry_reason_required"):
        _give(cast, cast.own_person, lot, site, given_at=timezone.now() - dt.timedelta(days=3))


def test_a_dose_given_today_uses_stock_and_one_in_the_future_is_refused(
    cast, site, stock, screened
):
    lot = stock()
    screened(cast.own_person)
    with refused("stock_required"):
        _give(cast, cast.own_person, lot, site, use_stock=False)
    with refused("given_in_future"):
        _give(cast, cast.own_person, lot, site, given_at=timezone.now() + dt.timedelta(hours=2))


def test_a_late_entry_of_a_day_whose_screening_said_no_is_refused(cast, site, stock, screened):
    lot = stock()
    screening = screened(cast.own_person, "3")
    Screening.objects.filter(pk=screening.pk).update(
        screened_at=screening.screened_at - dt.timedelta(days=2),
        screened_on=screening.screened_on - dt.timedelta(days=2),
    )
    with refused("not_screened_eligible"):
        _missing(cast, cast.own_person, lot, site, days_ago=2)


def test_the_persons_commune_enters_a_paper_dose_given_at_another_communes_site(
    cast, site_b, stock
):
    lot = stock(at=site_b)
    dose = _missing(cast, cast.own_person, lot, site_b, days_ago=100, role="commune")
    assert dose.site == site_b


# --- Voiding ----------------------------------------------------------------------------


def test_a_dose_entered_in_error_is_voided_not_deleted_and_its_stock_comes_back(
    cast, site, stock, screened
):
    lot = stock(doses=10)
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    voided = dose_void(
        actor=cast.actor("site_staff"),
        dose=dose,
        kind=VoidKind.ENTERED_IN_ERROR,
        reason="Nhập nhầm người",
    )
    assert Dose.objects.filter(pk=dose.pk).exists()
    assert (voided.voided_by, voided.voided_by_name, voided.void_reason) == (
        cast.users["site_staff"],
        "site",
        "Nhập nhầm người",
    )
    assert voided.stock_return.counterpart == dose.stock_use
    assert _balance(site, lot) == 10
    event = AuditEvent.objects.filter(object_uuid=dose.uuid, action=AuditAction.UPDATE).get()
    assert (event.changes["voided"], event.changes["stock_returned"]) == (
        VoidKind.ENTERED_IN_ERROR,
        True,
    )


def test_a_dose_given_but_not_valid_keeps_its_stock_used(cast, site, stock, screened):
    lot = stock(doses=10)
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    dose_void(actor=cast.actor("site_staff"), dose=dose, kind=VoidKind.NOT_VALID, reason="Sai liều")
    assert _balance(site, lot) == 9


def test_voiding_a_dose_renumbers_the_ones_after_it(cast, site, stock, screened):
    lot = stock()
    first = _missing(cast, cast.own_person, lot, site, days_ago=40)
    screened(cast.own_person)
    second = _give(cast, cast.own_person, lot, site)
    assert second.number == 2
    dose_void(
        actor=cast.actor("site_staff"), dose=first, kind=VoidKind.ENTERED_IN_ERROR, reason="Trùng"
    )
    second.refresh_from_db()
    assert (second.kind, second.number) == ("primary", 1)


def test_a_voided_dose_may_be_entered_again(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person)
    wrong = _give(cast, cast.own_person, lot, site)
    dose_void(
        actor=cast.actor("site_staff"), dose=wrong, kind=VoidKind.ENTERED_IN_ERROR, reason="Sai lô"
    )
    assert _give(cast, cast.own_person, lot, site).number == 1


@pytest.mark.parametrize(
    ("role", "reason", "code"),
    [
        ("site_staff", " ", "reason_required"),
        ("commune_other", "Sai", "outside_unit"),
    ],
)
def test_a_void_needs_a_reason_and_the_sites_unit(cast, site, stock, screened, role, reason, code):
    lot = stock()
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    with refused(code):
        dose_void(actor=cast.actor(role), dose=dose, kind=VoidKind.ENTERED_IN_ERROR, reason=reason)


def test_a_dose_is_voided_once(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person)
    dose = _give(cast, cast.own_person, lot, site)
    dose_void(actor=cast.actor("site_staff"), dose=dose, kind=VoidKind.NOT_VALID, reason="Sai")
    with refused("already_voided"):
        dose_void(actor=cast.actor("site_staff"), dose=dose, kind=VoidKind.NOT_VALID, reason="Lại")


def test_a_persons_facts_are_read_in_one_statement(cast, screened, django_assert_num_queries):
    person = PersonFactory(home_unit=cast.units.commune_a, birth_year=1980)
    screening = screened(person, "1", "6")  # a contraindication; immunocompromised
    day = screening.screened_on
    with django_assert_num_queries(1):
        facts = person_facts([person.pk])[person.pk]
    assert (facts.screenings, facts.immunocompromised(on=day)) == ([screening], True)
    family = screening.product.family if screening.product else None
    assert facts.contraindications(on=day) == [Contraindication(day, family)]


def _facts_prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%SELECT 'dose', d.person_id%"],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_batchs_facts_are_planned_for_the_tables_as_they_are(cast):
    """One person's facts (a request's) are read by the plan the connection keeps; a batch's
    are planned at each run, since a plan kept from an import's first chunk was made for an
    empty doses' table and scanned the whole table for every chunk after."""
    persons = PersonFactory.create_batch(2, home_unit=cast.units.commune_a)
    person_facts([person.pk for person in persons])
    assert _facts_prepared() == 0
    person_facts([persons[0].pk])
    assert _facts_prepared() == 1
