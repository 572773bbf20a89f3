"""Whether a person may be vaccinated on a day, and which rule says no."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sosuckhoe.people.models import Person
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.schedule import DoseAssessment, PriorDose, dose_assess
from sosuckhoe.vaccination.models import (
    AefiTerm,
    Dose,
    Registration,
    Screening,
    ScreeningAnswer,
    ScreeningOutcome,
)
from sosuckhoe.vaccination.services.common import refusal

# Refusals that time lifts by itself: the person is simply not due yet.
TEMPORARY = frozenset({"interval_too_short", "too_soon_after_infection"})
# The seriousness criterion of an anaphylactic reaction: a contraindication of that vaccine.
ANAPHYLAXIS = "S2"


@dataclass(frozen=True)
class Eligibility:
    """The products a person may get on a day, and otherwise each rule that refused."""

    on: dt.date
    products: tuple[Product, ...]
    refusals: tuple[ValidationError, ...]

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def lasting_refusals(self) -> list[ValidationError]:
        """The refusals that waiting does not lift."""
        return [r for r in self.refusals if r.code not in TEMPORARY]


def birth_of(person: Person) -> dt.date | int:
    return person.birth_date or person.birth_year


def prior_doses(person: Person, *, until: dt.date, exclude: Dose | None = None) -> list[PriorDose]:
    """The person's valid doses up to `until`, oldest first, as the schedule reads them."""
    doses = Dose.objects.valid().filter(person=person, given_on__lte=until)
    if exclude is not None:
        doses = doses.exclude(pk=exclude.pk)
    return [
        PriorDose(product_key=key, given_on=day, kind=kind, number=number)
        for key, day, kind, number in doses.order_by("given_at", "id").values_list(
            "product__key", "given_on", "kind", "number"
        )
    ]


def is_immunocompromised(person: Person, *, on: dt.date) -> bool:
    """Whether the person's latest screening up to `on` said so (adult form, item 6)."""
    latest = Screening.objects.filter(person=person, screened_on__lte=on).order_by("-screened_at")
    screening = latest.first()
    return (
        screening is not None
        and ScreeningAnswer.objects.filter(
            screening=screening, yes=True, item__marks_immunocompromised=True
        ).exists()
    )


def is_highly_exposed(person: Person) -> bool:
    """Whether the person's latest registration puts them in a group at high exposure."""
    latest = Registration.objects.filter(person=person).order_by("-created_at", "-id")
    registration = latest.select_related("priority_group").first()
    return registration is not None and registration.priority_group.high_exposure


@dataclass(frozen=True)
class Contraindication:
    day: dt.date
    family: str | None  # the vaccine it concerns; None: every vaccine, the product not known


def contraindications(person: Person, *, on: dt.date) -> list[Contraindication]:
    """Contraindications on record: a screening that concluded so, or anaphylaxis after a dose."""
    found = [
        Contraindication(day, family)
        for day, family in Screening.objects.filter(
            person=person, screened_on__lte=on, outcome=ScreeningOutcome.CONTRAINDICATED
        ).values_list("screened_on", "product__family")
    ]
    anaphylaxis = AefiTerm.objects.filter(code=ANAPHYLAXIS)
    found += [
        Contraindication(day, family)
        for day, family in Dose.objects.valid()
        .filter(person=person, given_on__lte=on, reactions__terms__in=anaphylaxis)
        .values_list("given_on", "product__family")
    ]
    return found


def _contraindicated(product: Product, found: Iterable[Contraindication]) -> list[ValidationError]:
    for record in found:
        if record.family in (None, product.family):
            message = _("A contraindication to this vaccine is on record since %(day)s.")
            return [refusal("contraindicated", message % {"day": record.day.strftime("%d/%m/%Y")})]
    return []


def contraindication_refusals(
    person: Person, product: Product, on: dt.date
) -> list[ValidationError]:
    """The refusal of a product that a screening or an anaphylaxis on record rules out."""
    return _contraindicated(product, contraindications(person, on=on))


@dataclass(frozen=True)
class ScheduleView:
    """What the schedule reads of a person on a day, read once for every product judged."""

    person: Person
    on: dt.date
    history: list[PriorDose]
    immunocompromised: bool
    high_exposure: bool

    @classmethod
    def of(cls, person: Person, on: dt.date, *, exclude: Dose | None = None) -> "ScheduleView":
        """The person as of `on`, their doses up to that day but `exclude`."""
        return cls(
            person=person,
            on=on,
            history=prior_doses(person, until=on, exclude=exclude),
            immunocompromised=is_immunocompromised(person, on=on),
            high_exposure=is_highly_exposed(person),
        )

    def assess(self, product: Product) -> DoseAssessment:
        """The schedule's verdict on giving `product` that day."""
        return dose_assess(
            product=product,
            given_on=self.on,
            birth=birth_of(self.person),
            history=self.history,
            immunocompromised=self.immunocompromised,
            high_exposure=self.high_exposure,
        )


def eligibility_check(
    *, person: Person, on: dt.date, product: Product | None = None
) -> Eligibility:
    """Check a person against every rule for one product, or for every product in use: the
    person is eligible when at least one may be given. A merged record is refused outright."""
    if person.merged_into_id:
        merged = refusal("person_merged", _("This record was merged into another person's."))
        return Eligibility(on=on, products=(), refusals=(merged,))
    candidates = [product] if product else list(Product.objects.filter(is_active=True))
    if not candidates:
        none = refusal("product_inactive", _("No vaccine is in use."))
        return Eligibility(on=on, products=(), refusals=(none,))
    view, found = ScheduleView.of(person, on), contraindications(person, on=on)
    verdicts = [(c, [*_contraindicated(c, found), *view.assess(c).refusals]) for c in candidates]
    allowed = tuple(c for c, refusals in verdicts if not refusals)
    if allowed:
        return Eligibility(on=on, products=allowed, refusals=())
    return Eligibility(on=on, products=(), refusals=_nearest([r for _c, r in verdicts]))


def _nearest(verdicts: list[list[ValidationError]]) -> tuple[ValidationError, ...]:
    """Why no product may be given: a product that only waiting keeps back, when there is
    one; else the first refusal of each rule (every product refusing for age says it once)."""
    for refusals in verdicts:
        if all(r.code in TEMPORARY for r in refusals):
            return tuple(refusals)
    return _one_per_code([r for refusals in verdicts for r in refusals])


def _one_per_code(refusals: list[ValidationError]) -> tuple[ValidationError, ...]:
    """The first refusal of each rule: every product refusing for age says it once."""
    seen: dict[str | None, ValidationError] = {}
    for item in refusals:
        seen.setdefault(item.code, item)
    return tuple(seen.values())
