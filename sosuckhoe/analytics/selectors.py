"""Reads of the dashboards: counts of a unit's subtree, from the count tables and the target
populations, never from a scan of the raw doses. What covers all days (coverage, the rates per
product and lot) reads the totals of all days (DoseTotal, LotDoses: a few rows per commune);
the doses per day read the per-day counts (DoseRollup) of the days shown.

Every read takes a unit the caller has already checked is within the viewer's subtree
(`dashboard_unit`). The counts name no one, so they are not audited, and an analyst reads
them as any officer does (accounts.models: an analyst reads aggregates of its unit).

One read touches raw rows, bounded by an index and a short list: the doses entered for the
sites and days that have a paper tally (the backlog; index (site, given_on, product)): the
dose counts are kept per commune, not per site.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, QuerySet, Sum

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.analytics.models import (
    ALL_AGES,
    ALL_GROUPS,
    DoseRollup,
    DoseTotal,
    LotDoses,
    OverdueCount,
    ReactionRollup,
)
from sosuckhoe.analytics.models.targets import TargetPopulation
from sosuckhoe.places.models import AdminUnit, Facility, UnitLevel
from sosuckhoe.places.selectors import unit_children, unit_within
from sosuckhoe.supply.models import DoseKind, Lot, MovementKind, Product, StockMovement
from sosuckhoe.supply.selectors import stock_by_lot
from sosuckhoe.vaccination.models import DailyTally, Dose

KIND_ORDER = {DoseKind.PRIMARY: 0, DoseKind.ADDITIONAL: 1, DoseKind.BOOSTER: 2}
USE_WINDOW_DAYS = 14  # days of use that the days of stock left are reckoned from
BACKLOG_WINDOW_DAYS = 14
LAGGING_SHOWN = 15
LOTS_SHOWN = 20
PER_DOSES = 100_000

DoseKey = tuple[str, int]  # (kind, number)
FIRST_DOSE: DoseKey = (DoseKind.PRIMARY, 1)


@dataclass(frozen=True)
class Filters:
    """The part of the population a dashboard shows: a priority group (0: all), an age
    band ("": all ages). Targets are read for the same group and band."""

    group: int = ALL_GROUPS
    band: str = ALL_AGES


def dashboard_unit(*, user: StaffUser, code: str) -> AdminUnit:
    """The unit named by `code` within the user's subtree (their own when empty);
    AdminUnit.DoesNotExist outside it, so that a code narrows and never widens."""
    return unit_within(unit=user.unit, code=code) if code else user.unit


def units_below(unit: AdminUnit) -> list[AdminUnit]:
    """The units a dashboard breaks its unit into: its children; none for a commune."""
    return [] if unit.level == UnitLevel.COMMUNE else unit_children(unit=unit)


Counts = TypeVar("Counts", DoseRollup, DoseTotal)


def _dose_rows(model: type[Counts], unit: AdminUnit, filters: Filters) -> QuerySet[Counts]:
    """The count rows of the subtree's communes within the filters."""
    rows = model.objects.filter(unit_id__in=unit.subtree_ids)
    if filters.group != ALL_GROUPS:
        rows = rows.filter(priority_group=filters.group)
    if filters.band != ALL_AGES:
        rows = rows.filter(age_band=filters.band)
    return rows


def _targets_by_commune(unit: AdminUnit, filters: Filters) -> dict[int, int]:
    rows = TargetPopulation.objects.filter(
        unit_id__in=unit.subtree_ids, priority_group=filters.group, age_band=filters.band
    )
    return dict(rows.values_list("unit_id", "persons"))


def dose_order(key: DoseKey) -> tuple[int, int]:
    return KIND_ORDER.get(DoseKind(key[0]), 9), key[1]


# --- Coverage ---------------------------------------------------------------------------


@dataclass
class UnitCoverage:
    """Doses given per dose (kind, number) in a unit's subtree, against its target."""

    unit: AdminUnit
    target: int = 0
    given: dict[DoseKey, int] = field(default_factory=lambda: defaultdict(int))

    def coverage(self, dose: DoseKey) -> float | None:
        """Percent of the target who had the dose; None without a target."""
        if not self.target:
            return None
        return round(100 * self.given.get(dose, 0) / self.target, 1)


@dataclass(frozen=True)
class Coverage:
    total: UnitCoverage
    below: list[UnitCoverage]  # one per unit below; empty for a commune
    doses: list[DoseKey]  # every dose given in the subtree, in schedule order


