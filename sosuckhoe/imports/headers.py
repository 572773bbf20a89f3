"""Where the header of a sheet is: scored over its first rows, below any title and
instructions, over one row or two (a group such as "Mũi 1" over "Tên vắc xin / Ngày tiêm /
Số lô / Nơi tiêm", its cell merged across the group's columns)."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.utils.cell import get_column_letter

from sosuckhoe.imports.mapping import is_known
from sosuckhoe.imports.readers import Cell, CellRange, Sheet

_DATA_ROWS_LOOKED_AT = 3
# A row of column numbers under the header, as Vietnamese forms print: 1 2 3 … or (1) (2) ….
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    labels: tuple[str, ...]  # the group's name first when the header has two rows

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass(frozen=True)
class Layout:
    first_row: int  # 1-based sheet rows, inclusive
    last_row: int
    columns: tuple[Column, ...]
    score: float


def _text(value: Cell) -> str:
    return value.strip() if isinstance(value, str) else ""


def _filled(row: Sequence[Cell]) -> list[Cell]:
    return [v for v in row if v not in (None, "")]


def _is_texty(row: Sequence[Cell]) -> bool:
    """Most of its cells are words, as a header's are: not numbers or dates."""
    cells = _filled(row)
    words = [v for v in cells if isinstance(v, str) and not _looks_numeric(v)]
    return len(cells) >= 2 and len(words) >= 0.7 * len(cells)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,/:()+-]+", text))


def _is_column_numbers(row: Sequence[Cell]) -> bool:
    cells = _filled(row)
    numbers = [v for v in cells if isinstance(v, int | float) or _COLUMN_NUMBER.fullmatch(str(v))]
    return len(cells) >= 3 and len(numbers) == len(cells)


def _is_data(row: Sequence[Cell]) -> bool:
    cells = _filled(row)
    known = sum(is_known(v) for v in cells if isinstance(v, str))
    dated = any(isinstance(v, int | float | dt.date) or _looks_numeric(str(v)) for v in cells)
    return len(cells) >= 2 and known < 2 and dated


def _spans(merged: Sequence[CellRange], row: int) -> dict[int, int]:
    """For each 0-based column inside a range merged across row `row`: the range's first."""
    covered = {}
    for cells in merged:
        if cells.min_row <= row <= cells.max_row and cells.max_col > cells.min_col:
            for col in range(cells.min_col, cells.max_col + 1):
                covered[col - 1] = cells.min_col - 1
    return covered


def _two_row_labels(
    upper: Sequence[Cell], lower: Sequence[Cell], spans: dict[int, int]
) -> list[tuple[str, ...]]:
    """Labels of a two-row header. A group's name stands in the first cell of its span (the
    only cell of a merged range that holds the value); the cells after it that are empty above
    a sub-header continue it: the merged range when the file has one, else that rule."""
    width = max(len(upper), len(lower))
    labels: list[tuple[str, ...]] = []
    group = ""
    for col in range(width):
        up = _text(upper[col]) if col < len(upper) else ""
        low = _text(lower[col]) if col < len(lower) else ""
        if col in spans:
            first = spans[col]
            up = _text(upper[first]) if first < len(upper) else ""
            group = ""
        elif up:
            group = up if low else ""
        elif low:
            up = group
        else:
            group = ""
        labels.append(tuple(t for t in (up, low) if t))
    return labels


def _score(labels: Sequence[tuple[str, ...]], after: Sequence[Sequence[Cell]]) -> float:
    known = sum(1 for parts in labels if parts and is_known(parts[-1]))
    data = sum(_is_data(row) for row in after[:_DATA_ROWS_LOOKED_AT])
    named = sum(1 for parts in labels if parts)
    return known * 3 + data * 2 + min(named, 10) * 0.1


def _layout(first: int, last: int, labels: list[tuple[str, ...]], score: float) -> Layout:
    columns = tuple(Column(i, parts) for i, parts in enumerate(labels) if parts)
    return Layout(first_row=first + 1, last_row=last + 1, columns=columns, score=score)


def find_header(head: Sequence[Sequence[Cell]], merged: Sequence[CellRange] = ()) -> Layout | None:
    """The best-scoring header among the rows of `head` (the sheet's first rows), or None when
    no row looks like one."""
    best: Layout | None = None
    for last, row in enumerate(head):
        if not _is_texty(row):
            continue
        after = head[last + 1 :]
        single: list[tuple[str, ...]] = [(_text(v),) if _text(v) else () for v in row]
        candidates = [(last, single)]
        if last > 0 and any(_text(v) for v in head[last - 1]):
            spans = _spans(merged, last)  # row `last` is the upper one, 1-based
            candidates.append((last - 1, _two_row_labels(head[last - 1], row, spans)))
        for first, labels in candidates:
            score = _score(labels, after)
            # A second row must earn its place: a title above a header adds nothing.
            if best is None or score > best.score:
                best = _layout(first, last, labels, score)
    if best is None or not any(is_known(c.labels[-1]) for c in best.columns):
        return None
    if best.last_row < len(head) and _is_column_numbers(head[best.last_row]):
        return Layout(best.first_row, best.last_row + 1, best.columns, best.score)
    return best


def sheet_layout(sheet: Sheet) -> Layout | None:
    return find_header(sheet.head(), sheet.merged())
