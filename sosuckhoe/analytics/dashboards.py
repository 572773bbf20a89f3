"""The dashboards' charts as tables: each chart is a title, columns and rows, sent as JSON to
the page (which draws it with plotly.js) and as an .xlsx workbook of the same rows."""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.templatetags.static import static
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.analytics.selectors import (
    FIRST_DOSE,
    DoseKey,
    Filters,
    backlog_by_site,
    coverage_read,
    dose_order,
    doses_by_day,
    lagging_communes,
    overdue_by_unit,
    reactions_by_lot,
    reactions_by_product,
    stock_days_left,
)
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.schedule import dose_label
from sosuckhoe.vaccination.models import PriorityGroup

DAYS_SHOWN = 90
# The editions whose units below the country have polygons (analytics/data/vn-boundaries).
MAP_FILES = {
    "2025-07": "boundaries/vn_provinces_34_from2025-07.geojson",
    "2025-03": "boundaries/vn_provinces_63_pre2025-07.geojson",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class Chart:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [{k: _plain(v) for k, v in row.items()} for row in self.rows],
            **self.extra,
        }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Request:
    """What a chart is asked for: the viewer, the unit (within their subtree), the filters,
    the day it is drawn on, and the breakdown of the doses per day."""

    user: StaffUser
    unit: AdminUnit
    filters: Filters
    today: dt.date
    by: str = "product"
    dose: DoseKey = FIRST_DOSE


def _dose_key(dose: DoseKey) -> str:
    return f"{dose[0]}_{dose[1]}"


def coverage_chart(request: Request) -> Chart:
    """Coverage of each unit below, per dose; a commune's own when nothing is below it."""
    coverage = coverage_read(unit=request.unit, filters=request.filters)
    rows = coverage.below or [coverage.total]
    columns = [Column("code", _("Code")), Column("name", _("Unit")), Column("target", _("Target"))]
    for dose in coverage.doses:
        label = dose_label(*dose)
        columns += [
            Column(f"given_{_dose_key(dose)}", _("Given: %(dose)s") % {"dose": label}),
            Column(f"coverage_{_dose_key(dose)}", _("Coverage (%%): %(dose)s") % {"dose": label}),
        ]
    table = []
    for row in rows:
        line: dict[str, Any] = {"code": row.unit.code, "name": row.unit.name, "target": row.target}
        for dose in coverage.doses:
            line[f"given_{_dose_key(dose)}"] = row.given.get(dose, 0)
            line[f"coverage_{_dose_key(dose)}"] = row.coverage(dose)
        table.append(line)
    total = coverage.total
    return Chart(
        "coverage",
        _("Coverage by unit"),
        columns,
        table,
        extra={
            "doses": [{"key": _dose_key(d), "label": dose_label(*d)} for d in coverage.doses],
            "total": {
                "target": total.target,
                "coverage": {_dose_key(d): total.coverage(d) for d in coverage.doses},
            },
            "drill": bool(coverage.below),
            "map": _map_file(request.unit) if coverage.below else None,
        },
    )


def _map_file(unit: AdminUnit) -> str | None:
    """The polygons of the units below: the provinces of the country; none lower down."""
    if unit.level != UnitLevel.COUNTRY or unit.edition not in MAP_FILES:
        return None
    return static(MAP_FILES[unit.edition])


def doses_chart(request: Request) -> Chart:
    """Doses per day of the last DAYS_SHOWN days by a breakdown, with the 7-day average."""
    series = doses_by_day(
        unit=request.unit,
        filters=request.filters,
        until=request.today,
        days=DAYS_SHOWN,
        by=request.by,
    )
    names = _series_names(request.by, list(series.series))
    columns = [Column("day", _("Day"))]
    columns += [Column(f"s:{key}", names[key]) for key in series.series]
    columns += [Column("total", _("Total")), Column("average7", _("7-day average"))]
    rows = []
    for i, day in enumerate(series.days):
        row: dict[str, Any] = {"day": day}
        row.update({f"s:{key}": values[i] for key, values in series.series.items()})
        row.update({"total": series.total[i], "average7": series.average7[i]})
        rows.append(row)
    return Chart("doses", _("Doses per day"), columns, rows, extra={"by": request.by})


def _series_names(by: str, keys: list[str]) -> dict[str, str]:
    if by == "product":
        names = dict(Product.objects.filter(key__in=keys).values_list("key", "name"))
        return {k: names.get(k, k) for k in keys}
    if by == "dose":
        return {k: dose_label(k.split(":")[0], int(k.split(":")[1])) for k in keys}
    groups = {str(g.code): g.name for g in PriorityGroup.objects.all()}
    return {k: groups.get(k, _("No priority group")) for k in keys}


