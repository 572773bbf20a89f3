"""The rules that raise warnings: each a small function of the day that returns candidates
(`Candidate`), stored and sent once by `analytics.warning_services`.

Reaction signals read the counts (`ReactionRollup`, `DoseRollup`), never the doses; a serious
reaction and the data-quality checks read the few rows they are about. Thresholds come from
settings (`Thresholds.from_settings`, documented in settings.py).
"""

import csv
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.analytics.models import (
    CoveragePlan,
    DoseRollup,
    OverduePerson,
    ReactionRollup,
    Warning,
    WarningKind,
)
from sosuckhoe.analytics.planning import RATE_DAYS
from sosuckhoe.analytics.plans import PlanProgress, plan_progress
from sosuckhoe.analytics.signals_stats import (
    Disproportion,
    ObservedExpected,
    ears_c2,
    observed_expected,
    prr,
)
from sosuckhoe.people.models import DuplicatePair, DuplicatePairStatus
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.models import Lot, MovementKind, Product, StockBalance, StockMovement
from sosuckhoe.supply.schedule import dose_label
from sosuckhoe.vaccination.models import AefiCategory, AefiTerm, DailyTally, Dose, Reaction

BACKGROUND_RATES = Path(__file__).parent / "data" / "background_rates.csv"


@dataclass(frozen=True)
class Thresholds:
    """What makes a warning; the defaults and their reasons are in settings.py."""

    serious_reaction_days: int = 7
    signal_days: int = 90
    prr_min: float = 2.0
    chi2_min: float = 4.0
    prr_n_min: int = 3
    expiry_days: int = 30
    stock_out_days: int = 7
    use_rate_days: int = 14
    quality_days: int = 1
    overdue_count_days: int = 2
    overdue_min: int = 1
    overdue_days: int = 14
    max_age: int = 120
    min_interval_days: int = 14
    ears_threshold: float = 3.0
    ears_min_sigma: float = 0.5
    plan_slack_days: int = 7

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(
            serious_reaction_days=settings.WARNING_SERIOUS_REACTION_DAYS,
            signal_days=settings.WARNING_SIGNAL_DAYS,
            prr_min=settings.WARNING_PRR_MIN,
            chi2_min=settings.WARNING_CHI2_MIN,
            prr_n_min=settings.WARNING_PRR_N_MIN,
            expiry_days=settings.WARNING_EXPIRY_DAYS,
            stock_out_days=settings.WARNING_STOCK_OUT_DAYS,
            use_rate_days=settings.WARNING_USE_RATE_DAYS,
            quality_days=settings.WARNING_QUALITY_DAYS,
            overdue_count_days=settings.WARNING_OVERDUE_COUNT_DAYS,
            overdue_min=settings.WARNING_OVERDUE_MIN,
            overdue_days=settings.WARNING_OVERDUE_DAYS,
            max_age=settings.WARNING_MAX_AGE,
            min_interval_days=settings.WARNING_MIN_INTERVAL_DAYS,
            ears_threshold=settings.WARNING_EARS_THRESHOLD,
            ears_min_sigma=settings.WARNING_EARS_MIN_SIGMA,
            plan_slack_days=settings.WARNING_PLAN_SLACK_DAYS,
        )


@dataclass(frozen=True)
class Candidate:
    """A warning a rule found; raised only when no warning has its key yet."""

    kind: str
    unit_id: int
    key: str
    numbers: dict[str, Any] = field(default_factory=dict)
    link: str = ""


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _round(value: float) -> float | str:
    return "∞" if math.isinf(value) else round(value, 2)


# --- A serious reaction -------------------------------------------------------------------


