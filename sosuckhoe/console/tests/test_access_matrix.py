"""Every console URL × every role, GET and POST: 404 for a record that is not theirs, 403 for a
page their role never uses, and a refused POST changes nothing. The URLs of each domain are
described in `matrix/<domain>.py`."""

import importlib
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sosuckhoe.accounts.audit import audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.console.tests import matrix
from sosuckhoe.console.tests.matrix import (
    ROLES,
    SEES_COMMUNE_A,
    SEES_OTHER_PROVINCE,
    STAFF,
    Case,
    fingerprint,
)

MODULES = [
    importlib.import_module(f"{matrix.__name__}.{info.name}")
    for info in pkgutil.iter_modules(matrix.__path__)
]


def _all_cases(cast) -> list[Case]:
    return [case for module in MODULES for case in module.cases(cast)]


def _console_url_names() -> set[str]:
    resolver = next(
        r for r in get_resolver().url_patterns
        if isinstance(r, URLResolver) and r.namespace == "console"
    )  # fmt: skip
    return {f"console:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern)}


def _client(cast, role: str) -> Client:
    return Client() if role == "anonymous" else cast.client_for(role)


def test_every_console_url_is_in_the_matrix(cast):
    assert _console_url_names() == {case.name for case in _all_cases(cast)}


@pytest.mark.parametrize("role", ROLES)
def test_every_console_page_answers_each_role_by_unit(cast, role):
    client = _client(cast, role)
    for case in _all_cases(cast):
        status = client.get(case.url).status_code
        assert status == case.expected(role), (case.url, role, status)


@pytest.mark.parametrize("role", ROLES)
def test_a_post_that_is_refused_changes_nothing(cast, role):
    # Signed in once, before the first snapshot (signing in stamps last_login): a refused POST
    # signs nobody out, and a sign-in per POST was half of the test's time.
    client = _client(cast, role)
    for case in _all_cases(cast):
        if not case.refuses_post(role):
            continue
        before = fingerprint()
        status = client.post(case.url, case.post or {}).status_code
        assert status in case.expected_post(role), (case.url, role, status)
        assert fingerprint() == before, (case.url, role)


def test_the_fingerprint_sees_a_row_changed_and_a_row_added(cast):
    before = fingerprint()
    type(cast.own_person).objects.filter(pk=cast.own_person.pk).update(phone="0912000111")
    changed = fingerprint()
    audit_write(
        actor=cast.actor("commune"), action=AuditAction.VIEW, scope_path=cast.units.commune_a.path,
        object_type="person", object_uuid=cast.own_person.uuid, summary="read",
    )  # fmt: skip
    assert len({repr(before), repr(changed), repr(fingerprint())}) == 3


@pytest.mark.parametrize("role", ROLES)
def test_a_post_that_is_allowed_is_served(cast, role):
    for case in _all_cases(cast):
        if case.refuses_post(role):
            continue
        status = _client(cast, role).post(case.url, case.post or {}).status_code
        assert status in case.expected_post(role), (case.url, role, status)


@pytest.mark.parametrize("role", sorted(STAFF))
def test_search_finds_a_person_only_for_staff_whose_unit_holds_them(cast, role):
    client = cast.client_for(role)
    for person, sees in (
        (cast.own_person, SEES_COMMUNE_A),
        (cast.foreign_person, SEES_OTHER_PROVINCE),
    ):
        for query in (person.id_number, person.phone, person.full_name):
            response = client.get(reverse("console:person_search"), {"q": query})
            if role == "analyst":
                assert response.status_code == 403
                continue
            found = str(person.uuid) in response.content.decode()
            assert found == (role in sees), (role, query)


def test_a_province_administrator_sees_only_the_audit_events_of_their_province(cast):
    cast.client_for("province_other").get(
        reverse("console:person", args=[cast.foreign_person.uuid])
    )
    cast.client_for("commune").get(reverse("console:person", args=[cast.own_person.uuid]))
    page = cast.client_for("province").get(reverse("console:audit_log")).content.decode()
    assert str(cast.own_person.uuid) in page
    assert str(cast.foreign_person.uuid) not in page


def test_signed_out_visitors_are_sent_to_the_login_page(client, cast):
    for url in (
        reverse("console:person_search"),
        reverse("console:person", args=[cast.own_person.uuid]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("console:login"))


def test_the_audit_log_finds_who_read_a_person_by_their_cccd_only_within_scope(cast):
    cast.client_for("commune").get(reverse("console:person", args=[cast.own_person.uuid]))
    # The foreign person lived in commune A before moving away: their old events are filed
    # under the province, but the province may no longer look them up by document.
    audit_write(
        actor=cast.actor("commune"), action=AuditAction.VIEW, scope_path=cast.units.commune_a.path,
        object_type="person", object_uuid=cast.foreign_person.uuid, summary="old read",
    )  # fmt: skip
    admin = cast.client_for("province")
    url = reverse("console:audit_log")
    page = admin.get(url, {"record": cast.own_person.id_number}).content.decode()
    assert str(cast.own_person.uuid) in page
    page = admin.get(url, {"record": cast.foreign_person.id_number}).content.decode()
    assert str(cast.foreign_person.uuid) not in page
    assert str(cast.own_person.uuid) not in page
    # The event itself is in the province's log: only the lookup by document keeps it out.
    assert str(cast.foreign_person.uuid) in admin.get(url).content.decode()


@pytest.mark.parametrize("role", sorted(STAFF))
def test_registering_offers_only_the_communes_of_the_users_own_unit(cast, role):
    response = cast.client_for(role).get(reverse("console:person_new"))
    if role == "analyst":
        assert response.status_code == 403
        return
    offered = set(response.context["form"].fields["home_unit"].queryset)
    assert offered
    assert all(unit.path.startswith(cast.users[role].unit.path) for unit in offered)
