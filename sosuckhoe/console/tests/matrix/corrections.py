"""Correction requests: entered from the person's page and read by staff who see the person,
listed for each one's unit, answered by health officers (commune and above)."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import PERSONAL_DATA, SEES_COMMUNE_A, Case
from sosuckhoe.console.tests.matrix.registrations import review
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.vaccination.services import correction_request_create


def request_form(**changes: object) -> dict[str, object]:
    """A dose missing from the record, told at the station by the person's mother."""
    return {
        "kind": "missing_dose", "dose": "", "should_read": "Mũi 1 AstraZeneca ngày 02/08/2021",
        "evidence": "Giấy xác nhận tiêm", "channel": "at_station",
        "requester_name": "Nguyễn Thị Lan", "requester_relation": "parent",
        "requester_phone": "0912345678", **changes,
    }  # fmt: skip


def cases(cast) -> list[Case]:
    person = cast.own_person
    asked = correction_request_create(
        actor=SYSTEM, person=person, kind="wrong_details", should_read="Ngày sinh 03/04/1990",
        requester_name=person.full_name, requester_relation="self", channel="phone",
    )  # fmt: skip
    url, listed = reverse, reverse("console:corrections")
    return [
        Case("console:corrections", listed, PERSONAL_DATA, PERSONAL_DATA, post=None),
        Case("console:corrections", f"{listed}?unit={cast.units.commune_a.code}&status=open",
             SEES_COMMUNE_A, PERSONAL_DATA, post=None),
        Case("console:corrections", f"{listed}?person={person.uuid}", SEES_COMMUNE_A,
             PERSONAL_DATA, post=None),
        Case("console:correction_new", url("console:correction_new", args=[person.uuid]),
             SEES_COMMUNE_A, PERSONAL_DATA, post=request_form()),
        Case("console:correction", url("console:correction", args=[asked.uuid]), SEES_COMMUNE_A,
             PERSONAL_DATA, post=None),
        review("console:correction_resolve", url("console:correction_resolve", args=[asked.uuid]),
               {"status": "rejected", "note": "Ngày sinh trên hồ sơ khớp với CCCD"}),
    ]  # fmt: skip
