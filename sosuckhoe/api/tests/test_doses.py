"""Doses through the API: one a request, a batch whose items are judged each on its own."""

import uuid

from django.urls import reverse

from sosuckhoe.api.serializers.requests import BATCH_LIMIT
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose, Screening


def test_a_dose_is_recorded_with_its_derived_kind_and_number(cast, world, api_for):
    response = api_for("site_staff").post(
        reverse("api:doses"), world.dose_body(world.dosee), format="json"
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["kind"], body["number"], body["series_doses"]) == ("primary", 1, 2)
    assert Dose.objects.get(uuid=body["uuid"]).person == world.dosee


def test_a_dose_sent_twice_with_its_submission_key_is_recorded_once(cast, world, api_for):
    client, key = api_for("commune"), str(uuid.uuid4())
    body = {**world.dose_body(world.dosee), "submission_key": key}
    first = client.post(reverse("api:doses"), body, format="json").json()
    second = client.post(reverse("api:doses"), body, format="json").json()
    assert first["uuid"] == second["uuid"]
    assert Dose.objects.filter(person=world.dosee).count() == 1


def test_a_refused_dose_names_its_rule_and_writes_nothing(cast, world, api_for):
    unscreened = PersonFactory(home_unit=cast.units.commune_a, full_name="Chưa Khám")
    response = api_for("commune").post(
        reverse("api:doses"), world.dose_body(unscreened), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_screened_eligible"
    assert not Dose.objects.filter(person=unscreened).exists()


def test_a_dose_naming_an_unknown_lot_is_refused_as_a_batch_item_is(cast, world, api_for):
    body = {**world.dose_body(world.dosee), "lot": "NO-SUCH-LOT"}
    response = api_for("commune").post(reverse("api:doses"), body, format="json")
    batch = api_for("commune").post(reverse("api:doses_batch"), {"items": [body]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == batch.json()["results"][0]["code"] == "lot_unknown"
    assert set(response.json()["fields"]) == {"lot"}


def test_a_dose_naming_a_screening_not_of_its_person_is_refused_as_a_batch_item_is(
    cast, world, api_for
):
    client = api_for("commune")
    others = Screening.objects.get(person=cast.own_person)
    unknown = str(uuid.uuid4())
    named = [(str(others.uuid), "screening_mismatch"), (unknown, "screening_not_found")]
    for screening, code in named:
        body = {**world.dose_body(world.dosee), "screening": screening}
        response = client.post(reverse("api:doses"), body, format="json")
        batch = client.post(reverse("api:doses_batch"), {"items": [body]}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == batch.json()["results"][0]["code"] == code
    assert set(response.json()["fields"]) == {"screening"}  # the unknown one
    assert not Dose.objects.filter(person=world.dosee).exists()


def test_a_batch_judges_each_item_on_its_own(cast, world, api_for, site_b):
    # Another commune's site: its staff's to record, so not found for this commune.
    outside = {**world.dose_body(world.dosee), "site": str(site_b.uuid)}
    unscreened = PersonFactory(home_unit=cast.units.commune_a, full_name="Chưa Khám")
    items = [
        world.dose_body(world.dosee),
        {"person": "not-a-uuid"},
        {**world.dose_body(world.dosee), "product": "no-such-product"},
        world.dose_body(unscreened),
        world.dose_body(world.dosee),
        outside,
    ]
    response = api_for("commune").post(reverse("api:doses_batch"), {"items": items}, format="json")
    results = response.json()["results"]
    assert response.status_code == 200
    assert [r["index"] for r in results] == list(range(6))
    assert [r["accepted"] for r in results] == [True, False, False, False, False, False]
    codes = [r.get("code") for r in results]
    expected = [None, "invalid", "product_unknown", "not_screened_eligible", "dose_exists"]
    assert codes == [*expected, "not_found"]
    assert results[3]["message"] == "Người này chưa được khám sàng lọc hôm nay."
    assert Dose.objects.filter(uuid=results[0]["uuid"]).exists()
    assert not Dose.objects.filter(person=unscreened).exists()
    assert not Dose.objects.filter(site=site_b).exists()


def test_a_batch_of_more_than_1000_items_is_refused_whole(cast, world, api_for):
    items = [world.dose_body(world.dosee)] * (BATCH_LIMIT + 1)
    response = api_for("commune").post(reverse("api:doses_batch"), {"items": items}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"items"}
    assert not Dose.objects.filter(person=world.dosee).exists()


def test_a_dose_is_voided_and_stays_in_the_history(cast, world, api_for):
    client = api_for("commune")
    body = {"kind": "entered_in_error", "reason": "nhập nhầm người"}
    response = client.post(reverse("api:dose_void", args=[world.dose.uuid]), body, format="json")
    assert response.status_code == 200
    assert response.json()["void_kind"] == "entered_in_error"
    shown = client.get(reverse("api:dose", args=[world.dose.uuid])).json()
    assert shown["voided_at"] is not None


def test_a_lot_number_is_found_as_the_lot_register_writes_it(cast, world, api_for):
    body = {**world.dose_body(world.dosee), "lot": world.lot.number.lower()}
    response = api_for("commune").post(reverse("api:doses"), body, format="json")
    assert response.status_code == 201
    assert response.json()["lot"] == world.lot.number


def test_a_dose_naming_an_unknown_product_names_that_field(cast, world, api_for):
    body = {**world.dose_body(world.dosee), "product": "no-such-vaccine"}
    response = api_for("commune").post(reverse("api:doses"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"product", "lot"}