def lagging_chart(request: Request) -> Chart:
    rows = lagging_communes(unit=request.unit, filters=request.filters, dose=request.dose)
    columns = [
        Column("code", _("Code")),
        Column("name", _("Commune / ward")),
        Column("target", _("Target")),
        Column("given", _("Given: %(dose)s") % {"dose": dose_label(*request.dose)}),
        Column("coverage", _("Coverage (%)")),
    ]
    return Chart(
        "lagging",
        _("Lagging communes"),
        columns,
        [
            {
                "code": r.unit.code,
                "name": r.unit.name,
                "target": r.target,
                "given": r.given.get(request.dose, 0),
                "coverage": r.coverage(request.dose),
            }
            for r in rows
        ],
    )


def stock_chart(request: Request) -> Chart:
    rows = stock_days_left(user=request.user, unit=request.unit, on=request.today)
    columns = [
        Column("lot", _("Lot")),
        Column("product", _("Vaccine")),
        Column("expiry", _("Expiry date")),
        Column("on_hand", _("Doses on hand")),
        Column("used_per_day", _("Used per day (last 14 days)")),
        Column("days_left", _("Days of stock left")),
        Column("facilities", _("Facilities")),
    ]
    return Chart(
        "stock",
        _("Stock on hand per lot"),
        columns,
        [
            {
                "lot": r.lot.number,
                "product": r.lot.product.name,
                "expiry": r.lot.expiry_date,
                "on_hand": r.on_hand,
                "used_per_day": r.used_per_day,
                "days_left": r.days_left,
                "facilities": r.facilities,
            }
            for r in rows
        ],
    )


def _reaction_columns(first: str) -> list[Column]:
    return [
        Column("label", first),
        Column("doses", _("Valid doses")),
        Column("signs", _("Reaction signs")),
        Column("serious", _("Serious")),
        Column("per_100k", _("Signs per 100,000 doses")),
        Column("serious_per_100k", _("Serious per 100,000 doses")),
    ]


def _reaction_rows(rates: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": r.label,
            "doses": r.doses,
            "signs": r.signs,
            "serious": r.serious,
            "per_100k": r.per_doses(r.signs),
            "serious_per_100k": r.per_doses(r.serious),
        }
        for r in rates
    ]


def reactions_product_chart(request: Request) -> Chart:
    rates = reactions_by_product(unit=request.unit)
    return Chart(
        "reactions-product",
        _("Reactions per 100,000 doses by vaccine"),
        _reaction_columns(_("Vaccine")),
        _reaction_rows(rates),
    )


def reactions_lot_chart(request: Request) -> Chart:
    rates = reactions_by_lot(unit=request.unit)
    return Chart(
        "reactions-lot",
        _("Reactions per 100,000 doses by lot"),
        _reaction_columns(_("Lot")),
        _reaction_rows(rates),
    )


def backlog_chart(request: Request) -> Chart:
    rows = backlog_by_site(unit=request.unit, until=request.today)
    columns = [
        Column("site", _("Site")),
        Column("tallied", _("Tallied on paper")),
        Column("entered", _("Entered")),
        Column("missing", _("Not yet entered")),
    ]
    return Chart(
        "backlog",
        _("Entry backlog per site (last 14 days)"),
        columns,
        [
            {"site": r.site.name, "tallied": r.tallied, "entered": r.entered, "missing": r.missing}
            for r in rows
        ],
    )


def overdue_chart(request: Request) -> Chart:
    """People overdue for their next dose per unit below, by dose."""
    rows = overdue_by_unit(unit=request.unit)
    doses = sorted({d for r in rows for d in r.persons}, key=dose_order)
    columns = [Column("code", _("Code")), Column("name", _("Unit"))]
    columns += [Column(f"overdue_{_dose_key(d)}", dose_label(*d)) for d in doses]
    columns += [Column("total", _("Total")), Column("counted_on", _("Counted on"))]
    table = []
    for row in rows:
        line: dict[str, Any] = {"code": row.unit.code, "name": row.unit.name}
        line.update({f"overdue_{_dose_key(d)}": row.persons.get(d, 0) for d in doses})
        line.update({"total": sum(row.persons.values()), "counted_on": row.counted_on})
        table.append(line)
    return Chart(
        "overdue",
        _("People overdue for their next dose"),
        columns,
        table,
        extra={"drill": request.unit.level != UnitLevel.COMMUNE},
    )


CHARTS: dict[str, Callable[[Request], Chart]] = {
    "coverage": coverage_chart,
    "doses": doses_chart,
    "lagging": lagging_chart,
    "overdue": overdue_chart,
    "stock": stock_chart,
    "reactions-product": reactions_product_chart,
    "reactions-lot": reactions_lot_chart,
    "backlog": backlog_chart,
}


def chart_xlsx(chart: Chart) -> bytes:
    """The chart's rows as a workbook: one sheet, a header row of the columns' labels."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=chart.slug[:31])
    sheet.append([chart.title])
    sheet.append([c.label for c in chart.columns])
    for row in chart.rows:
        sheet.append([row.get(c.key) for c in chart.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
