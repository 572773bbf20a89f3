"""Spreadsheets as communes fill them, written by the tests themselves: a title and
instructions above a two-row header with merged group cells, doses side by side, formulas,
a hidden column, a second sheet, blank and total rows; CSV in every encoding met."""

import csv
import datetime as dt
import io
import unicodedata
from contextlib import ExitStack
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from openpyxl import Workbook

from sosuckhoe.imports.legacy import DATA_DIR
from sosuckhoe.imports.readers import open_sheets
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.vaccination.models import PriorityGroup

PERSON_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "SĐT", "Xã/Phường"]
DOSE_HEADER = ["Tên vắc xin", "Ngày tiêm", "Số lô", "Nơi tiêm"]
SITE_NAME = "Trạm Y tế Phường Nam Định"
# Three persons: one whose CCCD lost its leading zero, one with a year of birth alone and a
# commune by name, one whose date and sex cannot be read.
PERSON_ROWS = [
    [1, "NGUYỄN VĂN BÌNH", "12/04/1985", "Nam", 36085001234, "0912.345.678", 13669],
    [2, "tran thi cuc", 1990, "Nữ", None, "+84 987 654 321", "Nam Định"],
    [3, "Lê Văn Dũng", "31/02/1990", "x", None, None, "13669"],
]


def national_template(path: Path) -> Path:
    """The national platform's list of vaccinated persons: a person and two doses a row."""
    book = Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    guide.append(["Nhập mỗi người một dòng; ngày theo dd/mm/yyyy."])
    sheet = book.create_sheet("Danh sách")
    sheet.append(["SỞ Y TẾ TỈNH NINH BÌNH"])
    sheet.append(["DANH SÁCH NGƯỜI ĐÃ TIÊM VẮC XIN PHÒNG COVID-19"])
    sheet.merge_cells("A2:P2")
    sheet.append(["(Các cột có dấu * là bắt buộc)"])
    sheet.append([])
    group_row = [*PERSON_HEADER, "Mã nội bộ", "Mũi 1", None, None, None, "Mũi 2"]
    sheet.append(group_row)  # row 5
    sheet.append([None] * 8 + DOSE_HEADER + DOSE_HEADER)  # row 6
    for col in range(1, 9):  # the person's headers span both rows
        sheet.merge_cells(start_row=5, start_column=col, end_row=6, end_column=col)
    sheet.merge_cells("I5:L5")
    sheet.merge_cells("M5:P5")
    sheet.column_dimensions["H"].hidden = True
    first = ["Pfizer", dt.datetime(2021, 8, 15), "FK1234", SITE_NAME]
    second = ["Comirnaty", 44450, "fk 1234", SITE_NAME]  # a serial date, a lot spaced
    only = ["Comirnaty", "20/9/21", "FK1234", SITE_NAME]
    doses = [[*first, *second], only, only]
    for person, dose in zip(PERSON_ROWS, doses, strict=True):
        sheet.append(["=ROW()-6", *person[1:], "X-1", *dose])
    sheet.append([])
    sheet.append(["Tổng cộng", "=COUNTA(B7:B9)"])
    path = path / "template.xlsx"
    book.save(path)
    return path


def persons_csv(path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A commune's list: a title line, then the header, then the persons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Danh sách người dân phường Nam Định"])
    writer.writerow(PERSON_HEADER)
    for row in PERSON_ROWS:
        writer.writerow(["" if v is None else v for v in row])
    writer.writerow([])
    writer.writerow(["Tổng", 3])
    text = buffer.getvalue()
    target = path / f"persons-{encoding}.csv"
    target.write_bytes(encode(text, encoding))
    return target


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode(text: str, encoding: str) -> bytes:
    if encoding != "cp1258":
        return text.encode(encoding)
    # Windows-1258 has the tone marks as characters of their own, after the letter.
    letters = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
        letters.append(base + "".join(p for p in parts if p in _TONES))
    return "".join(letters).encode("cp1258")


@cache
def _legacy_tables() -> dict[str, dict[str, str]]:
    tables = {}
    for name in ("tcvn3", "vni"):
        with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            tables[name] = {row["unicode"]: row["legacy"] for row in csv.DictReader(f)}
    return tables


def to_legacy(text: str, font: str) -> str:
    """Vietnamese as a TCVN3 or VNI font stored it, read as Unicode."""
    table = _legacy_tables()[font]
    return "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


@pytest.fixture
def sheets_of():
    """Opens files' sheets for the test, closing them after it."""
    with ExitStack() as stack:
        yield lambda path: stack.enter_context(open_sheets(path))


@pytest.fixture
def dose_records(cast):
    """The vaccine, lot and site that the template's doses name."""
    product = Product.objects.create(
        key="comirnaty",
        name="Comirnaty 0.3 ml (Pfizer-BioNTech)",
        family="comirnaty",
        dcc_code="EU/1/20/1528",
        vaccine_type="1119349007",
        holder="ORG-100030215",
        doses_per_vial=6,
        dose_ml=Decimal("0.3"),
    )
    lot = Lot.objects.create(
        product=product, number="FK1234", expiry_date=dt.date(2030, 1, 1), doses_per_vial=6
    )
    site = Facility.objects.create(
        name=SITE_NAME, kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_a
    )
    PriorityGroup.objects.create(code=9, name_vi="Người từ 65 tuổi trở lên", source="test")
    return product, lot, site
