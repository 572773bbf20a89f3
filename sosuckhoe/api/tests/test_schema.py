"""The schema and the code agree.

Two checks, because they catch different drift: `spectacular --validate --fail-on-warn`
fails when the code cannot be described (an endpoint whose serializer or parameters the
generator has to guess), and the committed `openapi.yaml` fails when the API's shape changed
without anyone looking at the contract integrators and the benchmarks build on. After a
change on purpose: `manage.py spectacular --file sosuckhoe/api/openapi.yaml`."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.yaml"


def _generated() -> str:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return out.getvalue()


def test_the_schema_is_valid_and_generated_without_warnings():
    assert yaml.safe_load(_generated())["openapi"].startswith("3.")


def test_the_committed_schema_is_the_one_the_code_generates():
    regenerate = "manage.py spectacular --file sosuckhoe/api/openapi.yaml"
    assert yaml.safe_load(COMMITTED.read_text()) == yaml.safe_load(_generated()), (
        f"The API changed: check the change, then run {regenerate}"
    )


def test_the_schema_describes_every_endpoint_of_the_contract():
    paths = set(yaml.safe_load(COMMITTED.read_text())["paths"])
    assert paths == {
        "/api/v1/persons/",
        "/api/v1/persons/{person_uuid}/",
        "/api/v1/persons/{person_uuid}/certificate/",
        "/api/v1/certificates/verify/",
        "/api/v1/registrations/",
        "/api/v1/registrations/{registration_uuid}/",
        "/api/v1/bookings/",
        "/api/v1/bookings/{booking_uuid}/cancel/",
        "/api/v1/sessions/",
        "/api/v1/screenings/",
        "/api/v1/doses/",
        "/api/v1/doses/batch/",
        "/api/v1/doses/{dose_uuid}/",
        "/api/v1/doses/{dose_uuid}/void/",
        "/api/v1/reactions/",
        "/api/v1/stock/",
        "/api/v1/lots/",
    }


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_unversioned_schema_address_leads_to_the_current_version(client, db):
    response = client.get("/api/schema/", follow=True)
    assert response.redirect_chain == [("/api/v1/schema/", 302)]
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
