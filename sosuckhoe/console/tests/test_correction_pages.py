"""Correction requests in the console: entered from the person's page, listed for the unit
(open first, by status), answered by an officer naming the dose voided and the one entered,
exported like the other lists."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sosuckhoe.console.tests.matrix.corrections import request_form
from sosuckhoe.console.tests.matrix.reactions import dose_earlier_today
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import CorrectionRequest
from sosuckhoe.vaccination.services import correction_request_create, dose_void


@pytest.fixture
def dose(cast):
    """A dose of the cast's resident of commune A, given today at a site of commune A."""
    return dose_earlier_today(cast)


def _ask(person, **changes):
    arguments = {
        "actor": SYSTEM, "person": person, "kind": "missing_dose",
        "should_read": "Mũi 2 Vero Cell ngày 20/09/2021", "requester_name": person.full_name,
        "requester_relation": "self", "channel": "phone", **changes,
    }  # fmt: skip
    return correction_request_create(**arguments)


def _listed(response) -> list[str]:
    return [str(c.uuid) for c in response.context["requests"]]


def test_the_persons_page_links_to_a_new_request_and_to_their_requests(cast):
    person = cast.own_person
    page = cast.client_for("site_staff").get(reverse("console:person", args=[person.uuid]))
    html = page.content.decode()
    assert reverse("console:correction_new", args=[person.uuid]) in html
    assert f"{reverse('console:corrections')}?person={person.uuid}" in html


def test_a_request_entered_from_the_persons_page_names_the_dose_chosen(cast, dose):
    client, person = cast.client_for("site_staff"), dose.person
    url = reverse("console:correction_new", args=[person.uuid])
    form = client.get(url, {"dose": dose.uuid}).context["form"]
    assert [key for key, _label in form.fields["dose"].choices] == ["", str(dose.uuid)]
    assert form["dose"].value() == str(dose.uuid)
    sent = request_form(kind="wrong_vaccine", dose=str(dose.uuid), should_read="Vero Cell")
    response = client.post(url, sent)
    created = CorrectionRequest.objects.get()
    assert response["Location"] == reverse("console:correction", args=[created.uuid])
    assert (created.dose, created.requester_phone) == (dose, "+84912345678")
    page = client.get(response["Location"]).content.decode()
    assert "Vero Cell" in page
    assert 'class="card resolve-form"' not in page  # site staff enter, officers answer


def test_a_refused_request_is_shown_again_with_the_reason(cast):
    client = cast.client_for("commune")
    url = reverse("console:correction_new", args=[cast.own_person.uuid])
    response = client.post(url, request_form(kind="wrong_date"))
    assert response.status_code == 200
    with translation.override("vi"):
        expected = [gettext("Choose the dose that is wrong.")]
    assert list(response.context["form"].non_field_errors()) == expected
    assert not CorrectionRequest.objects.exists()


def test_the_list_shows_open_requests_first_and_narrows_by_status_and_person(cast):
    answered = _ask(cast.own_person)
    CorrectionRequest.objects.filter(pk=answered.pk).update(
        status="rejected", resolution_note="Không có hồ sơ", resolved_at="2026-01-05T03:00Z"
    )
    waiting = _ask(cast.own_person)
    neighbour = _ask(cast.sibling_person)
    client, url = cast.client_for("commune"), reverse("console:corrections")
    assert _listed(client.get(url)) == [str(waiting.uuid), str(answered.uuid)]
    assert _listed(client.get(url, {"status": "rejected"})) == [str(answered.uuid)]
    province = cast.client_for("province")
    opened = province.get(url, {"status": "open"})
    assert _listed(opened) == [str(waiting.uuid), str(neighbour.uuid)]
    by_person = province.get(url, {"person": cast.sibling_person.uuid})
    assert _listed(by_person) == [str(neighbour.uuid)]
    assert province.get(url, {"person": "not-a-uuid"}).status_code == 404


def test_a_request_of_another_commune_never_appears(cast):
    _ask(cast.sibling_person)
    client, url = cast.client_for("commune"), reverse("console:corrections")
    assert _listed(client.get(url)) == []
    assert client.get(url, {"person": cast.sibling_person.uuid}).status_code == 404
    assert client.get(url, {"unit": cast.units.commune_b.code}).status_code == 404


def test_the_list_reads_in_the_same_queries_whatever_its_length(
    cast, django_assert_max_num_queries
):
    client, url = cast.client_for("commune"), reverse("console:corrections")
    _ask(cast.own_person)
    client.get(url)
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    for i in range(5):
        _ask(PersonFactory(home_unit=cast.units.commune_a, full_name=f"Người {i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_listed(client.get(url))) == 6


def test_an_officer_answers_naming_the_dose_voided(cast, dose):
    asked = _ask(dose.person, kind="not_this_person", dose=dose)
    client = cast.client_for("commune")
    dose_void(actor=cast.actor("commune"), dose=dose, kind="entered_in_error", reason="Nhầm người")
    page = client.get(reverse("console:correction", args=[asked.uuid]))
    assert [k for k, _label in page.context["form"].fields["voided_dose"].choices] == [
        "", str(dose.uuid)
    ]  # fmt: skip
    url = reverse("console:correction_resolve", args=[asked.uuid])
    sent = {"status": "accepted", "note": "Đã hủy mũi nhập nhầm", "voided_dose": str(dose.uuid)}
    response = client.post(url, sent)
    assert response["Location"] == reverse("console:correction", args=[asked.uuid])
    asked.refresh_from_db()
    assert (asked.status, asked.voided_dose, asked.resolved_by) == (
        "accepted", dose, cast.users["commune"],
    )  # fmt: skip
    shown = client.get(response["Location"]).content.decode()
    assert "Đã hủy mũi nhập nhầm" in shown
    assert 'class="card resolve-form"' not in shown


def test_an_answer_without_a_note_is_shown_again(cast):
    asked = _ask(cast.own_person)
    url = reverse("console:correction_resolve", args=[asked.uuid])
    response = cast.client_for("province").post(url, {"status": "rejected", "note": ""})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    asked.refresh_from_db()
    assert asked.is_open


def test_the_list_page_offers_its_export_in_both_formats(cast):
    page = cast.client_for("commune").get(reverse("console:corrections"), {"status": "open"})
    html = page.content.decode()
    assert 'name="list_kind" value="corrections"' in html
    assert 'name="status" value="open"' in html
    assert 'value="xlsx"' in html
    assert 'value="csv"' in html
