"""Recording and voiding doses. A dose is recorded with its use of stock in one transaction,
or refused with every reason and nothing written; a wrong one is voided, never deleted, and
the doses after it are numbered again."""

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_event
from sosuckhoe.accounts.models import AuditAction, AuditEvent, StaffUser
from sosuckhoe.analytics.services import RollupChanges, rollups_apply
from sosuckhoe.core.bulk import insert_few, unsaved
from sosuckhoe.core.idempotency import create_once
from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.schedule import DoseAssessment
from sosuckhoe.supply.services import stock_return_use, stock_use_within
from sosuckhoe.vaccination.models import (
    Booking,
    Dose,
    Registration,
    RegistrationStatus,
    Screening,
    ScreeningOutcome,
    VoidKind,
)
from sosuckhoe.vaccination.services.bookings import booking_close_for_dose
from sosuckhoe.vaccination.services.common import (
    conflict_refused,
    locked,
    person_locked,
    refusal,
    refuse_any,
    require_active,
    require_cover,
)
from sosuckhoe.vaccination.services.eligibility import (
    PersonFacts,
    ScheduleView,
    contraindication_refusals,
    person_facts,
)
from sosuckhoe.vaccination.signals import doses_changed

DOSE_EXISTS = "dose_exists"
# What a screening must have concluded for a dose the same day; a hospital also gives the
# doses that screening sends to a facility able to treat anaphylaxis.
MAY_VACCINATE = (ScreeningOutcome.ELIGIBLE, ScreeningOutcome.CAUTION)


# Not frozen, as other value types are: a batch builds these for every dose it judges, and a
# frozen dataclass's __init__ costs five times a plain one's (each field set through
# object.__setattr__).
@dataclass
class DoseEntry:
    """What the form or the API says about one dose, before any rule is checked."""

    person: Person
    product: Product
    lot: Lot
    site: Facility
    given_at: dt.datetime
    vaccinator: StaffUser | None
    screening: Screening | None
    booking: Booking | None
    late_entry_reason: str
    use_stock: bool

    @cached_property
    def given_on(self) -> dt.date:
        # The day in the project's zone, named rather than looked up as the active one
        # (the same zone: none other is ever activated) at a tenth of the cost in a batch.
        return self.given_at.astimezone(timezone.get_default_timezone()).date()

    @cached_property
    def is_late(self) -> bool:
        """Entered on a later day than it was given: a dose from a paper record."""
        return self.given_on < dt.datetime.now(timezone.get_default_timezone()).date()


def _check_entry(actor: Actor, entry: DoseEntry) -> None:
    """Who may enter it and when: the site's staff, with its stock; a late entry that uses no
    stock (a paper record of a dose given long ago) also the person's own unit."""
    if entry.use_stock or not entry.is_late:
        require_cover(actor, entry.site.unit)
    else:
        require_cover(actor, entry.site.unit, entry.person.home_unit)
    if not entry.site.is_vaccination_site:
        raise refusal("not_a_site", _("This facility does not vaccinate."))
    if entry.given_at > timezone.now():
        raise refusal("given_in_future", _("A dose cannot be recorded ahead of time."))
    if entry.is_late and not entry.late_entry_reason.strip():
        raise refusal(
            "late_entry_reason_required",
            _("Say why this dose is entered after its day (for example: from the paper tally)."),
        )
    if not entry.use_stock and not entry.is_late:
        raise refusal("stock_required", _("A dose given today uses the site's stock."))


def _lot_refusals(entry: DoseEntry) -> list[ValidationError]:
    lot, refusals = entry.lot, []
    if lot.product_id != entry.product.pk:
        refusals.append(
            refusal(
                "lot_wrong_product",
                _("Lot %(lot)s is of %(product)s.") % {"lot": lot.number, "product": lot.product},
            )
        )
    if lot.expiry_date < entry.given_on:
        refusals.append(
            refusal(
                "lot_expired",
                _("Lot %(lot)s expired on %(expiry)s.")
                % {"lot": lot.number, "expiry": lot.expiry_date.strftime("%d/%m/%Y")},
            )
        )
    if lot.recalled_at is not None and lot.recalled_at <= entry.given_at:
        refusals.append(
            refusal("lot_recalled", _("Lot %(lot)s has been recalled.") % {"lot": lot.number})
        )
    return refusals


