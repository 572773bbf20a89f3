"""The rows an import refused, as an .xlsx in the layout of the file they came from: its header
rows as read, then each refused row's cells as read, and a column of what is wrong (in the
language active, Vietnamese for the worker). Fixed, the file imports again as it is."""

from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook

from sosuckhoe.imports.models import ImportJob, ImportRejection
from sosuckhoe.imports.readers import Cell, open_sheets


def rejected_rows_write(job: ImportJob) -> None:
    """Write the job's rejected rows next to its file (streamed both ways: openpyxl's
    write-only mode, the rejections read in row order as the file is read again)."""
    rejections = job.rejections.order_by("row").iterator()
    first = next(rejections, None)
    if first is None:
        return
    width = max((len(row) for row in job.header), default=0)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(job.sheet_name[:31] or "1")
    for number, row in enumerate(job.header, start=1):
        label = _("Errors") if number == len(job.header) else None
        sheet.append([*_padded(row, width), label])
    for cells, rejection in _rejected_rows(job, first, rejections):
        sheet.append([*_padded(cells, width), _error_text(rejection)])
    name = str(Path(job.file.name).with_suffix("")) + "-rejected.xlsx"
    storage = job.rejected_file.storage
    name = storage.get_available_name(name)
    book.save(storage.path(name))
    job.rejected_file.name = name


def _rejected_rows(
    job: ImportJob, first: ImportRejection, rest: Iterator[ImportRejection]
) -> Iterator[tuple[list[Cell], ImportRejection]]:
    wanted: ImportRejection | None = first
    with open_sheets(Path(job.file.path)) as found:
        sheet = next(s for s in found if s.name[:100] == job.sheet_name)
        for number, cells in enumerate(sheet.rows(), start=1):
            if wanted is None:
                return
            if number == wanted.row:
                yield cells, wanted
                wanted = next(rest, None)


def _padded(row: list, width: int) -> list:
    """A row cut or filled to the header's width: the error column comes after it (cells
    past the header have no field and were not imported)."""
    return [*row[:width], *[None] * (width - len(row))]


def _error_text(rejection: ImportRejection) -> str:
    return "; ".join(
        f"{m['column']}: {m['message']}" if m["column"] else m["message"]
        for m in rejection.messages
    )