def serious_reactions(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Each serious reaction reported, or made serious (its investigation opened), in the
    last days, for the person's home commune."""
    since = timezone.now() - dt.timedelta(days=limits.serious_reaction_days)
    recent = Q(reported_at__gte=since) | Q(investigation__opened_at__gte=since)
    reactions = (
        Reaction.objects.filter(recent, serious=True)
        .select_related("dose__person", "dose__product")
        .prefetch_related("terms")
        .order_by("id")
    )
    return [_serious(reaction) for reaction in reactions]


def _serious(reaction: Reaction) -> Candidate:
    dose = reaction.dose
    return Candidate(
        kind=WarningKind.SERIOUS_REACTION,
        unit_id=dose.person.home_unit_id,
        key=f"serious_reaction:{reaction.uuid}",
        numbers={
            "case": str(reaction.uuid)[:8],
            "product": dose.product.name,
            "day": _day(dose.given_on),
            "terms": ", ".join(sorted(term.code for term in reaction.terms.all())),
        },
        link=reverse("console:dose", args=[dose.uuid]) + "#reactions",
    )


# --- Reaction signals: disproportionality and observed against expected --------------------


def _province_of(unit_ids: Iterable[int]) -> dict[int, int]:
    """The province of each commune: the unit whose path is the first two parts of its own."""
    paths = dict(AdminUnit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "path"))
    province_paths = {pk: "/".join(path.split("/")[:2]) + "/" for pk, path in paths.items()}
    provinces = dict(
        AdminUnit.objects.filter(path__in=set(province_paths.values())).values_list("path", "pk")
    )
    return {pk: provinces[path] for pk, path in province_paths.items() if path in provinces}


@dataclass
class ReactionCounts:
    """Reactions of a window per province, added up the ways the 2×2 tables need."""

    by_term: Counter[tuple[int, int, int]] = field(default_factory=Counter)  # prov, product, term
    by_lot_term: Counter[tuple[int, int, int, int]] = field(default_factory=Counter)
    by_product: Counter[tuple[int, int]] = field(default_factory=Counter)
    by_lot: Counter[tuple[int, int, int]] = field(default_factory=Counter)
    by_province_term: Counter[tuple[int, int]] = field(default_factory=Counter)
    by_province: Counter[int] = field(default_factory=Counter)

    def add(self, province: int, product: int, lot: int, term: int, n: int) -> None:
        self.by_term[province, product, term] += n
        self.by_lot_term[province, product, lot, term] += n
        self.by_product[province, product] += n
        self.by_lot[province, product, lot] += n
        self.by_province_term[province, term] += n
        self.by_province[province] += n


def reaction_counts(*, since: dt.date, until: dt.date) -> ReactionCounts:
    """Reactions by the dose's day in the window, signs only (not the cause categories). A
    reaction counts once under each of its signs: the 2×2 tables count reaction-sign pairs,
    as spontaneous-report databases count drug-event pairs."""
    sums = (
        ReactionRollup.objects.filter(day__range=(since, until))
        .exclude(term__category=AefiCategory.CAUSE)
        .values_list("unit_id", "product_id", "lot_id", "term_id")
        .annotate(n=Sum("reactions"))
    )
    rows = [row for row in sums if row[4] > 0]
    provinces = _province_of(row[0] for row in rows)
    counts = ReactionCounts()
    for unit, product, lot, term, n in rows:
        if unit in provinces:
            counts.add(provinces[unit], product, lot, term, n)
    return counts


@dataclass(frozen=True)
class Names:
    """What the reason needs to name a product, lot or sign; read once per run."""

    products: Mapping[int, str]
    lots: Mapping[int, str]
    terms: Mapping[int, tuple[str, str]]  # code, Vietnamese term

    @classmethod
    def read(cls) -> "Names":
        return cls(
            products=dict(Product.objects.values_list("pk", "name")),
            lots=dict(Lot.objects.values_list("pk", "number")),
            terms={t.pk: (t.code, t.term_vi) for t in AefiTerm.objects.all()},
        )


@dataclass(frozen=True)
class Window:
    """The dose days a signal rule reads, and what its warnings need to name things."""

    since: dt.date
    until: dt.date
    names: Names
    limits: Thresholds

    @classmethod
    def ending(cls, today: dt.date, limits: Thresholds) -> "Window":
        since = today - dt.timedelta(days=limits.signal_days - 1)
        return cls(since, today, Names.read(), limits)

    @property
    def period(self) -> str:
        """A signal that lasts is raised again at most once a month."""
        return f"{self.until:%Y-%m}"

    def rows(self, *, term: int, product: int, lot: int | None = None) -> dict[str, Any]:
        """What selects the counts behind a signal (its warning's page lists them)."""
        days = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        return {"term": term, "product": product, "lot": lot, **days}

    def term(self, term: int) -> str:
        code, term_vi = self.names.terms[term]
        return f"{code} {term_vi}"


