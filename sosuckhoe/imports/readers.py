"""Rows of a spreadsheet file (.xlsx, .xls, .csv), streamed: memory does not grow with the
file. Each reader yields the cells of one row at a time as Python values (text, numbers,
dates); text comes out as NFC Unicode whatever the file's encoding or legacy font."""

import codecs
import csv
import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import xlrd
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

from sosuckhoe.imports import legacy
from sosuckhoe.imports.xlsx_strings import xlsx_book

HEAD_ROWS = 30  # rows read to find the header, and to tell the legacy font of the text
_SAMPLE_BYTES = 64 * 1024
_DELIMITERS = ",;\t"
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None


class UnreadableFile(Exception):
    """A file that is not a spreadsheet of a known kind, or is damaged."""


@dataclass(frozen=True, order=True)
class CellRange:
    """Merged cells, 1-based and inclusive, as in the file."""

    min_col: int
    min_row: int
    max_col: int
    max_row: int


@dataclass
class Sheet:
    """One sheet: `raw_rows()` reads it again from the start each time it is called."""

    name: str
    raw_rows: Callable[[], Iterator[Sequence[Any]]]
    merged: Callable[[], list[CellRange]] = list
    # How many rows the sheet has, told without reading them (for progress), or None.
    size: Callable[[], int | None] = lambda: None
    _font: str | None = field(default=None, init=False)
    _font_known: bool = field(default=False, init=False)

    def rows(self) -> Iterator[list[Cell]]:
        """Every row, text cleaned; trailing empty cells dropped."""
        try:
            clean = _text_cleaner(self.legacy_font())
            for raw in self.raw_rows():
                cells = [clean(v) if isinstance(v, str) else v for v in raw]
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                yield cells
        except Exception as error:  # a file damaged past its first rows
            raise _unreadable(error) from error

    def head(self) -> list[list[Cell]]:
        return list(islice(self.rows(), HEAD_ROWS))

    def legacy_font(self) -> str | None:
        if not self._font_known:
            sample = islice(self.raw_rows(), HEAD_ROWS)
            self._font = legacy.detect(v for row in sample for v in row if isinstance(v, str))
            self._font_known = True
        return self._font


def _text_cleaner(font: str | None) -> Callable[[str], str]:
    convert = legacy.converter(font)

    def clean(text: str) -> str:
        # Windows-1258 writes tone marks as combining characters: NFC joins them to letters.
        text = unicodedata.normalize("NFC", text)
        return (convert(text) if convert else text).strip()

    return clean


def _unreadable(error: Exception) -> UnreadableFile:
    if isinstance(error, UnreadableFile):
        return error
    return UnreadableFile(
        _("The file cannot be read as a spreadsheet: %(error)s") % {"error": error}
    )


@contextmanager
def open_sheets(path: Path) -> Iterator[list[Sheet]]:
    """The visible sheets of a file, told by its content (a .xls renamed .xlsx still reads);
    the file is closed on leaving."""
    with path.open("rb") as f:
        magic = f.read(8)
    with ExitStack() as opened:
        try:
            if magic.startswith(b"PK"):
                _check_unpacked_size(path)
                # A formula's value as the spreadsheet last computed it; shared strings on disk.
                book = opened.enter_context(xlsx_book(path))
                found = _xlsx_sheets(path, book)
            elif magic.startswith(b"\xd0\xcf\x11\xe0"):
                # formatting_info: without it xlrd does not read the merged ranges.
                old_book = xlrd.open_workbook(str(path), formatting_info=True)
                opened.callback(old_book.release_resources)
                found = _xls_sheets(old_book)
            else:
                found = [_csv_sheet(path)]
        except Exception as error:  # each library raises its own; all mean a damaged file
            raise _unreadable(error) from error
        yield found


# .xlsx: openpyxl in read-only mode parses the sheet's XML as it is iterated.


