"""A file is read and parsed a chunk at a time: the memory it takes does not grow with its
rows (the whole import's peak over a million rows is measured by `make bench B=import`)."""

import csv
import gc
import tracemalloc

import pytest
from openpyxl import Workbook

from sosuckhoe.imports import services
from sosuckhoe.imports.readers import open_sheets
from sosuckhoe.imports.references import References
from sosuckhoe.imports.rows import RowParser
from sosuckhoe.imports.services import best_sheet, chunks

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "SĐT", "Xã/Phường", "Địa chỉ"]
CHUNK = 100
SMALL, LARGE = 600, 3_000  # the file five times longer


def _row(n: int) -> list:
    return [f"Nguyễn Văn An {'ABCDEFGHIK'[n % 10]}", "12/04/1985", "Nam",
            f"036085{n:06d}", "0912345678", "13669", f"Số {n} đường Trần Hưng Đạo"]  # fmt: skip


def _csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(_row(n) for n in range(rows))
    return path


def _xlsx(path, rows):
    # Not write-only: a workbook that gives its dimension, as Excel writes them (without one,
    # openpyxl reads the whole sheet to learn it on opening).
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append(_row(n))
    book.save(path)
    return path


def _peak_while_parsing(path, refs) -> tuple[int, int]:
    """Bytes allocated at most while every row of the file is parsed, and the rows. The
    header's search reads the first rows and scans the sheet for merged ranges through a
    buffer of fixed size, which a short file does not fill: measured from the first row."""
    tracemalloc.start()
    try:
        read = 0
        with open_sheets(path) as found:
            sheet, layout = best_sheet(found)
            mapping = {c.index: f for c, f in zip(layout.columns, _FIELDS, strict=True)}
            parser = RowParser(mapping=mapping, refs=refs, default_unit=None)
            gc.collect()  # the garbage of the header's search is not the rows'
            tracemalloc.reset_peak()
            for chunk in chunks(sheet, parser, after=layout.last_row):
                read += len(chunk.rows)
        return tracemalloc.get_traced_memory()[1], read
    finally:
        tracemalloc.stop()


_FIELDS = ("full_name", "birth_date", "sex", "id_number", "phone", "home_unit", "address_line")


@pytest.mark.parametrize("write", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_the_memory_of_reading_a_file_does_not_grow_with_its_rows(
    cast, tmp_path, monkeypatch, write
):
    monkeypatch.setattr(services, "CHUNK", CHUNK)
    refs = References.load(scope=cast.units.province, doses=False)
    suffix = ".csv" if write is _csv else ".xlsx"
    small, small_rows = _peak_while_parsing(write(tmp_path / f"small{suffix}", SMALL), refs)
    large, large_rows = _peak_while_parsing(write(tmp_path / f"large{suffix}", LARGE), refs)
    assert (small_rows, large_rows) == (SMALL, LARGE)
    # A chunk of parsed rows is the most held at once, whatever the length of the file (a
    # parsed row takes some 3 KB: the rows kept would take 7 MB more here). openpyxl leaves
    # an emptied element in its tree for each row read, some 100 bytes: an .xlsx of a million
    # rows takes about 100 MB more than a short one (`make bench B=import` measures it).
    per_row = 0 if write is _csv else 400
    assert large < small * 1.3 + per_row * (LARGE - SMALL), (small, large)