def coverage_read(*, unit: AdminUnit, filters: Filters) -> Coverage:
    """Coverage of the unit and of each unit below it, per dose given."""
    below = [UnitCoverage(child) for child in units_below(unit)]
    owner = {pk: row for row in below for pk in row.unit.subtree_ids}
    total = UnitCoverage(unit)
    for commune, persons in _targets_by_commune(unit, filters).items():
        total.target += persons
        if commune in owner:
            owner[commune].target += persons
    per_commune = (
        _dose_rows(DoseTotal, unit, filters)
        .values_list("unit_id", "kind", "number")
        .annotate(Sum("doses"))
    )
    for commune, kind, number, doses in per_commune.order_by():
        total.given[(kind, number)] += doses
        if commune in owner:
            owner[commune].given[(kind, number)] += doses
    doses = sorted((k for k, n in total.given.items() if n), key=dose_order)
    return Coverage(total=total, below=below, doses=doses)


def lagging_communes(
    *, unit: AdminUnit, filters: Filters, dose: DoseKey = FIRST_DOSE, limit: int = LAGGING_SHOWN
) -> list[UnitCoverage]:
    """The communes of the subtree with a target whose coverage of `dose` is below the
    subtree's own, lowest first."""
    targets = _targets_by_commune(unit, filters)
    given = dict(
        _dose_rows(DoseTotal, unit, filters)
        .filter(unit_id__in=list(targets), kind=dose[0], number=dose[1])
        .values_list("unit_id")
        .annotate(Sum("doses"))
        .order_by()
    )
    total_target = sum(targets.values())
    if not total_target:
        return []
    overall = sum(given.values()) / total_target
    behind = sorted((given.get(pk, 0) / persons, pk) for pk, persons in targets.items() if persons)
    behind = [(share, pk) for share, pk in behind if share < overall][:limit]
    names = AdminUnit.objects.in_bulk([pk for _share, pk in behind])
    rows = []
    for _share, pk in behind:
        row = UnitCoverage(names[pk], target=targets[pk])
        row.given[dose] = given.get(pk, 0)
        rows.append(row)
    return rows


# --- Doses per day ----------------------------------------------------------------------

BREAKDOWNS = ("product", "dose", "group")


@dataclass(frozen=True)
class DaySeries:
    days: list[dt.date]
    # A series' key ("comirnaty", "primary:1", a group's code "9") -> its doses per day.
    series: dict[str, list[int]]
    total: list[int]
    average7: list[float]  # the mean of the total over the day and the six before it


def doses_by_day(
    *, unit: AdminUnit, filters: Filters, until: dt.date, days: int, by: str
) -> DaySeries:
    """Doses per day over `days` days to `until`, per product, dose or priority group, with
    the 7-day average of the total."""
    first = until - dt.timedelta(days=days - 1)
    fields = {
        "product": ("product__key",),
        "dose": ("kind", "number"),
        "group": ("priority_group",),
    }
    rows = (
        _dose_rows(DoseRollup, unit, filters)
        .filter(day__range=(first - dt.timedelta(days=6), until))
        .values_list("day", *fields[by])
        .annotate(Sum("doses"))
        .order_by()
    )
    per_key: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[dt.date, int] = defaultdict(int)
    for day, *key, doses in rows:
        totals[day] += doses
        if day >= first:
            per_key[":".join(str(part) for part in key)][day] += doses
    span = [first + dt.timedelta(days=i) for i in range(days)]
    return DaySeries(
        days=span,
        series={k: [v.get(d, 0) for d in span] for k, v in sorted(per_key.items())},
        total=[totals.get(d, 0) for d in span],
        average7=[
            round(sum(totals.get(d - dt.timedelta(days=i), 0) for i in range(7)) / 7, 1)
            for d in span
        ],
    )


# --- Stock ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotDays:
    lot: Lot
    on_hand: int
    used_per_day: float  # the mean over the last USE_WINDOW_DAYS days
    facilities: int

    @property
    def days_left(self) -> float | None:
        """Days the stock lasts at that pace; None when nothing was used."""
        return round(self.on_hand / self.used_per_day, 1) if self.used_per_day else None


def stock_days_left(*, user: StaffUser, unit: AdminUnit, on: dt.date) -> list[LotDays]:
    """Doses on hand per lot in the subtree, and the days they last at the pace of use of the
    last two weeks (uses less those undone)."""
    stock = stock_by_lot(user=user, unit=unit)
    since = on - dt.timedelta(days=USE_WINDOW_DAYS - 1)
    used = dict(
        StockMovement.objects.filter(
            facility__unit__path__startswith=unit.path,
            lot_id__in=[s.lot.pk for s in stock],
            kind__in=(MovementKind.USE, MovementKind.USE_RETURN),
            on__range=(since, on),
        )
        .values_list("lot_id")
        .annotate(Sum("doses"))
        .order_by()
    )
    return [
        LotDays(s.lot, s.doses, round(-used.get(s.lot.pk, 0) / USE_WINDOW_DAYS, 2), s.facilities)
        for s in stock
    ]


# --- Reactions --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReactionRate:
    label: str
    doses: int
    signs: int  # a reaction counts once under each of its signs
    serious: int

    def per_doses(self, count: int) -> float | None:
        return round(PER_DOSES * count / self.doses, 1) if self.doses else None


