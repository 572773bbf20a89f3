"""A key costs one query, and a list costs the same whatever its length."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose, Screening


def _queries(client, url: str) -> int:
    client.get(url)  # the caller's unit and its subtree are cached after the first call
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_call_with_a_key_reads_the_key_and_its_user_in_one_query(cast, api_for):
    client = api_for("commune")
    assert _queries(client, reverse("api:lots")) == 2  # the key with its user, the lots


def test_the_person_search_costs_the_same_for_one_or_many_found(cast, api_for):
    client, url = api_for("commune"), reverse("api:persons") + "?q=Nguyễn"
    one = _queries(client, url)
    for _ in range(5):
        PersonFactory(home_unit=cast.units.commune_a)
    assert _queries(client, url) == one


def test_the_sessions_of_a_site_cost_the_same_for_one_or_many(cast, api_for, site, make_session):
    client, url = api_for("commune"), reverse("api:sessions") + f"?site={site.uuid}"
    make_session(5, 5)
    one = _queries(client, url)
    for days in range(1, 4):
        make_session(5, 5, 5, day=timezone.localdate() + dt.timedelta(days=days))
    assert _queries(client, url) == one


def test_one_dose_a_request_costs_thirteen_statements_fifteen_on_sqlite(cast, world, api_for):
    client = api_for("site_staff")
    client.get(reverse("api:lots"))  # the caller's unit is cached after the first call
    screening = Screening.objects.get(person=world.dosee)
    body = {**world.dose_body(world.dosee), "screening": str(screening.uuid)}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("api:doses"), body, format="json")
    assert response.status_code == 201
    # The key; the savepoint of the request's transaction (a transaction alone, outside the
    # test's); the person (locked); the site and the lot; the person's facts, which hold the
    # screening; the balance, the open vial, the ledger line; the dose, its three rollups
    # (one statement on PostgreSQL); the persons with a certificate; the audit rows; the
    # savepoint released.
    expected = 13 if connection.vendor == "postgresql" else 15
    assert len(queries) == expected, [q["sql"][:60] for q in queries]
    assert Dose.objects.get(uuid=response.json()["uuid"]).screening == screening
