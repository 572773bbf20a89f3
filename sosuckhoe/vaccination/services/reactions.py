"""Reactions after a dose, and the investigation a serious one opens at once."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, Role
from sosuckhoe.analytics.services import RollupChanges, rollups_apply
from sosuckhoe.core.idempotency import create_once
from sosuckhoe.people.identity import normalize_phone
from sosuckhoe.vaccination.models import (
    SERIOUS_OUTCOMES,
    AefiCategory,
    AefiTerm,
    Answer,
    Classification,
    Dose,
    Investigation,
    KnownAssociation,
    Reaction,
    ReactionOutcome,
    TreatmentPlace,
)
from sosuckhoe.vaccination.services.common import locked, record_audit, refusal, require_cover
from sosuckhoe.vaccination.services.notices import serious_reaction_notify

SYMPTOM_CATEGORIES = (
    AefiCategory.COMMON,
    AefiCategory.WARNING_SIGN,
    AefiCategory.SERIOUS_CRITERION,
)
# The investigation: within 24 hours; the expert council's assessment within 5 days
# (NĐ 104/2016/NĐ-CP).
INVESTIGATE_WITHIN = dt.timedelta(hours=24)
ASSESS_WITHIN = dt.timedelta(days=5)
# Who classifies: the district and province, for the provincial expert council.
ASSESSOR_ROLES = (Role.DISTRICT, Role.PROVINCE, Role.NATIONAL_ADMIN)


def _terms(codes: Sequence[str]) -> list[AefiTerm]:
    if not codes:
        raise refusal("terms_required", _("Choose at least one sign of the reaction."))
    terms = list(AefiTerm.objects.filter(code__in=codes, category__in=SYMPTOM_CATEGORIES))
    if unknown := sorted(set(codes) - {t.code for t in terms}):
        raise refusal(
            "unknown_term",
            _("Not a sign of a reaction: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    return terms


def _dose_for_reaction(actor: Actor, dose: Dose) -> Dose:
    fresh: Dose = locked(Dose, dose.pk, "person__home_unit", "site__unit", "product")
    require_cover(actor, fresh.person.home_unit, fresh.site.unit)
    if fresh.voided_at is not None:
        raise refusal("dose_voided", _("This dose was voided."))
    return fresh


def _check_onset(dose: Dose, onset_at: dt.datetime) -> None:
    if onset_at < dose.given_at:
        raise refusal("onset_before_dose", _("The reaction began before the dose was given."))
    if onset_at > timezone.now():
        raise refusal("onset_in_future", _("The reaction's onset is in the future."))


def _is_serious(terms: list[AefiTerm], outcome: str) -> bool:
    """Serious: a criterion of Thông tư 12/2014/TT-BYT among its signs, sequelae or death."""
    return outcome in SERIOUS_OUTCOMES or any(
        t.category == AefiCategory.SERIOUS_CRITERION for t in terms
    )


def _reaction_audit(
    actor: Actor, action: AuditAction, reaction: Reaction, **changes: object
) -> None:
    record_audit(
        actor=actor,
        action=action,
        record=reaction,
        object_type="reaction",
        scope_path=reaction.dose.person.home_unit.path,
        summary=f"{reaction.dose.person.full_name}: {'serious' if reaction.serious else 'common'}",
        changes={"serious": reaction.serious, "outcome": reaction.outcome, **changes},
    )


@transaction.atomic
def reaction_record(
    *,
    actor: Actor,
    dose: Dose,
    onset_at: dt.datetime,
    terms: Sequence[str],
    outcome: str = ReactionOutcome.RECOVERING,
    treatment: str = "",
    treated_at: str = TreatmentPlace.NONE,
    reporter_name: str = "",
    reporter_phone: str = "",
    note: str = "",
    during_watch: bool = False,
    submission_key: UUID | None = None,
) -> Reaction:
    """Record a reaction after a dose, with its signs from the coded list. Its seriousness is
    derived; a serious one opens an investigation and tells the officers at once. A form sent
    twice records once, so that the officers are not told twice."""

    def create() -> Reaction:
        fresh = _dose_for_reaction(actor, dose)
        _check_onset(fresh, onset_at)
        chosen = _terms(terms)
        if actor.user is None and not reporter_name.strip():
            raise refusal("reporter_required", _("Say who reported the reaction."))
        phone = normalize_phone(reporter_phone)[0] if reporter_phone.strip() else ""
        reaction = Reaction(
            dose=fresh,
            onset_at=onset_at,
            serious=_is_serious(chosen, outcome),
            outcome=outcome,
            treatment=treatment.strip()[:300],
            treated_at=treated_at,
            during_watch=during_watch,
            reporter=actor.user,
            reporter_name=reporter_name.strip()[:120],
            reporter_phone=phone,
            note=note.strip()[:300],
        )
        try:
            reaction.full_clean(exclude=["dose", "reporter"], validate_constraints=False)
        except ValidationError as error:
            raise refusal("reaction_invalid", "; ".join(error.messages)) from None
        reaction.save()
        reaction.terms.set(chosen)
        rollups = RollupChanges()
        rollups.reaction_added(reaction, [t.pk for t in chosen])
        rollups_apply(rollups)
        _reaction_audit(actor, AuditAction.CREATE, reaction, terms=sorted(terms))
        if reaction.serious:
            _investigation_open(actor, reaction)
        return reaction

    def find(uuid: UUID) -> Reaction:
        return Reaction.objects.visible_to(actor.user).get(uuid=uuid)

    return create_once(submission_key, owner=actor.name, create=create, find=find)


@transaction.atomic
def reaction_watch_common(*, actor: Actor, dose: Dose, terms: Sequence[str] = ("C1",)) -> Reaction:
    """The one click of the watch after a dose: a common reaction, now, treated on site."""
    if AefiTerm.objects.filter(code__in=terms).exclude(category=AefiCategory.COMMON).exists():
        raise refusal("not_common", _("This sign is not a common reaction: record it in full."))
    if dose.given_on != timezone.localdate():
        raise refusal("watch_over", _("The watch after this dose is over."))
    return reaction_record(
        actor=actor,
        dose=dose,
        onset_at=timezone.now(),
        terms=terms,
        treated_at=TreatmentPlace.ON_SITE,
        during_watch=True,
    )


@transaction.atomic
def reaction_outcome_set(*, actor: Actor, reaction: Reaction, outcome: str) -> Reaction:
    """Follow a reaction's outcome; one that ends in sequelae or death becomes serious, and
    its investigation opens then."""
    if outcome not in ReactionOutcome.values:
        raise refusal("outcome_invalid", _("Choose an outcome from the list."))
    reaction = locked(
        Reaction, reaction.pk, "dose__person__home_unit", "dose__site__unit", "dose__product"
    )
    require_cover(actor, reaction.dose.person.home_unit, reaction.dose.site.unit)
    before = reaction.outcome
    became_serious = not reaction.serious and outcome in SERIOUS_OUTCOMES
    reaction.outcome, reaction.serious = outcome, reaction.serious or became_serious
    reaction.save(update_fields=["outcome", "serious"])
    if became_serious:
        rollups = RollupChanges()
        rollups.reaction_made_serious(reaction, reaction.terms.values_list("pk", flat=True))
        rollups_apply(rollups)
    _reaction_audit(actor, AuditAction.UPDATE, reaction, outcome_before=before)
    if became_serious:
        _investigation_open(actor, reaction)
    return reaction


def _investigation_open(actor: Actor, reaction: Reaction) -> Investigation:
    now = timezone.now()
    investigation = Investigation.objects.create(
        reaction=reaction,
        opened_at=now,
        investigate_by=now + INVESTIGATE_WITHIN,
        assess_by=now + ASSESS_WITHIN,
    )
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=investigation,
        object_type="investigation",
        scope_path=reaction.dose.person.home_unit.path,
        summary=f"{reaction.dose.person.full_name}: {reaction.dose.product}",
    )
    serious_reaction_notify(actor=actor, reaction=reaction)
    return investigation


@dataclass(frozen=True)
class CausalitySteps:
    """Steps 1 and 2 of the WHO causality assessment, as the investigation found them."""

    diagnosis: str
    diagnosis_valid: bool  # step 1: the event meets a case definition
    other_cause: str  # Answer: strong evidence for another cause?
    known_association: str  # KnownAssociation: with the product, its quality, an error, anxiety
    within_time_window: str  # Answer: in the window of increased risk?
    evidence_against: str  # Answer: strong evidence against causality?
    qualifying_factors: str = ""

    def complete(self) -> bool:
        answers = (self.other_cause, self.within_time_window, self.evidence_against)
        return (
            all(a in Answer.values for a in answers)
            and self.known_association in KnownAssociation.values
        )

    def lead_to(self, classification: str) -> bool:
        """Step 3, the WHO algorithm, as checks: an ineligible case is unclassifiable; A needs
        the known association within its time window and no stronger other cause; C needs
        strong evidence of another cause or against causality; B1 a consistent time."""
        if not self.diagnosis_valid:
            return classification == Classification.D
        if classification in ASSOCIATION_OF:
            return (
                self.known_association == ASSOCIATION_OF[Classification(classification)]
                and self.within_time_window == Answer.YES
                and self.other_cause != Answer.YES
            )
        if classification == Classification.C:
            return Answer.YES in (self.other_cause, self.evidence_against)
        if classification == Classification.B1:
            return self.within_time_window == Answer.YES
        return classification in Classification.values


# What step 2 must have found for each classification of consistent causal association.
ASSOCIATION_OF = {
    Classification.A1: KnownAssociation.PRODUCT,
    Classification.A2: KnownAssociation.QUALITY,
    Classification.A3: KnownAssociation.ERROR,
    Classification.A4: KnownAssociation.ANXIETY,
}


def _check_steps(steps: CausalitySteps, classification: str) -> None:
    if classification not in Classification.values or not steps.complete():
        raise refusal("assessment_incomplete", _("Answer every step and choose a classification."))
    if not steps.lead_to(classification):
        raise refusal(
            "classification_inconsistent",
            _("This classification does not follow from the answers of steps 1 and 2."),
        )


def _investigation_for_assessment(actor: Actor, investigation: Investigation) -> Investigation:
    if actor.user is not None and actor.user.role not in ASSESSOR_ROLES:
        raise refusal("not_an_assessor", _("The district or province assesses causality."))
    fresh: Investigation = locked(
        Investigation,
        investigation.pk,
        "reaction__dose__person__home_unit",
        "reaction__dose__site__unit",
    )
    dose = fresh.reaction.dose
    require_cover(actor, dose.person.home_unit, dose.site.unit)
    return fresh


@transaction.atomic
def investigation_assess(
    *, actor: Actor, investigation: Investigation, steps: CausalitySteps, classification: str
) -> Investigation:
    """Record the WHO causality assessment (steps 1, 2 and the classification of step 4),
    refused when the classification contradicts the steps that lead to it. The council may
    assess again; each assessment is audited with the classification it replaced."""
    investigation = _investigation_for_assessment(actor, investigation)
    _check_steps(steps, classification)
    before = investigation.classification
    for name, value in asdict(steps).items():
        setattr(investigation, name, value.strip()[:300] if name == "diagnosis" else value)
    investigation.classification = classification
    investigation.assessed_at, investigation.assessed_by = timezone.now(), actor.user
    investigation.save()
    record_audit(
        actor=actor,
        action=AuditAction.UPDATE,
        record=investigation,
        object_type="investigation",
        scope_path=investigation.reaction.dose.person.home_unit.path,
        summary=f"{before or '…'} → {classification}",
        changes={"classification": [before, classification]},
    )
    return investigation