def _screening_of_day(entry: DoseEntry, facts: PersonFacts) -> Screening | None:
    """The screening the dose follows: the one given, or the person's latest of that day."""
    if entry.screening is not None:
        return entry.screening
    return facts.screening_of_day(entry.given_on)


def _screening_refusals(entry: DoseEntry, screening: Screening | None) -> list[ValidationError]:
    """An eligible screening of the dose's day is needed; a late entry with none on record
    was screened on paper. A screening that said no refuses the dose, late or not."""
    if screening is None:
        if entry.is_late:
            return []
        return [refusal("not_screened_eligible", _("The person has not been screened today."))]
    if screening.person_id != entry.person.pk or screening.screened_on != entry.given_on:
        return [refusal("screening_mismatch", _("This screening is of another person or day."))]
    allowed = screening.outcome in MAY_VACCINATE or (
        screening.outcome == ScreeningOutcome.AT_HOSPITAL
        and entry.site.kind == FacilityKind.HOSPITAL
    )
    if allowed:
        return []
    return [
        refusal(
            "not_screened_eligible",
            _("The screening of %(day)s concluded: %(outcome)s.")
            % {
                "day": entry.given_on.strftime("%d/%m/%Y"),
                "outcome": screening.get_outcome_display(),
            },
        )
    ]


def _duplicate_refusals(entry: DoseEntry, facts: PersonFacts) -> list[ValidationError]:
    if facts.has_dose(entry.product.pk, entry.given_on):
        return [refusal(DOSE_EXISTS, _("This dose is already recorded."))]
    return []


def _booking_refusals(entry: DoseEntry) -> list[ValidationError]:
    booking = entry.booking
    if booking is None:
        return []
    if booking.person_id != entry.person.pk or booking.session.site_id != entry.site.pk:
        return [refusal("booking_mismatch", _("This booking is of another person or site."))]
    return []


def _booking_of(entry: DoseEntry, facts: PersonFacts) -> Booking | None:
    """The booking the dose was given in: the one given, or the person's checked-in booking
    at a session of the site that day."""
    if entry.booking is not None:
        return entry.booking
    return facts.checked_in_at(entry.site.pk, entry.given_on)


def _refusals(
    entry: DoseEntry, facts: PersonFacts, screening: Screening | None, assessment: DoseAssessment
) -> list[ValidationError]:
    """Every rule that refuses the dose, so that the form shows them all at once."""
    return (
        _lot_refusals(entry)
        + _screening_refusals(entry, screening)
        + _booking_refusals(entry)
        + _duplicate_refusals(entry, facts)
        + contraindication_refusals(entry.person, entry.product, entry.given_on, facts=facts)
        + list(assessment.refusals)
    )


@dataclass
class Verdict:
    """What the rules found for a dose they allow: the screening and booking it follows, and
    the schedule's kind and number."""

    screening: Screening | None
    booking: Booking | None
    assessment: DoseAssessment


def dose_check(actor: Actor, entry: DoseEntry, facts: PersonFacts) -> Verdict:
    """Every rule of a dose, judged on the facts of its person (the person row locked): the
    one path of dose_record and of doses_record_batch. Raises the refusals."""
    require_active(entry.person)
    _check_entry(actor, entry)
    screening = _screening_of_day(entry, facts)
    assessment = ScheduleView.of_facts(entry.person, entry.given_on, facts).assess(entry.product)
    refuse_any(_refusals(entry, facts, screening, assessment))
    return Verdict(screening, _booking_of(entry, facts), assessment)


def dose_of(entry: DoseEntry, verdict: Verdict) -> Dose:
    """The dose row of an entry the rules allowed, not saved."""
    assessment = verdict.assessment
    return unsaved(
        Dose,
        {
            "person": entry.person,
            "product": entry.product,
            "lot": entry.lot,
            "site": entry.site,
            "vaccinator": entry.vaccinator,
            "screening": verdict.screening,
            "booking": verdict.booking,
            "rule": assessment.rule,
        },
        uuid=new_uuid(),
        given_at=entry.given_at,
        given_on=entry.given_on,
        kind=assessment.kind,
        number=assessment.number,
        series_doses=assessment.series_doses,
        late_entry_reason=entry.late_entry_reason.strip()[:300],
    )


def fulfil(dose: Dose, entry: DoseEntry, facts: PersonFacts) -> None:
    """The booking the dose was given in, and the person's open registration, are done; an
    old dose from paper fulfils no registration of today."""
    if dose.booking is not None:
        booking_close_for_dose(booking=dose.booking)
    if not entry.is_late and facts.open_registration:
        open_registrations = Registration.objects.open().filter(person=entry.person)
        open_registrations.update(status=RegistrationStatus.VACCINATED)


