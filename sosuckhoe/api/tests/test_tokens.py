"""Per-staff keys: printed once, kept as a hash, revocable, each throttled on its own."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.api.models import ApiToken
from sosuckhoe.api.services import api_token_create, api_token_revoke


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_command_prints_a_key_that_works_and_keeps_only_its_hash(cast):
    out = StringIO()
    call_command("api_token_create", "commune", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=cast.users["commune"])
    assert key not in {token.digest, token.prefix}
    assert key.startswith(token.prefix)
    assert _client(key).get(reverse("api:lots")).status_code == 200
    assert AuditEvent.objects.filter(object_type="api_token", actor_username__startswith="system:")


def test_the_command_refuses_an_unknown_user(cast):
    with pytest.raises(CommandError):
        call_command("api_token_create", "nobody")


def test_a_revoked_key_stops_working_at_once(cast):
    actor = cast.actor("commune")
    token, key = api_token_create(actor=actor, user=cast.users["commune"])
    api_token_revoke(actor=actor, token=token)
    assert _client(key).get(reverse("api:lots")).status_code == 401


def test_a_key_of_a_deactivated_account_stops_working(cast):
    _token, key = api_token_create(actor=cast.actor("commune"), user=cast.users["commune"])
    cast.users["commune"].is_active = False
    cast.users["commune"].save(update_fields=["is_active"])
    assert _client(key).get(reverse("api:lots")).status_code == 401


def test_staff_make_only_their_own_keys_unless_they_manage_the_account(cast):
    with pytest.raises(ValidationError):
        api_token_create(actor=cast.actor("commune_other"), user=cast.users["commune"])
    api_token_create(actor=cast.actor("province"), user=cast.users["commune"])


def test_each_key_is_throttled_on_its_own(cast, settings):
    settings.API_THROTTLE_RATE = "3/min"
    first = _client(api_token_create(actor=cast.actor("commune"), user=cast.users["commune"])[1])
    second = _client(api_token_create(actor=cast.actor("commune"), user=cast.users["commune"])[1])
    statuses = [first.get(reverse("api:lots")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = first.get(reverse("api:lots"))
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) >= 1
    assert second.get(reverse("api:lots")).status_code == 200
