"""What a signed-in request costs and keeps: the session row is renewed at most once a minute,
the member of staff is read afresh on every request, their unit comes from the cache."""

import datetime as dt
import time
from types import SimpleNamespace

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from sosuckhoe.accounts import middleware
from sosuckhoe.accounts.middleware import RENEWED_AT
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.accounts.services import staff_deactivate, staff_password_reset

HOME = reverse("console:home")
LOGIN = reverse("console:login")


def _session_writes(queries: list[dict[str, str]]) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def _get(client: Client, path: str = HOME) -> tuple[int, list[dict[str, str]]]:
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path).status_code
    return status, ctx.captured_queries


def _expiry() -> dt.datetime:
    return Session.objects.get().expire_date


def _renewed(client: Client, seconds_ago: int) -> None:
    """Pretend the session's expiry was last renewed `seconds_ago`, with 5 minutes left."""
    session = client.session
    session[RENEWED_AT] -= seconds_ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=5))


def test_a_request_within_a_minute_of_the_last_renewal_writes_no_session(cast):
    client = cast.client_for("commune")
    client.get(HOME)  # a session signed in by the test client has no stamp yet: renewed now
    expiry = _expiry()
    status, queries = _get(client)
    assert status == 200
    assert _session_writes(queries) == []
    assert _expiry() == expiry


def test_a_request_after_the_minute_pushes_the_idle_expiry_forward(cast, settings):
    client = cast.client_for("commune")
    client.get(HOME)
    _renewed(client, seconds_ago=61)
    status, queries = _get(client)
    assert status == 200
    assert len(_session_writes(queries)) == 1
    left = _expiry() - timezone.now()
    assert left > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)


def test_a_request_59_seconds_after_the_renewal_leaves_the_expiry_alone(cast, monkeypatch):
    client = cast.client_for("commune")
    client.get(HOME)
    # The middleware's clock stops here: a machine that stalls for a second between the stamp
    # and the request must not carry the request past the minute.
    now = int(time.time())
    monkeypatch.setattr(middleware, "time", SimpleNamespace(time=lambda: now))
    _renewed(client, seconds_ago=client.session[RENEWED_AT] - (now - 59))
    expiry = _expiry()
    assert _session_writes(_get(client)[1]) == []
    assert _expiry() == expiry


def test_signing_in_stamps_the_session_so_the_next_page_writes_nothing(cast):
    client = Client()
    response = client.post(LOGIN, {"username": "commune", "password": PASSWORD})
    assert response.status_code == 302
    status, queries = _get(client)
    assert status == 200
    assert _session_writes(queries) == []


def test_a_signed_in_page_costs_the_session_and_the_user_alone(cast):
    client = cast.client_for("province")
    client.get(HOME)
    status, queries = _get(client)
    assert status == 200
    assert len(queries) == 2  # the session row, the user row
    assert not [q for q in queries if "places_adminunit" in q["sql"]]  # the unit is cached


def test_staff_with_an_authenticator_cost_no_more_per_request(cast, django_assert_num_queries):
    """Their device was checked at sign-in; it is not looked up again on every request."""
    device = TOTPDevice.objects.create(user=cast.users["commune"], name="phone", confirmed=True)
    client = Client()
    code = f"{totp(device.bin_key):06d}"
    client.post(LOGIN, {"username": "commune", "password": PASSWORD, "otp_token": code})
    assert client.session["otp_device_id"] == device.persistent_id
    client.get(HOME)
    with django_assert_num_queries(2):
        assert client.get(HOME).status_code == 200


def test_signing_out_ends_the_session_for_whoever_holds_its_cookie(cast, settings):
    client = cast.client_for("commune")
    client.get(HOME)
    thief = Client()
    cookie = settings.SESSION_COOKIE_NAME
    thief.cookies[cookie] = client.cookies[cookie].value
    assert thief.get(HOME).status_code == 200
    client.post(reverse("console:logout"))
    response = thief.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert not Session.objects.exists()  # and nothing was renewed back to life


def test_a_deactivated_account_is_signed_out_at_its_next_request(cast):
    client = cast.client_for("commune")
    assert client.get(HOME).status_code == 200
    staff_deactivate(actor=cast.actor("national_admin"), user=cast.users["commune"])
    status, queries = _get(client)
    assert status == 302
    assert _session_writes(queries) == []  # a dead session is not renewed


def test_a_reset_password_ends_the_open_sessions(cast):
    client = cast.client_for("commune")
    assert client.get(HOME).status_code == 200
    staff_password_reset(actor=cast.actor("national_admin"), user=cast.users["commune"])
    assert client.get(HOME).status_code == 302


def test_staff_moved_to_another_unit_see_that_unit_at_the_next_request(cast):
    client = cast.client_for("commune")
    search = reverse("console:person_search")
    assert cast.own_person.full_name in client.get(search, {"q": "nguyen van"}).content.decode()
    StaffUser.objects.filter(pk=cast.users["commune"].pk).update(unit=cast.units.commune_b)
    page = client.get(search, {"q": "tran thi"}).content.decode()
    assert cast.sibling_person.full_name in page
    assert cast.units.commune_b.name in page  # the top bar names the new unit
    assert cast.own_person.full_name not in client.get(search, {"q": "nguyen van"}).content.decode()
