import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.people.models import Household, Person
from sosuckhoe.testing.factories import PersonFactory, cccd_for


def _new_person_form(cast, **overrides):
    return {
        "full_name": "Phạm Thị Lan",
        "sex": "F",
        "birth_date": "1992-07-15",
        "birth_year": "",
        "id_kind": "cccd",
        "id_number": cccd_for(birth_year=1992, sex="F", serial=4242),
        "phone": "0903 123 456",
        "home_unit": cast.units.commune_a.pk,
        "address_line": "Tổ dân phố 4",
    } | overrides


def test_staff_register_a_person_and_land_on_their_page(cast):
    client = cast.client_for("commune")
    response = client.post(reverse("console:person_new"), _new_person_form(cast))
    person = Person.objects.get(full_name="Phạm Thị Lan")
    assert response.status_code == 302
    assert response.url == reverse("console:person", args=[person.uuid])
    assert person.phone == "+84903123456"


def test_a_wrong_cccd_comes_back_with_a_vietnamese_message_and_nothing_stored(cast):
    client = cast.client_for("commune")
    response = client.post(
        reverse("console:person_new"), _new_person_form(cast, id_number="036193004242")
    )
    assert response.status_code == 200
    assert "không khớp với năm sinh" in response.content.decode()  # "does not match the year"
    assert not Person.objects.filter(full_name="Phạm Thị Lan").exists()


def test_the_same_message_reads_in_english_when_english_is_chosen(cast):
    client = cast.client_for("commune")
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(
        reverse("console:person_new"), _new_person_form(cast, id_number="036193004242")
    )
    assert "do not match the birth year" in response.content.decode()


def test_a_commune_officer_can_only_register_people_in_their_own_unit(cast):
    client = cast.client_for("commune")
    form = _new_person_form(cast, home_unit=cast.units.commune_b.pk)
    response = client.post(reverse("console:person_new"), form)
    assert response.status_code == 200
    assert not Person.objects.filter(full_name="Phạm Thị Lan").exists()


def test_opening_a_person_is_audited_with_the_address_of_the_reader(cast):
    client = cast.client_for("commune")
    client.get(reverse("console:person", args=[cast.own_person.uuid]), REMOTE_ADDR="10.1.2.3")
    # The record and its vaccination history are each audited, both on the person.
    events = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert {(e.object_uuid, e.ip, e.actor_username) for e in events} == {
        (cast.own_person.uuid, "10.1.2.3", "commune")
    }


def test_searches_are_audited_and_accept_names_without_diacritics(cast):
    client = cast.client_for("commune")
    response = client.get(reverse("console:person_search"), {"q": "NGUYEN van"})
    assert cast.own_person.full_name in response.content.decode()
    search = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search.changes == {"shown": [str(cast.own_person.uuid)]}


def test_search_results_cost_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    client = cast.client_for("province")
    # Once a minute the session is renewed, and the unit and its subtree come from the
    # database when they are not in the cache yet: the first request pays for those.
    client.get(reverse("console:home"))
    with django_assert_max_num_queries(8):
        client.get(reverse("console:person_search"), {"q": "nguyen"})


def test_a_merge_asks_for_confirmation_then_merges(cast):
    client = cast.client_for("province")
    url = reverse("console:person_merge", args=[cast.own_person.uuid, cast.sibling_person.uuid])
    page = client.get(url).content.decode()
    # Both records side by side, and a button that sends the merge.
    assert page.index(cast.own_person.id_number) < page.index(cast.sibling_person.id_number)
    assert '<button type="submit" class="primary">Gộp hồ sơ</button>' in page
    assert not Person.objects.filter(merged_into__isnull=False).exists()  # not before the POST
    cast.sibling_person.full_name = cast.own_person.full_name
    cast.sibling_person.save()
    client.post(url)
    cast.sibling_person.refresh_from_db()
    assert cast.sibling_person.merged_into == cast.own_person
    # The retired record's page now leads to the kept one.
    response = client.get(reverse("console:person", args=[cast.sibling_person.uuid]))
    assert response.url == reverse("console:person", args=[cast.own_person.uuid])


