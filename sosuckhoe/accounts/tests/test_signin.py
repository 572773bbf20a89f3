"""Sign-in records, sessions of deactivated accounts, and the authenticator's audit rows."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from conftest import PASSWORD
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.accounts.services import (
    staff_deactivate,
    staff_password_reset,
    staff_reactivate,
    totp_device_confirm,
    totp_device_start,
)

HOME = reverse("console:home")
LOGIN = reverse("console:login")


def _sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    client.post(LOGIN, {"username": username, "password": password})
    return client


def test_signing_out_is_recorded_under_the_users_unit(cast):
    client = cast.client_for("commune")
    client.post(reverse("console:logout"))
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.actor_username, event.scope_path, event.ip) == (
        "commune",
        cast.units.commune_a.path,
        "127.0.0.1",
    )
    assert client.get(HOME).status_code == 302


def test_a_deactivated_account_loses_its_open_session_and_cannot_sign_in_again(cast):
    client = _sign_in("commune")
    assert client.get(HOME).status_code == 200
    staff_deactivate(actor=cast.actor("province"), user=cast.users["commune"])
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert _sign_in("commune").get(HOME).status_code == 302
    staff_reactivate(actor=cast.actor("province"), user=cast.users["commune"])
    assert _sign_in("commune").get(HOME).status_code == 200


def test_a_reset_password_ends_open_sessions_and_lifts_a_lockout(cast, settings):
    client = _sign_in("commune")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("commune", "wrong password")
    assert _sign_in("commune").get(HOME).status_code == 302  # locked out
    password = staff_password_reset(actor=cast.actor("province"), user=cast.users["commune"])
    assert client.get(HOME).status_code == 302  # the session of the old password ended
    assert _sign_in("commune", password).get(HOME).status_code == 200


def test_starting_and_confirming_an_authenticator_each_leave_an_audit_row(cast):
    user, actor = cast.users["commune"], cast.actor("commune")
    device = totp_device_start(actor=actor, user=user)
    totp_device_confirm(actor=actor, device=device, token=f"{totp(device.bin_key):06d}")
    device.refresh_from_db()
    assert device.confirmed
    events = AuditEvent.objects.filter(object_uuid=user.uuid).order_by("id")
    assert [(e.action, e.summary, e.actor_username) for e in events] == [
        (AuditAction.UPDATE, "two-factor enrolment started", "commune"),
        (AuditAction.UPDATE, "two-factor authentication enabled", "commune"),
    ]


def test_a_wrong_code_confirms_nothing_and_records_nothing_more(cast):
    user, actor = cast.users["commune"], cast.actor("commune")
    device = totp_device_start(actor=actor, user=user)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError, match="mã mới nhất"):
        totp_device_confirm(actor=actor, device=device, token=wrong)
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditEvent.objects.filter(object_uuid=user.uuid).count() == 1
