"""The schedule engine: which dose a person's next one is, and whether it may be given on a day.

Pure: it reads the schedule rules and products, writes nothing. A dose is judged by the rules
in force on its date. The kind and number of a dose (primary 1..n, additional, booster 1, 2)
are derived from the person's earlier doses, never typed.
"""

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sosuckhoe.supply.cache import reference_cached
from sosuckhoe.supply.models import (
    After,
    DoseKind,
    IntervalUnit,
    MeasuredFrom,
    Product,
    ScheduleRule,
    Target,
)

__all__ = [
    "DoseAssessment",
    "DoseKind",
    "NextDose",
    "PriorDose",
    "dose_assess",
    "next_dose_due",
]

# Refusals that pass with time: the person may have the dose later.
TIMING_CODES = frozenset({"interval_too_short", "age_below_minimum", "too_soon_after_infection"})
KIND_ORDER = {DoseKind.PRIMARY: 0, DoseKind.ADDITIONAL: 1, DoseKind.BOOSTER: 2}
_MEMO_SIZE = 4096  # rule lists a book keeps (_Book.remembered)


# Not frozen, as other value types are: the types of this module are built for every dose
# judged, and a frozen dataclass's __init__ costs five times a plain one's (each field set
# through object.__setattr__).
@dataclass
class PriorDose:
    """A valid (not voided) earlier dose, with the kind and number dose_assess gave it."""

    product_key: str
    given_on: dt.date
    kind: str
    number: int


@dataclass
class DoseAssessment:
    """What a dose of a product on a day would be, and why it may not be given if so."""

    kind: str
    number: int  # within its kind: primary 1..3, additional 1, booster 1..2
    series_doses: int  # the DCC `sd`: the primary series' length, or `sequence` past it
    refusals: list[ValidationError]
    rule: ScheduleRule | None  # the rule applied (or that refused), with its source
    due: dt.date | None  # the earliest day the dose may be given under that rule
    overdue_after: dt.date | None  # the end of the rule's window, when it has one
    sequence: int = 0  # the dose's place among all the person's doses (the DCC `dn`)
    recommended: dt.date | None = None

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def refusal_codes(self) -> list[str]:
        return [str(error.code) for error in self.refusals]


@dataclass(frozen=True)
class NextDose:
    """The next dose a person is due, for the person's page."""

    kind: str
    number: int
    sequence: int
    due: dt.date
    overdue_after: dt.date | None
    overdue: bool
    products: tuple[str, ...]  # keys of the products that may be given, by the day it is due
    rule: ScheduleRule | None


@dataclass(frozen=True)
class _Rule:
    row: ScheduleRule
    products: frozenset[str]  # empty: any product
    after: frozenset[str]


@dataclass(frozen=True)
class _Book:
    """Every product and rule (kept between calls: supply/cache.py), with the two indexes
    the rules of every dose judged read: the rules of a kind of dose by what they measure
    from, and the primary series' length per product (each scanned all rules, a third of
    the time of judging a dose)."""

    products: dict[str, Product]
    rules: tuple[_Rule, ...]
    by_kind: dict[tuple[str, str], tuple[_Rule, ...]] = field(init=False)
    series_lengths: dict[str, int] = field(init=False)
    # The rules of a slot in force on a day, and of those the ones a product may follow by:
    # a batch judges its doses on a few days, of a few products, after a few others.
    memo: dict[tuple[Any, ...], tuple[_Rule, ...]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )

    def remembered(
        self, key: tuple[Any, ...], find: Callable[[], list[_Rule]]
    ) -> tuple[_Rule, ...]:
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= _MEMO_SIZE:  # a long-lived process meets every day
                self.memo.clear()
            found = self.memo[key] = tuple(find())
        return found

    def __post_init__(self) -> None:
        by_kind: dict[tuple[str, str], list[_Rule]] = {}
        lengths: dict[str, int] = {}
        for rule in self.rules:
            by_kind.setdefault((rule.row.kind, rule.row.measured_from), []).append(rule)
            if rule.row.primary_doses:
                for key in rule.products:
                    lengths[key] = max(lengths.get(key, 0), rule.row.primary_doses)
        object.__setattr__(self, "by_kind", {k: tuple(v) for k, v in by_kind.items()})
        object.__setattr__(self, "series_lengths", lengths)


