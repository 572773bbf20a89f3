"""The reports health offices send each day, in the layouts they used: vaccination by unit,
product and dose (the day and the cumulative total), reactions by product, lot, sign and
seriousness, and stock per lot (opening, received, sent, used, wasted, closing). Counts only,
read from the analytics' counts and the supply ledger, for a unit the caller has already
checked the reader may see. Each report is a `Sheet` (merged headers, body, total), written
as .xlsx (openpyxl) or PDF (ReportLab, Noto Sans as the certificates embed it)."""

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sosuckhoe.analytics.models import DoseRollup, ReactionRollup, ReportKind
from sosuckhoe.analytics.planning import UnitRows, planning_units
from sosuckhoe.certificates.outputs import pdf_font
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.supply.models import DoseKind, Lot, MovementKind, Product, StockMovement
from sosuckhoe.supply.schedule import dose_label
from sosuckhoe.vaccination.models import AefiTerm

Cell = str | int

# Which ledger lines each column of the stock report adds up (signs as the ledger has them).
STOCK_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("received", (MovementKind.RECEIPT, MovementKind.TRANSFER_IN)),
    ("sent", (MovementKind.TRANSFER_OUT,)),
    ("used", (MovementKind.USE, MovementKind.USE_RETURN)),
    ("wasted", (MovementKind.WASTE, MovementKind.EXPIRE)),
    ("other", (MovementKind.RETURN, MovementKind.ADJUST)),
)
KIND_ORDER: dict[str, int] = {DoseKind.PRIMARY: 0, DoseKind.ADDITIONAL: 1, DoseKind.BOOSTER: 2}


@dataclass(frozen=True)
class Head:
    """A header cell spanning `span` columns."""

    text: str
    span: int = 1


@dataclass(frozen=True)
class Sheet:
    """A report as a table: `fixed` leading columns whose header spans every header row."""

    title: str
    lines: list[str]
    header: list[list[Head]]
    body: list[list[Cell]]
    total: list[Cell] | None
    fixed: int = 1
    filename: str = "report"

    @property
    def width(self) -> int:
        return sum(head.span for head in self.header[0])

    def header_cells(self) -> list[list[tuple[Head, int]]]:
        """The header as a page draws it: each cell with its rowspan, the fixed columns'
        cells once, spanning every header row."""
        depth = len(self.header)
        return [
            [(head, depth if c < self.fixed else 1) for c, head in enumerate(heads)]
            if r == 0
            else [(head, 1) for head in heads[self.fixed :]]
            for r, heads in enumerate(self.header)
        ]


def numbered(
    *,
    title: str,
    lines: list[str],
    header: list[list[Head]],
    body: list[list[Cell]],
    total: list[Cell],
    fixed: int,
    filename: str,
) -> Sheet:
    """A sheet with the ordinal column (STT) that the offices' forms begin with."""
    return Sheet(
        title=title,
        lines=lines,
        header=[[Head(_("No.") if r == 0 else ""), *heads] for r, heads in enumerate(header)],
        body=[[i, *row] for i, row in enumerate(body, 1)],
        total=["", *total],
        fixed=fixed + 1,
        filename=filename,
    )


# --- the daily vaccination report -------------------------------------------------------


@dataclass(frozen=True)
class DoseColumn:
    product: Product
    kind: str
    number: int

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.product.pk, self.kind, self.number)


@dataclass
class DailyRow:
    unit: AdminUnit
    day: dict[tuple[int, str, int], int] = field(default_factory=lambda: defaultdict(int))
    cumulative: dict[tuple[int, str, int], int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True)
class DailyReport:
    unit: AdminUnit
    day: dt.date
    columns: list[DoseColumn]
    rows: list[DailyRow]
    total: DailyRow


def daily_report(*, unit: AdminUnit, day: dt.date) -> DailyReport:
    """Valid doses by the unit's rows (the units directly below it), product and dose, on
    the day and up to it; the dose counts where the person lives."""
    units = planning_units(unit)
    rows = UnitRows(unit, units)
    lines = {row.pk: DailyRow(row) for row in units}
    total = DailyRow(unit)
    found = (
        DoseRollup.objects.filter(unit__path__startswith=unit.path, day__lte=day)
        .values_list("unit_id", "product_id", "kind", "number")
        .annotate(on_day=Sum("doses", filter=Q(day=day)), upto=Sum("doses"))
        .order_by()
    )
    keys: set[tuple[int, str, int]] = set()
    for unit_id, product_id, kind, number, on_day, cumulative in found:
        key = (product_id, kind, number)
        row = rows.of(unit_id)
        if row is None or not cumulative:
            continue
        keys.add(key)
        for line in (lines[row.pk], total):
            line.day[key] += on_day or 0
            line.cumulative[key] += cumulative
    return DailyReport(unit, day, _dose_columns(keys), list(lines.values()), total)


