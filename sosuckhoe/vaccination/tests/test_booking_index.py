"""The one-open-booking rule's index leads with the person: it is also how a booking asks
whether the person holds an open one, and how the facts find a checked-in booking. Led by
the session, it made PostgreSQL scan every open booking's entry for one person (0.4 ms with
10,000 open bookings, growing with them), where the person's entries are a lookup."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_open_booking_index_leads_with_the_person():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "vaccination_booking")
    index = constraints["booking_one_open_per_person_session"]
    assert index["unique"]
    assert index["columns"] == ["person_id", "session_id"]
