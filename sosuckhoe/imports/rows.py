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
    words = label_key(first).split()
    return (
        bool(words)
        and words[0] in _TOTAL_FIRST
        and all(
            w in _TOTAL_WORDS or w.isdigit() or w.rstrip("s") in _TOTAL_WORDS for w in words[1:]
        )
    )


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
        self._person_readers = self._readers()

    def parse(self, number: int, row: Sequence[Cell]) -> ParsedRow | None:
        """The row's records, or None for a row to skip: blank in every mapped column, or a
        total."""
        values = {f: row[i] if i < len(row) else None for i, f in self.columns}
        if all(cells.is_empty(v) for v in values.values()) or is_total(row):
            return None
        parsed = ParsedRow(number)
        for name, value in values.items():
            if cells.is_empty(value):
                continue
            try:
                self._read(parsed, name, value)
            except CellProblem as problem:
                self.error(parsed, name, str(problem))
        self._complete(parsed)
        return parsed

    def error(self, parsed: ParsedRow, name: str, message: str) -> None:
        column = self.letters.get(name, "")
        parsed.errors.append(CellError(parsed.number, column, name, message))

    def _read(self, parsed: ParsedRow, name: str, value: Cell) -> None:
        if dose := _DOSE_FIELD.fullmatch(name):
            parsed.doses.setdefault(int(dose.group(1)), {})[dose.group(2)] = value
        elif name in REGISTRATION_FIELDS:
            parsed.registration[name] = self._registration_value(name, value)
        else:
            parsed.person.update(self._person_values(parsed, name, value))

    def _person_values(self, parsed: ParsedRow, name: str, value: Cell) -> dict[str, Any]:
        if name == "id_number":
            # Read after id_kind (the fields' order): the kind says how to mend the number.
            number, kind = cells.id_number(value, parsed.person.get("id_kind"))
            return {"id_number": number, "id_kind": kind}
        return self._person_readers[name](value)

    def _readers(self) -> dict[str, Callable[[Cell], dict[str, Any]]]:
        ethnicities_, occupations_ = ethnicities(), occupations()
        return {
            "full_name": lambda v: {"full_name": cells.name(v)},
            "birth_date": _birth,
            "birth_year": _birth_year,
            "sex": lambda v: {"sex": cells.sex(v)},
            "id_kind": lambda v: {"id_kind": cells.id_kind(v)},
            "phone": lambda v: {"phone": cells.phone(v)},
            "insurance_number": lambda v: {"insurance_number": cells.code(v)},
            "home_unit": lambda v: {"home_unit": self.refs.commune(v)},
            "address_line": lambda v: {"address_line": cells.text(v)},
            "ethnicity": lambda v: {
                "ethnicity": ethnicities_.code(v, _("Not an ethnicity of the list."))
            },
            "occupation": lambda v: {
                "occupation": occupations_.code(v, _("Not an occupation of the list."))
            },
        }

    def _registration_value(self, name: str, value: Cell) -> Any:
        if name == "priority_group":
            return self.refs.priority_group(value)
        if name == "preferred_site":
            return self.refs.site(value)
        return _date_only(value)

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
        steps = (
            ("product", lambda: self.refs.product(values["product"])),
            ("given_on", lambda: _date_only(values["given_on"])),
            ("site", lambda: self.refs.site(values["site"])),
            ("lot", lambda: self.refs.lot(dose["product"], values["lot"])),
        )
        for name, read in steps:
            if name not in values:
                self.error(parsed, f"dose{number}.{name}", _("This value of the dose is missing."))
                continue
            if name == "lot" and "product" not in dose:
                continue
            try:
                dose[name] = read()
            except CellProblem as problem:
                self.error(parsed, f"dose{number}.{name}", str(problem))
        return dose
