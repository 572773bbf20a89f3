"""Importing a spreadsheet: its header found, its columns mapped, each row parsed and judged
by the services that judge a form (persons through person_check / person_create), a bad row
refused alone with its cell errors. A dry run reports what the import would do."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.imports.headers import Layout, sheet_layout
from sosuckhoe.imports.mapping import DOSES, PERSONS, REGISTRATIONS, suggest
from sosuckhoe.imports.readers import HEAD_ROWS, Sheet, open_sheets
from sosuckhoe.imports.references import References
from sosuckhoe.imports.rows import CellError, ParsedRow, RowParser
from sosuckhoe.people.models import Person
from sosuckhoe.people.services import person_check, person_create
from sosuckhoe.places.models import AdminUnit, UnitLevel

ERRORS_SHOWN = 50
CHUNK = 500  # rows whose persons are looked up in one query
# Errors of a field that no column holds are shown on the column of the field they follow.
_ERROR_COLUMN = {"birth_year": "birth_date", "id_kind": "id_number", "phone_network": "phone"}


@dataclass
class ImportSummary:
    header_rows: tuple[int, int]
    mapping: dict[str, str]  # column letter -> field
    read: int = 0
    valid: int = 0
    rejected: int = 0
    matched: int = 0
    new: int = 0
    errors: list[CellError] = field(default_factory=list)

    def refuse(self, row: ParsedRow) -> None:
        self.rejected += 1
        self.errors.extend(row.errors[: ERRORS_SHOWN - len(self.errors)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "header_rows": list(self.header_rows),
            "mapping": self.mapping,
            "rows": {
                "read": self.read,
                "valid": self.valid,
                "rejected": self.rejected,
                "matched": self.matched,
                "new": self.new,
            },
            "errors": [e.as_dict() for e in self.errors],
        }


def file_import(
    *, actor: Actor, path: Path, kind: str, unit: AdminUnit | None = None, dry_run: bool = True
) -> ImportSummary:
    """Read `path` as a list of `kind` and report each row; unless `dry_run`, register the
    new persons (registrations and doses are only checked so far)."""
    if not dry_run and kind != PERSONS:
        raise ValidationError(
            _("Only lists of persons can be imported for now; check other lists with a dry run.")
        )
    with open_sheets(path) as found:
        return _import(actor, found, kind, unit, dry_run)


def _import(
    actor: Actor, found: list[Sheet], kind: str, unit: AdminUnit | None, dry_run: bool
) -> ImportSummary:
    sheet, layout = _best_sheet(found)
    mapping = suggest([(c.index, c.labels) for c in layout.columns], kind)
    default_unit = unit if unit is not None and unit.level == UnitLevel.COMMUNE else None
    _check_mapping(set(mapping.values()), kind, default_unit)
    parser = RowParser(
        mapping=mapping,
        refs=References.load(scope=unit, doses=kind == DOSES),
        default_unit=default_unit,
    )
    summary = ImportSummary(
        header_rows=(layout.first_row, layout.last_row),
        mapping={parser.letters[f]: f for f in mapping.values()},
    )
    judge = _Judge(actor=actor, kind=kind, parser=parser, summary=summary, dry_run=dry_run)
    rows = _parsed_rows(sheet, layout, parser)
    while chunk := list(islice(rows, CHUNK)):
        judge.chunk(chunk)
    return summary


def _best_sheet(found: list[Sheet]) -> tuple[Sheet, Layout]:
    """The sheet whose header scores best: a workbook may open on its instructions."""
    layouts = [(sheet, sheet_layout(sheet)) for sheet in found]
    scored = [(sheet, layout) for sheet, layout in layouts if layout is not None]
    if not scored:
        raise ValidationError(
            _("No header row was found in the first %(rows)d rows of the file.")
            % {"rows": HEAD_ROWS}
        )
    return max(scored, key=lambda pair: pair[1].score)


def _check_mapping(fields: set[str], kind: str, default_unit: AdminUnit | None) -> None:
    needed = [("full_name",), ("sex",), ("birth_date", "birth_year")]
    if default_unit is None:
        needed.append(("home_unit",))
    if kind == REGISTRATIONS:
        needed.append(("priority_group",))
    if kind == DOSES:
        needed += [(f"dose1.{f}",) for f in ("product", "given_on", "lot", "site")]
    missing = [" / ".join(names) for names in needed if not fields.intersection(names)]
    if missing:
        raise ValidationError(
            _("The file has no column for: %(fields)s.") % {"fields": ", ".join(missing)}
        )


def _parsed_rows(sheet: Sheet, layout: Layout, parser: RowParser) -> Iterator[ParsedRow]:
    for number, row in enumerate(sheet.rows(), start=1):
        if number <= layout.last_row:
            continue
        parsed = parser.parse(number, row)
        if parsed is not None:
            yield parsed


@dataclass
class _Judge:
    """Counts each row: refused with its errors, matched to a registered person, or new."""

    actor: Actor
    kind: str
    parser: RowParser
    summary: ImportSummary
    dry_run: bool
    seen: set[tuple[str, str]] = field(default_factory=set)  # documents of this file's rows

    def chunk(self, rows: list[ParsedRow]) -> None:
        registered = _registered_documents(rows)
        for row in rows:
            self.summary.read += 1
            self._check_records(row)
            if row.valid:
                self._person(row, registered)
            if row.valid:
                self.summary.valid += 1
            else:
                self.summary.refuse(row)

    def _check_records(self, row: ParsedRow) -> None:
        named = "priority_group" in row.registration or any(
            e.field == "priority_group" for e in row.errors
        )
        if self.kind == REGISTRATIONS and not named:
            self.parser.error(row, "priority_group", _("Enter the priority group."))
        if self.kind == DOSES and not row.doses:
            self.parser.error(row, "dose1.product", _("This row names no dose."))

    def _person(self, row: ParsedRow, registered: set[tuple[str, str]]) -> None:
        fields = row.person
        document = (fields["id_kind"], fields.get("id_number", ""))
        if document[1] and (document in registered or document in self.seen):
            self.summary.matched += 1
            return
        try:
            if self.dry_run:
                person_check(actor=self.actor, **fields)
            else:
                person_create(actor=self.actor, **fields)
        except ValidationError as error:
            self._validation_errors(row, error)
            return
        if document[1]:
            self.seen.add(document)
        self.summary.new += 1

    def _validation_errors(self, row: ParsedRow, error: ValidationError) -> None:
        by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for name, messages in by_field.items():
            name = "" if name == NON_FIELD_ERRORS else name
            column = _ERROR_COLUMN.get(name, name)
            for message in messages:
                letter = self.parser.letters.get(name) or self.parser.letters.get(column, "")
                row.errors.append(CellError(row.number, letter, name, message))


def _registered_documents(rows: list[ParsedRow]) -> set[tuple[str, str]]:
    """The documents of these rows that a registered person holds: one query a chunk."""
    numbers = {r.person["id_number"] for r in rows if r.valid and r.person.get("id_number")}
    if not numbers:
        return set()
    found = Person.objects.filter(id_number__in=numbers).values_list("id_kind", "id_number")
    return set(found)
