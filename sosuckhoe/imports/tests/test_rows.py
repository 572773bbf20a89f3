import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sosuckhoe.imports import cells
from sosuckhoe.imports.cells import CellProblem, YearOnly
from sosuckhoe.imports.mapping import PERSON_FIELDS, REGISTRATION_FIELDS
from sosuckhoe.imports.references import References
from sosuckhoe.imports.rows import ParsedRow, RowParser, is_total
from sosuckhoe.people.models import IdKind, Sex
from sosuckhoe.places.models import UnitSuccessor
from sosuckhoe.vaccination.services.batch import unknown_record


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/08/2021", dt.date(2021, 8, 5)),
        ("5/8/21", dt.date(2021, 8, 5)),
        ("05-08-2021", dt.date(2021, 8, 5)),
        ("5.8.2021", dt.date(2021, 8, 5)),
        ("2021-08-15", dt.date(2021, 8, 15)),
        ("2021-08-15 00:00:00", dt.date(2021, 8, 15)),
        ("15082021", dt.date(2021, 8, 15)),
        (44423, dt.date(2021, 8, 15)),  # Excel's serial number
        (44423.75, dt.date(2021, 8, 15)),  # with a time of day
        ("44423", dt.date(2021, 8, 15)),
        (dt.datetime(2021, 8, 15, 9, 30), dt.date(2021, 8, 15)),
        (dt.date(2021, 8, 15), dt.date(2021, 8, 15)),
        (1985, YearOnly(1985)),
        ("1985", YearOnly(1985)),
    ],
)
def test_dates_are_read_as_people_write_them(value, expected):
    assert cells.date_value(value) == expected


def test_a_two_digit_year_of_birth_is_of_the_last_century_when_this_one_has_not_reached_it():
    assert cells.date_value("12/4/85", past_century=True) == dt.date(1985, 4, 12)
    assert cells.date_value("12/4/15", past_century=True) == dt.date(2015, 4, 12)


@pytest.mark.parametrize("value", ["31/02/2021", "08/2021", "hôm qua", 3.5, True, "12:30"])
def test_what_is_no_date_is_refused_with_a_message(value):
    with pytest.raises(CellProblem):
        cells.date_value(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nam", Sex.MALE),
        ("NỮ", Sex.FEMALE),
        ("nu", Sex.FEMALE),
        ("male", Sex.MALE),
        ("F", Sex.FEMALE),
        (1, Sex.MALE),
        (0, Sex.FEMALE),
        (1.0, Sex.MALE),
    ],
)
def test_sex_is_read_from_codes_and_words(value, expected):
    assert cells.sex(value) == expected


@pytest.mark.parametrize(
    "value",
    ["0912345678", "0912.345.678", "0912 345 678", "+84 912 345 678", "84912345678", 912345678],
)
def test_phones_are_read_in_every_way_they_are_written(value):
    assert cells.phone(value) == "+84912345678"


def test_a_phone_that_is_no_number_is_refused():
    with pytest.raises(CellProblem):
        cells.phone("12345")


def test_a_cccd_that_lost_its_leading_zero_gets_it_back():
    assert cells.id_number(36085001234, None) == ("036085001234", IdKind.CCCD)
    assert cells.id_number(36085001234.0, IdKind.CCCD) == ("036085001234", IdKind.CCCD)
    # Eleven digits that no province code begins with: not a CCCD that lost a zero.
    with pytest.raises(CellProblem):
        cells.id_number(99985001234, None)


def test_a_cmnd_that_lost_its_leading_zero_gets_it_back():
    assert cells.id_number(12345678, None) == ("012345678", IdKind.CMND)
    assert cells.id_number("B 1234567", None) == ("B1234567", IdKind.PASSPORT)


def test_a_number_shortened_to_scientific_notation_is_refused_with_the_way_out():
    with pytest.raises(CellProblem, match=r"3\.6085E"):
        cells.id_number("3.6085E+10", None)


def test_names_in_capitals_or_small_letters_are_capitalised_keeping_their_marks():
    assert cells.name("NGUYỄN VĂN BÌNH") == "Nguyễn Văn Bình"
    assert cells.name("tran  thi cuc") == "Tran Thi Cuc"
    with pytest.raises(CellProblem):
        cells.name("Nguyen Van 2")


@pytest.mark.parametrize(
    ("row", "total"),
    [
        (["Tổng"], True),
        (["Tổng cộng:", 150], True),
        ([None, "TỔNG CỘNG: 150 người"], True),
        (["Cộng", 3], True),
        (["Total", "", 3], True),
        (["Tống Văn An", "12/04/1985"], False),
        ([1, "Tổng"], False),
    ],
)
def test_total_rows_are_told_from_persons(row, total):
    assert is_total(row) is total


