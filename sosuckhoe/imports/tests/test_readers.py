import datetime as dt

import pytest
import xlwt

from sosuckhoe.imports import legacy
from sosuckhoe.imports.readers import CellRange, UnreadableFile, csv_encoding
from sosuckhoe.imports.tests.conftest import (
    PERSON_HEADER,
    national_template,
    persons_csv,
    to_legacy,
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_a_csv_reads_the_same_in_every_encoding_met(tmp_path, encoding, sheets_of):
    (sheet,) = sheets_of(persons_csv(tmp_path, encoding=encoding))
    rows = list(sheet.rows())
    assert rows[1] == PERSON_HEADER
    assert rows[2][1] == "NGUYỄN VĂN BÌNH"
    assert rows[4][1] == "Lê Văn Dũng"


def test_the_encoding_is_told_by_the_bom_then_by_utf8_validity():
    assert csv_encoding("Nguyễn".encode("utf-8-sig")) == "utf-8-sig"
    assert csv_encoding("Nguyễn".encode("utf-16")) == "utf-16"
    assert csv_encoding("Nguyễn".encode()) == "utf-8"
    # A sample that ends inside a character is still UTF-8.
    assert csv_encoding("Nguyễn".encode()[:-1]) == "utf-8"
    assert csv_encoding("Lê Văn".encode("cp1258")) == "cp1258"


def test_windows_1258_tone_marks_are_joined_to_their_letters(tmp_path, sheets_of):
    (sheet,) = sheets_of(persons_csv(tmp_path, encoding="cp1258"))
    name = list(sheet.rows())[2][1]
    assert name == "NGUYỄN VĂN BÌNH"
    assert len(name) == len("NGUYỄN VĂN BÌNH")  # composed, not letter + mark


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_the_delimiter_is_sniffed(tmp_path, delimiter, sheets_of):
    (sheet,) = sheets_of(persons_csv(tmp_path, delimiter=delimiter))
    assert list(sheet.rows())[1] == PERSON_HEADER


@pytest.mark.parametrize("font", [legacy.TCVN3, legacy.VNI])
def test_text_typed_in_a_legacy_font_is_converted(tmp_path, font, sheets_of):
    lines = [
        "Họ và tên,Xã/Phường",
        "Nguyễn Văn Đức,Phường Ninh Bình",
        "Trương Thị Mỹ Lệ,Xã Gia Viễn",
    ]
    path = tmp_path / "legacy.csv"
    path.write_text("\n".join(to_legacy(line, font) for line in lines), encoding="utf-8")
    (sheet,) = sheets_of(path)
    assert sheet.legacy_font() == font
    assert [",".join(row) for row in sheet.rows()] == lines


def test_known_words_convert_from_each_legacy_font():
    assert legacy.from_tcvn3("Ninh B×nh") == "Ninh Bình"
    assert legacy.from_tcvn3("NguyÔn V¨n §øc") == "Nguyễn Văn Đức"
    assert legacy.from_vni("Nguyeãn Vaên Ñöùc") == "Nguyễn Văn Đức"
    assert legacy.from_vni("Tröông Ngoïc Hoàng") == "Trương Ngọc Hồng"


def test_unicode_text_is_not_taken_for_a_legacy_font():
    assert legacy.detect(["Họ và tên", "Tô Thị Hà", "Võ Bùi Hoà"]) is None
    assert legacy.detect(["Hoà", "Thuý"]) is None  # Latin-1 letters only, still Unicode


def test_an_xlsx_is_read_with_its_merged_ranges_and_every_sheet(tmp_path, sheets_of):
    guide, data = sheets_of(national_template(tmp_path))
    assert guide.name == "Hướng dẫn"
    assert CellRange(9, 5, 12, 5) in data.merged()  # "Mũi 1" over I5:L5
    rows = list(data.rows())
    assert rows[4][8] == "Mũi 1"
    assert rows[6][8] == "Pfizer"
    assert rows[6][9] == dt.datetime(2021, 8, 15)
    # A formula's value is what the spreadsheet computed: none, for a file never opened.
    assert rows[6][0] is None
    assert rows[6][7] == "X-1"  # a hidden column is read like any other


def test_an_xls_is_read_with_dates_and_merged_ranges(tmp_path, sheets_of):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DS")
    sheet.write_merge(0, 0, 0, 3, "DANH SÁCH")
    sheet.write(1, 0, "Họ và tên")
    sheet.write(1, 1, "Ngày sinh")
    sheet.write(2, 0, "Nguyễn Văn An")
    sheet.write(2, 1, dt.date(1985, 4, 12), xlwt.easyxf(num_format_str="DD/MM/YYYY"))
    path = tmp_path / "list.xls"
    book.save(str(path))
    (read,) = sheets_of(path)
    assert read.merged() == [CellRange(1, 1, 4, 1)]
    assert list(read.rows())[2] == ["Nguyễn Văn An", dt.datetime(1985, 4, 12)]


def test_a_file_that_is_no_spreadsheet_is_refused_with_a_reason(tmp_path, sheets_of):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFile):
        sheets_of(broken)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(UnreadableFile):
        sheets_of(binary)