@dataclass
class _Person:
    birth: dt.date | int
    immunocompromised: bool = False
    high_exposure: bool = False
    infected_on: dt.date | None = None

    def ages_on(self, day: dt.date) -> tuple[int, int]:
        """Age in whole years on `day`: (youngest, oldest) possible, equal when the birth date
        is known; with a year only, any birthday of that year is possible."""
        if isinstance(self.birth, dt.date):
            age = years_between(self.birth, day)
            return age, age
        first, last = dt.date(self.birth, 1, 1), dt.date(self.birth, 12, 31)
        return years_between(last, day), years_between(first, day)

    def reaches(self, years: int) -> dt.date:
        """The first day the person may be `years` old."""
        if isinstance(self.birth, dt.date):
            return _later(self.birth, years * 12, IntervalUnit.MONTH)
        return dt.date(self.birth + years, 1, 1)


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from `start` to `end`, as relativedelta counts them (a birthday on 29
    February is reached on 28 February of other years), at a fraction of its cost: the rules
    ask it for every dose judged."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    if start.month == 2 and start.day == 29 and (end.month, end.day) == (2, 28):
        years += 0 if calendar.isleap(end.year) else 1
    return years


@dataclass
class _Slot:
    """Which dose the next one would be."""

    kind: str
    number: int
    sequence: int
    previous: PriorDose | None
    priming: tuple[str, ...]  # products of the primary series so far
    series_doses: int


def _book() -> _Book:
    """Every product and rule, from the process's cache of the reference data."""
    return reference_cached("schedule:book", _book_read)


def _book_read() -> _Book:
    rows = ScheduleRule.objects.prefetch_related("products", "after_products")
    rules = tuple(
        _Rule(
            row=row,
            products=frozenset(p.key for p in row.products.all()),
            after=frozenset(p.key for p in row.after_products.all()),
        )
        for row in rows
    )
    return _Book(products={p.key: p for p in Product.objects.all()}, rules=rules)


def _later(day: dt.date, value: int, unit: str) -> dt.date:
    """`value` calendar months, weeks or days after `day`; a month later than 31 January is
    the last day of February, as relativedelta has it."""
    if unit == IntervalUnit.MONTH:
        months = day.month - 1 + value
        year, month = day.year + months // 12, months % 12 + 1
        return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    if unit == IntervalUnit.WEEK:
        return day + dt.timedelta(weeks=value)
    return day + dt.timedelta(days=value)


def _bound(rule: ScheduleRule, bound: str, since: dt.date | None) -> dt.date | None:
    value = getattr(rule, f"interval_{bound}")
    if since is None or value is None:
        return None
    return _later(since, value, getattr(rule, f"interval_{bound}_unit"))


def interval_text(rule: ScheduleRule, bound: str = "min") -> str:
    """An interval as a person reads it, e.g. "8 weeks"."""
    value, unit = getattr(rule, f"interval_{bound}"), getattr(rule, f"interval_{bound}_unit")
    if value is None:
        return ""
    labels = {
        IntervalUnit.DAY: _("%(n)s days"),
        IntervalUnit.WEEK: _("%(n)s weeks"),
        IntervalUnit.MONTH: _("%(n)s months"),
    }
    return labels[IntervalUnit(unit)] % {"n": value}


def dose_label(kind: str, number: int) -> str:
    """A dose as a person names it, e.g. "booster 1"."""
    if kind == DoseKind.PRIMARY:
        return _("primary dose %(number)s") % {"number": number}
    if kind == DoseKind.ADDITIONAL:
        return _("additional dose")
    return _("booster %(number)s") % {"number": number}


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _family(book: _Book, key: str) -> str:
    product = book.products.get(key)
    return product.family if product else key


def _series_length(book: _Book, first: PriorDose) -> int:
    """Doses in the primary series begun by `first`; a product no rule knows counts as a
    series of the doses given."""
    return book.series_lengths.get(first.product_key, 0)


def _slots(book: _Book, history: Sequence[PriorDose]) -> list[_Slot]:
    """The doses the next one may be, the preferred first: a booster before an additional dose."""
    primaries = [d for d in history if d.kind == DoseKind.PRIMARY]
    previous = history[-1] if history else None
    sequence = len(history) + 1
    priming = tuple(d.product_key for d in primaries)
    if not primaries:
        return [_Slot(DoseKind.PRIMARY, 1, 1, None, (), 0)]
    length = _series_length(book, primaries[0]) or len(primaries)
    later = [d for d in history if d.kind != DoseKind.PRIMARY]
    if len(primaries) < length and not later:
        n = len(primaries) + 1
        return [_Slot(DoseKind.PRIMARY, n, sequence, previous, priming, length)]
    boosters = sum(1 for d in later if d.kind == DoseKind.BOOSTER)
    slots = [_Slot(DoseKind.BOOSTER, boosters + 1, sequence, previous, priming, sequence)]
    if not later:
        slots.append(_Slot(DoseKind.ADDITIONAL, 1, sequence, previous, priming, sequence))
    return slots