def _dose_columns(keys: set[tuple[int, str, int]]) -> list[DoseColumn]:
    products = Product.objects.in_bulk({k[0] for k in keys})
    columns = [DoseColumn(products[p], kind, number) for p, kind, number in keys]
    return sorted(columns, key=lambda c: (c.product.name, KIND_ORDER[c.kind], c.number))


def daily_sheet(report: DailyReport) -> Sheet:
    by_product: dict[Product, list[DoseColumn]] = defaultdict(list)
    for column in report.columns:
        by_product[column.product].append(column)
    header = [
        [Head(_("Unit"))] + [Head(p.name, 2 * len(cs)) for p, cs in by_product.items()],
        [Head("")] + [Head(dose_label(c.kind, c.number), 2) for c in report.columns],
        [Head("")] + [Head(t) for _c in report.columns for t in (_("The day"), _("Cumulative"))],
    ]

    def cells(row: DailyRow) -> list[Cell]:
        return [n for c in report.columns for n in (row.day[c.key], row.cumulative[c.key])]

    return numbered(
        title=_("Daily report of vaccination against COVID-19"),
        lines=_lines(report.unit, report.day),
        header=header,
        body=[[row.unit.name, *cells(row)] for row in report.rows],
        total=[_("Total"), *cells(report.total)],
        fixed=1,
        filename=_filename("daily", report.unit, report.day),
    )


# --- the reaction report ----------------------------------------------------------------


@dataclass(frozen=True)
class ReactionLine:
    product: Product
    lot: Lot
    term: AefiTerm
    serious: bool
    day: int
    cumulative: int


@dataclass(frozen=True)
class ReactionReport:
    unit: AdminUnit
    day: dt.date
    lines: list[ReactionLine]

    @property
    def total_day(self) -> int:
        return sum(line.day for line in self.lines)

    @property
    def total_cumulative(self) -> int:
        return sum(line.cumulative for line in self.lines)


def reaction_report(*, unit: AdminUnit, day: dt.date) -> ReactionReport:
    """Reactions after doses given to the unit's residents, by product, lot, sign and
    seriousness, on the day of the dose and up to it (one count per sign)."""
    counted = (
        ReactionRollup.objects.filter(unit__path__startswith=unit.path, day__lte=day)
        .values_list("product_id", "lot_id", "term_id", "serious")
        .annotate(on_day=Sum("reactions", filter=Q(day=day)), upto=Sum("reactions"))
        .order_by()
    )
    found = [row for row in counted if row[-1]]  # a void may leave a count at zero
    products = Product.objects.in_bulk({row[0] for row in found})
    lots = Lot.objects.in_bulk({row[1] for row in found})
    terms = AefiTerm.objects.in_bulk({row[2] for row in found})
    lines = [
        ReactionLine(products[p], lots[lot], terms[t], serious, on_day or 0, cumulative)
        for p, lot, t, serious, on_day, cumulative in found
    ]
    lines.sort(key=lambda r: (r.product.name, r.lot.number, r.term.code, r.serious))
    return ReactionReport(unit, day, lines)


def _term_text(term: AefiTerm) -> str:
    text = term.term_en if get_language() == "en" and term.term_en else term.term_vi
    return f"{term.code} {text}"


def reaction_sheet(report: ReactionReport) -> Sheet:
    titles = (_("Vaccine"), _("Lot"), _("Sign"), _("Serious"), _("The day"), _("Cumulative"))
    header = [[Head(t) for t in titles]]
    body: list[list[Cell]] = [
        [
            line.product.name,
            line.lot.number,
            _term_text(line.term),
            _("Yes") if line.serious else _("No"),
            line.day,
            line.cumulative,
        ]
        for line in report.lines
    ]
    return numbered(
        title=_("Report of reactions after vaccination against COVID-19"),
        lines=_lines(report.unit, report.day),
        header=header,
        body=body,
        total=[_("Total"), "", "", "", report.total_day, report.total_cumulative],
        fixed=4,
        filename=_filename("reactions", report.unit, report.day),
    )


# --- the stock report -------------------------------------------------------------------


