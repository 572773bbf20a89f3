"""Every personal-data URL × every role × own unit / other unit: 404 for what is not theirs."""

import pytest
from django.urls import URLPattern, reverse

from sosuckhoe.console.urls import urlpatterns

ROLES = (
    "site_staff",
    "commune",
    "commune_other",
    "province",
    "province_other",
    "national_admin",
    "analyst",
)

# Who sees a person of commune A (province 37): the staff of commune A, of its province, and
# the national administrator. Everyone else who reads personal data gets 404; an analyst
# reads no personal data at all (403, whatever the record).
SEES_COMMUNE_A = {"site_staff", "commune", "province", "national_admin"}
SEES_OTHER_PROVINCE = {"province_other", "national_admin"}
SEES_DISTRICT = {"district", "national_admin"}


def _expected(role: str, sees: set[str]) -> int:
    if role == "analyst":
        return 403
    return 200 if role in sees else 404


def _person_urls(cast):
    own, sibling, foreign = cast.own_person, cast.sibling_person, cast.foreign_person
    return {
        "person": [(reverse("console:person", args=[own.uuid]), SEES_COMMUNE_A),
                   (reverse("console:person", args=[foreign.uuid]), SEES_OTHER_PROVINCE),
                   (reverse("console:person", args=[cast.district_person.uuid]), SEES_DISTRICT)],
        "person_edit": [(reverse("console:person_edit", args=[own.uuid]), SEES_COMMUNE_A),
                        (reverse("console:person_edit", args=[foreign.uuid]), SEES_OTHER_PROVINCE)],
        "person_new_ward": [(reverse("console:person_new_ward", args=[own.uuid]), SEES_COMMUNE_A),
                            (reverse("console:person_new_ward", args=[foreign.uuid]),
                             SEES_OTHER_PROVINCE)],
        # Merging needs both records: commune A's staff do not see commune B's person.
        "person_merge": [(reverse("console:person_merge", args=[own.uuid, sibling.uuid]),
                          {"province", "national_admin"}),
                         (reverse("console:person_merge", args=[own.uuid, foreign.uuid]),
                          {"national_admin"})],
    }  # fmt: skip


def test_every_console_url_with_a_person_in_it_is_in_the_matrix(cast):
    with_person = {
        p.name for p in urlpatterns if isinstance(p, URLPattern) and "uuid" in str(p.pattern)
    }
    assert with_person == set(_person_urls(cast))


@pytest.mark.parametrize("role", ROLES)
def test_person_pages_answer_each_role_by_unit(cast, role):
    client = cast.client_for(role)
    for name, cases in _person_urls(cast).items():
        for url, sees in cases:
            status = client.get(url).status_code
            assert status == _expected(role, sees), (name, url, role, status)


@pytest.mark.parametrize("role", ROLES)
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


@pytest.mark.parametrize("role", sorted(set(ROLES) - SEES_OTHER_PROVINCE))
def test_a_valid_post_to_a_person_of_another_unit_is_not_found_and_changes_nothing(cast, role):
    person = cast.foreign_person
    form = {
        "full_name": "Bị Sửa", "sex": "M", "birth_date": "1985-04-12", "id_kind": "cccd",
        "id_number": person.id_number, "home_unit": person.home_unit_id,
    }  # fmt: skip
    url = reverse("console:person_edit", args=[person.uuid])
    response = cast.client_for(role).post(url, form)
    assert response.status_code == _expected(role, SEES_OTHER_PROVINCE)
    person.refresh_from_db()
    assert person.full_name == "Lê Văn Cường"


@pytest.mark.parametrize(
    ("role", "status"),
    [("province", 200), ("national_admin", 200), ("commune", 403), ("site_staff", 403),
     ("district", 403), ("analyst", 403)],
)  # fmt: skip
def test_the_audit_log_is_for_province_and_national_administrators(cast, role, status):
    assert cast.client_for(role).get(reverse("console:audit_log")).status_code == status


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


def test_the_audit_log_finds_who_read_a_person_by_their_cccd(cast):
    cast.client_for("commune").get(reverse("console:person", args=[cast.own_person.uuid]))
    admin = cast.client_for("province")
    url = reverse("console:audit_log")
    page = admin.get(url, {"record": cast.own_person.id_number}).content.decode()
    assert str(cast.own_person.uuid) in page
    # A document of another province names no record the administrator may see.
    page = admin.get(url, {"record": cast.foreign_person.id_number}).content.decode()
    assert str(cast.own_person.uuid) not in page


@pytest.mark.parametrize("role", ROLES)
def test_registering_offers_only_the_communes_of_the_users_own_unit(cast, role):
    response = cast.client_for(role).get(reverse("console:person_new"))
    if role == "analyst":
        assert response.status_code == 403
        return
    offered = set(response.context["form"].fields["home_unit"].queryset)
    assert offered
    assert all(unit.path.startswith(cast.users[role].unit.path) for unit in offered)
