"""Planning a product's campaign per unit: doses still needed against stock and shipments
expected, a shipment's proposed split in proportion to need, the date each unit reaches its
target at its recent rate, the sessions its sites need; and the services that record a
shipment and share it out as stock transfers (through `supply.services.stock_transfer`).

The need is computed from the counts (DoseTotal; DoseRollup for the recent pace), not per
person, under these assumptions, said on the planning page too:

- A unit's target is the sum of its communes' TargetPopulation of everyone (priority group
  0, every age band); a commune with no such row counts the persons on its register.
- People who began a primary series count once, by their primary dose 1 of any product;
  those not yet begun (target − begun, never below 0) are planned on the product being
  planned, each needing its whole primary series (`series_length`: the longest series the
  schedule rules give the product).
- People who began a series on the product and lack dose k of it are c₁ − cₖ, where cₖ
  counts primary doses number k of the product: a dose k of another product (a mixed
  series) counts under that product, so a mixed series looks unfinished here.
- Boosters and additional doses are not planned.
- Doses needed = remaining doses × the wastage factor 1 / (1 − wastage rate), rounded up;
  the rate by default depends on the vial size (5 % for a single-dose vial, 10 % for a
  multi-dose vial: assumed planning defaults), and the planner may set another.
- The rate of a unit is its primary doses of the product over the last 14 days (the day
  itself included) a day; at that rate the remaining doses take ⌈remaining / rate⌉ days.
- A session's capacity is the mean capacity of the sessions held in the unit's sites over
  the last 90 days, else DEFAULT_SESSION_CAPACITY.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.analytics.models import (
    ALL_AGES,
    ALL_GROUPS,
    DoseRollup,
    DoseTotal,
    ExpectedShipment,
    ShipmentStatus,
    TargetPopulation,
)
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind, UnitLevel
from sosuckhoe.places.selectors import unit_children
from sosuckhoe.supply.models import DoseKind, Lot, Product, ScheduleRule, StockBalance
from sosuckhoe.supply.services import stock_transfer
from sosuckhoe.vaccination.models import SessionSlot, SessionStatus

RATE_DAYS = 14
CAPACITY_DAYS = 90
# Assumed, no source read here: about 100 people a session at one vaccination table.
DEFAULT_SESSION_CAPACITY = 100
# Assumed, the usual planning defaults (not checked against a WHO or Ministry text here):
# 5 % lost from single-dose vials, 10 % from multi-dose vials; the planner may set another.
SINGLE_DOSE_WASTAGE = 0.05
MULTI_DOSE_WASTAGE = 0.10


@dataclass(frozen=True)
class UnitNeed:
    """One unit's plan for one product; counts in people or doses as named."""

    unit: AdminUnit
    target: int  # people
    target_from_register: bool  # a commune under it had no target: its register counted
    begun: int  # people with a primary dose 1 of any product
    remaining: int  # doses to finish the series begun on the product, and for those not begun
    need: int  # remaining × the wastage factor
    stock: int  # usable doses of the product on hand in the unit's facilities
    expected: int  # doses of expected shipments to the unit or below it
    rate: float  # primary doses of the product a day, over the last RATE_DAYS days
    capacity: int  # people a session
    sessions: int  # sessions to give the remaining doses
    today: dt.date

    @property
    def shortfall(self) -> int:
        return max(self.need - self.stock - self.expected, 0)

    @property
    def reaches_on(self) -> dt.date | None:
        """The day the remaining doses are given at the recent rate; None: no recent doses."""
        return reach_date(remaining=self.remaining, rate=self.rate, today=self.today)


def reach_date(*, remaining: int, rate: float, today: dt.date) -> dt.date | None:
    """The day `remaining` doses are given at `rate` doses a day from today; today when none
    remain; None when the rate is nil (never, at that pace)."""
    if remaining <= 0:
        return today
    if rate <= 0:
        return None
    return today + dt.timedelta(days=math.ceil(remaining / rate))


@dataclass(frozen=True)
class Plan:
    unit: AdminUnit
    product: Product
    series: int
    wastage_rate: float
    rows: list[UnitNeed]
    total: UnitNeed


