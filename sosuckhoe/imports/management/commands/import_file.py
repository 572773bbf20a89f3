import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.core.memory import loaded_frozen
from sosuckhoe.imports.mapping import KINDS, PERSONS
from sosuckhoe.imports.readers import UnreadableFile
from sosuckhoe.imports.services import file_import
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.selectors import unit_by_code

# Exit codes: 0 every row valid, 1 some rows refused (the summary says which), 2 the file
# itself could not be imported (unreadable, no header, a needed column missing).
ROWS_REFUSED = 1
FILE_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import a list of persons, registrations or doses from .xlsx, .xls or .csv; print one "
        "JSON summary. Columns are mapped as confirmed on the console for files of the same "
        "layout within --unit, else from their headers. A dose or an open registration already "
        "on record counts as matched, never written twice. With --dry-run nothing is written. "
        "Exit 1 when rows were refused, 2 when the file was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=KINDS, default=PERSONS)
        parser.add_argument(
            "--unit", help="code of the unit the list belongs to (the commune of every row)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write none")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.IMPORT_WORKERS,
            help="parts imported side by side, one process each, on PostgreSQL "
            "(default: IMPORT_WORKERS, one a core up to 4)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=FILE_REFUSED)
        loaded_frozen()  # as an import job's worker does: the rows' objects are collected alone
        try:
            summary = file_import(
                actor=Actor.system("import_file"),
                path=path,
                kind=options["kind"],
                unit=self._unit(options["unit"]),
                dry_run=options["dry_run"],
                workers=max(1, options["workers"]),
                on_progress=self._progress if self.stderr.isatty() else None,
            )
        except (ValidationError, UnreadableFile) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(message, returncode=FILE_REFUSED) from None
        if self.stderr.isatty():
            self.stderr.write("")  # end the progress line
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        if summary.rejected:
            raise CommandError(
                f"{summary.rejected} of {summary.read} rows refused", returncode=ROWS_REFUSED
            )

    def _progress(self, row: int, rows: int | None) -> None:
        """One line on the terminal, rewritten after each chunk: rows done, of how many."""
        width = 30
        if rows:
            filled = min(width, width * row // rows)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {row:,}/{rows:,}"
        else:
            bar = f"{row:,}"
        self.stderr.write(f"\r{bar} rows", ending="")
        self.stderr.flush()

    def _unit(self, code: str | None) -> AdminUnit | None:
        if code is None:
            return None
        try:
            return unit_by_code(code=code)
        except AdminUnit.DoesNotExist:
            raise CommandError(f"No unit has the code {code}", returncode=FILE_REFUSED) from None
