"""Requests to correct a vaccination record: entered for a citizen by staff of the person's unit
or of the site that gave the dose, answered by an officer with a note, every write audited,
and read only within the reader's scope."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.testing.doses import paper_dose
from sosuckhoe.vaccination.correction_selectors import (
    correction_request_read,
    correction_requests_list,
)
from sosuckhoe.vaccination.models import CorrectionRequest, CorrectionStatus
from sosuckhoe.vaccination.services import (
    correction_request_create,
    correction_request_resolve,
    dose_void,
)
from sosuckhoe.vaccination.services import corrections as corrections_module
from sosuckhoe.vaccination.services.common import refusal_codes

WRONG_DATE = "Ngày tiêm đúng là 12/08/2021 theo phiếu tiêm"


@pytest.fixture
def dose(cast, site, stock):
    return paper_dose(
        actor=cast.actor("site_staff"), person=cast.own_person, lot=stock(), site=site, days_ago=40
    )


def _ask(cast, role="site_staff", *, person=None, dose=None, kind="missing_dose", **changes):
    arguments = {
        "actor": cast.actor(role),
        "person": person or cast.own_person,
        "dose": dose,
        "kind": kind,
        "should_read": "Mũi 2 Comirnaty ngày 12/08/2021 tại Trạm Y tế",
        "evidence": "Phiếu xác nhận tiêm giấy",
        "requester_name": "Nguyễn Thị Lan",
        "requester_phone": "0912 345 678",
        "requester_relation": "parent",
        "channel": "at_station",
        **changes,
    }
    return correction_request_create(**arguments)


def _codes(call):
    with pytest.raises(ValidationError) as refused:
        call()
    return refusal_codes(refused.value)


def _events(kind=AuditAction.CREATE):
    return AuditEvent.objects.filter(object_type="correction_request", action=kind)


# --- Entering a request ---------------------------------------------------------------------


def test_a_missing_dose_is_entered_as_the_citizen_said_it_and_audited(cast):
    request = _ask(cast)
    assert (request.status, request.dose, request.requester_phone) == ("open", None, "+84912345678")
    assert (request.entered_by, request.entered_by_name) == (cast.users["site_staff"], "site")
    event = _events().get()
    assert (event.object_uuid, event.scope_path) == (request.uuid, cast.units.commune_a.path)
    assert event.changes["person"] == str(cast.own_person.uuid)


def test_a_wrong_date_names_the_dose_on_the_persons_record(cast, dose):
    request = _ask(cast, dose=dose, kind="wrong_date", should_read=WRONG_DATE)
    assert request.dose == dose
    assert _events().get().changes["dose"] == str(dose.uuid)


def test_what_is_wrong_decides_whether_a_dose_is_named(cast, dose):
    assert _codes(lambda: _ask(cast, dose=dose)) == ["correction_dose_not_missing"]
    assert _codes(lambda: _ask(cast, kind="wrong_vaccine")) == ["correction_dose_required"]
    other = _codes(lambda: _ask(cast, person=cast.sibling_person, dose=dose, kind="wrong_date"))
    assert other == ["correction_dose_of_another"]
    assert _codes(lambda: _ask(cast, requester_name=" ")) == ["correction_incomplete"]
    assert _codes(lambda: _ask(cast, requester_phone="12")) == ["phone_invalid"]
    assert _codes(lambda: _ask(cast, channel="portal")) == ["correction_channel_invalid"]
    assert not CorrectionRequest.objects.exists()
    assert not _events().exists()


@pytest.mark.parametrize("role", ["commune_other", "province_other", "analyst", "district"])
def test_staff_outside_the_persons_unit_and_the_doses_site_enter_nothing(cast, dose, role):
    assert _codes(lambda: _ask(cast, role, dose=dose, kind="wrong_date")) == ["outside_unit"]
    assert not CorrectionRequest.objects.exists()
    assert not _events().exists()


def test_the_station_that_gave_a_dose_enters_a_request_for_a_resident_of_another_commune(
    cast, site, stock
):
    given = paper_dose(
        actor=cast.actor("site_staff"), person=cast.sibling_person, lot=stock(), site=site,
        days_ago=30,
    )  # fmt: skip
    request = _ask(cast, person=cast.sibling_person, dose=given, kind="not_this_person")
    assert request.person == cast.sibling_person
    # The resident's own commune sees it too; a missing dose of theirs is theirs alone.
    assert _codes(lambda: _ask(cast, person=cast.sibling_person)) == ["outside_unit"]


def test_a_second_open_request_about_the_same_dose_is_refused(cast, dose):
    _ask(cast, dose=dose, kind="wrong_date")
    codes = _codes(lambda: _ask(cast, "commune", dose=dose, kind="wrong_date"))
    assert codes == [corrections_module.ALREADY_OPEN]
    assert CorrectionRequest.objects.count() == 1


def test_a_concurrent_twin_that_the_constraint_stops_is_refused_with_the_rules_message(
    cast, dose, monkeypatch
):
    _ask(cast, dose=dose, kind="wrong_date")
    # As if a second officer's check ran before the first request committed.
    monkeypatch.setattr(corrections_module, "_check_not_open", lambda dose, kind: None)
    with pytest.raises(ValidationError) as refused:
        _ask(cast, "commune", dose=dose, kind="wrong_date")
    assert refused.value.code == corrections_module.ALREADY_OPEN
    assert refused.value.messages == [_("A request about this dose is already open.")]
    assert CorrectionRequest.objects.count() == 1


def test_a_form_sent_twice_enters_one_request(cast):
    key = uuid.uuid4()
    first, second = _ask(cast, submission_key=key), _ask(cast, submission_key=key)
    assert first.uuid == second.uuid
    assert _events().count() == 1


def test_the_database_refuses_a_missing_dose_that_names_a_dose(cast, dose):
    request = _ask(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectionRequest.objects.filter(pk=request.pk).update(dose=dose)


# --- Answering it ---------------------------------------------------------------------------


def test_an_officer_accepts_naming_the_dose_voided_and_the_one_entered(cast, site, stock, dose):
    request = _ask(cast, dose=dose, kind="wrong_date", should_read=WRONG_DATE)
    officer = cast.actor("commune")
    dose_void(actor=officer, dose=dose, kind="entered_in_error", reason="Sai ngày")
    right = paper_dose(actor=officer, person=cast.own_person, lot=stock(), site=site, days_ago=41)
    resolved = correction_request_resolve(
        actor=officer, request=request, status="accepted", note="Đã sửa ngày tiêm",
        voided_dose=dose, added_dose=right,
    )  # fmt: skip
    resolved.refresh_from_db()
    assert (resolved.status, resolved.resolution_note) == ("accepted", "Đã sửa ngày tiêm")
    assert (resolved.voided_dose, resolved.added_dose) == (dose, right)
    assert (resolved.resolved_by, resolved.resolved_by_name) == (cast.users["commune"], "commune")
    event = _events(AuditAction.UPDATE).get()
    assert event.changes["voided_dose"] == str(dose.uuid)
    assert event.changes["status"] == "accepted"


def test_accepting_changes_no_dose(cast, dose):
    request = _ask(cast, dose=dose, kind="not_this_person")
    correction_request_resolve(
        actor=cast.actor("commune"), request=request, status="accepted", note="Sẽ hủy mũi"
    )
    dose.refresh_from_db()
    assert dose.is_valid


def test_a_rejection_says_why_and_names_no_dose(cast, dose):
    request = _ask(cast, dose=dose, kind="wrong_vaccine")
    officer = cast.actor("province")
    assert _codes(
        lambda: correction_request_resolve(actor=officer, request=request, status="rejected",
                                           note=" ")
    ) == ["correction_note_required"]  # fmt: skip
    assert _codes(
        lambda: correction_request_resolve(actor=officer, request=request, status="rejected",
                                           note="Sổ tiêm ghi đúng", added_dose=dose)
    ) == ["correction_rejected_with_doses"]  # fmt: skip
    correction_request_resolve(
        actor=officer, request=request, status="rejected", note="Sổ tiêm ghi đúng"
    )
    request.refresh_from_db()
    assert request.status == CorrectionStatus.REJECTED
    again = _codes(
        lambda: correction_request_resolve(actor=officer, request=request, status="accepted",
                                           note="Đổi ý")
    )  # fmt: skip
    assert again == ["correction_resolved"]


def test_a_dose_named_as_voided_must_have_been_voided(cast, dose):
    request = _ask(cast, dose=dose, kind="wrong_date")
    codes = _codes(
        lambda: correction_request_resolve(actor=cast.actor("commune"), request=request,
                                           status="accepted", note="Đã sửa", voided_dose=dose)
    )  # fmt: skip
    assert codes == ["correction_dose_not_voided"]


@pytest.mark.parametrize(
    ("role", "code"),
    [("site_staff", "not_an_officer"), ("analyst", "not_an_officer"),
     ("commune_other", "outside_unit"), ("province_other", "outside_unit")],
)  # fmt: skip
def test_who_may_not_answer_changes_nothing(cast, dose, role, code):
    request = _ask(cast, dose=dose, kind="wrong_date")
    codes = _codes(
        lambda: correction_request_resolve(actor=cast.actor(role), request=request,
                                           status="rejected", note="Không")
    )  # fmt: skip
    assert codes == [code]
    request.refresh_from_db()
    assert request.is_open
    assert not _events(AuditAction.UPDATE).exists()


# --- Reading --------------------------------------------------------------------------------


def test_the_list_shows_open_requests_first_and_is_audited(cast, dose):
    answered = _ask(cast, dose=dose, kind="wrong_date")
    correction_request_resolve(
        actor=cast.actor("commune"), request=answered, status="rejected", note="Đúng rồi"
    )
    waiting = _ask(cast)
    actor = cast.actor("commune")
    found = correction_requests_list(actor=actor, unit=cast.units.commune_a)
    assert found == [waiting, answered]
    assert correction_requests_list(actor=actor, unit=cast.units.commune_a, status="open") == [
        waiting
    ]
    shown = AuditEvent.objects.filter(object_type="correction_request", action=AuditAction.VIEW)
    assert shown.order_by("pk").first().changes["shown"] == [str(waiting.uuid), str(answered.uuid)]


def test_the_list_of_another_unit_is_empty_or_not_found(cast):
    _ask(cast)
    other = cast.actor("commune_other")
    assert correction_requests_list(actor=other, unit=cast.units.commune_b) == []
    with pytest.raises(Http404):
        correction_requests_list(actor=other, unit=cast.units.commune_a)
    assert correction_requests_list(actor=cast.actor("analyst"), unit=cast.units.province) == []


def test_the_list_reads_in_a_fixed_number_of_queries(cast, dose, django_assert_num_queries):
    for _request in range(3):
        _ask(cast)
    _ask(cast, dose=dose, kind="wrong_date")
    # The subtree's ids (cached after the first call), the page, the audit row.
    correction_requests_list(actor=cast.actor("commune"), unit=cast.units.commune_a)
    with django_assert_num_queries(2):
        correction_requests_list(actor=cast.actor("commune"), unit=cast.units.commune_a)


def test_one_request_is_read_with_the_persons_doses_and_not_found_outside_scope(cast, dose):
    request = _ask(cast, dose=dose, kind="wrong_date")
    page = correction_request_read(actor=cast.actor("site_staff"), request_uuid=request.uuid)
    assert (page.request, page.doses) == (request, [dose])
    event = AuditEvent.objects.get(object_type="correction_request", action=AuditAction.VIEW)
    assert event.changes == {"persons": [str(cast.own_person.uuid)], "shown": [str(dose.uuid)]}
    for role in ("commune_other", "province_other", "analyst", "district"):
        with pytest.raises(Http404):
            correction_request_read(actor=cast.actor(role), request_uuid=request.uuid)
