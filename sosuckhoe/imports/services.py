"""Importing a spreadsheet: its header found, its columns mapped (the mapping saved for its
layout, else suggested from the header's words), each row parsed and judged by the services
that judge a form, a chunk of rows at a time: persons through persons_create_batch, doses
through doses_record_batch, registrations through registrations_create_batch. A bad row is refused
alone with its cell errors. A dry run reports what the import would do."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.imports.cells import text
from sosuckhoe.imports.headers import Layout, sheet_layout
from sosuckhoe.imports.layouts import layout_find, layout_fits, layout_used
from sosuckhoe.imports.mapping import DOSES, REGISTRATIONS, suggest
from sosuckhoe.imports.models import ImportLayout
from sosuckhoe.imports.parts import Part, judged_in_parts, parts_possible
from sosuckhoe.imports.readers import HEAD_ROWS, Cell, Sheet, open_sheets
from sosuckhoe.imports.references import References
from sosuckhoe.imports.rows import CellError, ParsedRow, RowParser
from sosuckhoe.people.duplicate_services import person_candidates_queue
from sosuckhoe.people.models import Person
from sosuckhoe.people.selectors import document_holders_unscoped
from sosuckhoe.people.services import (
    PersonRowResult,
    is_document_taken,
    persons_check_batch,
    persons_create_batch,
)
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.vaccination.models import RegistrationChannel
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.common import document_holders_locked, refusal_codes
from sosuckhoe.vaccination.services.doses import DOSE_EXISTS
from sosuckhoe.vaccination.services.registrations import (
    ALREADY_REGISTERED,
    RegistrationItem,
    registrations_create_batch,
)

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
    records_new: int = 0
    records_matched: int = 0
    layout: str = "suggested"  # or "saved": the mapping confirmed before for this layout
    errors: list[CellError] = field(default_factory=list)

    def add(self, outcome: "ChunkOutcome") -> None:
        self.read += outcome.read
        self.valid += outcome.read - len(outcome.rejected)
        self.rejected += len(outcome.rejected)
        self.matched += outcome.matched
        self.new += outcome.new
        self.records_new += outcome.records_new
        self.records_matched += outcome.records_matched
        for row in outcome.rejected:
            self.errors.extend(row.errors[: ERRORS_SHOWN - len(self.errors)])

    def merge(self, other: "ImportSummary") -> None:
        """Add the counts of another part of the same file; its errors among the first shown."""
        for name in ("read", "valid", "rejected", "matched", "new", "records_new",
                     "records_matched"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        errors = sorted([*self.errors, *other.errors], key=lambda e: e.row)
        self.errors = errors[:ERRORS_SHOWN]

    def as_dict(self) -> dict[str, Any]:
        return {
            "header_rows": list(self.header_rows),
            "mapping": self.mapping,
            "layout": self.layout,
            "rows": {
                "read": self.read,
                "valid": self.valid,
                "rejected": self.rejected,
                "matched": self.matched,
                "new": self.new,
            },
            # The registrations or doses of a list of them: written, or on record already.
            "records": {"new": self.records_new, "matched": self.records_matched},
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
    workers: int = 1,
) -> ImportSummary:
    """Read `path` as a list of `kind` and report each row; unless `dry_run`, write what the
    rows hold (persons, and their registrations or doses), a chunk of rows per transaction,
    in `workers` parts side by side where the database allows it (imports.parts).
    `on_progress(sheet row, rows in the sheet)` after each chunk."""
    with open_sheets(path) as found:
        sheet, layout = best_sheet(found)
        header = header_text(sheet.head()[layout.first_row - 1 : layout.last_row])
        mapping, saved = mapping_of(header, layout, kind=kind, unit=unit)
        judge = Judge.of(
            actor=actor, kind=kind, unit=unit, mapping=mapping, dry_run=dry_run, source=path.name
        )
        summary = ImportSummary(
            header_rows=(layout.first_row, layout.last_row),
            mapping={judge.parser.letters[f]: f for f in mapping.values()},
            layout="suggested" if saved is None else "saved",
        )
        size = sheet.size()
        if not dry_run and parts_possible(workers) > 1:  # a dry run writes nothing to wait for
            return _parts_import(judge, path, sheet.name, summary, workers, on_progress, size)
        for chunk in chunks(sheet, judge.parser, after=layout.last_row):
            with transaction.atomic():
                summary.add(judge.chunk(chunk.rows))
            if on_progress:
                on_progress(chunk.last_row, size)
    return summary


def _parts_import(
    judge: "Judge",
    path: Path,
    sheet_name: str,
    summary: ImportSummary,
    workers: int,
    on_progress: Callable[[int, int | None], None] | None,
    size: int | None,
) -> ImportSummary:
    """The import in `workers` parts, each its own process (imports.parts); the summary of
    them all."""
    after = summary.header_rows[1]

    def run_part(part: Part, report_row: Callable[[int], None]) -> ImportSummary:
        own = replace(summary, errors=[])
        with open_sheets(path) as found:
            sheet = next(s for s in found if s.name == sheet_name)
            for chunk in chunks(sheet, judge.parser, after=after, part=part):
                with transaction.atomic():
                    own.add(judge.chunk(chunk.rows))
                judge.candidates_queue()
                report_row(chunk.last_row)
        return own

    outcomes = judged_in_parts(
        judge,
        count=workers,
        run_part=run_part,
        on_progress=(lambda row: on_progress(row, size)) if on_progress else None,
    )
    for outcome in outcomes:
        summary.merge(outcome)
    return summary


def mapping_of(
    header: list[list[str]], layout: Layout, *, kind: str, unit: AdminUnit | None
) -> tuple[dict[int, str], ImportLayout | None]:
    """The mapping confirmed before for this layout of file (with the saved layout), else
    the one suggested by the header's words (with None)."""
    width = max((len(row) for row in header), default=0)
    saved = layout_find(header=header, list_kind=kind, unit=unit)
    if saved is not None and layout_fits(saved, kind, width):
        layout_used(saved)
        return saved.columns, saved
    return suggest([(c.index, c.labels) for c in layout.columns], kind), None


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