@dataclass(frozen=True)
class StockLine:
    lot: Lot
    opening: int
    moved: dict[str, int]  # per STOCK_COLUMNS name, with the ledger's sign

    @property
    def closing(self) -> int:
        return self.opening + sum(self.moved.values())


@dataclass(frozen=True)
class StockReport:
    unit: AdminUnit
    day: dt.date
    lines: list[StockLine]


def stock_report(*, unit: AdminUnit, day: dt.date) -> StockReport:
    """Per lot, over the facilities of the unit's subtree: on hand when the day began, what
    the day's ledger lines moved by kind, and on hand when it ended. A transfer between two
    facilities of the subtree shows as sent and as received, as each facility's ledger has it."""
    column_of = {kind: name for name, kinds in STOCK_COLUMNS for kind in kinds}
    found = (
        StockMovement.objects.filter(facility__unit__path__startswith=unit.path, on__lte=day)
        .values_list("lot_id", "kind")
        .annotate(before=Sum("doses", filter=Q(on__lt=day)), on_day=Sum("doses", filter=Q(on=day)))
        .order_by()
    )
    opening: dict[int, int] = defaultdict(int)
    moved: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(column_of.values(), 0))
    for lot_id, kind, before, on_day in found:
        opening[lot_id] += before or 0
        moved[lot_id][column_of[kind]] += on_day or 0
    lots = Lot.objects.select_related("product").in_bulk(set(opening))
    lines = [
        StockLine(lots[lot_id], opening[lot_id], moved[lot_id])
        for lot_id in opening
        if opening[lot_id] or any(moved[lot_id].values())
    ]
    lines.sort(key=lambda s: (s.lot.product.name, s.lot.expiry_date, s.lot.number))
    return StockReport(unit, day, lines)


def stock_sheet(report: StockReport) -> Sheet:
    labels = {
        "received": _("Received"),
        "sent": _("Sent"),
        "used": _("Used"),
        "wasted": _("Wasted or expired"),
        "other": _("Returned or count adjusted"),
    }
    header = [
        [Head(_("Vaccine")), Head(_("Lot")), Head(_("Expiry date")), Head(_("Opening"))]
        + [Head(labels[name]) for name, _kinds in STOCK_COLUMNS]
        + [Head(_("Closing"))]
    ]

    def figures(opening: int, moved: dict[str, int], closing: int) -> list[Cell]:
        # Outgoing lines are negative in the ledger: shown as the doses that left.
        shown = [abs(moved[n]) if n in ("sent", "used", "wasted") else moved[n] for n in labels]
        return [opening, *shown, closing]

    body = [
        [
            line.lot.product.name,
            line.lot.number,
            line.lot.expiry_date.strftime("%d/%m/%Y"),
            *figures(line.opening, line.moved, line.closing),
        ]
        for line in report.lines
    ]
    totals = {n: sum(line.moved[n] for line in report.lines) for n in labels}
    opening = sum(line.opening for line in report.lines)
    closing = sum(line.closing for line in report.lines)
    return numbered(
        title=_("Report of vaccine stock"),
        lines=_lines(report.unit, report.day),
        header=header,
        body=body,
        total=[_("Total"), "", "", *figures(opening, totals, closing)],
        fixed=3,
        filename=_filename("stock", report.unit, report.day),
    )


# --- any report -------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[AdminUnit, dt.date], Sheet]] = {
    ReportKind.DAILY: lambda unit, day: daily_sheet(daily_report(unit=unit, day=day)),
    ReportKind.REACTIONS: lambda unit, day: reaction_sheet(reaction_report(unit=unit, day=day)),
    ReportKind.STOCK: lambda unit, day: stock_sheet(stock_report(unit=unit, day=day)),
}


def report_sheet(*, kind: str, unit: AdminUnit, day: dt.date) -> Sheet:
    """The report of a kind (ReportKind) for a unit the caller may see, on a day."""
    return BUILDERS[kind](unit, day)


def motto() -> tuple[str, str]:
    """The state's heading every administrative document of Viet Nam carries."""
    return (_("SOCIALIST REPUBLIC OF VIET NAM"), _("Independence – Freedom – Happiness"))


def _lines(unit: AdminUnit, day: dt.date) -> list[str]:
    return [
        _("Unit: %(unit)s") % {"unit": unit.name},
        _("Day: %(day)s") % {"day": date_format(day, "d/m/Y")},
    ]


def _filename(kind: str, unit: AdminUnit, day: dt.date) -> str:
    return f"{kind}-{unit.code}-{day:%Y%m%d}"


