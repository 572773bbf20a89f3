"""Signing in and out, the home page, the staff member's own account."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import ROLES, STAFF, Case

SIGNED_IN_GET_REDIRECTED = dict.fromkeys(STAFF, 302)


def cases(cast) -> list[Case]:
    return [
        # Signed-in staff are sent on to the console; a visitor gets the form.
        Case("console:login", reverse("console:login"), frozenset(), frozenset(ROLES),
             post={"username": "nobody", "password": "wrong"},
             statuses={**SIGNED_IN_GET_REDIRECTED, "anonymous": 200}),
        Case("console:logout", reverse("console:logout"), STAFF, post={},
             statuses=dict.fromkeys(ROLES, 405), post_statuses=dict.fromkeys(ROLES, 302)),
        Case("console:home", reverse("console:home"), STAFF, post=None),
        Case("console:account", reverse("console:account"), STAFF, post=None),
        # A code is confirmed only for an enrolment the GET started: none here.
        Case("console:totp_enrol", reverse("console:totp_enrol"), STAFF,
             post={"token": "000000"}, post_statuses=dict.fromkeys(STAFF, 404)),
    ]  # fmt: skip