ALL_FIELDS = (
    *PERSON_FIELDS,
    *REGISTRATION_FIELDS,
    "dose1.product",
    "dose1.given_on",
    "dose1.lot",
    "dose1.site",
)


@pytest.fixture
def parser(cast, dose_records):
    refs = References.load(scope=cast.units.province, doses=True)
    mapping = dict(enumerate(ALL_FIELDS))
    return RowParser(mapping=mapping, refs=refs, default_unit=None)


def test_a_row_of_a_person_and_a_dose_is_parsed_into_records(parser, cast, dose_records):
    product, lot, site = dose_records
    row = [
        "TRẦN THỊ CÚC",
        "12/4/85",
        None,
        "Nữ",
        None,
        "36185001234",
        "0912.345.678",
        "GD4010123456789",
        "Nam Định",
        "Tổ 5",
        "Kinh",
        None,
        "Nhóm 9",
        None,
        None,
        "Pfizer",
        44423,
        "fk1234",
        site.name.upper(),
    ]
    parsed = parser.parse(7, row)
    assert parsed.errors == []
    assert parsed.person == {
        "full_name": "Trần Thị Cúc",
        "birth_date": dt.date(1985, 4, 12),
        "birth_year": 1985,
        "sex": Sex.FEMALE,
        "id_kind": IdKind.CCCD,
        "id_number": "036185001234",
        "phone": "+84912345678",
        "insurance_number": "GD4010123456789",
        "home_unit": cast.units.commune_a,
        "address_line": "Tổ 5",
        "ethnicity": "01",
    }
    assert parsed.registration["priority_group"].code == 9
    assert parsed.doses == {
        1: {"product": product, "given_on": dt.date(2021, 8, 15), "site": site, "lot": lot}
    }


def test_a_dose_naming_an_unknown_vaccine_lot_or_site_is_refused_with_that_reason(parser):
    width = len(PERSON_FIELDS) + len(REGISTRATION_FIELDS)
    row = ["An", *[None] * (width - 1), "Sinovac", "15/08/2021", "FK1234", "Trạm không có"]
    errors = {e.field: (e.column, e.message) for e in parser.parse(9, row).errors}
    # The batch service's own words for a dose that names no record.
    assert errors["dose1.product"] == ("P", unknown_record("product").messages[0])
    assert errors["dose1.site"] == ("S", unknown_record("site").messages[0])
    assert "dose1.lot" not in errors  # a lot is looked up in its vaccine, unknown here

    row[-4] = "Comirnaty"
    row[-2] = "ZZ999"
    errors = {e.field: e.message for e in parser.parse(9, row).errors}
    assert errors["dose1.lot"] == unknown_record("lot").messages[0]


def test_blank_and_total_rows_are_skipped(parser):
    assert parser.parse(10, []) is None
    assert parser.parse(10, [None, "", "  "]) is None
    assert parser.parse(11, ["Tổng cộng", 3]) is None


cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(["0", "1", "Nam", "Nữ", "13669", "Nam Định", "Pfizer", "FK1234", "1e+10"]),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row=st.lists(cell_values, max_size=len(ALL_FIELDS) + 2))
def test_any_cells_give_values_or_cell_errors_never_a_crash(parser, row):
    parsed = parser.parse(12, row)
    assert parsed is None or isinstance(parsed, ParsedRow)
    if parsed is not None:
        for error in parsed.errors:
            assert error.row == 12
            assert error.field in ALL_FIELDS or error.field.startswith("dose1.")
            assert isinstance(error.message, str)
            assert error.message


def test_communes_are_found_by_code_lost_zeros_old_code_or_name_within_the_unit(cast):
    units = cast.units
    UnitSuccessor.objects.create(old=units.district_commune, new=units.commune_b, split_count=1)
    country = References.load(scope=None, doses=False)
    assert country.commune(4) == units.other_commune  # "00004" stored as a number
    assert country.commune("13741") == units.commune_b  # Thị trấn Gôi is now in Gia Viễn
    assert country.commune("xã gia vien") == units.commune_b
    assert country.commune("P. Nam Định") == units.commune_a
    province = References.load(scope=units.province, doses=False)
    with pytest.raises(CellProblem):
        province.commune("00004")  # Hà Nội's, outside the unit of the import
    with pytest.raises(CellProblem):
        province.commune("Ba Đình")
