"""The staff pages: a manager's list, forms limited to their subtree, the password shown once."""

import re

import pytest
from django.urls import reverse

from conftest import PASSWORD
from sosuckhoe.accounts.models import AuditEvent, Role, StaffUser
from sosuckhoe.places.models import AdminUnit

LIST = reverse("console:staff_list")


def _usernames(response) -> set[str]:
    return {member.username for member in response.context["page"]}


def test_a_province_officer_lists_the_staff_of_their_province_up_to_their_own_rank(cast):
    response = cast.client_for("province").get(LIST)
    assert _usernames(response) == {"site", "commune", "commune_other", "province", "analyst"}


def test_a_national_administrator_lists_everyone(cast):
    response = cast.client_for("national_admin").get(LIST)
    assert _usernames(response) == {user.username for user in cast.users.values()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "comm"}, {"commune", "commune_other"}),  # the start of a user name
        ({"q": "Hoa"}, {"site"}),  # a part of the full name
        ({"role": "commune"}, {"commune", "commune_other"}),
        ({"active": "no"}, {"commune_other"}),
        ({"active": "yes", "role": "commune"}, {"commune"}),
    ],
)
def test_the_list_searches_by_name_and_filters_by_role_and_status(cast, query, expected):
    StaffUser.objects.filter(username="site").update(first_name="Trần Thị Hoa")
    StaffUser.objects.filter(username="commune_other").update(is_active=False)
    response = cast.client_for("province").get(LIST, query)
    assert _usernames(response) == expected


def test_the_list_reads_a_fixed_number_of_queries_whatever_its_length(
    cast, django_assert_num_queries
):
    client = cast.client_for("province")
    client.get(LIST)  # the first request of a session also saves it
    # The session, the user with their unit, the count, one page of accounts with their units.
    with django_assert_num_queries(4):
        client.get(LIST)
    for n in range(30):
        StaffUser.objects.create(username=f"u{n}", role=Role.COMMUNE, unit=cast.units.commune_b)
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert len(response.context["page"]) == 35


def test_the_list_pages_by_fifty(cast):
    for n in range(60):
        StaffUser.objects.create(username=f"u{n:02d}", role=Role.COMMUNE, unit=cast.units.commune_b)
    client = cast.client_for("province")
    assert len(client.get(LIST).context["page"]) == 50
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 15


def test_the_form_offers_only_the_managers_units_and_roles_up_to_their_own(cast):
    form = cast.client_for("province").get(reverse("console:staff_new")).context["form"]
    units = set(form.fields["unit"].queryset)
    assert units == set(AdminUnit.objects.filter(path__startswith=cast.units.province.path))
    roles = {value for value, _label in form.fields["role"].choices}
    assert roles == set(Role.values) - {Role.NATIONAL_ADMIN}


def test_creating_an_account_shows_its_password_once_and_it_signs_in(cast, client):
    form = {"username": "lan", "full_name": "Phạm Thị Lan", "role": "commune",
            "unit": cast.units.commune_b.pk, "phone": "0912 345 678", "email": ""}  # fmt: skip
    response = cast.client_for("province").post(reverse("console:staff_new"), form)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    user = StaffUser.objects.get(username="lan")
    assert (user.unit, user.phone) == (cast.units.commune_b, "+84912345678")
    assert not any(password in f"{e.summary} {e.changes}" for e in AuditEvent.objects.all())
    client.post(reverse("console:login"), {"username": "lan", "password": password})
    assert client.get(reverse("console:home")).status_code == 200


def test_a_unit_outside_the_province_is_refused_on_the_form(cast):
    form = {"username": "lan", "role": "commune", "unit": cast.units.other_commune.pk}
    response = cast.client_for("province").post(reverse("console:staff_new"), form)
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert not StaffUser.objects.filter(username="lan").exists()


def test_a_manager_changes_an_account_and_lands_back_on_it(cast):
    member = cast.users["commune"]
    url = reverse("console:staff_edit", args=[member.uuid])
    form = {"full_name": "Ngô Văn Bảo", "role": "district", "unit": cast.units.commune_b.pk}
    response = cast.client_for("province").post(url, form)
    assert (response.status_code, response.url) == (302, url)
    member.refresh_from_db()
    assert (member.first_name, member.role, member.unit) == (
        "Ngô Văn Bảo",
        Role.DISTRICT,
        cast.units.commune_b,
    )


def test_demoting_oneself_comes_back_with_a_message_and_changes_nothing(cast):
    me = cast.users["province"]
    form = {"full_name": "", "role": "commune", "unit": me.unit_id}
    response = cast.client_for("province").post(reverse("console:staff_edit", args=[me.uuid]), form)
    assert response.status_code == 200
    assert "Bạn không thể tự thay đổi vai trò" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.PROVINCE


def test_ones_own_page_offers_no_button_to_deactivate_oneself(cast):
    me = cast.users["province"]
    page = cast.client_for("province").get(reverse("console:staff_edit", args=[me.uuid]))
    assert reverse("console:staff_deactivate", args=[me.uuid]) not in page.content.decode()
    other = cast.users["commune"]
    page = cast.client_for("province").get(reverse("console:staff_edit", args=[other.uuid]))
    assert reverse("console:staff_deactivate", args=[other.uuid]) in page.content.decode()


def test_the_deactivate_button_ends_the_accounts_open_session(cast):
    member = cast.users["commune"]
    session = cast.client_for("commune")
    response = cast.client_for("province").post(
        reverse("console:staff_deactivate", args=[member.uuid])
    )
    assert response.status_code == 302
    assert session.get(reverse("console:home")).status_code == 302


def test_a_reset_password_is_shown_once_and_the_next_page_shows_it_no_more(cast):
    member = cast.users["commune"]
    manager = cast.client_for("province")
    response = manager.post(reverse("console:staff_password_reset", args=[member.uuid]))
    password = response.context["password"]
    assert re.search(re.escape(password), response.content.decode())
    page = manager.get(reverse("console:staff_edit", args=[member.uuid])).content.decode()
    assert password not in page
    member.refresh_from_db()
    assert member.check_password(password)
    assert not member.check_password(PASSWORD)
