""".xlsx read in constant memory. openpyxl's read-only mode streams a sheet's cells but keeps
the workbook's shared strings (every distinct text of the file: each name, document number,
address) as a list of Python strings, read before the first row: for a list of a million
persons, hundreds of MB. Here they are written to a temporary file as they are parsed and read
back by position when a cell names one; what stays in memory is an array of offsets, 8 bytes a
string. A sheet's size is read from its <dimension> only where Excel writes it, before the
cells: openpyxl looks for it to the end of the cells, so that a sheet without one (as openpyxl
and our exports write them) was parsed whole when the file was opened, once more than read."""

import os
import tempfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_STRING = f"{{{SHEET_MAIN_NS}}}si"
_DIMENSION = f"{{{SHEET_MAIN_NS}}}dimension"
_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"


class SpilledStrings:
    """The shared strings of a workbook, on disk, indexed as openpyxl indexes its list."""

    def __init__(self, source: IO[bytes]) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115  # closed by close(): it outlives __init__
        self._offsets = array("Q", [0])
        root = None
        for event, node in iterparse(source, events=("start", "end")):
            if root is None:
                root = node
            elif event == "end" and node.tag == _STRING:
                # As openpyxl's read_string_table: the text of the runs, escapes undone.
                text = Text.from_tree(node).content.replace("x005F_", "")
                data = text.encode("utf-8")
                self._file.write(data)
                self._offsets.append(self._offsets[-1] + len(data))
                root.clear()  # the parsed items too, not only their content
        self._file.flush()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        start, end = self._offsets[index], self._offsets[index + 1]
        return os.pread(self._file.fileno(), end - start, start).decode("utf-8")

    def close(self) -> None:
        self._file.close()


class _Worksheet(ReadOnlyWorksheet):
    """A sheet read as its rows are iterated, whose size is looked for before its cells."""

    def _get_size(self) -> None:
        with self._get_source() as source:
            for _event, node in iterparse(source, events=("start",)):
                if node.tag == _SHEET_DATA:
                    return  # no dimension: the size is not known until the rows are read
                if node.tag == _DIMENSION:
                    bounds = range_boundaries(node.get("ref", ""))
                    self._min_column, self._min_row, self._max_column, self._max_row = bounds
                    return


class _SpillingReader(ExcelReader):
    spilled: SpilledStrings | None = None
    wb: Any = None  # set by read(); its archive stays open for the rows, in read-only mode

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is None:
            return
        with self.archive.open(found.PartName[1:]) as source:
            self.spilled = self.shared_strings = SpilledStrings(source)

    def read_worksheets(self) -> None:
        """The worksheets, as _Worksheet (read-only mode reads neither charts nor comments)."""
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                ws = _Worksheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)


@contextmanager
def xlsx_book(path: Path) -> Iterator[Any]:
    """The workbook in read-only mode, formulas as their values last computed, its shared
    strings on disk; closed on leaving."""
    reader = _SpillingReader(path, read_only=True, data_only=True)
    try:
        reader.read()
        yield reader.wb
    finally:
        reader.archive.close()  # what wb.close() does in read-only mode
        if reader.spilled is not None:
            reader.spilled.close()
