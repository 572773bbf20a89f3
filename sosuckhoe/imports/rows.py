"""One sheet row into typed records: the person, their registration, their doses side by
side. A cell that cannot be read becomes a cell error, never an exception: a bad row is
refused alone."""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.cell import get_column_letter

from sosuckhoe.core.text import fold
from sosuckhoe.imports import cells
from sosuckhoe.imports.cells import CellProblem, YearOnly
from sosuckhoe.imports.mapping import PERSON_FIELDS, REGISTRATION_FIELDS, label_key
from sosuckhoe.imports.readers import Cell
from sosuckhoe.imports.references import References, ethnicities, occupations
from sosuckhoe.people.models import IdKind
from sosuckhoe.places.models import AdminUnit

# "Tổng", "Tổng cộng: 150 người", "Cộng", "Total": a row that sums the rows above it. Only
# these words: "Tống Văn An" is a person.
_TOTAL_FIRST = {"tong", "cong", "total", "sum"}
_TOTAL_WORDS = {"cong", "so", "nguoi", "luong", "chung", "lieu", "mui", "doi", "tuong", "person"}
_DOSE_FIELD = re.compile(r"dose(\d+)\.(\w+)")


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # the letter; empty when no single cell is at fault
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ParsedRow:
    number: int  # 1-based sheet row
    person: dict[str, Any] = field(default_factory=dict)
    registration: dict[str, Any] = field(default_factory=dict)
    doses: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def is_total(row: Sequence[Cell]) -> bool:
    first = next((c for c in row if not cells.is_empty(c)), None)
    if not isinstance(first, str):
        return False
    # The first cell is most often a name: one that holds none of the first words of a
    # total is told at once, without the header's folding (a regular expression).
    folded = fold(first)
    if not any(word in folded for word in _TOTAL_FIRST):
        return False
    words = label_key(first).split()
    return (
        bool(words)
        and words[0] in _TOTAL_FIRST
        and all(
            w in _TOTAL_WORDS or w.isdigit() or w.rstrip("s") in _TOTAL_WORDS for w in words[1:]
        )
    )


