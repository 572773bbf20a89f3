"""The lists the console shows, written to files: which records (the same scoped querysets as the
console's lists, read in chunks), which columns (headers in the reader's language, the same
words the imports recognise, so that a list exported imports again), and the writers (CSV with
a byte-order mark, so that Excel reads Vietnamese right; .xlsx in openpyxl's write-only mode;
the national template of doses, a person and their doses side by side under "Mũi 1", "Mũi 2"…).
Nothing here keeps a whole list in memory."""

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from django.db.models import Count, Field, Max, Model, Q, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.analytics.overdue_selectors import overdue_persons
from sosuckhoe.imports.models import ExportFormat, ExportList
from sosuckhoe.people.models import IdKind, Person
from sosuckhoe.places.models import AdminUnit, Facility
from sosuckhoe.supply.dose_names import dose_name
from sosuckhoe.supply.models import StockMovement
from sosuckhoe.supply.selectors import stock_movements
from sosuckhoe.vaccination.correction_selectors import correction_requests_scoped
from sosuckhoe.vaccination.models import CorrectionRequest, Dose, Reaction, Registration

CHUNK = 2000  # records read a query round at a time, and between progress reports
Value = str | int | float | dt.date | dt.datetime | None
# The national template is the Ministry's form: Vietnamese whatever the reader's language.
NATIONAL_LANGUAGE = "vi"
NATIONAL_DOSE_HEADER = ("Tên vắc xin", "Ngày tiêm", "Số lô", "Nơi tiêm")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
SHEET_ROWS = 1_048_576  # the most rows a sheet of Excel holds


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to: always a unit's subtree (the job's unit), and as the page
    it comes from narrows it: a site (doses), a facility (stock), days, a status."""

    unit: AdminUnit
    site: Facility | None = None
    facility: Facility | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    status: str = ""

    def as_json(self) -> dict[str, str]:
        data = {
            "unit": self.unit.code,
            "site": str(self.site.uuid) if self.site else "",
            "facility": str(self.facility.uuid) if self.facility else "",
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "status": self.status,
        }
        return {key: value for key, value in data.items() if value}

    @classmethod
    def of_json(cls, unit: AdminUnit, data: dict[str, str]) -> "Filters":
        """The filters a job stored; its places were checked against the starter's scope
        when it was created, and every query of the job is scoped to them again."""

        def facility(key: str) -> Facility | None:
            return Facility.objects.get(uuid=UUID(data[key])) if data.get(key) else None

        def day(key: str) -> dt.date | None:
            return dt.date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            unit=unit,
            site=facility("site"),
            facility=facility("facility"),
            since=day("since"),
            until=day("until"),
            status=data.get("status", ""),
        )


@dataclass(frozen=True)
class Column:
    header: Promise  # lazy: written in the job's language
    value: Callable[[Any], Value]


# --- Values -----------------------------------------------------------------------------


@cache
def _labels(model: type[Model], name: str, language: str) -> dict[Any, str]:
    """A field's choices as labels in a language, read once: Django's get_FOO_display
    flattens every choice at each call (the ethnicities' 54 for each row of a list)."""
    field: Field[Any, Any] = model._meta.get_field(name)  # type: ignore[assignment]
    return {value: str(label) for value, label in field.flatchoices}


# The language of the list being written, set once for it: asked of Django at each cell, it
# cost a tenth of the time of a list.
_LANGUAGE: ContextVar[str] = ContextVar("export_language", default="")


def _display(record: Model, name: str) -> str:
    value = getattr(record, name)
    if value in (None, ""):
        return ""
    language = _LANGUAGE.get() or get_language() or ""
    return _labels(type(record), name, language).get(value, str(value))


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time as read on a clock in Asia/Ho_Chi_Minh, without zone: spreadsheets
    know no time zones."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _birth(person: Person) -> Value:
    """The date, or the year alone when the record has no more: the import reads both."""
    return person.birth_date or person.birth_year


_ID_KIND_WORDS: dict[str, str] = {IdKind.CCCD: "CCCD", IdKind.CMND: "CMND"}


def _id_kind(person: Person) -> str:
    if person.id_kind == IdKind.PASSPORT:
        return _("Passport")
    return _ID_KIND_WORDS.get(person.id_kind, "")


def _dose_number(dose: Dose) -> str:
    return f"{dose.number}/{dose.series_doses}"


def _void(dose: Dose) -> str:
    return f"{_display(dose, 'void_kind')}: {dose.void_reason}" if dose.voided_at else ""


def _signs(reaction: Reaction) -> str:
    return "; ".join(term.term for term in reaction.terms.all())


def _reporter(reaction: Reaction) -> str:
    return reaction.reporter_name or (reaction.reporter.get_username() if reaction.reporter else "")


# Headers are the words the imports know (imports/data/header_terms.csv), in English and in
# their Vietnamese translation, so that a list exported in either language imports again.
def _person_columns(person: Callable[[Any], Person], *, full: bool) -> list[Column]:
    columns = [
        Column(gettext_lazy("Full name"), lambda r: person(r).full_name),
        Column(gettext_lazy("Date of birth"), lambda r: _birth(person(r))),
        Column(gettext_lazy("Sex"), lambda r: _display(person(r), "sex")),
        Column(gettext_lazy("Document type"), lambda r: _id_kind(person(r))),
        Column(gettext_lazy("Document number"), lambda r: person(r).id_number),
        Column(gettext_lazy("Phone"), lambda r: person(r).phone),
        Column(gettext_lazy("Commune code"), lambda r: person(r).home_unit.code),
        # Not a header the imports map: the commune's code above is what they read.
        Column(gettext_lazy("Place of residence"), lambda r: person(r).home_unit.name),
    ]
    if full:
        columns += [
            Column(gettext_lazy("Health insurance number"), lambda r: person(r).insurance_number),
            Column(gettext_lazy("Address"), lambda r: person(r).address_line),
            Column(gettext_lazy("Ethnicity"), lambda r: _display(person(r), "ethnicity")),
            Column(gettext_lazy("Occupation"), lambda r: _display(person(r), "occupation")),
        ]
    return columns


def _dose_columns(dose: Callable[[Any], Dose]) -> list[Column]:
    return [
        Column(gettext_lazy("Vaccine"), lambda r: dose(r).product.name),
        Column(gettext_lazy("Vaccination date"), lambda r: dose(r).given_on),
        Column(gettext_lazy("Lot number"), lambda r: dose(r).lot.number),
        Column(gettext_lazy("Vaccination site"), lambda r: dose(r).site.name),
    ]


PERSON_COLUMNS = _person_columns(lambda p: p, full=True)
DOSE_COLUMNS = [
    *_person_columns(lambda d: d.person, full=False),
    *_dose_columns(lambda d: d),
    Column(gettext_lazy("Dose number"), _dose_number),
    Column(gettext_lazy("Kind of dose"), lambda d: _display(d, "kind")),
    Column(gettext_lazy("Time given"), lambda d: _local(d.given_at)),
    Column(gettext_lazy("Voided"), _void),
]
REACTION_COLUMNS = [
    *_person_columns(lambda r: r.dose.person, full=False),
    *_dose_columns(lambda r: r.dose),
    Column(gettext_lazy("Onset"), lambda r: _local(r.onset_at)),
    Column(gettext_lazy("Signs"), _signs),
    Column(gettext_lazy("Serious"), lambda r: _yes_no(r.serious)),
    Column(gettext_lazy("Outcome"), lambda r: _display(r, "outcome")),
    Column(gettext_lazy("Treatment"), lambda r: r.treatment),
    Column(gettext_lazy("Treated at"), lambda r: _display(r, "treated_at")),
    Column(gettext_lazy("Reported by"), _reporter),
    Column(gettext_lazy("Reported at"), lambda r: _local(r.reported_at)),
]
STOCK_COLUMNS = [
    Column(gettext_lazy("Date"), lambda m: m.on),
    Column(gettext_lazy("Facility"), lambda m: m.facility.name),
    Column(gettext_lazy("Vaccine"), lambda m: m.lot.product.name),
    Column(gettext_lazy("Lot number"), lambda m: m.lot.number),
    Column(gettext_lazy("Movement"), lambda m: _display(m, "kind")),
    Column(gettext_lazy("Doses (+ in, − out)"), lambda m: m.doses),
    Column(gettext_lazy("Reason"), lambda m: _display(m, "reason")),
    Column(gettext_lazy("Note"), lambda m: m.note),
    Column(gettext_lazy("Reference"), lambda m: m.reference),
    Column(gettext_lazy("Recorded by"), lambda m: m.recorded_by_name),
    Column(gettext_lazy("Recorded at"), lambda m: _local(m.at)),
]
REGISTRATION_COLUMNS = [
    *_person_columns(lambda r: r.person, full=False),
    Column(gettext_lazy("Priority group"), lambda r: r.priority_group.code),
    Column(
        gettext_lazy("Preferred site"), lambda r: r.preferred_site.name if r.preferred_site else ""
    ),
    Column(gettext_lazy("Preferred date"), lambda r: r.preferred_date),
    Column(gettext_lazy("Status"), lambda r: _display(r, "status")),
    Column(gettext_lazy("Channel"), lambda r: _display(r, "channel")),
    Column(gettext_lazy("Registered at"), lambda r: _local(r.created_at)),
]
OVERDUE_COLUMNS = [
    *_person_columns(lambda o: o.person, full=False),
    Column(gettext_lazy("Last dose"), lambda o: _last_dose(o.last_dose)),
    Column(gettext_lazy("Given on"), lambda o: o.last_dose.given_on if o.last_dose else None),
    Column(gettext_lazy("Next dose"), lambda o: dose_name(o)),
    Column(gettext_lazy("Due by"), lambda o: o.due_by),
    Column(gettext_lazy("Days overdue"), lambda o: (timezone.localdate() - o.due_by).days),
]

CORRECTION_COLUMNS = [
    *_person_columns(lambda c: c.person, full=False),
    Column(gettext_lazy("Received at"), lambda c: _local(c.created_at)),
    Column(gettext_lazy("Received via"), lambda c: _display(c, "channel")),
    Column(gettext_lazy("What is wrong"), lambda c: _display(c, "kind")),
    Column(gettext_lazy("Dose concerned"), lambda c: _correction_dose(c.dose)),
    Column(gettext_lazy("What the record should say"), lambda c: c.should_read),
    Column(gettext_lazy("Evidence seen"), lambda c: c.evidence),
    Column(gettext_lazy("Asked by"), lambda c: c.requester_name),
    Column(gettext_lazy("Relation to the person"), lambda c: _display(c, "requester_relation")),
    Column(gettext_lazy("Phone of who asked"), lambda c: c.requester_phone),
    Column(gettext_lazy("Entered by"), lambda c: c.entered_by_name),
    Column(gettext_lazy("Status"), lambda c: _display(c, "status")),
    Column(gettext_lazy("Answer"), lambda c: c.resolution_note),
    Column(gettext_lazy("Answered by"), lambda c: c.resolved_by_name),
    Column(gettext_lazy("Answered at"), lambda c: _local(c.resolved_at)),
]


def _correction_dose(dose: Dose | None) -> str:
    if dose is None:
        return ""
    return f"{dose.given_on:%d/%m/%Y} · {dose.product.name} · {dose.lot.number} · {dose.site.name}"


def _last_dose(dose: Dose | None) -> str:
    return f"{dose.product.name} · {dose_name(dose)}" if dose is not None else ""


# --- Records ----------------------------------------------------------------------------


def _days(field_name: str, filters: Filters) -> Q:
    where = Q()
    if filters.since:
        where &= Q(**{f"{field_name}__gte": filters.since})
    if filters.until:
        where &= Q(**{f"{field_name}__lte": filters.until})
    return where


def _persons(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    return (
        Person.objects.visible_to(user)
        .active()
        .in_unit_subtree(filters.unit)
        .select_related("home_unit")
        .order_by("name_key", "id")
    )


def _doses(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    """A unit's doses: those of its residents and those its sites gave (as `visible_to`)."""
    ids = filters.unit.subtree_ids
    doses = Dose.objects.visible_to(user).filter(
        Q(person__home_unit_id__in=ids) | Q(site__unit_id__in=ids), _days("given_on", filters)
    )
    if filters.site is not None:
        doses = doses.filter(site=filters.site)
    return doses.select_related("person__home_unit", "product", "lot", "site").order_by(
        "given_at", "id"
    )


def _reactions(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    ids = filters.unit.subtree_ids
    reactions = Reaction.objects.visible_to(user).filter(
        Q(dose__person__home_unit_id__in=ids) | Q(dose__site__unit_id__in=ids),
        _days("onset_at__date", filters),
    )
    return (
        reactions.select_related(
            "dose__person__home_unit", "dose__product", "dose__lot", "dose__site", "reporter"
        )
        .prefetch_related("terms")
        .order_by("onset_at", "id")
    )


def _stock(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    movements: QuerySet[StockMovement] = stock_movements(
        user=user,
        unit=filters.unit,
        facility=filters.facility,
        since=filters.since,
        until=filters.until,
    )
    return movements.select_related("facility", "lot__product").order_by("at", "id")


def _registrations(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    registrations = Registration.objects.visible_to(user).filter(
        _days("created_at__date", filters), person__home_unit_id__in=filters.unit.subtree_ids
    )
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    return registrations.select_related(
        "person__home_unit", "priority_group", "preferred_site"
    ).order_by("created_at", "id")


def _overdue(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    """The list of the overdue page, whatever vaccine the page was narrowed to."""
    return overdue_persons(actor=Actor(user=user), unit=filters.unit)


def _corrections(user: StaffUser, filters: Filters) -> QuerySet[Any]:
    """The list of the correction requests' page, in its order, by the day received."""
    requests: QuerySet[CorrectionRequest] = correction_requests_scoped(
        user=user, unit=filters.unit, status=filters.status
    )
    return requests.filter(_days("created_at__date", filters))


@dataclass(frozen=True)
class ListSpec:
    columns: Sequence[Column]
    records: Callable[[StaffUser, Filters], QuerySet[Any]]
    # The person each record is of (None: the list names no citizen).
    person: Callable[[Any], Person] | None


LISTS: dict[str, ListSpec] = {
    ExportList.PERSONS: ListSpec(PERSON_COLUMNS, _persons, lambda p: p),
    ExportList.DOSES: ListSpec(DOSE_COLUMNS, _doses, lambda d: d.person),
    ExportList.REACTIONS: ListSpec(REACTION_COLUMNS, _reactions, lambda r: r.dose.person),
    ExportList.STOCK_MOVEMENTS: ListSpec(STOCK_COLUMNS, _stock, None),
    ExportList.REGISTRATIONS: ListSpec(REGISTRATION_COLUMNS, _registrations, lambda r: r.person),
    ExportList.OVERDUE: ListSpec(OVERDUE_COLUMNS, _overdue, lambda o: o.person),
    ExportList.CORRECTIONS: ListSpec(CORRECTION_COLUMNS, _corrections, lambda c: c.person),
}


# --- Writers ----------------------------------------------------------------------------

# A cell that a spreadsheet would run as a formula ("=HYPERLINK(…)" typed as a name): CSV
# cells starting so get a leading apostrophe. "+84…" phones and "-5" doses stay as they are.
_FORMULA_START = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s]))")
_FORMULA_FIRST = frozenset("=@\t\r+-")


def csv_safe(value: Value) -> str:
    if isinstance(value, str):  # most cells: checked by their first character first
        formula = value[:1] in _FORMULA_FIRST and _FORMULA_START.match(value)
        return "'" + value if formula else value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class SheetWriter(Protocol):
    def header(self, rows: Sequence[Sequence[str | None]], merged: Iterable[str] = ()) -> None: ...

    def row(self, values: Sequence[Value]) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """UTF-8 with a byte-order mark: Excel opens it as Unicode only then."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file)

    def header(self, rows: Sequence[Sequence[str | None]], merged: Iterable[str] = ()) -> None:
        for row in rows:
            self._csv.writerow(["" if v is None else v for v in row])

    def row(self, values: Sequence[Value]) -> None:
        self._csv.writerow([csv_safe(v) for v in values])

    def close(self) -> None:
        self._file.close()


class XlsxWriter:
    """openpyxl's write-only mode: rows go to a temporary file as they come, the workbook is
    zipped at the end. Dates are dates (shown dd/mm/yyyy), text stays text, even "=…". A
    sheet holds at most SHEET_ROWS rows (Excel's limit): the list goes on in a second sheet,
    under the same header."""

    def __init__(self, path: Path, title: str) -> None:
        self._path = path
        self._title = title[:28]
        self._book = Workbook(write_only=True)
        self._sheet: WriteOnlyWorksheet = self._book.create_sheet(self._title)
        self._sheets, self._rows = 1, 0
        self._header: list[list[str | None]] = []
        self._merged: list[str] = []

    def header(self, rows: Sequence[Sequence[str | None]], merged: Iterable[str] = ()) -> None:
        """Written at the top of the first sheet, and of each sheet after it."""
        self._header, self._merged = [list(row) for row in rows], list(merged)
        self._write_header()

    def _write_header(self) -> None:
        for row in self._header:
            self._sheet.append(row)
        for cells in self._merged:
            self._sheet.merged_cells.add(cells)
        self._rows = len(self._header)

    def row(self, values: Sequence[Value]) -> None:
        if self._rows == SHEET_ROWS:
            self._sheets += 1
            self._sheet = self._book.create_sheet(f"{self._title} {self._sheets}")
            self._write_header()
        self._sheet.append([self._cell(v) for v in values])
        self._rows += 1

    def _cell(self, value: Value) -> Any:
        if isinstance(value, dt.datetime | dt.date):
            cell = WriteOnlyCell(self._sheet, value=value)
            cell.number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
            return cell
        if not isinstance(value, str):
            return value
        if not value:
            return None  # no cell at all: an empty one costs as much to write as a full one
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text.startswith("="):
            return text
        cell = WriteOnlyCell(self._sheet, value=text)
        cell.data_type = "s"  # openpyxl would write it as a formula
        return cell

    def close(self) -> None:
        self._book.save(self._path)


def writer_for(path: Path, export_format: str, title: str) -> SheetWriter:
    if export_format == ExportFormat.CSV:
        return CsvWriter(path)
    return XlsxWriter(path, title)


# --- Writing a list ---------------------------------------------------------------------


@dataclass
class Written:
    """What was written: the count, and the persons named, up to `name_limit` of them (the
    audit row names them; a larger export is audited by its filter)."""

    name_limit: int
    rows: int = 0
    persons: set[str] = field(default_factory=set)
    persons_complete: bool = True

    def saw(self, person: Person | None) -> None:
        self.rows += 1
        if person is None or not self.persons_complete:
            return
        self.persons.add(str(person.uuid))
        if len(self.persons) > self.name_limit:
            self.persons, self.persons_complete = set(), False


Progress = Callable[[int], None]


def records_count(*, list_kind: str, export_format: str, user: StaffUser, filters: Filters) -> int:
    """How many rows the file will have: the persons for the national template."""
    records = LISTS[list_kind].records(user, filters)
    if export_format == ExportFormat.NATIONAL:
        return records.filter(voided_at=None).values("person_id").distinct().count()
    return records.count()


def list_write(
    *,
    list_kind: str,
    export_format: str,
    user: StaffUser,
    filters: Filters,
    path: Path,
    progress: Progress,
    written: Written,
) -> None:
    """Write the list at `path`, calling `progress(rows)` after each chunk of rows."""
    national = export_format == ExportFormat.NATIONAL
    language = NATIONAL_LANGUAGE if national else get_language() or ""
    with translation.override(language):
        token = _LANGUAGE.set(language)
        try:
            if national:
                _national_write(user, filters, path, progress, written)
            else:
                _list_write(list_kind, export_format, user, filters, path, progress, written)
        finally:
            _LANGUAGE.reset(token)


def _list_write(
    list_kind: str,
    export_format: str,
    user: StaffUser,
    filters: Filters,
    path: Path,
    progress: Progress,
    written: Written,
) -> None:
    spec = LISTS[list_kind]
    sheet = writer_for(path, export_format, str(ExportList(list_kind).label))
    try:
        sheet.header([[str(c.header) for c in spec.columns]])
        for record in spec.records(user, filters).iterator(chunk_size=CHUNK):
            sheet.row([c.value(record) for c in spec.columns])
            written.saw(spec.person(record) if spec.person else None)
            if written.rows % CHUNK == 0:
                progress(written.rows)
    finally:
        sheet.close()


# The national template: a person's columns, then one group of four a dose. Every header is
# one the imports map (STT is the row number, ignored).
NATIONAL_PERSON_COLUMNS = (
    ("Họ và tên", lambda p: p.full_name),
    ("Ngày sinh", _birth),
    ("Giới tính", lambda p: _display(p, "sex")),
    ("Loại giấy tờ", _id_kind),
    ("Số giấy tờ", lambda p: p.id_number),
    ("Số điện thoại", lambda p: p.phone),
    ("Số thẻ BHYT", lambda p: p.insurance_number),
    ("Mã xã", lambda p: p.home_unit.code),
    ("Địa chỉ", lambda p: p.address_line),
    ("Dân tộc", lambda p: _display(p, "ethnicity")),
    ("Nghề nghiệp", lambda p: _display(p, "occupation")),
)
NATIONAL_TITLE = "DANH SÁCH NGƯỜI ĐÃ TIÊM VẮC XIN"


def national_header(doses: int) -> tuple[list[list[str | None]], list[str]]:
    """The template's title and its two header rows, and the ranges merged: each person's
    header over both rows, each "Mũi n" across its dose's four columns."""
    persons = ["STT", *(name for name, _value in NATIONAL_PERSON_COLUMNS)]
    width = len(persons) + 4 * doses
    groups: list[str | None] = []
    for number in range(1, doses + 1):
        groups += [f"Mũi {number}", None, None, None]
    upper: list[str | None] = [*persons, *groups]
    lower: list[str | None] = [*([None] * len(persons)), *(NATIONAL_DOSE_HEADER * doses)]
    merged = [f"A1:{get_column_letter(width)}1"]
    merged += [
        f"{get_column_letter(c)}3:{get_column_letter(c)}4" for c in range(1, len(persons) + 1)
    ]
    merged += [
        f"{get_column_letter(first)}3:{get_column_letter(first + 3)}3"
        for first in range(len(persons) + 1, width + 1, 4)
    ]
    return [[NATIONAL_TITLE], [None], upper, lower], merged


def _national_write(
    user: StaffUser, filters: Filters, path: Path, progress: Progress, written: Written
) -> None:
    """Valid doses only (a voided dose is no dose of the person), a person's in the order
    given; persons in the order of their first dose's record."""
    doses = _doses(user, filters).filter(voided_at=None).order_by("person_id", "given_at", "id")
    widest = doses.values("person_id").annotate(n=Count("id")).aggregate(most=Max("n"))["most"]
    sheet = XlsxWriter(path, "Danh sách")
    try:
        header, merged = national_header(widest or 1)
        sheet.header(header, merged)
        for _person_id, given in groupby(doses.iterator(chunk_size=CHUNK), lambda d: d.person_id):
            of_person = list(given)
            sheet.row(_national_row(written.rows + 1, of_person))
            written.saw(of_person[0].person)
            if written.rows % CHUNK == 0:
                progress(written.rows)
    finally:
        sheet.close()


def _national_row(number: int, doses: list[Dose]) -> list[Value]:
    person = doses[0].person
    row: list[Value] = [number, *(value(person) for _name, value in NATIONAL_PERSON_COLUMNS)]
    for dose in doses:
        row += [dose.product.name, dose.given_on, dose.lot.number, dose.site.name]
    return row