def series_length(product: Product) -> int:
    """Doses in the product's primary series: the longest a schedule rule gives it (1 if none)."""
    rules = ScheduleRule.objects.filter(
        kind=DoseKind.PRIMARY, products=product, primary_doses__isnull=False
    )
    return rules.aggregate(longest=Max("primary_doses"))["longest"] or 1


def default_wastage_rate(product: Product) -> float:
    return SINGLE_DOSE_WASTAGE if product.doses_per_vial == 1 else MULTI_DOSE_WASTAGE


def planning_units(unit: AdminUnit) -> list[AdminUnit]:
    """The rows of a unit's plan: the units directly below it, or itself when it has none."""
    if unit.level == UnitLevel.COMMUNE:
        return [unit]
    return unit_children(unit=unit) or [unit]


class UnitRows:
    """Which row each unit of the subtree counts under, by the code after the unit's path."""

    def __init__(self, unit: AdminUnit, rows: Sequence[AdminUnit]) -> None:
        self.unit = unit
        self.by_code = {row.path.removeprefix(unit.path).split("/")[0]: row for row in rows}
        self.own = rows[0] if len(rows) == 1 and rows[0].pk == unit.pk else None
        self.paths = dict(AdminUnit.objects.subtree_of(unit).values_list("id", "path"))

    def of(self, unit_id: int) -> AdminUnit | None:
        if self.own is not None:
            return self.own
        return self.by_code.get(self.paths[unit_id].removeprefix(self.unit.path).split("/")[0])

    def add(self, totals: dict[int, int], unit_id: int, n: int) -> None:
        """Add to the row of `unit_id`; what belongs to the unit itself (a province's own
        store) goes under the unit's id, in the total but in no row."""
        row = self.of(unit_id)
        totals[self.unit.pk if row is None else row.pk] += n


