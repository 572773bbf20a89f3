import pytest
from django.core.exceptions import ValidationError

from sosuckhoe.people.identity import (
    normalize_phone,
    phone_for_display,
    validate_cccd,
    validate_cmnd,
    validate_insurance_number,
    validate_passport,
)


def test_a_cccd_matching_sex_and_birth_year_is_accepted():
    validate_cccd("087084000999", birth_year=1984, sex="M")  # example of Thông tư 07/2016
    validate_cccd("036305123456", birth_year=2005, sex="F")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("08708400099", "cccd_format"),
        ("08708400099a", "cccd_format"),
        ("003084000999", "cccd_province"),  # 003 is no province code
        ("087084000999 ", "cccd_format"),
    ],
)
def test_a_malformed_cccd_is_refused_with_its_reason(number, code):
    with pytest.raises(ValidationError) as error:
        validate_cccd(number, birth_year=1984, sex="M")
    assert error.value.code == code


def test_a_cccd_whose_year_digits_disagree_with_the_birth_year_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_cccd("087084000999", birth_year=1985, sex="M")
    assert error.value.code == "cccd_year"


@pytest.mark.parametrize(("year", "sex"), [(1984, "F"), (2084, "M")])
def test_a_cccd_whose_fourth_digit_disagrees_with_sex_or_century_is_refused(year, sex):
    with pytest.raises(ValidationError) as error:
        validate_cccd("087084000999", birth_year=year, sex=sex)
    assert error.value.code == "cccd_century_sex"


def test_cmnd_passport_and_insurance_numbers_have_their_shapes():
    validate_cmnd("162345678")
    validate_passport("C1234567")
    validate_insurance_number("GD4361234567890")
    validate_insurance_number("3612345678")
    for check, bad in (
        (validate_cmnd, "16234567"),
        (validate_passport, "c12"),
        (validate_insurance_number, "GD9361234567890"),
    ):
        with pytest.raises(ValidationError):
            check(bad)


@pytest.mark.parametrize(
    ("raw", "e164", "network"),
    [
        ("0912 345 678", "+84912345678", "Vinaphone"),
        ("+84 987 654 321", "+84987654321", "Viettel"),
        ("84701234567", "+84701234567", "MobiFone"),
    ],
)
def test_phones_are_stored_as_e164_with_their_network(raw, e164, network):
    assert normalize_phone(raw) == (e164, network)
    assert phone_for_display(e164).startswith("0")


@pytest.mark.parametrize("raw", ["0521234567", "12345", "abc", ""])
def test_an_invalid_phone_is_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.code == "phone_invalid"
