"""Validation of identity documents, phones and insurance numbers, with messages for people."""

import csv
import re
from functools import cache
from pathlib import Path

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumbers import carrier

DATA_DIR = Path(__file__).resolve().parent / "data"
_CCCD = re.compile(r"\d{12}")
_CMND = re.compile(r"\d{9}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
# Health-insurance card (15 characters: 2 letters, benefit level 1-5, 12 digits)
# or the 10-digit social-insurance number printed on cards since 2021.
_INSURANCE = re.compile(r"[A-Z]{2}[1-5]\d{12}|\d{10}")


@cache
def cccd_province_codes() -> dict[str, str]:
    """The 3-digit birth-registration codes that begin a CCCD, with their province names."""
    with (DATA_DIR / "cccd_birth_province_codes.csv").open(encoding="utf-8", newline="") as f:
        return {row["cccd_code"]: row["province_name"] for row in csv.DictReader(f)}


def cccd_century_digit(*, birth_year: int, sex: str) -> str:
    """The 4th digit of a CCCD: even for men, odd for women, +2 for each century after 1900."""
    century = (birth_year // 100) - 19
    return str(century * 2 + (1 if sex == "F" else 0))


def validate_cccd(number: str, *, birth_year: int | None, sex: str | None) -> None:
    if not _CCCD.fullmatch(number):
        raise ValidationError(_("A CCCD number has exactly 12 digits."), code="cccd_format")
    if number[:3] not in cccd_province_codes():
        raise ValidationError(
            _("The first three digits of a CCCD (%(code)s) must be a province code.")
            % {"code": number[:3]},
            code="cccd_province",
        )
    if birth_year is None or sex is None:
        return
    if number[4:6] != f"{birth_year % 100:02d}":
        raise ValidationError(
            _("Digits 5–6 of the CCCD (%(digits)s) do not match the birth year %(year)s.")
            % {"digits": number[4:6], "year": birth_year},
            code="cccd_year",
        )
    if number[3] != cccd_century_digit(birth_year=birth_year, sex=sex):
        raise ValidationError(
            _("Digit 4 of the CCCD does not match the sex and the century of birth."),
            code="cccd_century_sex",
        )


def validate_cmnd(number: str) -> None:
    if not _CMND.fullmatch(number):
        raise ValidationError(_("An old CMND number has exactly 9 digits."), code="cmnd_format")


def validate_passport(number: str) -> None:
    if not _PASSPORT.fullmatch(number):
        raise ValidationError(
            _("A passport number has 6 to 9 capital letters or digits."), code="passport_format"
        )


def validate_insurance_number(number: str) -> None:
    if not _INSURANCE.fullmatch(number):
        raise ValidationError(
            _("A health-insurance number has 15 characters (e.g. GD4010123456789) or 10 digits."),
            code="insurance_format",
        )


def normalize_phone(raw: str) -> tuple[str, str]:
    """A phone number as E.164 and the name of its network; Vietnamese numbers by default."""
    try:
        parsed = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("%(phone)s is not a valid phone number.") % {"phone": raw}, code="phone_invalid"
        )
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return e164, carrier.name_for_number(parsed, "en")


def phone_for_display(e164: str) -> str:
    """A stored phone as Vietnamese people write it: 0912 345 678."""
    if not e164:
        return ""
    parsed = phonenumbers.parse(e164)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
