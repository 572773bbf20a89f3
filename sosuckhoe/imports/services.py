"""Importing a spreadsheet: its header found, its columns mapped, each row parsed and judged
by the services that judge a form (persons through person_check / person_create), a bad row
refused alone with its cell errors. A dry run reports what the import would do."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.imports.cells import text
from sosuckhoe.imports.headers import Layout, sheet_layout
from sosuckhoe.imports.mapping import DOSES, PERSONS, REGISTRATIONS, suggest
from sosuckhoe.imports.readers import HEAD_ROWS, Cell, Sheet, open_sheets
from sosuckhoe.imports.references import References
from sosuckhoe.imports.rows import CellError, ParsedRow, RowParser
from sosuckhoe.people.models import Person
from sosuckhoe.people.services import persons_check_batch, persons_create_batch
from sosuckhoe.places.models import AdminUnit, UnitLevel

ERRORS_SHOWN = 50
CHUNK = 1000  # rows judged together and, importing, committed together
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

    def add(self, outcome: "ChunkOutcome") -> None:
        self.read += outcome.read
        self.valid += outcome.matched + outcome.new
        self.rejected += len(outcome.rejected)
        self.matched += outcome.matched
        self.new += outcome.new
        for row in outcome.rejected:
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
    *,
    actor: Actor,
    path: Path,
    kind: str,
    unit: AdminUnit | None = None,
    dry_run: bool = True,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> ImportSummary:
    """Read `path` as a list of `kind` and report each row; unless `dry_run`, register the
    new persons, a chunk of rows per transaction (registrations and doses are only checked
    so far). `on_progress(sheet row, rows in the sheet)` after each chunk."""
    if not dry_run and kind != PERSONS:
        raise ValidationError(
            _("Only lists of persons can be imported for now; check other lists with a dry run.")
        )
    with open_sheets(path) as found:
        sheet, layout = best_sheet(found)
        mapping = suggest([(c.index, c.labels) for c in layout.columns], kind)
        judge = Judge.of(actor=actor, kind=kind, unit=unit, mapping=mapping, dry_run=dry_run)
        summary = ImportSummary(
            header_rows=(layout.first_row, layout.last_row),
            mapping={judge.parser.letters[f]: f for f in mapping.values()},
        )
        size = sheet.size()
        for chunk in chunks(sheet, judge.parser, after=layout.last_row):
            with transaction.atomic():
                summary.add(judge.chunk(chunk.rows))
            if on_progress:
                on_progress(chunk.last_row, size)
    return summary


def best_sheet(found: list[Sheet]) -> tuple[Sheet, Layout]:
    """The sheet whose header scores best: a workbook may open on its instructions."""
    layouts = [(sheet, sheet_layout(sheet)) for sheet in found]
    scored = [(sheet, layout) for sheet, layout in layouts if layout is not None]
    if not scored:
        raise ValidationError(
            _("No header row was found in the first %(rows)d rows of the file.")
            % {"rows": HEAD_ROWS}
        )
    return max(scored, key=lambda pair: pair[1].score)


def check_mapping(fields: set[str], kind: str, default_unit: AdminUnit | None) -> None:
    """Refuse a mapping that leaves a needed field without a column."""
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


def commune_of(unit: AdminUnit | None) -> AdminUnit | None:
    """The commune every row lies in when the list is a commune's."""
    return unit if unit is not None and unit.level == UnitLevel.COMMUNE else None


def header_text(rows: list[list[Cell]]) -> list[list[str]]:
    """Header rows as text, kept with a job (JSON) to be shown and written back."""
    return [[text(value) for value in row] for row in rows]


@dataclass
class Chunk:
    rows: list[ParsedRow]
    last_row: int  # the last sheet row it covers, blank and total rows included


def chunks(sheet: Sheet, parser: RowParser, *, after: int) -> Iterator[Chunk]:
    """The sheet's rows below sheet row `after`, parsed, CHUNK rows at a time (blank and
    total rows are skipped, not counted)."""
    rows: list[ParsedRow] = []
    number = after
    for number, row in enumerate(sheet.rows(), start=1):
        if number <= after:
            continue
        parsed = parser.parse(number, row)
        if parsed is not None:
            rows.append(parsed)
        if len(rows) == CHUNK:
            yield Chunk(rows, number)
            rows = []
    if rows or number > after:
        yield Chunk(rows, number)