def _after_fits(rule: _Rule, slot: _Slot, book: _Book) -> bool:
    after = rule.row.after
    if after == After.ANY:
        return True
    families = {_family(book, key) for key in slot.priming}
    if after == After.HOMOLOGOUS:
        return len(families) == 1
    if after == After.MIXED:
        return len(families) > 1
    if slot.kind == DoseKind.PRIMARY:
        return slot.previous is not None and slot.previous.product_key in rule.after
    return bool(slot.priming) and set(slot.priming) <= rule.after


def _product_fits(rule: _Rule, slot: _Slot, product: Product, book: _Book) -> bool:
    if rule.row.same_as_priming:
        return {_family(book, key) for key in slot.priming} == {product.family}
    return not rule.products or product.key in rule.products


def _sequence_fits(rule: _Rule, slot: _Slot, product: Product, book: _Book) -> bool:
    return _product_fits(rule, slot, product, book) and _after_fits(rule, slot, book)


def _age_fits(rule: ScheduleRule, ages: tuple[int, int]) -> bool:
    """Whether the person may be in the rule's band: refused only when certainly outside."""
    youngest, oldest = ages
    return oldest >= rule.min_age and (rule.max_age is None or youngest < rule.max_age)


def _target_fits(rule: ScheduleRule, person: _Person) -> bool:
    if rule.target == Target.IMMUNOCOMPROMISED:
        return person.immunocompromised
    if rule.target == Target.HIGH_EXPOSURE:
        return person.high_exposure
    return True


def _in_force(book: _Book, slot: _Slot, day: dt.date, measured_from: str) -> tuple[_Rule, ...]:
    return book.remembered(
        ("in force", slot.kind, slot.number, day, measured_from),
        lambda: [
            r
            for r in book.by_kind.get((slot.kind, measured_from), ())
            if r.row.number in (slot.number, None) and r.row.in_force_on(day)
        ],
    )


def _following(book: _Book, slot: _Slot, product: Product, day: dt.date) -> tuple[_Rule, ...]:
    """The rules of the slot in force on `day` by which `product` may follow the doses
    before it."""
    previous = slot.previous.product_key if slot.previous else None
    return book.remembered(
        ("following", slot.kind, slot.number, day, product.key, previous, slot.priming),
        lambda: [
            r
            for r in _in_force(book, slot, day, MeasuredFrom.PREVIOUS_DOSE)
            if _sequence_fits(r, slot, product, book)
        ],
    )


def _earliest(rule: ScheduleRule, slot: _Slot, person: _Person) -> dt.date:
    """The first day the rule lets the dose be given: after its interval, in its age band,
    once in force."""
    since = slot.previous.given_on if slot.previous else None
    days = [person.reaches(rule.min_age), _bound(rule, "min", since), rule.valid_from]
    return max(d for d in days if d is not None)


def _assessment(
    slot: _Slot,
    rule: _Rule | None,
    refusals: list[ValidationError],
    due: dt.date | None = None,
    overdue_after: dt.date | None = None,
    recommended: dt.date | None = None,
) -> DoseAssessment:
    # A first dose's series is the length its product's rule gives.
    length = rule.row.primary_doses if rule and rule.row.primary_doses else slot.series_doses
    return DoseAssessment(
        kind=slot.kind,
        number=slot.number,
        series_doses=length,
        refusals=refusals,
        rule=rule.row if rule else None,
        due=due,
        overdue_after=overdue_after,
        sequence=slot.sequence,
        recommended=recommended,
    )


def _may_follow_error(book: _Book, slot: _Slot, product: Product, day: dt.date) -> ValidationError:
    """Name the products that could have been given instead, so the refusal says what to do."""
    rules = _in_force(book, slot, day, MeasuredFrom.PREVIOUS_DOSE)
    instead = sorted(
        p.name
        for p in book.products.values()
        if p.is_active and any(_sequence_fits(r, slot, p, book) for r in rules)
    )
    params = {
        "product": product.name,
        "dose": dose_label(slot.kind, slot.number),
        "day": _day(day),
        "instead": ", ".join(instead) or "—",
    }
    if slot.previous is None:
        message = _("On %(day)s no rule lets %(product)s be given as the %(dose)s.")
        return ValidationError(message, code="product_not_in_schedule", params=params)
    message = _(
        "On %(day)s %(product)s may not be given as the %(dose)s after the earlier doses; "
        "these may: %(instead)s."
    )
    return ValidationError(message, code="product_may_not_follow", params=params)