def _summed(rows: UnitRows, pairs: Sequence[tuple[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for unit_id, n in pairs:
        rows.add(totals, unit_id, n or 0)
    return totals


def _primary_counts(unit: AdminUnit, rows: UnitRows, product: Product) -> dict[int, dict[int, int]]:
    """Per row, primary doses of the product by number: {row id: {k: cₖ}}."""
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    found = (
        DoseTotal.objects.filter(
            unit__path__startswith=unit.path, kind=DoseKind.PRIMARY, product=product
        )
        .values_list("unit_id", "number")
        .annotate(n=Sum("doses"))
        .order_by()
    )
    for unit_id, number, n in found:
        row = rows.of(unit_id)
        if row is not None:
            counts[row.pk][number] += n
    return counts


def _begun(unit: AdminUnit, rows: UnitRows) -> dict[int, int]:
    found = (
        DoseTotal.objects.filter(unit__path__startswith=unit.path, kind=DoseKind.PRIMARY, number=1)
        .values_list("unit_id")
        .annotate(n=Sum("doses"))
        .order_by()
    )
    return _summed(rows, list(found))


def _recent_doses(unit: AdminUnit, today: dt.date, **which: object) -> QuerySet[DoseRollup]:
    """The counts of the unit's subtree over the RATE_DAYS days up to today (included)."""
    since = today - dt.timedelta(days=RATE_DAYS - 1)
    return DoseRollup.objects.filter(
        unit__path__startswith=unit.path, day__range=(since, today), **which
    )


def _recent(unit: AdminUnit, rows: UnitRows, product: Product, today: dt.date) -> dict[int, int]:
    found = (
        _recent_doses(unit, today, kind=DoseKind.PRIMARY, product=product)
        .values_list("unit_id")
        .annotate(n=Sum("doses"))
        .order_by()
    )
    return _summed(rows, list(found))


def dose_rate(*, unit: AdminUnit, kind: str, number: int, today: dt.date) -> float:
    """Doses (kind, number) of any product given in the unit's subtree a day, over the last
    RATE_DAYS days: the pace a coverage plan is projected at."""
    found = _recent_doses(unit, today, kind=kind, number=number).aggregate(n=Sum("doses"))
    return (found["n"] or 0) / RATE_DAYS


def _targets(unit: AdminUnit, rows: UnitRows) -> tuple[dict[int, int], set[int]]:
    """People to reach per row, and the rows where a commune's register stood in."""
    communes = AdminUnit.objects.subtree_of(unit).filter(level=UnitLevel.COMMUNE)
    targets = dict(
        TargetPopulation.objects.filter(
            unit__in=communes, priority_group=ALL_GROUPS, age_band=ALL_AGES
        ).values_list("unit_id", "persons")
    )
    missing = communes.exclude(pk__in=list(targets)).values("pk")
    registered = (
        Person.objects.filter(home_unit__in=missing, merged_into__isnull=True)
        .values_list("home_unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    from_register: set[int] = set()
    for unit_id, _n in registered:
        row = rows.of(unit_id)
        if row is not None:
            from_register.add(row.pk)
    return _summed(rows, [*targets.items(), *registered]), from_register


def _stock(unit: AdminUnit, rows: UnitRows, product: Product, today: dt.date) -> dict[int, int]:
    found = (
        StockBalance.objects.filter(
            facility__unit__path__startswith=unit.path,
            lot__product=product,
            lot__recalled_at__isnull=True,
            lot__expiry_date__gte=today,
            doses__gt=0,
        )
        .values_list("facility__unit_id")
        .annotate(n=Sum("doses"))
        .order_by()
    )
    return _summed(rows, list(found))


def shipments_expected(
    *, unit: AdminUnit, product: Product | None = None
) -> list[ExpectedShipment]:
    """Shipments still expected by the unit or a unit below it, soonest first."""
    shipments = ExpectedShipment.objects.filter(
        unit__path__startswith=unit.path, status=ShipmentStatus.EXPECTED
    )
    if product is not None:
        shipments = shipments.filter(product=product)
    return list(shipments.select_related("product", "unit").order_by("expected_on", "id"))


def _expected(shipments: Sequence[ExpectedShipment], rows: UnitRows) -> dict[int, int]:
    return _summed(rows, [(s.unit_id, s.doses) for s in shipments])


def _capacities(unit: AdminUnit, rows: UnitRows, today: dt.date) -> dict[int, int]:
    """Mean people a session per row, over the sessions of the last CAPACITY_DAYS days."""
    sessions = (
        SessionSlot.objects.filter(
            session__site__unit__path__startswith=unit.path,
            session__date__range=(today - dt.timedelta(days=CAPACITY_DAYS), today),
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("session_id", "session__site__unit_id")
        .annotate(n=Sum("capacity"))
        .order_by()
    )
    held: dict[int, list[int]] = defaultdict(list)
    for _session, unit_id, n in sessions:
        row = rows.of(unit_id)
        if row is not None:
            held[row.pk].append(n)
    return {row_id: round(sum(ns) / len(ns)) for row_id, ns in held.items()}


def remaining_doses(*, target: int, begun: int, counts: Mapping[int, int], series: int) -> int:
    """Doses to finish the series begun on the product (Σ c₁ − cₖ, k = 2…series) and whole
    series for the people not yet begun."""
    first = counts.get(1, 0)
    unfinished = sum(max(first - counts.get(k, 0), 0) for k in range(2, series + 1))
    return max(target - begun, 0) * series + unfinished


def plan_compute(
    *,
    unit: AdminUnit,
    product: Product,
    wastage_rate: float | None = None,
    today: dt.date | None = None,
) -> Plan:
    """The plan of a product for each unit directly below `unit` (the caller's scope
    already checked: counts only, no personal data)."""
    today = today or timezone.localdate()
    rate = default_wastage_rate(product) if wastage_rate is None else wastage_rate
    series = series_length(product)
    units = planning_units(unit)
    rows = UnitRows(unit, units)
    counts = _primary_counts(unit, rows, product)
    begun, recent = _begun(unit, rows), _recent(unit, rows, product, today)
    targets, from_register = _targets(unit, rows)
    stock = _stock(unit, rows, product, today)
    shipments = shipments_expected(unit=unit, product=product)
    expected, capacities = _expected(shipments, rows), _capacities(unit, rows, today)

    def need(row: AdminUnit) -> UnitNeed:
        remaining = remaining_doses(
            target=targets.get(row.pk, 0),
            begun=begun.get(row.pk, 0),
            counts=counts.get(row.pk, {}),
            series=series,
        )
        capacity = capacities.get(row.pk, DEFAULT_SESSION_CAPACITY)
        return UnitNeed(
            unit=row,
            target=targets.get(row.pk, 0),
            target_from_register=row.pk in from_register,
            begun=begun.get(row.pk, 0),
            remaining=remaining,
            need=math.ceil(remaining / (1 - rate)),
            stock=stock.get(row.pk, 0),
            expected=expected.get(row.pk, 0),
            rate=recent.get(row.pk, 0) / RATE_DAYS,
            capacity=capacity,
            sessions=math.ceil(remaining / capacity),
            today=today,
        )

    needs = [need(row) for row in units]
    total = _total(unit, needs, sum(stock.values()), sum(expected.values()), today)
    return Plan(unit, product, series, rate, needs, total)


def _total(
    unit: AdminUnit, needs: Sequence[UnitNeed], stock: int, expected: int, today: dt.date
) -> UnitNeed:
    """The unit's own line: the sum of its rows, with the stock and shipments of the unit
    itself too; each row holds its own sessions, the capacity is the rows' mean."""
    return UnitNeed(
        unit=unit,
        target=sum(n.target for n in needs),
        target_from_register=any(n.target_from_register for n in needs),
        begun=sum(n.begun for n in needs),
        remaining=sum(n.remaining for n in needs),
        need=sum(n.need for n in needs),
        stock=stock,
        expected=expected,
        rate=sum(n.rate for n in needs),
        capacity=round(sum(n.capacity for n in needs) / len(needs)),
        sessions=sum(n.sessions for n in needs),
        today=today,
    )


def split_propose(*, needs: Sequence[UnitNeed], doses: int, vial: int = 1) -> dict[int, int]:
    """A shipment's doses per unit id, in proportion to each unit's shortfall (to its need
    when no unit falls short), in whole vials by the largest remainder; the doses of a
    broken vial go to the unit that needs most. Sums to `doses` unless nobody needs any."""
    weights = {n.unit.pk: n.shortfall for n in needs}
    if not any(weights.values()):
        weights = {n.unit.pk: n.need for n in needs}
    total = sum(weights.values())
    split = dict.fromkeys(weights, 0)
    if total == 0 or doses <= 0:
        return split
    vials = doses // vial
    shares = {unit_id: vials * w / total for unit_id, w in weights.items()}
    for unit_id, share in shares.items():
        split[unit_id] = math.floor(share)
    left = vials - sum(split.values())
    by_remainder = sorted(shares, key=lambda u: (-(shares[u] - split[u]), -weights[u], u))
    for unit_id in by_remainder[:left]:
        split[unit_id] += 1
    split = {unit_id: n * vial for unit_id, n in split.items()}
    neediest = max(weights, key=lambda u: (weights[u], -u))
    split[neediest] += doses - vials * vial
    return split


def _refuse(message: str, code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _shipment_changes(shipment: ExpectedShipment) -> dict[str, object]:
    return {
        "product": shipment.product.key,
        "doses": shipment.doses,
        "expected_on": shipment.expected_on.isoformat(),
        "unit": shipment.unit.path,
        "reference": shipment.reference,
        "status": shipment.status,
    }


@transaction.atomic
def shipment_record(
    *,
    actor: Actor,
    product: Product,
    doses: int,
    expected_on: dt.date,
    unit: AdminUnit,
    reference: str = "",
) -> ExpectedShipment:
    """A shipment the unit expects: counted against its need until shared out."""
    if not actor.covers(unit):
        raise _refuse(_("%(unit)s is outside your unit."), "outside_scope", unit=unit.name)
    shipment = ExpectedShipment(
        product=product,
        doses=doses,
        expected_on=expected_on,
        unit=unit,
        reference=reference.strip(),
        created_by=actor.user,
        created_by_name=actor.name,
    )
    shipment.full_clean()
    shipment.save()
    audit_write(
        actor=actor,
        action=AuditAction.CREATE,
        scope_path=unit.path,
        object_type="expected_shipment",
        object_uuid=shipment.uuid,
        summary=f"{product.key} {doses} {expected_on:%d/%m/%Y}",
        changes=_shipment_changes(shipment),
    )
    return shipment


def receiving_facility(unit: AdminUnit) -> Facility | None:
    """Where a unit receives vaccine: an open health centre or commune station of the unit
    itself, else any open facility of it, else of its subtree."""
    preferred = {FacilityKind.HEALTH_CENTRE: 0, FacilityKind.COMMUNE_STATION: 1}
    own = list(Facility.objects.filter(unit=unit, is_active=True).order_by("name", "pk"))
    if own:
        return min(own, key=lambda f: preferred.get(FacilityKind(f.kind), 2))
    below = Facility.objects.filter(unit__path__startswith=unit.path, is_active=True)
    return below.order_by("unit__path", "name", "pk").first()


def _check_distributable(
    actor: Actor,
    shipment: ExpectedShipment,
    source: Facility,
    lot: Lot,
    split: Mapping[AdminUnit, int],
) -> None:
    if not actor.covers(shipment.unit):
        raise _refuse(_("%(unit)s is outside your unit."), "outside_scope", unit=shipment.unit.name)
    if shipment.status != ShipmentStatus.EXPECTED:
        raise _refuse(_("This shipment has already been shared out."), "shipment_done")
    if lot.product_id != shipment.product_id:
        raise _refuse(_("The lot is not of the shipment's vaccine."), "lot_other_product")
    if not source.unit.path.startswith(shipment.unit.path):
        raise _refuse(_("Send from a facility of the receiving unit."), "source_outside")
    if any(n < 0 for n in split.values()) or not any(split.values()):
        raise _refuse(_("Give each unit a number of doses, at least one in all."), "split_empty")
    if sum(split.values()) > shipment.doses:
        raise _refuse(
            _("The split gives %(given)s doses: more than the %(doses)s of the shipment."),
            "split_too_large",
            given=sum(split.values()),
            doses=shipment.doses,
        )
    for unit in split:
        if not unit.path.startswith(shipment.unit.path):
            raise _refuse(_("%(unit)s is outside your unit."), "outside_scope", unit=unit.name)


@transaction.atomic
def shipment_distribute(
    *,
    actor: Actor,
    shipment: ExpectedShipment,
    source: Facility,
    lot: Lot,
    split: Mapping[AdminUnit, int],
    on: dt.date | None = None,
) -> list[int]:
    """Share a shipment out: one stock transfer from `source` to each unit's receiving
    facility (the supply service checks the scope and the stock, locks and audits each),
    then the shipment is done. All or nothing. The ids of the receiving ledger lines."""
    locked = (
        ExpectedShipment.objects.select_for_update()
        .select_related("unit", "product")
        .get(pk=shipment.pk)
    )
    _check_distributable(actor, locked, source, lot, split)
    received = [
        _send(actor, locked, source, lot, unit, split[unit], on)
        for unit in sorted(split, key=lambda u: u.path)
        if split[unit] > 0
    ]
    locked.status, locked.distributed_at = ShipmentStatus.DISTRIBUTED, timezone.now()
    locked.save(update_fields=["status", "distributed_at"])
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        scope_path=locked.unit.path,
        object_type="expected_shipment",
        object_uuid=locked.uuid,
        summary=f"shared out: {sum(split.values())} / {locked.doses}",
        changes={u.path: n for u, n in split.items()} | {"lot": str(lot.uuid)},
    )
    return [pk for pk in received if pk is not None]


def _send(
    actor: Actor,
    shipment: ExpectedShipment,
    source: Facility,
    lot: Lot,
    unit: AdminUnit,
    doses: int,
    on: dt.date | None,
) -> int | None:
    """Transfer a unit's share; None when the unit receives at the source itself (its share
    stays where it is)."""
    destination = receiving_facility(unit)
    if destination is None:
        raise _refuse(
            _("%(unit)s has no open facility to receive vaccine."), "no_facility", unit=unit.name
        )
    if destination.pk == source.pk:
        return None
    _sent, received = stock_transfer(
        actor=actor,
        source=source,
        destination=destination,
        lot=lot,
        doses=doses,
        on=on,
        reference=str(shipment.uuid),
        note=shipment.reference,
    )
    return received.pk
