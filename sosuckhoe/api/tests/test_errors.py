"""Errors are JSON with a code, a translated message and the fields, never an HTML page."""

import pytest
from django.test import Client
from django.urls import reverse

from sosuckhoe.api.views import persons


def test_an_unexpected_exception_answers_a_json_500(cast, api_for, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(persons, "persons_search", broken)
    client = api_for("commune")
    client.raise_request_exception = False
    response = client.get(reverse("api:persons"), {"q": "Nguyễn"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


def test_a_missing_key_is_a_401_that_names_the_scheme(cast, api_for):
    response = api_for("anonymous").get(reverse("api:lots"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_an_unknown_key_is_refused(cast, client):
    response = client.get(reverse("api:lots"), HTTP_AUTHORIZATION="Token not-a-key")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_analyst_gets_403_for_personal_data(cast, api_for):
    response = api_for("analyst").get(reverse("api:person", args=[cast.own_person.uuid]))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_method_the_endpoint_does_not_take_is_a_json_405(cast, api_for):
    response = api_for("commune").delete(reverse("api:lots"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_address_under_the_api_that_names_nothing_is_a_json_404(cast, api_for):
    response = api_for("commune").get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_body_that_is_not_json_is_a_400(cast, api_for):
    response = api_for("commune").post(
        reverse("api:doses"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_invalid_fields_are_named_with_their_messages(cast, api_for):
    response = api_for("commune").post(reverse("api:doses"), {"person": "x"}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert {"person", "product", "lot", "site", "given_at"} <= set(body["fields"])


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Vai trò của bạn không được dùng chức năng này."),
        ("en", "Your role may not use this."),
    ],
)
def test_the_message_is_in_the_language_asked(cast, api_for, language, message):
    response = api_for("analyst").get(reverse("api:persons"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.json()["message"] == message


def test_vietnamese_is_the_default_language(cast, api_for):
    response = api_for("analyst").get(reverse("api:persons"))
    assert response.json()["message"] == "Vai trò của bạn không được dùng chức năng này."


def test_a_full_slot_is_a_409_slot_full(cast, world, api_for):
    client = api_for("commune")
    world.slot.refresh_from_db()
    world.slot.capacity = world.slot.booked
    world.slot.save(update_fields=["capacity"])
    body = {"person": str(world.booker.uuid), "slot": str(world.slot.uuid)}
    response = client.post(reverse("api:bookings"), body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert response.json()["message"] == "Khung giờ này đã đủ người."


def test_a_console_session_write_without_its_csrf_token_is_refused(cast, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["commune"])
    response = client.post(
        reverse("api:doses"), world.dose_body(world.dosee), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_a_console_session_reads_the_api(cast, world):
    response = cast.client_for("commune").get(reverse("api:dose", args=[world.dose.uuid]))
    assert response.status_code == 200