def _age_error(
    rules: Sequence[_Rule], slot: _Slot, person: _Person, day: dt.date
) -> tuple[ValidationError, _Rule, dt.date | None]:
    """The age refusal and the rule nearest to the person's age, with its due day."""
    oldest = person.ages_on(day)[1]
    older = [r for r in rules if r.row.min_age > oldest]
    dose = dose_label(slot.kind, slot.number)
    if older:
        nearest = min(older, key=lambda r: r.row.min_age)
        message = _("The %(dose)s of this product is given from age %(age)s.")
        error = ValidationError(
            message, code="age_below_minimum", params={"dose": dose, "age": nearest.row.min_age}
        )
        return error, nearest, _earliest(nearest.row, slot, person)
    nearest = max(rules, key=lambda r: r.row.max_age or 0)
    message = _("The %(dose)s of this product is given below age %(age)s only.")
    error = ValidationError(
        message, code="age_above_maximum", params={"dose": dose, "age": nearest.row.max_age}
    )
    return error, nearest, None


def _target_error(rules: Sequence[_Rule], slot: _Slot) -> ValidationError:
    groups = sorted({str(Target(r.row.target).label) for r in rules if r.row.target})
    message = _("The %(dose)s is given only to: %(groups)s.")
    params = {"dose": dose_label(slot.kind, slot.number), "groups": "; ".join(groups)}
    return ValidationError(message, code="not_in_target_group", params=params)


def _interval_error(rule: ScheduleRule, slot: _Slot, due: dt.date) -> ValidationError:
    message = _(
        "Too soon: the %(dose)s may be given from %(due)s, %(interval)s after the dose of "
        "%(previous)s."
    )
    previous = slot.previous.given_on if slot.previous else due
    params = {
        "dose": dose_label(slot.kind, slot.number),
        "due": _day(due),
        "interval": interval_text(rule),
        "previous": _day(previous),
    }
    return ValidationError(message, code="interval_too_short", params=params)


def _infection_wait(
    book: _Book, slot: _Slot, person: _Person, day: dt.date
) -> tuple[dt.date, _Rule] | None:
    """The day a rule on infections lets the dose be given, when one holds for this person."""
    infected = person.infected_on
    if infected is None or infected > day:
        return None
    if slot.previous is not None and infected < slot.previous.given_on:
        return None  # waited out before the previous dose
    ages = person.ages_on(day)
    waits = [
        (_later(infected, r.row.interval_min or 0, r.row.interval_min_unit), r)
        for r in _in_force(book, slot, day, MeasuredFrom.INFECTION)
        if _age_fits(r.row, ages)
    ]
    return max(waits, key=lambda w: w[0], default=None)


def _infection_error(until: dt.date, slot: _Slot) -> ValidationError:
    message = _("The %(dose)s may be given from %(due)s, after the wait that follows COVID-19.")
    params = {"dose": dose_label(slot.kind, slot.number), "due": _day(until)}
    return ValidationError(message, code="too_soon_after_infection", params=params)


def _judge_timing(
    book: _Book, slot: _Slot, rules: Sequence[_Rule], person: _Person, day: dt.date
) -> DoseAssessment:
    """Among the rules that fit the person, the one that lets the dose be given soonest."""
    best, due = min(((r, _earliest(r.row, slot, person)) for r in rules), key=lambda p: p[1])
    since = slot.previous.given_on if slot.previous else None
    refusals = [] if day >= due else [_interval_error(best.row, slot, due)]
    wait = _infection_wait(book, slot, person, day)
    if wait and day < wait[0]:
        refusals.append(_infection_error(wait[0], slot))
        due = max(due, wait[0])
    return _assessment(
        slot,
        best,
        refusals,
        due=due,
        overdue_after=_bound(best.row, "max", since),
        recommended=_bound(best.row, "recommended", since),
    )


def _judge(
    book: _Book, slot: _Slot, product: Product, person: _Person, day: dt.date
) -> DoseAssessment:
    """Whether `product` may be the dose of `slot` on `day`: the first test that fails names
    the refusal."""
    rules = _in_force(book, slot, day, MeasuredFrom.PREVIOUS_DOSE)
    if not rules:
        message = _("On %(day)s no rule allows a %(dose)s: the schedule is complete for now.")
        params = {"day": _day(day), "dose": dose_label(slot.kind, slot.number)}
        return _assessment(slot, None, [ValidationError(message, "series_complete", params)])
    rules = _following(book, slot, product, day)
    if not rules:
        return _assessment(slot, None, [_may_follow_error(book, slot, product, day)])
    ages = person.ages_on(day)
    by_age = [r for r in rules if _age_fits(r.row, ages)]
    if not by_age:
        error, nearest, due = _age_error(rules, slot, person, day)
        return _assessment(slot, nearest, [error], due=due)
    by_target = [r for r in by_age if _target_fits(r.row, person)]
    if not by_target:
        return _assessment(slot, by_age[0], [_target_error(by_age, slot)])
    if slot.kind == DoseKind.ADDITIONAL:
        return _judge_window(book, slot, by_target, person, day)
    return _judge_timing(book, slot, by_target, person, day)


