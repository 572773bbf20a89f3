"""Whether a person may be vaccinated on a day, and which rule says no."""

import bisect
import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.db.models.expressions import Col
from django.utils.translation import gettext as _

from sosuckhoe.core.pg import int_array
from sosuckhoe.core.rows import planned_once
from sosuckhoe.people.models import Person
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.schedule import DoseAssessment, PriorDose, dose_assess
from sosuckhoe.vaccination.models import (
    OPEN_REGISTRATION,
    Booking,
    BookingStatus,
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
    return person_facts([person.pk])[person.pk].contraindications(on=on)


def _contraindicated(product: Product, found: Iterable[Contraindication]) -> list[ValidationError]:
    for record in found:
        if record.family in (None, product.family):
            message = _("A contraindication to this vaccine is on record since %(day)s.")
            return [refusal("contraindicated", message % {"day": record.day.strftime("%d/%m/%Y")})]
    return []


def contraindication_refusals(
    person: Person, product: Product, on: dt.date, *, facts: "PersonFacts | None" = None
) -> list[ValidationError]:
    """The refusal of a product that a screening or an anaphylaxis on record rules out."""
    found = facts.contraindications(on=on) if facts else contraindications(person, on=on)
    return _contraindicated(product, found)


# Not frozen, as other value types are: a batch builds these for every dose it judges, and a
# frozen dataclass's __init__ costs five times a plain one's (each field set through
# object.__setattr__).
@dataclass
class DoseFact:
    """A valid dose on record, as the rules of the next one read it."""

    pk: int
    product_id: int
    product_key: str
    given_on: dt.date
    given_at: dt.datetime
    kind: str
    number: int


@dataclass
class PersonFacts:
    """What the rules of a dose read of one person, loaded once (person_facts) for one dose
    or for a whole batch, and kept up to date as the batch adds doses."""

    doses: list[DoseFact] = field(default_factory=list)  # by given_at, then id
    # By screened_at, then id; loaded with the fields the rules read (_SCREENING_FIELDS).
    screenings: list[Screening] = field(default_factory=list)
    contraindicated: list[Contraindication] = field(default_factory=list)  # by screenings
    immunocompromised_screenings: set[int] = field(default_factory=set)
    high_exposure: bool = False
    open_registration: bool = False  # a registration not yet vaccinated, rejected or closed
    anaphylaxis: list[Contraindication] = field(default_factory=list)
    checked_in: list[Booking] = field(default_factory=list)

    def history(self, *, until: dt.date, exclude: int | None = None) -> list[PriorDose]:
        """The valid doses up to `until` but the one whose pk is `exclude`, oldest first."""
        return [
            PriorDose(product_key=d.product_key, given_on=d.given_on, kind=d.kind, number=d.number)
            for d in self.doses
            if d.given_on <= until and d.pk != exclude
        ]

    def immunocompromised(self, *, on: dt.date) -> bool:
        """Whether the latest screening up to `on` said so (adult form, item 6)."""
        earlier = [s for s in self.screenings if s.screened_on <= on]
        return bool(earlier) and earlier[-1].pk in self.immunocompromised_screenings

    def contraindications(self, *, on: dt.date) -> list[Contraindication]:
        """A screening that concluded so, or anaphylaxis after a dose, up to `on`."""
        return [c for c in [*self.contraindicated, *self.anaphylaxis] if c.day <= on]

    def screening_of_day(self, day: dt.date) -> Screening | None:
        """The latest screening of that day."""
        of_day = [s for s in self.screenings if s.screened_on == day]
        return of_day[-1] if of_day else None

    def has_dose(self, product_id: int, day: dt.date) -> bool:
        return any(d.product_id == product_id and d.given_on == day for d in self.doses)

    def checked_in_at(self, site_id: int, day: dt.date) -> Booking | None:
        """The person's checked-in booking at a session of the site that day."""
        here = (b for b in self.checked_in if (b.session.site_id, b.session.date) == (site_id, day))
        return next(here, None)

    @property
    def last_given_at(self) -> dt.datetime | None:
        return self.doses[-1].given_at if self.doses else None

    def dose_added(self, dose: Dose) -> None:
        """A dose the batch just recorded: the person's next doses follow it."""
        fact = DoseFact(
            pk=dose.pk or 0,
            product_id=dose.product_id,
            product_key=dose.product.key,
            given_on=dose.given_on,
            given_at=dose.given_at,
            kind=dose.kind,
            number=dose.number,
        )
        bisect.insort(self.doses, fact, key=lambda d: (d.given_at, d.pk))
        if dose.booking is not None:
            self.checked_in = [b for b in self.checked_in if b.pk != dose.booking.pk]


# The rows the rules read of some persons, in one statement written once: Django compiling
# its four queries (two with subqueries) anew on every dose cost more than running them.
# Each row is (what, person, id, product, day, at, uuid, text, family, number, kind, flag):
# a valid dose with its product and whether anaphylaxis followed it; a screening with the
# family of the product it concerns and whether it marked the person immunocompromised; a
# registration with its status and whether its group is at high exposure; a checked-in
# booking. Typed NULLs: PostgreSQL resolves each column's type from all the branches.
_FACTS_SQL = """
SELECT 'dose', d.person_id, d.id, d.product_id, d.given_on, d.given_at,
       CAST(NULL AS uuid), p.key, p.family, d.number, d.kind,
       EXISTS (SELECT 1 FROM vaccination_reaction r
               JOIN vaccination_reaction_terms rt ON rt.reaction_id = r.id
               JOIN vaccination_aefiterm t ON t.id = rt.aefiterm_id
               WHERE r.dose_id = d.id AND t.code = %(anaphylaxis)s)
  FROM vaccination_dose d JOIN supply_product p ON p.id = d.product_id
 WHERE d.person_id {persons} AND d.voided_at IS NULL
UNION ALL
SELECT 'screening', s.person_id, s.id, s.product_id, s.screened_on, s.screened_at,
       s.uuid, s.outcome, p.family, CAST(NULL AS integer), CAST(NULL AS varchar),
       EXISTS (SELECT 1 FROM vaccination_screeninganswer a
               JOIN vaccination_screeningitem i ON i.id = a.item_id
               WHERE a.screening_id = s.id AND a.yes AND i.marks_immunocompromised)
  FROM vaccination_screening s LEFT JOIN supply_product p ON p.id = s.product_id
 WHERE s.person_id {persons}
UNION ALL
SELECT 'registration', g.person_id, g.id, NULL, NULL, g.created_at,
       NULL, g.status, NULL, NULL, NULL, pg.high_exposure
  FROM vaccination_registration g JOIN vaccination_prioritygroup pg ON pg.id = g.priority_group_id
 WHERE g.person_id {persons}
UNION ALL
SELECT 'booking', b.person_id, b.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM vaccination_booking b
 WHERE b.person_id {persons} AND b.status = %(checked_in)s
ORDER BY 6, 3
"""
# The fields whose values the columns of day, at and uuid hold: SQLite gives them as text.
_FACT_FIELDS: dict[int, "Field[Any, Any]"] = {
    4: Dose._meta.get_field("given_on"),
    5: Dose._meta.get_field("given_at"),
    6: Screening._meta.get_field("uuid"),
}
# The fields a screening of the facts is loaded with, in the model's order; the others are
# read only if something asks for them (the rules never do).
_SCREENING_FIELDS = (
    "id",
    "uuid",
    "person_id",
    "product_id",
    "screened_at",
    "screened_on",
    "outcome",
)


def _facts_rows(person_ids: Collection[int]) -> list[tuple[Any, ...]]:
    """The rows of _FACTS_SQL, with each column's value as the ORM would give it."""
    connection = connections[Dose.objects.db]
    ids: dict[str, Any]
    if connection.vendor == "postgresql":
        persons, ids = "= ANY(%(ids)s::bigint[])", {"ids": int_array(person_ids)}
    else:
        names = [f"id{i}" for i in range(len(person_ids))]
        persons = f"IN ({', '.join(f'%({n})s' for n in names)})"
        ids = dict(zip(names, person_ids, strict=True))
    params = {"anaphylaxis": ANAPHYLAXIS, "checked_in": BookingStatus.CHECKED_IN, **ids}
    # One person's facts (a request's) by the connection's plan; a batch's planned for it.
    with planned_once(Dose.objects.db, generic=len(person_ids) == 1) as cursor:
        cursor.execute(_FACTS_SQL.format(persons=persons), params)
        rows = cursor.fetchall()
    converters = _converters(connection)
    if not converters:
        return rows
    return [_converted(list(row), converters, connection) for row in rows]


def _converters(connection: BaseDatabaseWrapper) -> list[tuple[int, Col, list[Any]]]:
    """The backend's conversions of the typed columns (SQLite's text dates); none on PostgreSQL."""
    found = []
    for index, model_field in _FACT_FIELDS.items():
        col = model_field.get_col(model_field.model._meta.db_table)
        # These fields have no conversion of their own (no from_db_value): the backend's only.
        functions = connection.ops.get_db_converters(col)
        if functions:
            found.append((index, col, functions))
    return found


def _converted(
    row: list[Any], converters: list[tuple[int, Col, list[Any]]], connection: BaseDatabaseWrapper
) -> tuple[Any, ...]:
    for index, col, functions in converters:
        for function in functions:
            row[index] = function(row[index], col, connection)
    return tuple(row)


def person_facts(person_ids: Collection[int]) -> dict[int, PersonFacts]:
    """The facts of each person, in one statement however many persons (two when some have a
    checked-in booking)."""
    facts = {pk: PersonFacts() for pk in person_ids}
    if not facts:
        return facts
    booked: set[int] = set()
    for row in _facts_rows(facts):
        what, person_id = row[0], row[1]
        if what == "dose":
            _dose_fact(facts[person_id], row)
        elif what == "screening":
            _screening_fact(facts[person_id], row)
        elif what == "registration":
            _registration_fact(facts[person_id], row)
        else:
            booked.add(person_id)
    if booked:
        _checked_in_load(facts, booked)
    return facts


def _dose_fact(facts: PersonFacts, row: tuple[Any, ...]) -> None:
    _what, _person, pk, product_id, day, at, _uuid, key, family, number, kind, reacted = row
    facts.doses.append(DoseFact(pk, product_id, key, day, at, kind, number))
    if reacted:
        facts.anaphylaxis.append(Contraindication(day, family))


def _screening_fact(facts: PersonFacts, row: tuple[Any, ...]) -> None:
    _what, person_id, pk, product_id, day, at, uuid, outcome, family, _n, _k, marks = row
    values = (pk, uuid, person_id, product_id, at, day, outcome)
    screening = Screening.from_db(Screening.objects.db, _SCREENING_FIELDS, values)
    facts.screenings.append(screening)
    if outcome == ScreeningOutcome.CONTRAINDICATED:
        facts.contraindicated.append(Contraindication(day, family))
    if marks:
        facts.immunocompromised_screenings.add(pk)


def _registration_fact(facts: PersonFacts, row: tuple[Any, ...]) -> None:
    """Oldest first: the last one seen is the latest, whose group counts."""
    status, high = row[7], row[11]
    facts.high_exposure = bool(high)
    if status in OPEN_REGISTRATION:
        facts.open_registration = True


def _checked_in_load(facts: dict[int, PersonFacts], person_ids: set[int]) -> None:
    checked_in = Booking.objects.filter(person_id__any=person_ids, status=BookingStatus.CHECKED_IN)
    # With the registration's group: the dose's count in analytics reads it (no query there).
    bookings = checked_in.select_related("session", "registration__priority_group")
    for booking in bookings.order_by("id"):
        facts[booking.person_id].checked_in.append(booking)


@dataclass
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
        return cls.of_facts(person, on, person_facts([person.pk])[person.pk], exclude=exclude)

    @classmethod
    def of_facts(
        cls, person: Person, on: dt.date, facts: PersonFacts, *, exclude: Dose | None = None
    ) -> "ScheduleView":
        return cls(
            person=person,
            on=on,
            history=facts.history(until=on, exclude=exclude.pk if exclude else None),
            immunocompromised=facts.immunocompromised(on=on),
            high_exposure=facts.high_exposure,
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
    facts = person_facts([person.pk])[person.pk]
    view, found = ScheduleView.of_facts(person, on, facts), facts.contraindications(on=on)
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