def test_a_guardian_in_another_unit_is_shown_as_existing_without_a_name(cast):
    ward = PersonFactory(
        home_unit=cast.units.commune_a, guardian=cast.sibling_person, full_name="Trần Bé Na",
        id_kind="none", id_number="", birth_date=dt.date(2020, 1, 1),
    )  # fmt: skip
    url = reverse("console:person", args=[ward.uuid])
    page = cast.client_for("commune").get(url).content.decode()
    assert "Đăng ký ở đơn vị khác" in page  # "Registered in another unit"
    assert cast.sibling_person.full_name not in page
    assert str(cast.sibling_person.uuid) not in page
    page = cast.client_for("province").get(url).content.decode()
    assert cast.sibling_person.full_name in page


def test_sign_in_and_failed_sign_in_are_audited(client, cast):
    client.post(reverse("console:login"), {"username": "commune", "password": "wrong"})
    client.post(reverse("console:login"), {"username": "commune", "password": PASSWORD})
    events = list(AuditEvent.objects.order_by("id").values_list("action", "scope_path"))
    unit = cast.units.commune_a.path
    assert events == [(AuditAction.LOGIN_FAILED, unit), (AuditAction.LOGIN, unit)]


def test_staff_with_an_authenticator_need_its_code_to_sign_in(client, cast):
    user = cast.users["commune"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login = reverse("console:login")
    response = client.post(login, {"username": "commune", "password": PASSWORD})
    assert response.status_code == 200  # the form asks for the code
    code = f"{totp(device.bin_key):06d}"
    response = client.post(login, {"username": "commune", "password": PASSWORD, "otp_token": code})
    assert response.status_code == 302


def test_enrolling_an_authenticator_shows_a_qr_code_and_confirms_with_a_code(cast):
    client = cast.client_for("commune")
    page = client.get(reverse("console:totp_enrol")).content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=cast.users["commune"])
    client.post(reverse("console:totp_enrol"), {"token": "000000" if totp(device.bin_key) else "1"})
    device.refresh_from_db()
    assert not device.confirmed
    client.post(reverse("console:totp_enrol"), {"token": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_home_page_speaks_the_chosen_language(cast, language):
    client = cast.client_for("commune")
    client.post(reverse("set_language"), {"language": language})
    html = client.get(reverse("console:home")).content.decode()
    assert f'<html lang="{language}">' in html
    assert ("Tìm một người" if language == "vi" else "Find a person") in html


def test_a_child_is_registered_under_a_guardian_in_the_same_household(cast):
    guardian = cast.own_person
    guardian.household = Household.objects.create(home_unit=guardian.home_unit)
    guardian.save()
    client = cast.client_for("commune")
    url = reverse("console:person_new_ward", args=[guardian.uuid])
    assert guardian.phone.removeprefix("+84") in client.get(url).content.decode().replace(" ", "")
    form = _new_person_form(
        cast, full_name="Nguyễn Minh Khang", sex="M", birth_date="2021-03-01", id_kind="none",
        id_number="", phone=guardian.phone,
    )  # fmt: skip
    response = client.post(url, form)
    child = Person.objects.get(full_name="Nguyễn Minh Khang")
    assert response.url == reverse("console:person", args=[child.uuid])
    assert (child.guardian, child.household) == (guardian, guardian.household)
    page = client.get(reverse("console:person", args=[guardian.uuid])).content.decode()
    assert "Nguyễn Minh Khang" in page


def test_a_form_sent_twice_registers_the_person_once(cast):
    client = cast.client_for("commune")
    form = _new_person_form(cast, id_kind="none", id_number="", submission_key=str(uuid.uuid4()))
    first = client.post(reverse("console:person_new"), form)
    second = client.post(reverse("console:person_new"), form)
    assert Person.objects.filter(full_name="Phạm Thị Lan").count() == 1
    assert first.url == second.url


def test_each_shown_form_carries_its_own_submission_key(cast):
    client = cast.client_for("commune")
    keys = {
        re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)
        for page in (client.get(reverse("console:person_new")).content.decode() for _ in range(2))
    }
    assert len(keys) == 2


def test_an_idle_staff_session_ends_and_asks_to_sign_in_again(cast, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Requests renew the idle time, at most once a minute (sosuckhoe/accounts/middleware.py).
    assert "sosuckhoe.accounts.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
    client = cast.client_for("commune")
    assert client.get(reverse("console:home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("console:login"))
