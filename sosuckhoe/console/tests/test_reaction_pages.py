"""Reactions after vaccination in the console: the full report from the dose page, its
outcome, the investigation a serious one opens, and the causality assessment."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix.reactions import (
    LOCAL_MINUTE,
    assessment_form,
    dose_earlier_today,
    reaction_form,
    serious_case,
)
from sosuckhoe.messaging.models import OutboundMessage
from sosuckhoe.vaccination.models import Investigation, Reaction


@pytest.fixture
def dose(cast):
    return dose_earlier_today(cast)


@pytest.fixture
def officers(cast):
    """Phones for every member of staff: who gets a notice is then who is meant to."""
    for i, user in enumerate(cast.users.values()):
        user.phone = f"+8491800{i:04d}"
        user.save(update_fields=["phone"])
    return cast.users


def _new(dose) -> str:
    return reverse("console:reaction_new", args=[dose.uuid])


def _errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def test_the_form_records_a_common_reaction_and_the_dose_page_lists_it_with_its_outcome(cast, dose):
    client = cast.client_for("site_staff")
    assert client.get(_new(dose)).status_code == 200
    response = client.post(_new(dose), reaction_form(reporter_phone="0912 345 678"))
    assert response["Location"] == reverse("console:dose", args=[dose.uuid]) + "#reactions"
    reaction = Reaction.objects.get(dose=dose)
    assert sorted(reaction.terms.values_list("code", flat=True)) == ["C1", "C2"]
    assert (reaction.serious, reaction.outcome, reaction.treated_at) == (
        False, "recovering", "on_site",
    )  # fmt: skip
    assert (reaction.reporter, reaction.reporter_phone) == (
        cast.users["site_staff"],
        "+84912345678",
    )
    assert not Investigation.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert f'data-reaction="{reaction.uuid}"' in page
    assert '<option value="recovering" selected>' in page


def test_the_onset_is_read_in_vietnam_time(cast, dose):
    onset = timezone.localtime(dose.given_at + dt.timedelta(minutes=1)).replace(
        second=0, microsecond=0
    )
    if onset > timezone.now():
        onset = timezone.localtime().replace(second=0, microsecond=0)
    form = reaction_form(onset_at=onset.strftime(LOCAL_MINUTE))
    client = cast.client_for("site_staff")
    page = client.post(_new(dose), form, follow=True).content.decode()
    assert Reaction.objects.get(dose=dose).onset_at == onset
    assert f"{onset:%d/%m/%Y %H:%M}" in page


def test_a_serious_reaction_opens_an_investigation_queues_the_notices_and_links_it(
    cast, dose, officers
):
    client = cast.client_for("site_staff")
    form = reaction_form(terms_common=["C2"], terms_serious_criterion=["S2"])
    response = client.post(_new(dose), form, follow=True)
    reaction = Reaction.objects.get(dose=dose)
    investigation = Investigation.objects.get(reaction=reaction)
    assert reaction.serious
    told = set(OutboundMessage.objects.values_list("to", flat=True))
    assert told == {officers["commune"].phone, officers["province"].phone}
    page = response.content.decode()
    assert reverse("console:investigation", args=[investigation.uuid]) in page


def test_a_form_sent_twice_records_one_reaction_and_tells_the_officers_once(cast, dose, officers):
    client = cast.client_for("site_staff")
    form = {**reaction_form(terms_serious_criterion=["S1"]), "submission_key": str(dose.uuid)}
    client.post(_new(dose), form)
    client.post(_new(dose), form)
    assert Reaction.objects.filter(dose=dose).count() == 1
    assert OutboundMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"terms_common": []}, "Hãy chọn ít nhất một biểu hiện của phản ứng."),
        ({"onset_at": "2099-01-01T08:00"}, "Thời điểm xuất hiện phản ứng ở tương lai."),
    ],
)
def test_a_refused_report_shows_the_reason_and_writes_nothing(cast, dose, changes, message):
    client = cast.client_for("site_staff")
    response = client.post(_new(dose), reaction_form(**changes))
    assert response.status_code == 200
    assert _errors(response) == [message]
    assert message in response.content.decode()
    assert not Reaction.objects.exists()


def test_the_outcome_is_followed_and_death_makes_the_reaction_serious(cast, dose, officers):
    client = cast.client_for("commune")
    client.post(_new(dose), reaction_form())
    reaction = Reaction.objects.get(dose=dose)
    url = reverse("console:reaction_outcome", args=[reaction.uuid])
    client.post(url, {"outcome": "recovered"})
    reaction.refresh_from_db()
    assert (reaction.outcome, reaction.serious) == ("recovered", False)
    client.post(url, {"outcome": "died"})
    reaction.refresh_from_db()
    assert (reaction.outcome, reaction.serious) == ("died", True)
    assert Investigation.objects.filter(reaction=reaction).exists()


def test_an_outcome_off_the_list_changes_nothing(cast, dose):
    client = cast.client_for("commune")
    client.post(_new(dose), reaction_form())
    reaction = Reaction.objects.get(dose=dose)
    url = reverse("console:reaction_outcome", args=[reaction.uuid])
    response = client.post(url, {"outcome": "cured"}, follow=True)
    reaction.refresh_from_db()
    assert reaction.outcome == "recovering"
    assert "Hãy chọn kết quả trong danh sách." in response.content.decode()


def test_the_province_assesses_causality_and_the_investigation_leaves_the_open_list(cast):
    case = serious_case(cast)
    client = cast.client_for("province")
    listed = client.get(reverse("console:investigations")).content.decode()
    assert f'data-investigation="{case.investigation.uuid}"' in listed
    page = reverse("console:investigation", args=[case.investigation.uuid])
    assert "Sốc phản vệ" in client.get(page).content.decode()
    url = reverse("console:investigation_assess", args=[case.investigation.uuid])
    response = client.post(url, assessment_form())
    assert response["Location"] == page
    case.investigation.refresh_from_db()
    assert (case.investigation.classification, case.investigation.diagnosis_valid) == ("A1", True)
    assert case.investigation.assessed_by == cast.users["province"]
    listed = client.get(reverse("console:investigations")).content.decode()
    assert str(case.investigation.uuid) not in listed


def test_a_classification_that_does_not_follow_from_the_answers_is_refused(cast):
    case = serious_case(cast)
    url = reverse("console:investigation_assess", args=[case.investigation.uuid])
    response = cast.client_for("province").post(url, assessment_form(classification="C"))
    assert _errors(response) == ["Phân loại này không phù hợp với câu trả lời ở bước 1 và bước 2."]
    case.investigation.refresh_from_db()
    assert (case.investigation.classification, case.investigation.assessed_at) == ("", None)


def test_the_commune_reads_the_investigation_but_the_district_or_province_assesses_it(cast):
    case = serious_case(cast)
    client = cast.client_for("commune")
    page = client.get(reverse("console:investigation", args=[case.investigation.uuid]))
    assert page.status_code == 200
    assert not page.context["may_assess"]
    assess = reverse("console:investigation_assess", args=[case.investigation.uuid])
    assert 'action="' + assess not in page.content.decode()
    assert client.post(assess, assessment_form()).status_code == 403


def test_another_communes_officer_finds_none_of_it(cast):
    case = serious_case(cast)
    client = cast.client_for("commune_other")
    for url in (
        _new(case.dose),
        reverse("console:investigation", args=[case.investigation.uuid]),
    ):
        assert client.get(url).status_code == 404
    outcome = reverse("console:reaction_outcome", args=[case.reaction.uuid])
    assert client.post(outcome, {"outcome": "died"}).status_code == 404
    assert client.post(_new(case.dose), reaction_form()).status_code == 404
    listed = client.get(reverse("console:investigations")).content.decode()
    assert str(case.investigation.uuid) not in listed
    case.reaction.refresh_from_db()
    assert case.reaction.outcome == "recovering"
    assert Reaction.objects.count() == 1