def _judge_window(
    book: _Book, slot: _Slot, rules: Sequence[_Rule], person: _Person, day: dt.date
) -> DoseAssessment:
    """An additional dose is given within its window after the primary series; past its end
    the person is due a booster instead."""
    since = slot.previous.given_on if slot.previous else None
    open_rules = [r for r in rules if day <= (_bound(r.row, "max", since) or day)]
    if open_rules:
        return _judge_timing(book, slot, open_rules, person, day)
    message = _("The %(dose)s is given within %(interval)s of the primary series; it is too late.")
    params = {
        "dose": dose_label(slot.kind, slot.number),
        "interval": interval_text(rules[0].row, "max"),
    }
    return _assessment(slot, rules[0], [ValidationError(message, "interval_too_long", params)])


def _only_timing(assessment: DoseAssessment) -> bool:
    return set(assessment.refusal_codes) <= TIMING_CODES


def _preferred(judged: list[DoseAssessment]) -> DoseAssessment:
    """The booster when it may be given, else the additional dose when it may; when neither
    may yet, the one that may be given soonest; else the booster's refusal."""
    allowed = [a for a in judged if a.allowed]
    if allowed:
        return allowed[0]
    waiting = [a for a in judged if a.due is not None and _only_timing(a)]
    return min(waiting, key=_soonest) if waiting else judged[0]


def _assess(
    book: _Book, product: Product, day: dt.date, person: _Person, history: Sequence[PriorDose]
) -> DoseAssessment:
    judged = [_judge(book, slot, product, person, day) for slot in _slots(book, history)]
    chosen = _preferred(judged)
    if not product.is_active:
        message = _("%(product)s is no longer in use.")
        error = ValidationError(message, code="product_inactive", params={"product": product.name})
        chosen = replace(chosen, refusals=[error, *chosen.refusals])
    return chosen


def _prior(history: Iterable[PriorDose], day: dt.date) -> list[PriorDose]:
    """The doses given on or before `day`, oldest first: a backdated dose is judged by what
    came before it."""
    return sorted((d for d in history if d.given_on <= day), key=lambda d: d.given_on)


def dose_assess(
    *,
    product: Product,
    given_on: dt.date,
    birth: dt.date | int,
    history: list[PriorDose],
    immunocompromised: bool = False,
    high_exposure: bool = False,
    infected_on: dt.date | None = None,
) -> DoseAssessment:
    """Which dose a dose of `product` on `given_on` would be, under the rules in force that
    day, and every reason it may not be given. `birth` is a date, or a year when only that is
    known; `history` the person's other valid doses."""
    person = _Person(birth, immunocompromised, high_exposure, infected_on)
    return _assess(_book(), product, given_on, person, _prior(history, given_on))


def next_dose_due(
    *,
    birth: dt.date | int,
    history: list[PriorDose],
    on: dt.date,
    immunocompromised: bool = False,
    high_exposure: bool = False,
    infected_on: dt.date | None = None,
) -> NextDose | None:
    """The next dose the person is due, by the rules in force on `on`, with the day it is due
    from and the day it is overdue after; None when no further dose is foreseen."""
    book = _book()
    person = _Person(birth, immunocompromised, high_exposure, infected_on)
    prior = _prior(history, on)
    options = [
        (product.key, a)
        for product in book.products.values()
        if product.is_active
        for a in [_assess(book, product, on, person, prior)]
        if a.due is not None and _only_timing(a)
    ]
    if not options:
        return None
    best = min((a for _key, a in options), key=_soonest)
    assert best.due is not None
    by_day = max(best.due, on)
    products = sorted(
        key
        for key, a in options
        if (a.kind, a.number) == (best.kind, best.number) and a.due and a.due <= by_day
    )
    return NextDose(
        kind=best.kind,
        number=best.number,
        sequence=best.sequence,
        due=best.due,
        overdue_after=best.overdue_after,
        overdue=best.overdue_after is not None and on > best.overdue_after,
        products=tuple(products),
        rule=best.rule,
    )


def _soonest(assessment: DoseAssessment) -> tuple[dt.date, int]:
    assert assessment.due is not None
    return assessment.due, KIND_ORDER[DoseKind(assessment.kind)]