class _Refused:
    """A remembered CellProblem: its message."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _Memo:
    """A reading of a cell that depends on the cell's value alone (a vaccine, a site, a
    commune, a day of vaccination), remembered by value: a list repeats them on every row.
    At most _MEMO_SIZE values are kept, so that memory does not grow with the rows."""

    def __init__(self, read: Callable[[Any], Any]) -> None:
        self.read = read
        self.found: dict[tuple[type, Any], Any] = {}

    def __call__(self, value: Any) -> Any:
        key = (value.__class__, value)
        found = self.found.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            try:
                found = self.read(value)
            except CellProblem as problem:
                found = _Refused(str(problem))
            if len(self.found) >= _MEMO_SIZE:
                self.found.clear()
            self.found[key] = found
        if found.__class__ is _Refused:
            raise CellProblem(found.message)
        return found


_UNKNOWN = object()
_MEMO_SIZE = 4096


def _date_only(value: Cell) -> dt.date:
    found = cells.date_value(value)
    if isinstance(found, YearOnly):
        raise CellProblem(_("Write the whole date, not the year alone."))
    return found


def _birth(value: Cell) -> dict[str, Any]:
    found = cells.date_value(value, past_century=True)
    if isinstance(found, YearOnly):
        return {"birth_year": found.year}
    return {"birth_date": found, "birth_year": found.year}


def _birth_year(value: Cell) -> dict[str, Any]:
    found = cells.date_value(value, past_century=True)
    return {"birth_year": found.year}


# A dose's values in the order they are read: its lot is a lot of its vaccine.
_DOSE_PARTS = ("product", "given_on", "site", "lot")

Handler = Callable[[ParsedRow, Cell], None]


class RowParser:
    """Parses rows under one mapping (column index -> field)."""

    def __init__(
        self, *, mapping: dict[int, str], refs: References, default_unit: AdminUnit | None
    ) -> None:
        self.refs = refs
        self.default_unit = default_unit
        self.letters = {f: get_column_letter(i + 1) for i, f in mapping.items()}
        order = {f: n for n, f in enumerate(PERSON_FIELDS + REGISTRATION_FIELDS)}
        # Fields in a fixed order: the document's kind is read before its number.
        self.columns = sorted(mapping.items(), key=lambda item: order.get(item[1], len(order)))
        # One column a field (the last column of a field named twice, at its first place).
        self.index_of = {name: index for index, name in self.columns}
        self._readers = self._person_readers()
        self._registration_readers = self._registration_readers_of()
        self._dose_readers = self._dose_readers_of()
        self._steps = [(index, name, self._handler(name)) for name, index in self.index_of.items()]

    def parse(self, number: int, row: Sequence[Cell]) -> ParsedRow | None:
        """The row's records, or None for a row to skip: blank in every mapped column, or a
        total."""
        width = len(row)
        is_empty = cells.is_empty
        filled = [
            (name, value, handle)
            for index, name, handle in self._steps
            if index < width and not is_empty(value := row[index])
        ]
        if not filled or is_total(row):
            return None
        parsed = ParsedRow(number)
        for name, value, handle in filled:
            try:
                handle(parsed, value)
            except CellProblem as problem:
                self.error(parsed, name, str(problem))
        self._complete(parsed)
        return parsed

    def error(self, parsed: ParsedRow, name: str, message: str) -> None:
        column = self.letters.get(name, "")
        parsed.errors.append(CellError(parsed.number, column, name, message))

    def _handler(self, name: str) -> Handler:
        """What reading a cell of the field `name` does to the row's records."""
        if dose := _DOSE_FIELD.fullmatch(name):
            return _dose_value(int(dose.group(1)), dose.group(2))
        if name in REGISTRATION_FIELDS:
            return _registration_value(name, self._registration_readers[name])
        if name == "id_number":
            return _id_number
        if name in ("birth_date", "birth_year"):
            read = _birth if name == "birth_date" else _birth_year
            return lambda parsed, value: parsed.person.update(read(value))
        readers = self._readers

        def person_value(parsed: ParsedRow, value: Cell) -> None:
            parsed.person[name] = readers[name](value)

        return person_value

    def _person_readers(self) -> dict[str, Callable[[Cell], Any]]:
        """The value of each person's field from its cell; those that lists repeat from row
        to row remembered."""
        ethnicities_, occupations_ = ethnicities(), occupations()
        return {
            "full_name": cells.name,
            "sex": _Memo(cells.sex),
            "id_kind": _Memo(cells.id_kind),
            "phone": cells.phone,
            "insurance_number": cells.code,
            "home_unit": _Memo(self.refs.commune),
            "address_line": cells.text,
            "ethnicity": _Memo(lambda v: ethnicities_.code(v, _("Not an ethnicity of the list."))),
            "occupation": _Memo(
                lambda v: occupations_.code(v, _("Not an occupation of the list."))
            ),
        }

    def _registration_readers_of(self) -> dict[str, Callable[[Cell], Any]]:
        return {
            "priority_group": _Memo(self.refs.priority_group),
            "preferred_site": _Memo(self.refs.site),
            "preferred_date": _Memo(_date_only),
        }

    def _dose_readers_of(self) -> dict[str, Callable[[Any], Any]]:
        """Each value of a dose from its cell; the lot's from its vaccine and its cell."""
        refs = self.refs
        return {
            "product": _Memo(refs.product),
            "given_on": _Memo(_date_only),
            "site": _Memo(refs.site),
            "lot": _Memo(lambda product_cell: refs.lot(*product_cell)),
        }

    def _complete(self, parsed: ParsedRow) -> None:
        """Defaults, and the records of each dose group named at once (a lot is a lot of
        its vaccine)."""
        if self.default_unit is not None:
            parsed.person.setdefault("home_unit", self.default_unit)
        parsed.person.setdefault("id_kind", IdKind.NONE)
        for number, values in sorted(parsed.doses.items()):
            parsed.doses[number] = self._dose(parsed, number, values)

    def _dose(self, parsed: ParsedRow, number: int, values: dict[str, Cell]) -> dict[str, Any]:
        dose: dict[str, Any] = {}
        for name in _DOSE_PARTS:
            if name not in values:
                self.error(parsed, f"dose{number}.{name}", _("This value of the dose is missing."))
                continue
            value: Any = values[name]
            if name == "lot":
                if "product" not in dose:
                    continue
                value = (dose["product"], value)
            try:
                dose[name] = self._dose_readers[name](value)
            except CellProblem as problem:
                self.error(parsed, f"dose{number}.{name}", str(problem))
        return dose


def _dose_value(number: int, part: str) -> Handler:
    """A dose's cell kept as it is: a dose is read once its group is whole."""

    def keep(parsed: ParsedRow, value: Cell) -> None:
        parsed.doses.setdefault(number, {})[part] = value

    return keep


def _registration_value(name: str, read: Callable[[Cell], Any]) -> Handler:
    def registration_value(parsed: ParsedRow, value: Cell) -> None:
        parsed.registration[name] = read(value)

    return registration_value


def _id_number(parsed: ParsedRow, value: Cell) -> None:
    # Read after id_kind (the fields' order): the kind says how to mend the number.
    number, kind = cells.id_number(value, parsed.person.get("id_kind"))
    parsed.person["id_number"], parsed.person["id_kind"] = number, kind
