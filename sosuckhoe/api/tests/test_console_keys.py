"""The console's account page makes and revokes the signed-in member of staff's API keys."""

from django.urls import reverse
from rest_framework.test import APIClient

from sosuckhoe.api.models import ApiToken
from sosuckhoe.api.services import api_token_create


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:lots")).status_code == 200


def test_a_key_made_on_the_account_page_is_shown_once_and_works(cast):
    console = cast.client_for("commune")
    made = console.post(reverse("console:api_keys"), {"name": "phần mềm trạm"})
    key = made.context["new_key"]
    assert made.status_code == 200
    assert key in made.content.decode()
    assert _works(key)
    again = console.get(reverse("console:account")).content.decode()
    assert key not in again
    assert key[:8] in again


def test_a_key_revoked_on_the_account_page_stops_working(cast):
    console = cast.client_for("commune")
    token, key = api_token_create(actor=cast.actor("commune"), user=cast.users["commune"])
    response = console.post(reverse("console:api_keys"), {"revoke": token.pk})
    assert response.status_code == 302
    assert not _works(key)


def test_nobody_revokes_another_persons_key_from_their_page(cast):
    token, key = api_token_create(actor=cast.actor("commune"), user=cast.users["commune"])
    response = cast.client_for("province").post(reverse("console:api_keys"), {"revoke": token.pk})
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert _works(key)