@dataclass
class ChunkOutcome:
    read: int = 0
    matched: int = 0
    new: int = 0
    rejected: list[ParsedRow] = field(default_factory=list)


@dataclass
class Judge:
    """Judges rows a chunk at a time: each refused with its errors, matched to a registered
    person (by the identity number, exactly), or new (registered unless a dry run).
    Candidates by folded name, birth and phone go to the review queue in a later step."""

    actor: Actor
    kind: str
    parser: RowParser
    dry_run: bool
    # A dry run writes nothing: the documents of its earlier chunks are remembered here.
    seen: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        *,
        actor: Actor,
        kind: str,
        unit: AdminUnit | None,
        mapping: dict[int, str],
        dry_run: bool,
    ) -> "Judge":
        default_unit = commune_of(unit)
        check_mapping(set(mapping.values()), kind, default_unit)
        parser = RowParser(
            mapping=mapping,
            refs=References.load(scope=unit, doses=kind == DOSES),
            default_unit=default_unit,
        )
        return cls(actor=actor, kind=kind, parser=parser, dry_run=dry_run)

    def chunk(self, rows: list[ParsedRow]) -> ChunkOutcome:
        outcome = ChunkOutcome(read=len(rows))
        for row in rows:
            self._check_records(row)
        registered = _registered_documents(rows) | self.seen
        pending = []
        for row in (r for r in rows if r.valid):
            if _document(row) in registered:
                outcome.matched += 1
            else:
                pending.append(row)
        while pending:
            pending = self._judge_firsts(pending, outcome)
        outcome.rejected = [row for row in rows if not row.valid]
        return outcome

    def _judge_firsts(self, rows: list[ParsedRow], outcome: ChunkOutcome) -> list[ParsedRow]:
        """Judge the first row of each document; a later row of a document that was accepted
        is the same person again (matched); those of a refused one are left to judge next."""
        firsts: list[ParsedRow] = []
        later: list[ParsedRow] = []
        documents: set[tuple[str, str]] = set()
        for row in rows:
            document = _document(row)
            (later if document in documents else firsts).append(row)
            if document is not None:
                documents.add(document)
        judge = persons_check_batch if self.dry_run else persons_create_batch
        results = judge(actor=self.actor, rows=[row.person for row in firsts])
        accepted: set[tuple[str, str] | None] = set()
        for row, result in zip(firsts, results, strict=True):
            if result.error is not None:
                self._validation_errors(row, result.error)
            else:
                outcome.new += 1
                accepted.add(_document(row))
        if self.dry_run:
            self.seen |= {document for document in accepted if document is not None}
        outcome.matched += len([row for row in later if _document(row) in accepted])
        return [row for row in later if _document(row) not in accepted]

    def _check_records(self, row: ParsedRow) -> None:
        named = "priority_group" in row.registration or any(
            e.field == "priority_group" for e in row.errors
        )
        if self.kind == REGISTRATIONS and not named:
            self.parser.error(row, "priority_group", _("Enter the priority group."))
        if self.kind == DOSES and not row.doses:
            self.parser.error(row, "dose1.product", _("This row names no dose."))

    def _validation_errors(self, row: ParsedRow, error: ValidationError) -> None:
        by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for name, messages in by_field.items():
            name = "" if name == NON_FIELD_ERRORS else name
            column = _ERROR_COLUMN.get(name, name)
            for message in messages:
                letter = self.parser.letters.get(name) or self.parser.letters.get(column, "")
                row.errors.append(CellError(row.number, letter, name, message))


def _document(row: ParsedRow) -> tuple[str, str] | None:
    number = row.person.get("id_number", "")
    return (row.person["id_kind"], number) if number else None


def _registered_documents(rows: list[ParsedRow]) -> set[tuple[str, str]]:
    """The documents of these rows that a registered person holds: one query a chunk."""
    numbers = {r.person["id_number"] for r in rows if r.valid and r.person.get("id_number")}
    if not numbers:
        return set()
    found = Person.objects.filter(id_number__in=numbers).values_list("id_kind", "id_number")
    return set(found)