def _check_unpacked_size(path: Path) -> None:
    """Refuse a zip that unpacks to more than the setting allows (a zip bomb) before any
    part of it is parsed: the sizes are in the zip's directory."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            _("The file unpacks to %(size)s MB, more than a spreadsheet may: %(limit)s MB.")
            % {
                "size": unpacked // 2**20,
                "limit": settings.IMPORT_MAX_UNPACKED_BYTES // 2**20,
            }
        )


def _xlsx_sheets(path: Path, book: Any) -> list[Sheet]:
    parts = _xlsx_sheet_parts(path)
    return [
        Sheet(
            name=ws.title,
            raw_rows=partial(ws.iter_rows, values_only=True),
            merged=partial(_xlsx_merged, path, parts.get(ws.title)),
            size=partial(getattr, ws, "max_row"),  # from the sheet's <dimension>
        )
        for ws in book.worksheets
        if ws.sheet_state == "visible"
    ]


def _xlsx_sheet_parts(path: Path) -> dict[str, str]:
    """The zip member of each sheet, by name: openpyxl's read-only mode gives no merged
    ranges, so they are read from the part itself."""
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        parts[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else (f"xl/{target}")
        )
    return parts


def _xlsx_merged(path: Path, part: str | None) -> list[CellRange]:
    """The merged ranges of a sheet: the list follows the cells, so the part is scanned to its
    end, in chunks, without parsing the XML of every cell."""
    if part is None:
        return []
    found: set[bytes] = set()
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            found.update(_MERGE_CELL.findall(data))
            tail = data[-200:]
    ranges = [range_boundaries(ref.decode()) for ref in found]
    return sorted(CellRange(*bounds) for bounds in ranges)


# .xls: the format holds at most 65,536 rows a sheet; xlrd reads the file at once.


def _xls_sheets(book: Any) -> list[Sheet]:
    return [
        Sheet(
            name=sheet.name,
            raw_rows=partial(_xls_rows, sheet, book.datemode),
            merged=partial(_xls_merged, sheet),
            size=partial(getattr, sheet, "nrows"),
        )
        for sheet in book.sheets()
        if sheet.visibility == 0
    ]


def _xls_merged(sheet: Any) -> list[CellRange]:
    # xlrd's ranges are 0-based with exclusive ends.
    return [CellRange(c1 + 1, r1 + 1, c2, r2) for r1, r2, c1, c2 in sheet.merged_cells]


def _xls_rows(sheet: Any, datemode: int) -> Iterator[list[Any]]:
    for index in range(sheet.nrows):
        row = []
        for cell in sheet.row(index):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                row.append(None)
            else:
                row.append(cell.value)
        yield row


# .csv: the encoding from the byte-order mark, else UTF-8 when the bytes are valid UTF-8,
# else Windows-1258 (what Vietnamese Windows saves as "CSV"); the delimiter by csv.Sniffer.


def _csv_sheet(path: Path) -> Sheet:
    with path.open("rb") as f:
        sample = f.read(_SAMPLE_BYTES)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(_("The file is neither a spreadsheet nor text."))
    encoding = csv_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    delimiter = csv_delimiter(text)

    def rows() -> Iterator[list[str]]:
        with path.open(encoding=encoding, newline="", errors="replace") as f:
            yield from csv.reader(f, delimiter=delimiter)

    def size() -> int:
        with path.open("rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(partial(f.read, 1 << 20), b""))

    return Sheet(name=path.stem, raw_rows=rows, size=size)


def csv_encoding(sample: bytes) -> str:
    """The Python codec of a text file, from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut inside a multi-byte character is still UTF-8.
        if error.start < len(sample) - 3:
            return "cp1258"
    return "utf-8"


def csv_delimiter(text: str) -> str:
    lines = "\n".join(text.splitlines()[:HEAD_ROWS])
    try:
        return csv.Sniffer().sniff(lines, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # One column only, or a ragged head: the delimiter seen most often.
        return max(_DELIMITERS, key=lines.count)
