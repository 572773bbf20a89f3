import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.messaging.models import OutboundMessage
from sosuckhoe.vaccination.models import (
    Answer,
    Classification,
    Investigation,
    KnownAssociation,
    Reaction,
    ReactionOutcome,
    VoidKind,
)
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.eligibility import eligibility_check
from sosuckhoe.vaccination.services.reactions import (
    CausalitySteps,
    investigation_assess,
    reaction_outcome_set,
    reaction_record,
    reaction_watch_common,
)


@pytest.fixture
def dose(cast, site, stock, screened):
    lot = stock()
    screened(cast.own_person)
    return dose_record(
        actor=cast.actor("site_staff"),
        person=cast.own_person,
        product=lot.product,
        lot=lot,
        site=site,
    )


@pytest.fixture
def officers(cast):
    """Phones for every member of staff: who gets a notice is then who is meant to."""
    for i, user in enumerate(cast.users.values()):
        user.phone = f"+8491800{i:04d}"
        user.save(update_fields=["phone"])
    return cast.users


def _serious(cast, dose, role="site_staff", **kwargs):
    return reaction_record(
        actor=cast.actor(role),
        dose=dose,
        onset_at=timezone.now(),
        terms=kwargs.pop("terms", ["S2", "W7"]),
        **kwargs,
    )


def test_the_watch_records_a_common_reaction_in_one_call(cast, dose):
    reaction = reaction_watch_common(actor=cast.actor("site_staff"), dose=dose)
    assert (reaction.serious, reaction.during_watch, reaction.treated_at) == (
        False,
        True,
        "on_site",
    )
    assert list(reaction.terms.values_list("code", flat=True)) == ["C1"]
    assert not Investigation.objects.exists()
    assert AuditEvent.objects.filter(object_type="reaction", object_uuid=reaction.uuid).exists()


def test_a_serious_reaction_opens_an_investigation_and_tells_the_officers_above_the_person(
    cast, dose, officers
):
    reaction = _serious(cast, dose)
    investigation = reaction.investigation
    assert reaction.serious
    assert investigation.investigate_by - investigation.opened_at == dt.timedelta(hours=24)
    assert investigation.assess_by - investigation.opened_at == dt.timedelta(days=5)
    told = set(OutboundMessage.objects.values_list("to", flat=True))
    assert told == {officers["commune"].phone, officers["province"].phone}
    body = OutboundMessage.objects.first().body
    assert str(reaction.uuid)[:8] in body
    assert cast.own_person.full_name not in body


def test_the_district_officer_is_told_in_a_three_level_province(
    cast, site, stock, screened, officers
):
    lot = stock()
    screened(cast.district_person)
    given = dose_record(
        actor=cast.actor("site_staff"),
        person=cast.district_person,
        product=lot.product,
        lot=lot,
        site=site,
    )
    _serious(cast, given)
    assert set(OutboundMessage.objects.values_list("to", flat=True)) == {officers["district"].phone}


@pytest.mark.parametrize("outcome", [ReactionOutcome.DIED, ReactionOutcome.SEQUELAE])
def test_death_or_sequelae_make_a_reaction_serious_whatever_its_signs(cast, dose, outcome):
    reaction = _serious(cast, dose, terms=["C2"], outcome=outcome)
    assert reaction.serious
    assert Investigation.objects.filter(reaction=reaction).exists()


