"""Every API endpoint × every role of the cast, GET and POST: 401 without a key, 403 for a
role that never uses it, 404 for a record outside the caller's unit, and a refused POST
changes nothing."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse

from sosuckhoe.api.tests.world import SYSTEM
from sosuckhoe.certificates.services import certificate_issue, signer_create
from sosuckhoe.console.tests.matrix import (
    PERSONAL_DATA,
    ROLES,
    SEES_COMMUNE_A,
    SEES_OTHER_PROVINCE,
    STAFF,
    fingerprint,
)

EVERYONE = frozenset(ROLES)
# The roles whose unit holds commune A, analysts included: stock names no one.
UNITS_OF_COMMUNE_A = SEES_COMMUNE_A | {"analyst"}
REFUSED = frozenset({401, 403, 404, 405})


@dataclass(frozen=True)
class Endpoint:
    """One URL: `gate` may use it at all (others 403), `sees` reach its record (others 404),
    `post` is the body a POST sends (None: GET only), `get` False: POST only."""

    name: str
    url: str
    sees: frozenset[str]
    gate: frozenset[str] = PERSONAL_DATA
    get: bool = True
    post: Mapping[str, Any] | None = None
    served: frozenset[int] = field(default=frozenset({200}))
    post_sees: frozenset[str] | None = None  # who reaches the records a POST names

    def refusal(self, role: str, sees: frozenset[str] | None = None) -> int | None:
        if role == "anonymous" and self.gate != EVERYONE:
            return 401
        if role not in self.gate:
            return 403
        return None if role in (self.sees if sees is None else sees) else 404

    def expected_get(self, role: str) -> frozenset[int]:
        refused = self.refusal(role)
        if refused in (401, 403):
            return frozenset({refused})
        if not self.get:  # the method is refused before any record is looked up
            return frozenset({405})
        return frozenset({refused or 200})

    def expected_post(self, role: str) -> frozenset[int]:
        refused = self.refusal(role, self.post_sees)
        if refused in (401, 403) or (refused and self.post is not None):
            return frozenset({refused})
        return self.served if self.post is not None else frozenset({405})


def endpoints(cast, world) -> list[Endpoint]:
    own, foreign = cast.own_person, cast.foreign_person
    site = world.site.uuid

    def url(name: str, *args: object, query: str = "") -> str:
        return reverse(f"api:{name}", args=args) + query

    # Each role starts from the same records: its first POST is done, and the later ones
    # that depend on it (a batch of the dose just recorded) are judged.
    posted = frozenset({201})
    return [
        Endpoint("persons", url("persons", query="?q=Nguyễn"), PERSONAL_DATA),
        Endpoint("person", url("person", own.uuid), SEES_COMMUNE_A),
        Endpoint("person", url("person", foreign.uuid), SEES_OTHER_PROVINCE),
        Endpoint(
            "registrations",
            url("registrations"),
            PERSONAL_DATA,
            post={"person": str(world.booker.uuid), "priority_group": 9},
            served=posted,
            post_sees=SEES_COMMUNE_A,
        ),
        Endpoint("registration", url("registration", world.registration.uuid), SEES_COMMUNE_A),
        Endpoint(
            "bookings",
            url("bookings"),
            SEES_COMMUNE_A,
            get=False,
            post={"person": str(world.booker.uuid), "slot": str(world.slot.uuid)},
            served=posted,
        ),
        Endpoint(
            "booking_cancel",
            url("booking_cancel", world.booking.uuid),
            SEES_COMMUNE_A,
            get=False,
            post={"reason": "đổi lịch"},
        ),
        Endpoint("sessions", url("sessions", query=f"?site={site}"), STAFF, gate=STAFF),
        Endpoint(
            "screenings",
            url("screenings"),
            SEES_COMMUNE_A,
            get=False,
            post=world.screening_body(world.booker),
            served=posted,
        ),
        Endpoint(
            "doses",
            url("doses"),
            SEES_COMMUNE_A,
            get=False,
            post=world.dose_body(world.dosee),
            served=posted,
        ),
        # Each item of a batch is judged on its own: one outside the unit is refused in the
        # answer (test_doses), the request itself is served.
        Endpoint(
            "doses_batch",
            url("doses_batch"),
            PERSONAL_DATA,
            get=False,
            post={"items": [world.dose_body(world.dosee)]},
            served=frozenset({200}),
        ),
        Endpoint("dose", url("dose", world.dose.uuid), SEES_COMMUNE_A),
        # Before the void below, which would leave the person no dose to certify.
        Endpoint(
            "person_certificate",
            url("person_certificate", own.uuid),
            SEES_COMMUNE_A,
            post={},
            served=frozenset({200, 201}),
        ),
        # Verification names no one in our records: every member of staff, analysts too.
        Endpoint(
            "certificate_verify",
            url("certificate_verify"),
            STAFF,
            gate=STAFF,
            get=False,
            post={"text": "HC1:"},
        ),
        Endpoint(
            "reactions",
            url("reactions", query=f"?dose={world.dose.uuid}"),
            SEES_COMMUNE_A,
            post={
                "dose": str(world.dose.uuid),
                "onset_at": world.dose.given_at.isoformat(),
                "terms": ["C1"],
            },
            served=posted,
        ),
        Endpoint(
            "dose_void",
            url("dose_void", world.dose.uuid),
            SEES_COMMUNE_A,
            get=False,
            post={"kind": "not_valid", "reason": "nhập nhầm"},
        ),
        Endpoint("stock", url("stock", query=f"?facility={site}"), UNITS_OF_COMMUNE_A, gate=STAFF),
        Endpoint("lots", url("lots", query="?product=comirnaty"), STAFF, gate=STAFF),
        Endpoint("schema", url("schema"), EVERYONE, gate=EVERYONE),
        Endpoint("docs", url("docs"), EVERYONE, gate=EVERYONE),
        Endpoint("not_found", "/api/v1/nothing/here/", frozenset(), gate=EVERYONE, post={}),
    ]


@pytest.fixture
def world(cast, world):
    """The API tests' world, with a signer key and the own person's certificate."""
    signer_create(actor=SYSTEM)
    certificate_issue(actor=SYSTEM, person=cast.own_person)
    return world


def _api_url_names() -> set[str]:
    resolver = next(r for r in get_resolver().url_patterns if getattr(r, "namespace", "") == "api")
    return {p.name for p in resolver.url_patterns if isinstance(p, URLPattern)}


def test_every_api_url_is_in_the_matrix(cast, world):
    assert _api_url_names() == {e.name for e in endpoints(cast, world)}


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_by_unit(cast, world, api_for, role):
    client = api_for(role)
    for endpoint in endpoints(cast, world):
        status = client.get(endpoint.url).status_code
        assert status in endpoint.expected_get(role), (endpoint.url, role, status)


@pytest.mark.parametrize("role", ROLES)
def test_a_post_that_is_refused_changes_nothing(cast, world, api_for, role):
    client = api_for(role)  # the key is made before the snapshot
    for endpoint in endpoints(cast, world):
        expected = endpoint.expected_post(role)
        if not expected <= REFUSED:
            continue
        before = fingerprint()
        status = client.post(endpoint.url, endpoint.post or {}, format="json").status_code
        assert status in expected, (endpoint.url, role, status)
        assert fingerprint() == before, (endpoint.url, role)


@pytest.mark.parametrize("role", ROLES)
def test_a_post_that_passes_the_gates_is_served(cast, world, api_for, role):
    client = api_for(role)
    for endpoint in endpoints(cast, world):
        expected = endpoint.expected_post(role)
        status = client.post(endpoint.url, endpoint.post or {}, format="json").status_code
        assert status in expected, (endpoint.url, role, status)
