import pytest
from openpyxl.utils.cell import get_column_letter

from sosuckhoe.imports.headers import find_header, sheet_layout
from sosuckhoe.imports.mapping import DOSES, PERSONS, REGISTRATIONS, suggest
from sosuckhoe.imports.tests.conftest import national_template, persons_csv


def _mapping(layout, kind):
    found = suggest([(c.index, c.labels) for c in layout.columns], kind)
    return {get_column_letter(i + 1): f for i, f in found.items()}


def test_the_header_is_found_below_the_title_and_instructions(tmp_path, sheets_of):
    (sheet,) = sheets_of(persons_csv(tmp_path))
    layout = sheet_layout(sheet)
    assert (layout.first_row, layout.last_row) == (2, 2)
    assert _mapping(layout, PERSONS) == {
        "B": "full_name",
        "C": "birth_date",
        "D": "sex",
        "E": "id_number",
        "F": "phone",
        "G": "home_unit",
    }


def test_a_two_row_header_with_merged_groups_maps_doses_side_by_side(tmp_path, sheets_of):
    guide, data = sheets_of(national_template(tmp_path))
    assert sheet_layout(guide) is None  # the instructions sheet has no header
    layout = sheet_layout(data)
    assert (layout.first_row, layout.last_row) == (5, 6)
    mapping = _mapping(layout, DOSES)
    assert mapping["B"] == "full_name"
    assert "H" not in mapping  # "Mã nội bộ": no field of ours
    assert {k: v for k, v in mapping.items() if v.startswith("dose")} == {
        "I": "dose1.product",
        "J": "dose1.given_on",
        "K": "dose1.lot",
        "L": "dose1.site",
        "M": "dose2.product",
        "N": "dose2.given_on",
        "O": "dose2.lot",
        "P": "dose2.site",
    }
    # A list of persons takes the person's columns only.
    assert set(_mapping(layout, PERSONS).values()) == {
        "full_name",
        "birth_date",
        "sex",
        "id_number",
        "phone",
        "home_unit",
    }


def test_without_merged_ranges_an_empty_cell_after_a_group_continues_it():
    head = [
        ["Danh sách tiêm chủng"],
        ["Họ tên", "Năm sinh", "Mũi 1", None, "Mũi 2", None, "Ghi chú"],
        [None, None, "Vắc xin", "Ngày tiêm", "Vắc xin", "Ngày tiêm", None],
        ["Nguyễn Văn An", 1985, "AstraZeneca", "05/08/2021", "AstraZeneca", "10/10/2021"],
    ]
    layout = find_header(head)
    assert (layout.first_row, layout.last_row) == (2, 3)
    labels = {c.letter: c.labels for c in layout.columns}
    assert labels["D"] == ("Mũi 1", "Ngày tiêm")
    assert labels["F"] == ("Mũi 2", "Ngày tiêm")
    assert labels["G"] == ("Ghi chú",)
    assert suggest([(c.index, c.labels) for c in layout.columns], DOSES) == {
        0: "full_name",
        1: "birth_year",
        2: "dose1.product",
        3: "dose1.given_on",
        4: "dose2.product",
        5: "dose2.given_on",
    }


def test_english_headers_and_doses_named_in_one_row_are_mapped():
    head = [
        ["Full name", "Date of birth", "Gender", "Phone", "Vaccine", "Date given dose 2"],
        ["An Nguyen", "1985-04-12", "male", "0912345678", "Spikevax", "2021-10-10"],
    ]
    layout = find_header(head)
    found = suggest([(c.index, c.labels) for c in layout.columns], DOSES)
    assert found == {
        0: "full_name",
        1: "birth_date",
        2: "sex",
        3: "phone",
        4: "dose1.product",
        5: "dose2.given_on",
    }


def test_a_row_of_column_numbers_under_the_header_belongs_to_it():
    head = [
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính"],
        ["(1)", "(2)", "(3)", "(4)"],
        [1, "Nguyễn Văn An", "12/04/1985", "Nam"],
    ]
    layout = find_header(head)
    assert (layout.first_row, layout.last_row) == (1, 2)


def test_registration_columns_are_mapped_for_registrations_only():
    head = [["Họ tên", "Nhóm ưu tiên", "Ngày mong muốn tiêm"], ["An", "9", "01/09/2021"]]
    layout = find_header(head)
    columns = [(c.index, c.labels) for c in layout.columns]
    assert suggest(columns, REGISTRATIONS) == {
        0: "full_name",
        1: "priority_group",
        2: "preferred_date",
    }
    assert suggest(columns, PERSONS) == {0: "full_name"}


@pytest.mark.parametrize(
    "head",
    [
        [],
        [["Báo cáo tháng 8"], ["Số liệu đang cập nhật"]],
        [[1, 2, 3], [4, 5, 6]],
    ],
)
def test_a_sheet_without_a_header_has_no_layout(head):
    assert find_header(head) is None