def test_a_reaction_that_worsens_opens_its_investigation_then(cast, dose, officers):
    reaction = reaction_watch_common(actor=cast.actor("site_staff"), dose=dose)
    reaction_outcome_set(
        actor=cast.actor("commune"), reaction=reaction, outcome=ReactionOutcome.DIED
    )
    reaction.refresh_from_db()
    assert reaction.serious
    assert Investigation.objects.filter(reaction=reaction).exists()
    assert OutboundMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"terms": []}, "terms_required"),
        ({"terms": ["Z9"]}, "unknown_term"),
        ({"terms": ["K1"]}, "unknown_term"),  # a cause category is not a sign
        ({"onset_at": timezone.now() - dt.timedelta(days=2)}, "onset_before_dose"),
        ({"onset_at": timezone.now() + dt.timedelta(hours=1)}, "onset_in_future"),
        ({"role": "province_other"}, "outside_unit"),
    ],
)
def test_a_reaction_needs_known_signs_after_the_dose_within_the_unit(cast, dose, kwargs, code):
    events = AuditEvent.objects.count()
    role = kwargs.pop("role", "site_staff")
    fields = {"onset_at": timezone.now(), "terms": ["C1"]} | kwargs
    with pytest.raises(ValidationError) as error:
        reaction_record(actor=cast.actor(role), dose=dose, **fields)
    assert refusal_codes(error.value) == [code]
    assert (Reaction.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_the_one_click_is_for_common_signs_on_the_days_watch(cast, dose):
    with pytest.raises(ValidationError) as error:
        reaction_watch_common(actor=cast.actor("site_staff"), dose=dose, terms=["S2"])
    assert refusal_codes(error.value) == ["not_common"]
    dose.given_on -= dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        reaction_watch_common(actor=cast.actor("site_staff"), dose=dose)
    assert refusal_codes(error.value) == ["watch_over"]


def test_no_reaction_is_recorded_on_a_voided_dose(cast, dose):
    dose_void(actor=cast.actor("site_staff"), dose=dose, kind=VoidKind.ENTERED_IN_ERROR, reason="x")
    with pytest.raises(ValidationError) as error:
        reaction_watch_common(actor=cast.actor("site_staff"), dose=dose)
    assert refusal_codes(error.value) == ["dose_voided"]


def test_anaphylaxis_rules_out_the_same_vaccine_but_not_another(cast, dose, comirnaty):
    _serious(cast, dose)
    tomorrow = timezone.localdate() + dt.timedelta(days=60)
    same = eligibility_check(person=cast.own_person, on=tomorrow, product=comirnaty)
    assert "contraindicated" in [r.code for r in same.refusals]
    any_product = eligibility_check(person=cast.own_person, on=tomorrow)
    assert comirnaty not in any_product.products
    assert any_product.products


def _assess(cast, investigation, role="province", classification=Classification.A1, **answers):
    steps = CausalitySteps(
        **(
            {
                "diagnosis": "Sốc phản vệ độ 3",
                "diagnosis_valid": True,
                "other_cause": Answer.NO,
                "known_association": KnownAssociation.PRODUCT,
                "within_time_window": Answer.YES,
                "evidence_against": Answer.NO,
            }
            | answers
        )
    )
    return investigation_assess(
        actor=cast.actor(role),
        investigation=investigation,
        steps=steps,
        classification=classification,
    )


def test_the_province_classifies_a_serious_reaction_by_the_who_steps(cast, dose):
    investigation = _serious(cast, dose).investigation
    assessed = _assess(cast, investigation)
    assert (assessed.classification, assessed.assessed_by) == ("A1", cast.users["province"])


@pytest.mark.parametrize(
    "steps",
    [
        {"classification": Classification.A2},  # step 2 found a product reaction, not quality
        {"classification": Classification.C},  # nothing pointed to another cause
        {"diagnosis_valid": False},  # no valid diagnosis: unclassifiable only
        {"within_time_window": Answer.NO},  # A needs the time window
    ],
)
def test_a_classification_that_the_steps_do_not_lead_to_is_refused(cast, dose, steps):
    investigation = _serious(cast, dose).investigation
    with pytest.raises(ValidationError) as error:
        _assess(cast, investigation, **steps)
    assert refusal_codes(error.value) == ["classification_inconsistent"]


def test_a_case_without_a_valid_diagnosis_is_unclassifiable(cast, dose):
    investigation = _serious(cast, dose).investigation
    assessed = _assess(cast, investigation, diagnosis_valid=False, classification=Classification.D)
    assert assessed.classification == "D"


def test_a_commune_officer_does_not_classify(cast, dose):
    investigation = _serious(cast, dose).investigation
    with pytest.raises(ValidationError) as error:
        _assess(cast, investigation, role="commune")
    assert refusal_codes(error.value) == ["not_an_assessor"]


def test_an_assessment_with_an_unanswered_step_is_refused(cast, dose):
    investigation = _serious(cast, dose).investigation
    with pytest.raises(ValidationError) as error:
        _assess(cast, investigation, evidence_against="")
    assert refusal_codes(error.value) == ["assessment_incomplete"]
    investigation.refresh_from_db()
    assert investigation.classification == ""


def test_an_officer_without_a_phone_is_told_by_e_mail_and_one_without_either_is_skipped(cast, dose):
    province = cast.users["province"]
    province.email = "tinh@example.vn"
    province.save(update_fields=["email"])
    _serious(cast, dose)
    assert list(OutboundMessage.objects.values_list("channel", "to")) == [
        ("email", "tinh@example.vn")
    ]