def chunks(
    sheet: Sheet, parser: RowParser, *, after: int, part: Part | None = None
) -> Iterator[Chunk]:
    """The sheet's rows below sheet row `after` (those of `part` alone, if given), parsed,
    CHUNK rows at a time (blank and total rows are skipped, not counted)."""
    rows: list[ParsedRow] = []
    number = after
    for number, row in enumerate(sheet.rows(), start=1):
        if number <= after or (part is not None and not part.owns(number, row)):
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
    matched: int = 0  # persons found by their document
    new: int = 0  # persons registered (a dry run: who would be)
    records_new: int = 0  # registrations or doses written
    records_matched: int = 0  # registrations or doses on record already (an import again)
    rejected: list[ParsedRow] = field(default_factory=list)


@dataclass
class Judge:
    """Judges rows a chunk at a time. Each row is refused with its errors, or its person is
    matched to a registered one (by the identity number, exactly) or new (registered unless
    a dry run); then, importing registrations or doses, the row's records are written for
    that person by their services. A record on file already (the same file imported again)
    is counted as matched, not refused."""

    actor: Actor
    kind: str
    parser: RowParser
    dry_run: bool
    source: str = ""  # the file's name: why the doses are entered after their day
    # A dry run writes nothing: the documents of its earlier chunks are remembered here.
    seen: set[tuple[str, str]] = field(default_factory=set)
    # An import in parts looks for a chunk's new persons' duplicates once the chunk has
    # committed (imports.parts): they are kept here meanwhile.
    candidates_after_commit: bool = False
    pending: list[Person] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        *,
        actor: Actor,
        kind: str,
        unit: AdminUnit | None,
        mapping: dict[int, str],
        dry_run: bool,
        source: str = "",
    ) -> "Judge":
        default_unit = commune_of(unit)
        check_mapping(set(mapping.values()), kind, default_unit)
        parser = RowParser(
            mapping=mapping,
            refs=References.load(scope=unit, doses=kind == DOSES),
            default_unit=default_unit,
        )
        return cls(actor=actor, kind=kind, parser=parser, dry_run=dry_run, source=source)

    def chunk(self, rows: list[ParsedRow]) -> ChunkOutcome:
        outcome = ChunkOutcome(read=len(rows))
        for row in rows:
            self._check_records(row)
        persons = self._persons(rows, outcome)
        if not self.dry_run and self.kind == DOSES:
            self._doses_record(rows, persons, outcome)
        if not self.dry_run and self.kind == REGISTRATIONS:
            self._registrations_create(rows, persons, outcome)
        outcome.rejected = [row for row in rows if not row.valid]
        return outcome

    def _persons(self, rows: list[ParsedRow], outcome: ChunkOutcome) -> dict[int, Person]:
        """The person of each valid row (sheet row -> person; a dry run's new persons are
        unsaved): the registered holder of its document, else registered now. Importing, the
        chunk's transaction holds them all: the holders locked, the others its own."""
        registered = self._holders(rows)
        persons: dict[int, Person] = {}
        pending = []
        for row in (r for r in rows if r.valid):
            document = _document(row)
            if document is not None and document in registered:
                persons[row.number] = registered[document]
                outcome.matched += 1
            elif document is not None and document in self.seen:
                outcome.matched += 1
            else:
                pending.append(row)
        while pending:
            pending = self._judge_firsts(pending, outcome, persons)
        return persons

    def _judge_firsts(
        self, rows: list[ParsedRow], outcome: ChunkOutcome, persons: dict[int, Person]
    ) -> list[ParsedRow]:
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
        accepted: dict[tuple[str, str] | None, Person] = {}
        results = self._new_persons(firsts)
        # Registered by another writer (a clerk importing an overlapping list) since this
        # chunk looked: the same person, matched as if registered before.
        taken = [row for row, result in zip(firsts, results, strict=True)
                 if is_document_taken(result.error)]  # fmt: skip
        holders = self._holders(taken) if taken else {}
        for row, result in zip(firsts, results, strict=True):
            holder = holders.get(_document(row))  # type: ignore[arg-type]
            if holder is not None:
                outcome.matched += 1
                persons[row.number] = accepted[_document(row)] = holder
            elif result.person is None:
                self._validation_errors(row, result.error or ValidationError(""))
            else:
                outcome.new += 1
                persons[row.number] = accepted[_document(row)] = result.person
        if self.dry_run:
            self.seen |= {document for document in accepted if document is not None}
        for row in later:
            if _document(row) in accepted:
                persons[row.number] = accepted[_document(row)]
                outcome.matched += 1
        return [row for row in later if _document(row) not in accepted]

    def _new_persons(self, rows: list[ParsedRow]) -> list[PersonRowResult]:
        """The one place where a chunk's new persons are registered (a dry run: checked),
        each row's person or its refusal: a step that looks at them as a whole, such as the
        duplicate finder's candidates, is called here."""
        if self.dry_run:
            return persons_check_batch(actor=self.actor, rows=[row.person for row in rows])
        results = persons_create_batch(actor=self.actor, rows=[row.person for row in rows])
        # A person like one registered (name and birth, or phone) is created, never merged:
        # the pair waits for a person on the review queue.
        created = [result.person for result in results if result.person is not None]
        if self.candidates_after_commit:
            self.pending += created
        else:
            person_candidates_queue(actor=self.actor, persons=created)
        return results

    def candidates_queue(self) -> None:
        """Queue the possible duplicates of the persons of the chunk just committed, in a
        transaction of their own (an import in parts; see imports.parts)."""
        persons, self.pending = self.pending, []
        if persons:
            with transaction.atomic():
                person_candidates_queue(actor=self.actor, persons=persons)

    def _doses_record(
        self,
        rows: list[ParsedRow],
        persons: dict[int, Person],
        outcome: ChunkOutcome,
    ) -> None:
        """Every dose of the valid rows through the batch service, as late entries from a
        paper list (no stock used), in the transaction that registered the chunk's new
        persons. A dose it refuses as already recorded (same person, vaccine and day) is
        counted as matched; any other refusal refuses the row."""
        items: list[DoseItem] = []
        owners: list[tuple[ParsedRow, int]] = []
        for row in (r for r in rows if r.valid and r.number in persons):
            for number, dose in sorted(row.doses.items()):
                items.append(self._dose_item(persons[row.number], dose))
                owners.append((row, number))
        results = doses_record_batch(
            actor=self.actor,
            items=items,
            use_stock=False,
            held={person.pk for person in persons.values()},
        )
        for (row, number), result in zip(owners, results, strict=True):
            if result.error is None:
                outcome.records_new += 1
            elif DOSE_EXISTS in refusal_codes(result.error):
                outcome.records_matched += 1
            else:
                self._record_errors(row, f"dose{number}.given_on", result.error)

    def _dose_item(self, person: Person, dose: dict[str, Any]) -> DoseItem:
        return DoseItem(
            person=person,
            product=dose["product"],
            lot=dose["lot"],
            site=dose["site"],
            given_at=given_at(dose["given_on"]),
            late_entry_reason=self.late_entry_reason,
        )

    @cached_property
    def late_entry_reason(self) -> str:
        return _("From the imported list %(file)s") % {"file": self.source}

    def _registrations_create(
        self, rows: list[ParsedRow], persons: dict[int, Person], outcome: ChunkOutcome
    ) -> None:
        """A registration for each valid row through the batch service. A person who has an
        open registration already is counted as matched; any other refusal refuses the row."""
        owners = [row for row in rows if row.valid and row.number in persons]
        items = [
            RegistrationItem(
                person=persons[row.number], channel=RegistrationChannel.IMPORT, **row.registration
            )
            for row in owners
        ]
        results = registrations_create_batch(actor=self.actor, items=items)
        for row, result in zip(owners, results, strict=True):
            if result.error is None:
                outcome.records_new += 1
            elif ALREADY_REGISTERED in refusal_codes(result.error):
                outcome.records_matched += 1
            else:
                self._record_errors(row, "priority_group", result.error)

    def _record_errors(self, row: ParsedRow, name: str, error: ValidationError) -> None:
        """A record's refusals, shown on the column of `name`."""
        for message in error.messages:
            row.errors.append(CellError(row.number, self.parser.letters.get(name, ""), name,
                                        message))  # fmt: skip

    def _holders(self, rows: list[ParsedRow]) -> dict[tuple[str, str], Person]:
        """The registered holders of the documents of these rows, one query a chunk: locked
        with their home units, as the services below would lock them, unless a dry run."""
        documents = {
            document for row in rows if row.valid and (document := _document(row)) is not None
        }
        if self.dry_run:
            return document_holders_unscoped(documents)
        return document_holders_locked(documents)

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


@lru_cache(maxsize=4096)  # a list's doses fall on a few hundred days
def given_at(day: dt.date) -> dt.datetime:
    """When a dose of a list was given: the list says the day only; noon of it, here."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _document(row: ParsedRow) -> tuple[str, str] | None:
    number = row.person.get("id_number", "")
    return (row.person["id_kind"], number) if number else None