# --- .xlsx ------------------------------------------------------------------------------

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def sheet_xlsx(sheet: Sheet) -> bytes:
    """The report as a workbook of one sheet: the title, the lines, the merged headers."""
    book = Workbook()
    ws = book.active
    ws.title = sheet.filename.split("-")[0][:31]
    for text in motto():
        ws.append([text])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([sheet.title])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=13)
    for line in sheet.lines:
        ws.append([line])
    ws.append([])
    top = ws.max_row + 1
    _xlsx_header(ws, sheet, top)
    for row in sheet.body:
        ws.append(row)
    if sheet.total is not None:
        ws.append(sheet.total)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=top, max_row=ws.max_row, max_col=sheet.width):
        for cell in row:
            cell.border = _BOX
    for index in range(1, sheet.width + 1):
        width = 5 if index == 1 else 24 if index <= sheet.fixed else 11
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=top + len(sheet.header), column=sheet.fixed + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_header(ws: Worksheet, sheet: Sheet, top: int) -> None:
    depth = len(sheet.header)
    for r, heads in enumerate(sheet.header):
        column = 1
        for head in heads:
            cell = ws.cell(row=top + r, column=column, value=head.text or None)
            cell.font, cell.alignment = Font(bold=True), _CENTRE
            if head.span > 1:
                ws.merge_cells(
                    start_row=top + r,
                    start_column=column,
                    end_row=top + r,
                    end_column=column + head.span - 1,
                )
            column += head.span
    if depth > 1:
        for column in range(1, sheet.fixed + 1):
            ws.merge_cells(
                start_row=top, start_column=column, end_row=top + depth - 1, end_column=column
            )


# --- PDF --------------------------------------------------------------------------------


def sheet_pdf(sheet: Sheet) -> bytes:
    """The report on landscape A4 pages, the header repeated on each, in Noto Sans (every
    Vietnamese letter), the columns narrowed to fit the page."""
    font = pdf_font()
    out = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=sheet.title,
        author="sosuckhoe",
    )
    title = ParagraphStyle("title", fontName=font, fontSize=13, leading=16)
    line = ParagraphStyle("line", fontName=font, fontSize=9, leading=12)
    heading = ParagraphStyle("motto", fontName=font, fontSize=9, leading=12, alignment=TA_RIGHT)
    story = [*(Paragraph(t, heading) for t in motto()), Spacer(1, 3 * mm)]
    story += [Paragraph(sheet.title, title), *(Paragraph(t, line) for t in sheet.lines)]
    story += [Spacer(1, 4 * mm), _pdf_table(sheet, font, page[0] - 20 * mm)]
    doc.build(story)
    return out.getvalue()


def _pdf_table(sheet: Sheet, font: str, width: float) -> Table:
    size = 8 if sheet.width <= 12 else 6
    cell = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size + 2)
    header = [_pdf_header_row(heads, cell) for heads in sheet.header]
    rows: list[list[object]] = [
        [Paragraph(str(v), cell) if isinstance(v, str) else v for v in row]
        for row in [*sheet.body, *([sheet.total] if sheet.total else [])]
    ]
    # The ordinal narrow, the labels (a unit's name; vaccine, lot, sign) wide, the counts
    # sharing what is left.
    ordinal, labels = 8 * mm, sheet.fixed - 1
    label = min(45 * mm, width / 3) if labels == 1 else width * 0.45 / labels
    rest = (width - ordinal - label * labels) / max(sheet.width - sheet.fixed, 1)
    widths = [ordinal, *[label] * labels, *[rest] * (sheet.width - sheet.fixed)]
    table = Table(header + rows, colWidths=widths, repeatRows=len(header))
    table.setStyle(TableStyle(_pdf_style(sheet, font, size)))
    return table


def _pdf_header_row(heads: Sequence[Head], style: ParagraphStyle) -> list[object]:
    row: list[object] = []
    for head in heads:
        row += [Paragraph(head.text, style)] + [""] * (head.span - 1)
    return row


def _pdf_style(sheet: Sheet, font: str, size: int) -> list[tuple[object, ...]]:
    depth = len(sheet.header)
    style: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, depth - 1), colors.HexColor("#eef2f6")),
        ("ALIGN", (sheet.fixed, depth), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for r, heads in enumerate(sheet.header):
        column = 0
        for head in heads:
            if head.span > 1:
                style.append(("SPAN", (column, r), (column + head.span - 1, r)))
            column += head.span
    if depth > 1:
        style += [("SPAN", (c, 0), (c, depth - 1)) for c in range(sheet.fixed)]
    if sheet.total is not None:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f6f6f6")))
    return style
