import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Screening, ScreeningAnswer, ScreeningOutcome
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.screening import Vitals, screening_record

NORMAL = Vitals(temperature_c=Decimal("36.6"), pulse_per_min=80)


def _screen(cast, site, answers, person=None, role="site_staff", vitals=NORMAL, **kwargs):
    return screening_record(
        actor=cast.actor(role),
        person=person or cast.own_person,
        site=site,
        answers=answers,
        vitals=vitals,
        **kwargs,
    )


def _decisive(screening):
    answers = ScreeningAnswer.objects.filter(screening=screening, decisive=True)
    return sorted(answers.values_list("item__code", flat=True))


@pytest.mark.parametrize(
    ("yes", "outcome", "decisive"),
    [
        ((), ScreeningOutcome.ELIGIBLE, []),
        (("1",), ScreeningOutcome.CONTRAINDICATED, ["1"]),
        (("2", "7"), ScreeningOutcome.POSTPONE, ["2"]),
        (("4a",), ScreeningOutcome.POSTPONE, ["4a"]),
        (("4b", "8"), ScreeningOutcome.CAUTION, ["4b", "8"]),
        (("5", "9"), ScreeningOutcome.AT_HOSPITAL, ["5"]),
        (("1", "3", "5", "6"), ScreeningOutcome.CONTRAINDICATED, ["1"]),
    ],
)
def test_the_adult_forms_outcome_is_that_of_its_most_restrictive_yes(
    cast, site, answers, yes, outcome, decisive
):
    screening = _screen(cast, site, answers("adult", *yes))
    assert (screening.outcome, _decisive(screening)) == (outcome, decisive)
    assert screening.form.version == "3802/QĐ-BYT"


@pytest.mark.parametrize(
    "vitals",
    [
        Vitals(temperature_c=Decimal("37.8")),
        Vitals(temperature_c=Decimal("36.5"), pulse_per_min=110),
        Vitals(temperature_c=Decimal("36.5"), systolic_mmhg=150, diastolic_mmhg=85),
        Vitals(temperature_c=Decimal("36.5"), respiratory_rate=28),
    ],
    ids=["fever", "fast pulse", "high pressure", "fast breathing"],
)
def test_abnormal_vital_signs_put_an_adult_in_the_caution_group_whatever_was_ticked(
    cast, site, answers, vitals
):
    screening = _screen(cast, site, answers("adult"), vitals=vitals)
    assert (screening.outcome, _decisive(screening)) == (ScreeningOutcome.CAUTION, ["10"])


def test_a_child_is_screened_on_the_childrens_checklist(cast, site, answers):
    child = PersonFactory(
        home_unit=cast.units.commune_a, birth_date=dt.date(2015, 6, 1), id_kind="none", id_number=""
    )
    screening = _screen(cast, site, answers("child", "6"), person=child)
    assert (screening.form.version, screening.outcome) == (
        "5002/QĐ-BYT",
        ScreeningOutcome.AT_HOSPITAL,
    )
    other = _screen(
        cast, site, answers("child", "8") | {"8": (True, "vừa tiêm vắc xin sởi")}, person=child
    )
    assert other.outcome == ScreeningOutcome.POSTPONE
    assert (
        ScreeningAnswer.objects.get(screening=other, item__code="8").detail
        == "vừa tiêm vắc xin sởi"
    )


def test_a_screening_is_audited_with_its_outcome_and_the_items_that_decided_it(cast, site, answers):
    screening = _screen(cast, site, answers("adult", "3"))
    event = AuditEvent.objects.get(object_uuid=screening.uuid)
    assert (event.object_type, event.changes["outcome"], event.changes["decisive"]) == (
        "screening",
        ScreeningOutcome.POSTPONE,
        ["3"],
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda a: {k: v for k, v in a.items() if k != "3"}, "answers_incomplete"),
        (lambda a: a | {"99": True}, "unknown_item"),
    ],
)
def test_every_question_is_answered_and_nothing_else(cast, site, answers, change, code):
    with pytest.raises(ValidationError) as error:
        _screen(cast, site, change(answers("adult")))
    assert refusal_codes(error.value) == [code]
    assert not Screening.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"vitals": Vitals()}, "temperature_required"),
        (
            {"vitals": Vitals(temperature_c=Decimal("36.5"), pulse_per_min=400)},
            "vitals_out_of_range",
        ),
        ({"role": "commune_other"}, "outside_unit"),
    ],
)
def test_a_screening_without_a_temperature_with_impossible_signs_or_elsewhere_is_refused(
    cast, site, answers, kwargs, code
):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        _screen(cast, site, answers("adult"), **kwargs)
    assert refusal_codes(error.value) == [code]
    assert (Screening.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_a_merged_record_is_not_screened(cast, site, answers):
    merged = PersonFactory(home_unit=cast.units.commune_a, merged_into=cast.own_person)
    with pytest.raises(ValidationError) as error:
        _screen(cast, site, answers("adult"), person=merged)
    assert refusal_codes(error.value) == ["person_merged"]
