"""A site's day in the console: find by the CCCD card, check in, screen, vaccinate, watch,
tally; the person's page with the vaccination history and the void form."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from sosuckhoe.console.tests.vaccination_day import dose_given, no_answers, site_day
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import StockBalance
from sosuckhoe.vaccination.models import (
    BookingStatus,
    DailyTally,
    Dose,
    Reaction,
    Screening,
    ScreeningItem,
)


def _qr(person: Person, cccd: str | None = None) -> str:
    return (
        f"{cccd or person.id_number}||{person.full_name.upper()}|"
        f"{person.birth_date:%d%m%Y}|Nam|Số 5, Phường Nam Định|15042021"
    )


def _visit(day, person: Person) -> str:
    return reverse("console:site_visit", args=[day.site.uuid, person.uuid])


@pytest.fixture
def day(cast):
    return site_day(cast)


def test_the_cccd_qr_string_finds_the_booked_person_and_opens_their_visit(cast, day):
    find = reverse("console:site_find", args=[day.site.uuid])
    response = cast.client_for("site_staff").get(find, {"q": _qr(cast.own_person)})
    assert response.status_code == 302
    assert response["Location"] == _visit(day, cast.own_person)


def test_a_cccd_qr_string_of_nobody_on_record_opens_the_registration_form_filled_in(cast, day):
    client = cast.client_for("site_staff")
    qr = _qr(cast.own_person, cccd="036085999999")
    response = client.get(reverse("console:site_find", args=[day.site.uuid]), {"q": qr})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:site_register", args=[day.site.uuid]))
    form = client.get(response["Location"]).context["form"]
    assert form.initial["id_number"] == "036085999999"
    assert form.initial["full_name"] == "Nguyễn Văn An"
    assert form.initial["birth_date"] == cast.own_person.birth_date
    assert (form.initial["sex"], form.initial["address_line"]) == ("M", "Số 5, Phường Nam Định")


def test_a_person_registered_from_the_card_goes_on_to_their_visit(cast, day):
    register = reverse("console:site_register", args=[day.site.uuid])
    form = {
        "full_name": "Phạm Thị Mới", "sex": "F", "birth_date": "1990-03-02", "id_kind": "cccd",
        "id_number": "036190999001", "home_unit": cast.units.commune_a.pk,
    }  # fmt: skip
    response = cast.client_for("site_staff").post(f"{register}?q={quote('x|y')}", form)
    person = Person.objects.get(id_number="036190999001")
    assert response["Location"] == _visit(day, person)


def test_a_string_that_is_no_card_says_so_and_finds_nobody(cast, day):
    client = cast.client_for("site_staff")
    find = reverse("console:site_find", args=[day.site.uuid])
    response = client.get(find, {"q": "0360|abc"}, follow=True)
    assert "QR" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("console:site_day", args=[day.site.uuid])


def test_the_site_officer_checks_in_screens_and_vaccinates_and_the_watch_lists_the_dose(cast, day):
    client, person = cast.client_for("site_staff"), cast.own_person
    args = [day.site.uuid, person.uuid]
    client.post(reverse("console:site_check_in", args=args))
    day.booking.refresh_from_db()
    assert day.booking.status == BookingStatus.CHECKED_IN

    screening_url = reverse("console:site_screening", args=args)
    assert client.get(screening_url).status_code == 200
    client.post(screening_url, {**no_answers(), "temperature_c": "36.6"})
    assert Screening.objects.get(person=person).outcome == "eligible"

    visit = client.get(_visit(day, person)).content.decode()
    assert "Primary dose 1/2" in visit or "Mũi cơ bản 1/2" in visit

    response = client.post(reverse("console:site_dose", args=args), {"lot": day.lot.pk})
    dose = Dose.objects.get(person=person)
    assert (dose.kind, dose.number, dose.vaccinator) == ("primary", 1, cast.users["site_staff"])
    page = client.get(response["Location"]).content.decode()
    assert f'data-dose="{dose.uuid}"' in page
    assert "data-until=" in page


def test_a_screening_answered_yes_shows_the_outcome_and_the_item_that_decided_it(cast, day):
    client, person = cast.client_for("site_staff"), cast.own_person
    item = ScreeningItem.objects.filter(
        form__kind="adult", outcome_if_yes="postpone", answer_type__startswith="yes_no"
    ).first()
    answers = {**no_answers(), f"item_{item.code}": "1", "temperature_c": "36.6"}
    client.post(reverse("console:site_screening", args=[day.site.uuid, person.uuid]), answers)
    assert Screening.objects.get(person=person).outcome == "postpone"
    page = client.get(_visit(day, person)).content.decode()
    assert f"{item.code}. {item.text}" in page


def test_a_dose_without_screening_is_refused_with_its_reason_and_nothing_written(cast, day):
    client, person = cast.client_for("site_staff"), cast.own_person
    url = reverse("console:site_dose", args=[day.site.uuid, person.uuid])
    response = client.post(url, {"lot": day.lot.pk}, follow=True)
    assert not Dose.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("screened" in m or "sàng lọc" in m for m in messages), messages


def test_the_common_reaction_button_records_a_reaction_during_the_watch(cast, day):
    dose = dose_given(day)
    url = reverse("console:site_common_reaction", args=[day.site.uuid, dose.uuid])
    cast.client_for("site_staff").post(url)
    reaction = Reaction.objects.get(dose=dose)
    assert reaction.during_watch
    assert not reaction.serious


def test_the_tally_of_the_day_is_saved(cast, day):
    url = reverse("console:site_tally", args=[day.site.uuid])
    cast.client_for("commune").post(url, {"product": day.product.key, "doses": 42})
    assert DailyTally.objects.get(site=day.site).doses == 42


def test_the_person_page_shows_the_dose_and_strikes_a_voided_one_with_who_and_why(cast, day):
    dose = dose_given(day)
    client = cast.client_for("commune")
    page = client.get(reverse("console:person", args=[cast.own_person.uuid])).content.decode()
    assert day.lot.number in page
    assert reverse("console:dose_void", args=[dose.uuid]) in page
    client.post(
        reverse("console:dose_void", args=[dose.uuid]),
        {"kind": "entered_in_error", "reason": "Nhập nhầm người"},
    )
    dose.refresh_from_db()
    assert dose.voided_at is not None
    page = client.get(reverse("console:person", args=[cast.own_person.uuid])).content.decode()
    assert 'class="voided"' in page
    assert "Nhập nhầm người" in page
    assert "commune" in page
    assert reverse("console:dose_void", args=[dose.uuid]) not in page


def test_the_person_page_shows_the_next_dose_due(cast, day):
    dose_given(day)
    page = cast.client_for("commune").get(reverse("console:person", args=[cast.own_person.uuid]))
    assert page.context["history"].next_due is not None
    assert 'class="next-due' in page.content.decode()


def test_another_communes_officer_finds_neither_the_site_the_person_nor_the_dose(cast, day):
    dose = dose_given(day)
    client = cast.client_for("commune_other")
    for url in (
        reverse("console:site_day", args=[day.site.uuid]),
        reverse("console:person", args=[cast.own_person.uuid]),
        _visit(day, cast.own_person),
    ):
        assert client.get(url).status_code == 404, url
    void = reverse("console:dose_void", args=[dose.uuid])
    assert client.post(void, {"kind": "not_valid", "reason": "x"}).status_code == 404


def test_a_delivery_received_at_a_facility_is_on_hand_and_in_the_ledger(cast, day):
    url = reverse("console:stock_receipt", args=[day.site.uuid])
    form = {"product": "comirnaty", "number": "fk 9999", "expiry_date": "2099-01-31", "doses": 30}
    response = cast.client_for("commune").post(url, form)
    assert response.status_code == 302
    page = cast.client_for("commune").get(response["Location"]).content.decode()
    assert "FK9999" in page
    assert StockBalance.objects.get(facility=day.site, lot__number="FK9999").doses == 30


def test_a_transfer_of_more_than_is_on_hand_is_refused_on_the_form_and_moves_nothing(cast, day):
    other = Facility.objects.create(
        name="Trạm 2", kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_a
    )
    url = reverse("console:stock_transfer", args=[day.site.uuid])
    form = {"lot": day.lot.pk, "destination": other.uuid, "doses": 61}
    response = cast.client_for("commune").post(url, form)
    assert response.status_code == 200
    assert response.context["transfer_form"].non_field_errors()
    assert not StockBalance.objects.filter(facility=other).exists()
    cast.client_for("commune").post(url, {**form, "doses": 10})
    assert StockBalance.objects.get(facility=other).doses == 10


def test_the_stock_overview_shows_only_the_facilities_of_the_users_unit(cast, day):
    assert (
        day.site.name
        in cast.client_for("analyst").get(reverse("console:stock_overview")).content.decode()
    )
    page = cast.client_for("commune_other").get(reverse("console:stock_overview")).content.decode()
    assert day.site.name not in page


def test_after_the_dose_the_visit_shows_the_booking_vaccinated_and_offers_no_second_dose(cast, day):
    dose_given(day)
    response = cast.client_for("site_staff").get(_visit(day, cast.own_person))
    assert response.context["booking"].status == BookingStatus.VACCINATED
    assert response.context["dose_form"] is None


def test_the_dose_form_offers_first_the_lot_of_the_booked_vaccine(cast, day):
    response = cast.client_for("site_staff").get(_visit(day, cast.own_person))
    assert response.context["dose_form"].initial["lot"] == day.lot