def prr_signals(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Each product × sign, and each lot × sign within its product, whose proportional
    reporting ratio in the province passes PRR, χ² and n over the window's dose days."""
    window = Window.ending(today, limits)
    counts = reaction_counts(since=window.since, until=window.until)
    return [*_product_signals(counts, window), *_lot_signals(counts, window)]


def _passes(result: Disproportion, limits: Thresholds) -> bool:
    return result.signals(prr_min=limits.prr_min, chi2_min=limits.chi2_min, n_min=limits.prr_n_min)


def _product_signals(counts: ReactionCounts, window: Window) -> Iterable[Candidate]:
    """A product against the other products of the province."""
    for (province, product, term), a in sorted(counts.by_term.items()):
        b = counts.by_product[province, product] - a
        c = counts.by_province_term[province, term] - a
        d = counts.by_province[province] - a - b - c
        result = prr(a=a, b=b, c=c, d=d)
        if _passes(result, window.limits):
            yield _prr_candidate(
                province,
                f"reaction_prr:{province}:p{product}:t{term}:{window.period}",
                window.names.products[product],
                result,
                window,
                window.rows(term=term, product=product),
            )


def _lot_signals(counts: ReactionCounts, window: Window) -> Iterable[Candidate]:
    """A lot against the other lots of its product in the province: a fault of one lot."""
    for (province, product, lot, term), a in sorted(counts.by_lot_term.items()):
        b = counts.by_lot[province, product, lot] - a
        c = counts.by_term[province, product, term] - a
        d = counts.by_product[province, product] - counts.by_lot[province, product, lot] - c
        result = prr(a=a, b=b, c=c, d=d)
        if _passes(result, window.limits):
            yield _prr_candidate(
                province,
                f"reaction_prr:{province}:l{lot}:t{term}:{window.period}",
                f"{window.names.products[product]} {window.names.lots[lot]}",
                result,
                window,
                window.rows(term=term, product=product, lot=lot),
            )


def _prr_candidate(
    province: int,
    key: str,
    subject: str,
    result: Disproportion,
    window: Window,
    rows: dict[str, Any],
) -> Candidate:
    limits = window.limits
    return Candidate(
        kind=WarningKind.REACTION_PRR,
        unit_id=province,
        key=key,
        numbers={
            "subject": subject,
            "term": window.term(rows["term"]),
            "a": result.a,
            "b": result.b,
            "c": result.c,
            "d": result.d,
            "prr": _round(result.prr),
            "chi2": _round(result.chi2),
            "days": limits.signal_days,
            "prr_min": limits.prr_min,
            "chi2_min": limits.chi2_min,
            "n_min": limits.prr_n_min,
            "rows": rows,
        },
    )


@dataclass(frozen=True)
class BackgroundRate:
    """The expected rate of an event: per million doses, or per 100,000 person-years over
    a risk window after each dose."""

    term_code: str
    event: str
    basis: str  # "per_million_doses" | "per_100k_person_years"
    rate: float
    risk_window_days: int

    def expected(self, doses: int) -> float:
        if self.basis == "per_million_doses":
            return doses * self.rate / 1_000_000
        return doses * self.risk_window_days / 365.25 * self.rate / 100_000


@cache
def background_rates() -> tuple[BackgroundRate, ...]:
    """The rates of `data/background_rates.csv` that name a sign of the coded list."""
    with BACKGROUND_RATES.open(encoding="utf-8") as rows:
        return tuple(
            BackgroundRate(
                row["term_code"],
                row["event"],
                row["basis"],
                float(row["rate"]),
                int(row["risk_window_days"] or 0),
            )
            for row in csv.DictReader(rows)
            if row["term_code"]
        )


def doses_by_province(*, since: dt.date, until: dt.date) -> Counter[tuple[int, int]]:
    """Valid doses of the window per province and product, from the counts."""
    rows = list(
        DoseRollup.objects.filter(day__range=(since, until))
        .values_list("unit_id", "product_id")
        .annotate(n=Sum("doses"))
    )
    provinces = _province_of(row[0] for row in rows)
    doses: Counter[tuple[int, int]] = Counter()
    for unit, product, n in rows:
        if unit in provinces:
            doses[provinces[unit], product] += n
    return doses


def oe_signals(
    *, today: dt.date, limits: Thresholds, rates: Sequence[BackgroundRate] | None = None
) -> list[Candidate]:
    """Each product × sign with a background rate whose observed count in the province is
    above the expected one: the exact 95 % interval of their ratio lies at or above 1."""
    window = Window.ending(today, limits)
    counts = reaction_counts(since=window.since, until=window.until)
    doses = doses_by_province(since=window.since, until=window.until)
    term_ids = {code: pk for pk, (code, _term) in window.names.terms.items()}
    found = []
    for rate in background_rates() if rates is None else rates:
        term = term_ids.get(rate.term_code)
        if term is None:
            continue
        for (province, product), given in sorted(doses.items()):
            if rate.expected(given) <= 0:
                continue
            result = observed_expected(
                observed=counts.by_term[province, product, term], expected=rate.expected(given)
            )
            if result.signals():
                rows = window.rows(term=term, product=product)
                found.append(_oe_candidate(province, rate, given, result, window, rows))
    return found


def _oe_candidate(
    province: int,
    rate: BackgroundRate,
    doses: int,
    result: ObservedExpected,
    window: Window,
    rows: dict[str, Any],
) -> Candidate:
    return Candidate(
        kind=WarningKind.REACTION_OE,
        unit_id=province,
        key=f"reaction_oe:{province}:p{rows['product']}:t{rows['term']}:{window.period}",
        numbers={
            "product": window.names.products[rows["product"]],
            "term": window.term(rows["term"]),
            "event": rate.event,
            "doses": doses,
            "observed": result.observed,
            "expected": round(result.expected, 3),
            "ratio": _round(result.ratio),
            "lower": _round(result.lower),
            "upper": _round(result.upper),
            "rows": rows,
        },
    )


# --- Stock ----------------------------------------------------------------------------------


def lots_expiring(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Each lot with doses on hand at a facility that expires within the days set."""
    balances = (
        StockBalance.objects.filter(
            doses__gt=0,
            lot__expiry_date__lte=today + dt.timedelta(days=limits.expiry_days),
            lot__recalled_at__isnull=True,
        )
        .select_related("facility", "lot__product")
        .order_by("id")
    )
    return [
        Candidate(
            kind=WarningKind.LOT_EXPIRING,
            unit_id=balance.facility.unit_id,
            key=f"lot_expiring:{balance.facility_id}:{balance.lot_id}",
            numbers={
                "lot": balance.lot.number,
                "product": balance.lot.product.name,
                "facility": balance.facility.name,
                "expiry": _day(balance.lot.expiry_date),
                "doses": balance.doses,
            },
            link=reverse("console:stock_facility", args=[balance.facility.uuid]),
        )
        for balance in balances
    ]


def _usable_on_hand(today: dt.date) -> dict[tuple[int, int], int]:
    """Doses on hand per facility and product, of lots neither expired nor recalled."""
    rows = (
        StockBalance.objects.filter(
            doses__gt=0, lot__expiry_date__gte=today, lot__recalled_at__isnull=True
        )
        .values_list("facility_id", "lot__product_id")
        .annotate(n=Sum("doses"))
    )
    return {(facility, product): n for facility, product, n in rows}


def _daily_use(since: dt.date) -> dict[tuple[int, int], int]:
    """Doses used per facility and product since the day (uses less uses undone)."""
    rows = (
        StockMovement.objects.filter(
            on__gte=since, kind__in=(MovementKind.USE, MovementKind.USE_RETURN)
        )
        .values_list("facility_id", "lot__product_id")
        .annotate(n=Sum("doses"))
    )
    return {(facility, product): -n for facility, product, n in rows if n < 0}


def stock_outs(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Each facility × product whose usable stock lasts fewer days than set at the use rate
    of the recent days."""
    since = today - dt.timedelta(days=limits.use_rate_days)
    used, on_hand = _daily_use(since), _usable_on_hand(today)
    short = {}
    for (facility, product), doses in used.items():
        rate = doses / limits.use_rate_days
        left = on_hand.get((facility, product), 0)
        if left / rate < limits.stock_out_days:
            short[facility, product] = (left, rate)
    if not short:
        return []
    facilities = Facility.objects.in_bulk({facility for facility, _product in short})
    products = Product.objects.in_bulk({product for _facility, product in short})
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    return [
        Candidate(
            kind=WarningKind.STOCK_OUT,
            unit_id=facilities[facility].unit_id,
            key=f"stock_out:{facility}:{product}:{week}",
            numbers={
                "product": products[product].name,
                "facility": facilities[facility].name,
                "doses": left,
                "rate": round(rate, 1),
                "days_left": round(left / rate, 1),
            },
            link=reverse("console:stock_facility", args=[facilities[facility].uuid]),
        )
        for (facility, product), (left, rate) in sorted(short.items())
    ]


# --- People overdue ------------------------------------------------------------------------


def overdue_people(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Per commune: residents more than `overdue_days` past the end of their next dose's
    window, as the daily count (`analytics.overdue`) listed them in the last days; once a week
    while there are some."""
    since = today - dt.timedelta(days=limits.overdue_count_days)
    late = today - dt.timedelta(days=limits.overdue_days)
    rows = (
        OverduePerson.objects.filter(counted_on__gte=since, due_by__lt=late)
        .values_list("unit_id", "unit__code")
        .annotate(n=Count("person_id", distinct=True), day=Max("counted_on"))
    )
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    people = reverse("console:overdue")
    return [
        Candidate(
            kind=WarningKind.OVERDUE,
            unit_id=unit,
            key=f"overdue:{unit}:{week}",
            numbers={"count": n, "day": _day(day)},
            link=f"{people}?unit={code}",
        )
        for unit, code, n, day in sorted(rows)
        if n >= limits.overdue_min
    ]


# --- Coverage plans --------------------------------------------------------------------------


def units_behind_plan(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Each coverage plan not yet reached whose unit, at its pace of the last 14 days, reaches
    the planned coverage more than the slack days after the plan's date (or never: no doses
    of it in those days); once a week while it is so. A plan past its date and not reached
    stays behind until reached or removed."""
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    plans = CoveragePlan.objects.select_related("unit").order_by("unit__path", "due_on", "id")
    found = []
    for plan in plans:
        progress = plan_progress(plan, today=today)
        if progress.behind(limits.plan_slack_days):
            found.append(_behind_plan(progress, week))
    return found


def _behind_plan(progress: PlanProgress, week: str) -> Candidate:
    plan, reached = progress.plan, progress.reaches_on
    return Candidate(
        kind=WarningKind.BEHIND_PLAN,
        unit_id=plan.unit_id,
        key=f"behind_plan:{plan.uuid}:{week}",
        numbers={
            "unit": plan.unit.name,
            "kind": plan.kind,
            "number": plan.number,
            "coverage": progress.coverage,
            "target": plan.coverage,
            "given": progress.given,
            "needed": progress.needed,
            "due": _day(plan.due_on),
            "projected": _day(reached) if reached else "",
            "rate": round(progress.rate, 1),
            "days": RATE_DAYS,
        },
        link=reverse("console:planning") + f"?unit={plan.unit.code}#plans",
    )


# --- The sites' day -------------------------------------------------------------------------


def entry_backlogs(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Each site whose paper tally of yesterday differs from the doses entered for it."""
    day = today - dt.timedelta(days=1)
    tallied = Counter(
        dict(
            DailyTally.objects.filter(day=day)
            .values_list("site_id")
            .annotate(n=Sum("doses"))
            .values_list("site_id", "n")
        )
    )
    if not tallied:
        return []
    entered = Counter(
        dict(
            Dose.objects.valid()
            .filter(site_id__in=list(tallied), given_on=day)
            .values_list("site_id")
            .annotate(n=Count("id"))
            .values_list("site_id", "n")
        )
    )
    behind = [site for site in sorted(tallied) if tallied[site] != entered[site]]
    sites = Facility.objects.in_bulk(behind)
    return [
        Candidate(
            kind=WarningKind.ENTRY_BACKLOG,
            unit_id=sites[site].unit_id,
            key=f"entry_backlog:{site}:{day.isoformat()}",
            numbers={
                "site": sites[site].name,
                "day": _day(day),
                "tallied": tallied[site],
                "entered": entered[site],
            },
            link=reverse("console:site_day", args=[sites[site].uuid]) + f"?day={day.isoformat()}",
        )
        for site in behind
    ]


# --- Data quality ---------------------------------------------------------------------------


def impossible_ages(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Per commune: doses recorded in the last days for people older than the maximum age on
    the dose's day (a birth year typed wrong)."""
    since = timezone.now() - dt.timedelta(days=limits.quality_days)
    age = ExpressionWrapper(
        ExtractYear("given_on") - F("person__birth_year"), output_field=IntegerField()
    )
    rows = (
        Dose.objects.valid()
        .filter(recorded_at__gte=since)
        .annotate(age=age)
        .filter(age__gt=limits.max_age)
        .values_list("person__home_unit_id")
        .annotate(n=Count("id"))
    )
    return [
        _quality(unit, "impossible_age", today.isoformat(), {"count": n, "max_age": limits.max_age})
        for unit, n in sorted(rows)
    ]


def short_intervals(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Per commune: doses recorded in the last days fewer days after an earlier valid dose
    of the same vaccine than any schedule allows."""
    since = timezone.now() - dt.timedelta(days=limits.quality_days)
    recent = list(
        Dose.objects.valid()
        .filter(recorded_at__gte=since)
        .values_list("id", "person_id", "person__home_unit_id", "product__family", "given_on")
    )
    earlier = defaultdict(list)
    for person, family, given_on in (
        Dose.objects.valid()
        .filter(person_id__in={row[1] for row in recent})
        .values_list("person_id", "product__family", "given_on")
    ):
        earlier[person, family].append(given_on)
    too_soon: Counter[int] = Counter()
    for _pk, person, unit, family, given_on in recent:
        gaps = ((given_on - other).days for other in earlier[person, family])
        if any(0 < gap < limits.min_interval_days for gap in gaps):
            too_soon[unit] += 1
    return [
        _quality(
            unit,
            "short_interval",
            today.isoformat(),
            {"count": n, "min_days": limits.min_interval_days},
        )
        for unit, n in sorted(too_soon.items())
    ]


def duplicates_waiting(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
    """Per commune: candidate duplicates waiting for review, once a week while they wait."""
    rows = (
        DuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN)
        .values_list("person_a__home_unit_id", "person_a__home_unit__code")
        .annotate(n=Count("id"))
    )
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    queue = reverse("console:duplicates")
    return [
        _quality(unit, "duplicates", week, {"count": n}, link=f"{queue}?unit={code}")
        for unit, code, n in sorted(rows)
    ]


def _quality(
    unit: int, problem: str, period: str, numbers: dict[str, Any], link: str = ""
) -> Candidate:
    return Candidate(
        kind=WarningKind.DATA_QUALITY,
        unit_id=unit,
        key=f"data_quality:{problem}:{unit}:{period}",
        numbers={"problem": problem, **numbers},
        link=link,
    )


# --- Surges in daily counts -----------------------------------------------------------------


def surges(
    *, kind: str, series: Mapping[int, Sequence[int]], today: dt.date, limits: Thresholds
) -> list[Candidate]:
    """Each unit whose count today (the last of its daily series) is an EARS C2 aberration.
    Generic: the health declarations' counts per commune are one such series, once the
    declarations exist."""
    found = []
    for unit, counts in sorted(series.items()):
        result = ears_c2(counts, min_sigma=limits.ears_min_sigma)
        if result is not None and result.signals(limits.ears_threshold):
            found.append(
                Candidate(
                    kind=kind,
                    unit_id=unit,
                    key=f"{kind}:{unit}:{today.isoformat()}",
                    numbers={
                        "count": result.count,
                        "day": _day(today),
                        "mean": round(result.mean, 1),
                        "statistic": _round(result.statistic),
                        "threshold": limits.ears_threshold,
                    },
                )
            )
    return found


RULES = (
    serious_reactions,
    prr_signals,
    oe_signals,
    lots_expiring,
    stock_outs,
    overdue_people,
    units_behind_plan,
    entry_backlogs,
    impossible_ages,
    short_intervals,
    duplicates_waiting,
)


# --- The reason, in the reader's language -----------------------------------------------


def warning_reason(warning: Warning) -> str:
    """The reason of a warning, written from its kind and numbers in the active language."""
    numbers = warning.numbers
    if warning.kind == WarningKind.DATA_QUALITY:
        return _quality_reason(numbers)
    if warning.kind == WarningKind.BEHIND_PLAN:
        return _plan_reason(numbers)
    template = _reason_templates().get(warning.kind)
    return template % numbers if template else warning.get_kind_display()


def _reason_templates() -> dict[str, str]:
    return {
        WarningKind.SERIOUS_REACTION: _(
            "Serious reaction, case %(case)s: %(product)s given on %(day)s; signs %(terms)s."
        ),
        WarningKind.REACTION_PRR: _(
            "%(term)s after %(subject)s: %(a)s reports in %(days)s days, PRR %(prr)s and χ² "
            "%(chi2)s (signal from PRR ≥ %(prr_min)s, χ² ≥ %(chi2_min)s, %(n_min)s reports)."
        ),
        WarningKind.REACTION_OE: _(
            "%(term)s after %(product)s: %(observed)s observed, %(expected)s expected from the "
            "background rate of %(event)s over %(doses)s doses; ratio %(ratio)s "
            "(95%% interval %(lower)s–%(upper)s)."
        ),
        WarningKind.LOT_EXPIRING: _(
            "Lot %(lot)s of %(product)s at %(facility)s expires on %(expiry)s with %(doses)s "
            "doses left."
        ),
        WarningKind.STOCK_OUT: _(
            "%(product)s at %(facility)s: %(doses)s doses left, about %(days_left)s days at "
            "%(rate)s doses a day."
        ),
        WarningKind.OVERDUE: _(
            "%(count)s residents are past the window of their next dose (counted on %(day)s)."
        ),
        WarningKind.ENTRY_BACKLOG: _(
            "%(site)s, %(day)s: %(tallied)s doses on the paper tally, %(entered)s entered."
        ),
        WarningKind.DECLARATION_SURGE: _(
            "%(count)s symptomatic health declarations on %(day)s against %(mean)s a day before "
            "(EARS C2 %(statistic)s, threshold %(threshold)s)."
        ),
    }


def _plan_reason(numbers: Mapping[str, Any]) -> str:
    values = {**numbers, "dose": dose_label(numbers["kind"], numbers["number"])}
    if not numbers["projected"]:
        return (
            _(
                "%(unit)s, %(dose)s: coverage %(coverage)s%% against %(target)s%% planned by "
                "%(due)s, and no such dose given in the last %(days)s days."
            )
            % values
        )
    return (
        _(
            "%(unit)s, %(dose)s: coverage %(coverage)s%% against %(target)s%% planned by "
            "%(due)s; at %(rate)s doses a day (the last %(days)s days) it is reached on "
            "%(projected)s."
        )
        % values
    )


def _quality_reason(numbers: Mapping[str, Any]) -> str:
    if numbers.get("problem") == "impossible_age":
        return _("%(count)s doses recorded for people older than %(max_age)s years.") % numbers
    if numbers.get("problem") == "short_interval":
        return (
            _(
                "%(count)s doses recorded fewer than %(min_days)s days after an earlier dose of "
                "the same vaccine."
            )
            % numbers
        )
    return _("%(count)s duplicate candidates wait for review.") % numbers