def reactions_by_product(*, unit: AdminUnit) -> list[ReactionRate]:
    """Reaction signs, and serious ones, per 100,000 valid doses of each product."""
    doses = dict(
        DoseTotal.objects.filter(unit_id__in=unit.subtree_ids)
        .values_list("product_id")
        .annotate(Sum("doses"))
        .order_by()
    )
    signs = _reaction_counts(unit, "product_id")
    products = Product.objects.in_bulk(set(doses) | set(signs))
    return sorted(
        (
            ReactionRate(products[pk].name, doses.get(pk, 0), *signs.get(pk, (0, 0)))
            for pk in products
        ),
        key=lambda r: r.label,
    )


def _reaction_counts(unit: AdminUnit, by: str) -> dict[int, tuple[int, int]]:
    """Per `by`: (signs, serious signs) in the subtree."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        ReactionRollup.objects.filter(unit_id__in=unit.subtree_ids)
        .values_list(by, "serious")
        .annotate(Sum("reactions"))
        .order_by()
    )
    for key, serious, n in rows:
        counts[key][0] += n
        if serious:
            counts[key][1] += n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def reactions_by_lot(*, unit: AdminUnit, limit: int = LOTS_SHOWN) -> list[ReactionRate]:
    """The lots with the most reaction signs in the subtree, per 100,000 of their valid doses
    given to its residents."""
    signs = _reaction_counts(unit, "lot_id")
    top = sorted(signs, key=lambda pk: (-signs[pk][0], pk))[:limit]
    doses = dict(
        LotDoses.objects.filter(lot_id__in=top, unit_id__in=unit.subtree_ids)
        .values_list("lot_id")
        .annotate(Sum("doses"))
        .order_by()
    )
    lots = Lot.objects.select_related("product").in_bulk(top)
    return [
        ReactionRate(f"{lots[pk].product.name} {lots[pk].number}", doses.get(pk, 0), *signs[pk])
        for pk in top
    ]


# --- The entry backlog ------------------------------------------------------------------


@dataclass(frozen=True)
class SiteBacklog:
    site: Facility
    tallied: int
    entered: int

    @property
    def missing(self) -> int:
        return self.tallied - self.entered


def backlog_by_site(*, unit: AdminUnit, until: dt.date) -> list[SiteBacklog]:
    """Per site of the subtree with a paper tally in the last two weeks: the doses tallied
    and those entered on the same days and products; most missing first."""
    since = until - dt.timedelta(days=BACKLOG_WINDOW_DAYS - 1)
    tallies = {
        (site, day, product): n
        for site, day, product, n in DailyTally.objects.filter(
            site__unit__path__startswith=unit.path, day__range=(since, until)
        ).values_list("site_id", "day", "product_id", "doses")
    }
    entered = _entered(tallies, since, until)
    per_site: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for key, n in tallies.items():
        per_site[key[0]][0] += n
        per_site[key[0]][1] += entered.get(key, 0)
    sites = Facility.objects.in_bulk(list(per_site))
    rows = [SiteBacklog(sites[pk], *counts) for pk, counts in per_site.items()]
    return sorted(rows, key=lambda r: (-r.missing, r.site.name))


def _entered(
    tallies: Iterable[tuple[int, dt.date, int]], since: dt.date, until: dt.date
) -> dict[tuple[int, dt.date, int], int]:
    """Valid doses entered per (site, day, product), for the sites that tallied."""
    sites = sorted({site for site, _day, _product in tallies})
    if not sites:
        return {}
    rows = (
        Dose.objects.valid()
        .filter(site_id__in=sites, given_on__range=(since, until))
        .values_list("site_id", "given_on", "product_id")
        .annotate(Count("id"))
        .order_by()
    )
    return {(site, day, product): n for site, day, product, n in rows}


# --- People overdue ---------------------------------------------------------------------


@dataclass
class UnitOverdue:
    """People of a unit overdue for their next dose, per dose, as last counted."""

    unit: AdminUnit
    persons: dict[DoseKey, int] = field(default_factory=lambda: defaultdict(int))
    counted_on: dt.date | None = None  # the oldest count among its communes


def overdue_by_unit(*, unit: AdminUnit) -> list[UnitOverdue]:
    """The overdue counts (analytics.overdue, run daily) of each unit below, or the
    commune's own."""
    rows = [UnitOverdue(u) for u in units_below(unit) or [unit]]
    owner = {pk: row for row in rows for pk in row.unit.subtree_ids}
    counts = OverdueCount.objects.filter(unit_id__in=unit.subtree_ids).values_list(
        "unit_id", "kind", "number", "persons", "counted_on"
    )
    for commune, kind, number, persons, counted_on in counts:
        row = owner[commune]
        if persons:  # a commune with nobody overdue keeps a row of none, for its day
            row.persons[(kind, number)] += persons
        row.counted_on = min(filter(None, (row.counted_on, counted_on)))
    return rows