def _record(actor: Actor, entry: DoseEntry, facts: PersonFacts | None = None) -> Dose:
    if facts is None:
        facts = person_facts([entry.person.pk])[entry.person.pk]
    dose = dose_of(entry, dose_check(actor, entry, facts))
    # The ledger line's audit row and the dose's, written by one INSERT at the end.
    events: list[AuditEvent] = []
    if entry.use_stock:
        dose.stock_use = stock_use_within(
            actor=actor,
            facility=entry.site,
            lot=entry.lot,
            on=entry.given_on,
            reference=f"dose:{dose.uuid}",
            events=events,
        )
    # The rules refused a second dose already, under the person's lock; the constraint is the
    # last guard, and its refusal ends dose_record.
    with conflict_refused(DOSE_EXISTS, _("This dose is already recorded."), savepoint=False):
        insert_few(Dose, [dose])
    fulfil(dose, entry, facts)
    rollups = RollupChanges()
    rollups.dose_added(dose)
    # Only a dose entered before others on record changes their numbers.
    last = facts.last_given_at
    backdated = last is not None and dose.given_at <= last
    renumbered = renumber_after(dose, rollups=rollups) if backdated else {}
    rollups_apply(rollups)
    doses_changed.send(sender=Dose, actor=actor, person_ids=[dose.person_id])
    event = dose_event(
        actor,
        AuditAction.CREATE,
        dose,
        late=entry.is_late,
        late_entry_reason=dose.late_entry_reason,
        renumbered=renumbered,
    )
    insert_few(AuditEvent, [*events, event])
    return dose


@transaction.atomic
def dose_record(
    *,
    actor: Actor,
    person: Person,
    product: Product,
    lot: Lot,
    site: Facility,
    given_at: dt.datetime | None = None,
    vaccinator: StaffUser | None = None,
    screening: Screening | None = None,
    booking: Booking | None = None,
    late_entry_reason: str = "",
    use_stock: bool = True,
    submission_key: UUID | None = None,
) -> Dose:
    """Record a dose given, and use its stock. Its kind and number are derived; refused with
    every reason and nothing written when a rule says no. A dose of an earlier day (a missing
    one) is entered with its real date and a reason, and the doses after it are renumbered."""
    entry = DoseEntry(
        person=person_locked(person),
        product=product,
        lot=lot,
        site=site,
        given_at=given_at or timezone.now(),
        vaccinator=vaccinator,
        screening=screening,
        booking=booking,
        late_entry_reason=late_entry_reason,
        use_stock=use_stock,
    )
    return dose_record_entry(actor=actor, entry=entry, submission_key=submission_key)


def dose_record_entry(
    *,
    actor: Actor,
    entry: DoseEntry,
    submission_key: UUID | None = None,
    facts: PersonFacts | None = None,
) -> Dose:
    """dose_record within the caller's transaction, whose first lock was the person's, as
    person_locked takes it (`entry.person` is that locked row); a refusal ends the
    transaction. `facts`: the person's, if the caller read them after that lock."""

    def find(uuid: UUID) -> Dose:
        return Dose.objects.visible_to(actor.user).get(uuid=uuid)

    return create_once(
        submission_key, owner=actor.name, create=lambda: _record(actor, entry, facts), find=find
    )


def renumber_after(dose: Dose, *, rollups: RollupChanges) -> dict[str, list[str]]:
    """Derive again the kind and number of the person's valid doses after `dose` (one added
    before them, or voided), each judged by the doses before it; each one renumbered moves
    its count in `rollups`. Returns what changed."""
    return renumber_after_each([dose], rollups=rollups)[dose.pk]


def renumber_after_each(
    doses: Collection[Dose], *, rollups: RollupChanges
) -> dict[int, dict[str, list[str]]]:
    """renumber_after for each of these doses, each of another person (a batch's earliest
    dose entered before others of its person): their persons' doses read in one query, where
    a query a dose cost more to compile than to run. What changed, by the dose's pk."""
    if not doses:
        return {}
    found = (
        Dose.objects.valid()
        .filter(person_id__in={dose.person_id for dose in doses})
        .exclude(pk__in=[dose.pk for dose in doses])
        .select_related("product", "person", "booking__registration__priority_group")
        .order_by("given_at", "id")
    )
    by_person: dict[int, list[Dose]] = {}
    for following in found:
        by_person.setdefault(following.person_id, []).append(following)
    return {
        dose.pk: _renumbered(
            [d for d in by_person.get(dose.person_id, []) if d.given_at >= dose.given_at],
            rollups,
        )
        for dose in doses
    }


