"""A facility's stock page: doses wasted, returned, expired, counted, open vials closed, a lot
recalled. A refusal is shown and writes nothing; a facility of another unit is not found."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.vaccination_day import SYSTEM, site_day
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, MovementKind, OpenVial, StockBalance, StockMovement
from sosuckhoe.supply.services import lot_register, stock_receive, stock_use


@pytest.fixture
def day(cast):
    return site_day(cast)  # 60 doses of lot FK0123 (6 a vial) at the commune's station


def _url(name: str, day, *args) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"console:{name}", args=[day.site.uuid, *args])


def _on_hand(day, lot: Lot | None = None) -> int:  # type: ignore[no-untyped-def]
    return StockBalance.objects.get(facility=day.site, lot=lot or day.lot).doses


def _levels(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.level_tag for m in response.context["messages"]]


def _kinds(day) -> list[str]:  # type: ignore[no-untyped-def]
    return list(StockMovement.objects.filter(facility=day.site).values_list("kind", flat=True))


def test_wasted_doses_leave_the_stock_with_their_reason_and_a_message(cast, day):
    form = {"lot": day.lot.pk, "doses": 2, "reason": "cold_chain"}
    response = cast.client_for("site_staff").post(_url("stock_waste", day), form, follow=True)
    assert _levels(response) == ["success"]
    assert _on_hand(day) == 58
    waste = StockMovement.objects.get(facility=day.site, kind=MovementKind.WASTE)
    assert (waste.doses, waste.reason) == (-2, "cold_chain")


def test_waste_for_another_reason_without_a_note_is_refused_above_the_form(cast, day):
    form = {"lot": day.lot.pk, "doses": 2, "reason": "other"}
    response = cast.client_for("commune").post(_url("stock_waste", day), form)
    assert response.status_code == 200
    assert response.context["waste_form"].non_field_errors()
    assert _on_hand(day) == 60
    assert _kinds(day) == [MovementKind.RECEIPT]


def test_an_open_vials_leftovers_are_not_offered_as_waste(cast, day):
    form = {"lot": day.lot.pk, "doses": 2, "reason": "open_vial"}
    response = cast.client_for("commune").post(_url("stock_waste", day), form)
    assert response.context["waste_form"].errors["reason"]
    assert _on_hand(day) == 60


def test_doses_returned_to_the_supplier_leave_the_stock_and_more_than_on_hand_is_refused(cast, day):
    client = cast.client_for("commune")
    form = {"lot": day.lot.pk, "doses": 61, "reference": "PX-7"}
    response = client.post(_url("stock_return", day), form)
    assert response.context["return_form"].non_field_errors()
    assert _on_hand(day) == 60
    response = client.post(_url("stock_return", day), {**form, "doses": 60})
    assert response.status_code == 302
    assert _on_hand(day) == 0
    assert StockMovement.objects.get(kind=MovementKind.RETURN).reference == "PX-7"


def test_a_lot_past_its_expiry_date_is_written_off_and_a_usable_one_is_not_offered(cast, day):
    client = cast.client_for("commune")
    page = client.get(reverse("console:stock_facility", args=[day.site.uuid]))
    assert b'class="card expire"' not in page.content
    response = client.post(_url("stock_expire", day), {"lot": day.lot.pk})
    assert response.context["expire_form"].errors
    assert _on_hand(day) == 60
    Lot.objects.filter(pk=day.lot.pk).update(expiry_date=timezone.localdate() - dt.timedelta(1))
    response = client.post(_url("stock_expire", day), {"lot": day.lot.pk}, follow=True)
    assert _levels(response) == ["success"]
    assert _on_hand(day) == 0


def test_a_physical_count_sets_the_stock_and_a_matching_count_changes_nothing(cast, day):
    client = cast.client_for("commune")
    form = {"lot": day.lot.pk, "counted": 60, "reason": "physical_count"}
    assert _levels(client.post(_url("stock_adjust", day), form, follow=True)) == ["success"]
    assert _kinds(day) == [MovementKind.RECEIPT]
    client.post(_url("stock_adjust", day), {**form, "counted": 57})
    assert _on_hand(day) == 57
    assert StockMovement.objects.get(kind=MovementKind.ADJUST).doses == -3


def test_a_count_below_the_doses_left_in_the_open_vial_is_refused(cast, day):
    stock_use(actor=SYSTEM, facility=day.site, lot=day.lot)  # a vial of 6 opened, 5 left
    form = {"lot": day.lot.pk, "counted": 4, "reason": "physical_count"}
    response = cast.client_for("commune").post(_url("stock_adjust", day), form)
    assert response.context["adjust_form"].non_field_errors()
    assert _on_hand(day) == 59


def test_an_open_vial_is_shown_and_closing_it_wastes_what_is_left_once(cast, day):
    stock_use(actor=SYSTEM, facility=day.site, lot=day.lot, doses=2)
    vial = OpenVial.objects.get(facility=day.site)
    client = cast.client_for("site_staff")
    page = client.get(reverse("console:stock_facility", args=[day.site.uuid]))
    assert [v.left for v in page.context["open_vials"]] == [4]
    assert _url("stock_vial_close", day, vial.uuid) in page.content.decode()
    response = client.post(_url("stock_vial_close", day, vial.uuid), follow=True)
    assert _levels(response) == ["success"]
    assert _on_hand(day) == 54
    assert not response.context["open_vials"]
    # A double click: the second sending is refused, nothing is wasted twice.
    response = client.post(_url("stock_vial_close", day, vial.uuid), follow=True)
    assert _levels(response) == ["error"]
    assert _on_hand(day) == 54


def test_a_vial_is_closed_only_through_its_own_facility(cast, day):
    stock_use(actor=SYSTEM, facility=day.site, lot=day.lot)
    vial = OpenVial.objects.get(facility=day.site)
    store = Facility.objects.create(
        name="Kho 2", kind=FacilityKind.HEALTH_CENTRE, unit=cast.units.commune_a
    )
    url = reverse("console:stock_vial_close", args=[store.uuid, vial.uuid])
    assert cast.client_for("commune").post(url).status_code == 404
    assert OpenVial.objects.get(pk=vial.pk).closed_at is None


def test_a_national_administrator_recalls_a_lot_and_it_can_no_longer_be_received(cast, day):
    client = cast.client_for("national_admin")
    page = client.get(reverse("console:stock_facility", args=[day.site.uuid]))
    assert page.context["may_recall"]
    form = {"lot": day.lot.pk, "reason": "Công văn thu hồi"}
    assert _levels(client.post(_url("stock_lot_recall", day), form, follow=True)) == ["success"]
    lot = Lot.objects.get(pk=day.lot.pk)
    assert (lot.recalled_at is not None, lot.recall_reason) == (True, "Công văn thu hồi")
    receipt = {"product": "comirnaty", "number": lot.number, "expiry_date": lot.expiry_date,
               "doses": 5}  # fmt: skip
    response = client.post(_url("stock_receipt", day), receipt)
    assert response.context["receipt_form"].non_field_errors()
    assert _on_hand(day) == 60


def test_a_province_officer_is_offered_no_recall_and_may_not_send_one(cast, day):
    client = cast.client_for("province")
    page = client.get(reverse("console:stock_facility", args=[day.site.uuid]))
    assert b'class="card recall"' not in page.content
    response = client.post(_url("stock_lot_recall", day), {"lot": day.lot.pk, "reason": "x"})
    assert response.status_code == 403
    assert Lot.objects.get(pk=day.lot.pk).recalled_at is None


@pytest.mark.parametrize("name", ["stock_waste", "stock_return", "stock_adjust"])
def test_the_forms_of_a_facility_of_another_unit_are_not_found(cast, day, name):
    form = {"lot": day.lot.pk, "doses": 1, "counted": 1, "reason": "broken"}
    response = cast.client_for("commune_other").post(_url(name, day), form)
    assert response.status_code == 404
    assert _on_hand(day) == 60


def test_the_forms_offer_only_the_lots_on_hand_at_the_facility(cast, day):
    elsewhere = Facility.objects.create(
        name="Kho 3", kind=FacilityKind.HEALTH_CENTRE, unit=cast.units.commune_a
    )
    other = lot_register(actor=SYSTEM, product=day.product, number="ZZ1",
                         expiry_date=day.lot.expiry_date)  # fmt: skip
    stock_receive(actor=SYSTEM, facility=elsewhere, lot=other, doses=6)
    form = {"lot": other.pk, "doses": 1, "reason": "broken"}
    response = cast.client_for("commune").post(_url("stock_waste", day), form)
    assert response.context["waste_form"].errors["lot"]
    assert StockBalance.objects.get(facility=elsewhere, lot=other).doses == 6
