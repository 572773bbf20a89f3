"""The staff member's own API keys: made and revoked from the account page."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import STAFF, Case


def cases(cast) -> list[Case]:
    return [
        # POST only; a new key is shown on the answer itself (200), never in a redirect.
        Case("console:api_keys", reverse("console:api_keys"), STAFF, post={"name": "máy tính"},
             statuses=dict.fromkeys(STAFF, 405), post_statuses=dict.fromkeys(STAFF, 200)),
    ]  # fmt: skip