def _renumbered(later: Iterable[Dose], rollups: RollupChanges) -> dict[str, list[str]]:
    changed: dict[str, list[str]] = {}
    for following in later:
        view = ScheduleView.of(following.person, following.given_on, exclude=following)
        assessment = view.assess(following.product)
        # The rule compared by its id: reading the dose's own rule was a query a dose.
        rule_id = assessment.rule.pk if assessment.rule is not None else None
        judged = (assessment.kind, assessment.number, assessment.series_doses, rule_id)
        if judged != (following.kind, following.number, following.series_doses, following.rule_id):
            changed[str(following.uuid)] = [
                f"{following.kind} {following.number}",
                f"{assessment.kind} {assessment.number}",
            ]
            before = following.kind, following.number
            following.kind, following.number, following.series_doses = judged[:3]
            following.rule = assessment.rule
            following.save(update_fields=["kind", "number", "series_doses", "rule"])
            rollups.dose_renumbered(following, kind=before[0], number=before[1])
    return changed


def dose_audit(actor: Actor, action: AuditAction, dose: Dose, **changes: object) -> None:
    dose_event(actor, action, dose, **changes).save()


def dose_event(actor: Actor, action: AuditAction, dose: Dose, **changes: object) -> AuditEvent:
    """The audit row of a dose written, unsaved: a batch writes them with one bulk_insert."""
    return audit_event(
        actor=actor,
        action=action,
        object_uuid=dose.uuid,
        object_type="dose",
        scope_path=dose.person.home_unit.path,
        summary=f"{dose.person.full_name}: {dose.product} {dose.kind} {dose.number}",
        changes={
            "product": dose.product.key,
            "lot": dose.lot.number,
            "site": str(dose.site.uuid),
            "given_on": dose.given_on.isoformat(),
            "kind": dose.kind,
            "number": dose.number,
            **changes,
        },
    )


@transaction.atomic
def dose_void(*, actor: Actor, dose: Dose, kind: str, reason: str) -> Dose:
    """Void a dose, saying why; it stays in the history, struck through. A dose entered in
    error (never given) gives its stock back. The doses after it are numbered again."""
    if not reason.strip():
        raise refusal("reason_required", _("Say why the dose is voided."))
    if kind not in VoidKind.values:
        raise refusal("void_kind_invalid", _("Choose whether the dose was given."))
    person_locked(dose.person)
    dose = locked(
        Dose,
        dose.pk,
        "person__home_unit",
        "site__unit",
        "product",
        "lot",
        "booking__registration__priority_group",
    )
    _check_may_void(actor, dose)
    if kind == VoidKind.ENTERED_IN_ERROR and dose.stock_use is not None:
        dose.stock_return = stock_return_use(actor=actor, movement=dose.stock_use)
    dose.voided_at, dose.voided_by, dose.voided_by_name = timezone.now(), actor.user, actor.name
    dose.void_kind, dose.void_reason = kind, reason.strip()[:300]
    dose.save(
        update_fields=[
            "voided_at",
            "voided_by",
            "voided_by_name",
            "void_kind",
            "void_reason",
            "stock_return",
        ]
    )
    rollups = RollupChanges()
    rollups.dose_removed(dose)
    renumbered = renumber_after(dose, rollups=rollups)
    rollups_apply(rollups)
    doses_changed.send(sender=Dose, actor=actor, person_ids=[dose.person_id])
    dose_audit(
        actor,
        AuditAction.UPDATE,
        dose,
        voided=kind,
        reason=dose.void_reason,
        stock_returned=dose.stock_return_id is not None,
        renumbered=renumbered,
    )
    return dose


def _check_may_void(actor: Actor, dose: Dose) -> None:
    """Whoever could have entered it: the site's staff; for a dose that used no stock, also
    the person's unit."""
    if dose.stock_use_id is not None:
        require_cover(actor, dose.site.unit)
    else:
        require_cover(actor, dose.site.unit, dose.person.home_unit)
    if dose.voided_at is not None:
        raise refusal("already_voided", _("This dose is already voided."))
