"""Screening before a dose: the form in force for the person's age, the answers, the vital
signs, and the outcome the form's rules derive from them."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.schedule import years_between
from sosuckhoe.vaccination.models import (
    OUTCOME_SEVERITY,
    AnswerType,
    Booking,
    FormKind,
    Screening,
    ScreeningAnswer,
    ScreeningForm,
    ScreeningItem,
    ScreeningOutcome,
)
from sosuckhoe.vaccination.services.common import (
    person_locked,
    record_audit,
    refusal,
    require_active,
    require_cover,
)

ADULT_AGE = 18


@dataclass(frozen=True)
class Vitals:
    temperature_c: Decimal | None = None
    pulse_per_min: int | None = None
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    respiratory_rate: int | None = None


def _outside(value: Decimal | int | None, low: Decimal | int, high: Decimal | int) -> bool:
    return value is not None and not low <= value <= high


def vitals_abnormal(vitals: Vitals) -> bool:
    """The abnormal vital signs of QĐ 3802/QĐ-BYT: T < 35.5 or > 37.5 °C, pulse < 60 or
    > 100/min, systolic < 90 or > 140 and diastolic < 60 or > 90 mmHg, breathing > 25/min."""
    return (
        _outside(vitals.temperature_c, Decimal("35.5"), Decimal("37.5"))
        or _outside(vitals.pulse_per_min, 60, 100)
        or _outside(vitals.systolic_mmhg, 90, 140)
        or _outside(vitals.diastolic_mmhg, 60, 90)
        or _outside(vitals.respiratory_rate, 0, 25)
    )


def age_on(birth: dt.date | int, day: dt.date) -> int:
    """Full years on `day`; a birth year alone counts from its 1 January (the oldest it can be)."""
    born = birth if isinstance(birth, dt.date) else dt.date(birth, 1, 1)
    return years_between(born, day)


def screening_form_for(*, person: Person, on: dt.date) -> ScreeningForm:
    """The form in force on the day for the person's age: the children's under 18."""
    kind = (
        FormKind.ADULT
        if age_on(person.birth_date or person.birth_year, on) >= ADULT_AGE
        else FormKind.CHILD
    )
    in_force = ScreeningForm.objects.filter(kind=kind, valid_from__lte=on).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )
    form = in_force.order_by("-valid_from").first()
    if form is None:
        raise refusal(
            "no_screening_form", _("No screening form was in force for this person that day.")
        )
    return form


@dataclass(frozen=True)
class Derived:
    outcome: str
    decisive: tuple[str, ...]  # codes of the items whose "yes" set the outcome


def screening_outcome(items: Sequence[ScreeningItem], yes_codes: set[str]) -> Derived:
    """The outcome of the most restrictive item answered "yes"; eligible when none is."""
    outcomes = {item.code: item.outcome_if_yes for item in items if item.code in yes_codes}
    for outcome in OUTCOME_SEVERITY:
        decisive = tuple(code for code, o in outcomes.items() if o == outcome)
        if decisive:
            return Derived(outcome, decisive)
    return Derived(ScreeningOutcome.ELIGIBLE, ())


def _answers_of(
    items: Sequence[ScreeningItem], answers: Mapping[str, bool | tuple[bool, str]], vitals: Vitals
) -> dict[str, tuple[bool, str]]:
    """Every question answered, nothing else; the vital-signs question is "yes" also when a
    measurement is outside its range, whatever was ticked."""
    questions = {item.code: item for item in items if item.is_question}
    if unknown := sorted(set(answers) - set(questions)):
        raise refusal(
            "unknown_item",
            _("These are not questions of the form: %(items)s.") % {"items": ", ".join(unknown)},
        )
    if missing := [code for code in questions if code not in answers]:
        raise refusal(
            "answers_incomplete",
            _("Answer every question; missing: %(items)s.") % {"items": ", ".join(missing)},
        )
    given = {
        code: (a, "") if isinstance(a, bool) else (a[0], a[1].strip()[:200])
        for code, a in answers.items()
    }
    for code, item in questions.items():
        if item.answer_type == AnswerType.YES_NO_VITALS and vitals_abnormal(vitals):
            given[code] = (True, given[code][1] or _("vital signs outside their range"))
    return given


def _check_booking(booking: Booking | None, person: Person, site: Facility) -> None:
    if booking is not None and (
        booking.person_id != person.pk or booking.session.site_id != site.pk
    ):
        raise refusal("booking_mismatch", _("This booking is of another person or site."))


def _audit(actor: Actor, screening: Screening, derived: Derived) -> None:
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=screening,
        object_type="screening",
        scope_path=screening.person.home_unit.path,
        summary=f"{screening.person.full_name}: {screening.outcome}",
        changes={
            "outcome": screening.outcome,
            "decisive": list(derived.decisive),
            "form": screening.form.version,
        },
    )


def _check_context(
    actor: Actor, person: Person, site: Facility, when: dt.datetime, vitals: Vitals
) -> None:
    require_active(person)
    require_cover(actor, site.unit)
    if when > timezone.now():
        raise refusal("in_future", _("A screening cannot be recorded ahead of time."))
    if vitals.temperature_c is None:
        raise refusal("temperature_required", _("Measure the temperature of everyone screened."))


def _validated(screening: Screening) -> Screening:
    """The measurements within what a body can show (the links are the caller's own rows)."""
    try:
        screening.full_clean(
            exclude=["person", "site", "form", "product", "booking", "screener"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise refusal("vitals_out_of_range", "; ".join(error.messages)) from None
    return screening


def _save_answers(
    screening: Screening,
    items: Sequence[ScreeningItem],
    given: dict[str, tuple[bool, str]],
    derived: Derived,
) -> None:
    by_code = {item.code: item for item in items}
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            screening=screening,
            item=by_code[code],
            yes=yes,
            detail=detail,
            decisive=code in derived.decisive,
        )
        for code, (yes, detail) in given.items()
    )


@transaction.atomic
def screening_record(
    *,
    actor: Actor,
    person: Person,
    site: Facility,
    answers: Mapping[str, bool | tuple[bool, str]],
    vitals: Vitals,
    product: Product | None = None,
    booking: Booking | None = None,
    screened_at: dt.datetime | None = None,
    note: str = "",
) -> Screening:
    """Record a screening on the form in force; its outcome is derived, never chosen.
    `answers` maps each question's code to yes/no, or to (yes/no, what) for those that ask."""
    subject, when = person_locked(person), screened_at or timezone.now()
    _check_context(actor, subject, site, when, vitals)
    _check_booking(booking, subject, site)
    day = timezone.localdate(when)
    form = screening_form_for(person=subject, on=day)
    items = list(form.items.all())
    given = _answers_of(items, answers, vitals)
    derived = screening_outcome(items, {code for code, (yes, _d) in given.items() if yes})
    screening = _validated(
        Screening(
            person=subject,
            site=site,
            form=form,
            product=product,
            booking=booking,
            screened_at=when,
            screened_on=day,
            screener=actor.user,
            outcome=derived.outcome,
            note=note.strip()[:300],
            **vitals.__dict__,
        )
    )
    screening.save()
    _save_answers(screening, items, given, derived)
    _audit(actor, screening, derived)
    return screening
