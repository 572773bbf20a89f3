"""Typed values from cells as people fill spreadsheets: dates in any common order or as Excel
serial numbers, sex as a code or a word, phones and identity numbers that a spreadsheet turned
into numbers. Each parser returns a value or raises CellProblem with a message for people."""

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.core.text import compact_code, fold, tidy_name
from sosuckhoe.imports.readers import Cell
from sosuckhoe.people.identity import cccd_province_codes, normalize_phone
from sosuckhoe.people.models import IdKind, Sex

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29/02/1900)
_SERIAL_RANGE = (20_000, 80_000)  # 1954 … 2118: what a serial of a birth or a dose can be
_YEAR_RANGE = (1880, 2200)
_CCCD_LENGTH = 12
_CMND_LENGTH = 9
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?e\+?\d+", re.IGNORECASE)
_DIGIT_RUNS = re.compile(r"\d+")
_CCCD = re.compile(r"\d{12}")
_CMND = re.compile(r"\d{9}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")


class CellProblem(Exception):
    """A cell whose value cannot be read; the message is for the person who filled it."""


@dataclass(frozen=True)
class YearOnly:
    """A date of which only the year was written (old paper records of birth)."""

    year: int


def is_empty(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Cell) -> str:
    """A cell as text; a whole number stored as a float loses its ".0"."""
    if type(value) is str:  # the usual cell, first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


# Dates


def date_value(value: Cell, *, past_century: bool = False) -> dt.date | YearOnly:
    """A date from a date cell, an Excel serial number or text in day-month-year order (as
    Vietnam writes it) or year-month-day; a year alone gives YearOnly. Two-digit years are
    of this century unless they would be in the future and `past_century` (births)."""
    if type(value) is str:  # the usual cell, first
        return _from_text(value.strip(), past_century)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellProblem(_("This is not a date."))
    if isinstance(value, int | float):
        return _from_number(value)
    return _from_text(text(value), past_century)


def _from_number(number: float) -> dt.date | YearOnly:
    if isinstance(number, float) and not (math.isfinite(number) and number.is_integer()):
        if math.isfinite(number) and _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
            number = math.floor(number)  # a serial with a time of day
        else:
            raise CellProblem(_("This is not a date."))
    whole = int(number)
    if _YEAR_RANGE[0] <= whole <= _YEAR_RANGE[1]:
        return YearOnly(whole)
    if _SERIAL_RANGE[0] <= whole < _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=whole)
    raise CellProblem(_("This is not a date."))


def _from_text(raw: str, past_century: bool) -> dt.date | YearOnly:
    parts = _DIGIT_RUNS.findall(raw)
    if len(parts) == 1 and len(parts[0]) in (4, 5):
        return _from_number(int(parts[0]))
    if len(parts) == 1 and len(parts[0]) == 8:
        digits = parts[0]
        parts = (
            [digits[:4], digits[4:6], digits[6:]]
            if digits[:2] in ("19", "20")
            else [
                digits[:2],
                digits[2:4],
                digits[4:],
            ]
        )
    if len(parts) < 3:
        raise CellProblem(_("Write the date as day/month/year, e.g. 05/08/2021."))
    if len(parts[0]) == 4:
        year, month, day = parts[:3]
    else:
        day, month, year = parts[:3]
    try:
        return dt.date(_full_year(year, past_century), int(month), int(day))
    except (ValueError, OverflowError):
        raise CellProblem(_("%(value)s is not a date of the calendar.") % {"value": raw}) from None


def _full_year(year: str, past_century: bool) -> int:
    if len(year) != 2:
        return int(year)
    this_year = timezone.localdate().year
    full = 2000 + int(year)
    return full - 100 if past_century and full > this_year else full


# Persons


def name(value: Cell) -> str:
    """A name as stored: in capitals or not, each word capitalised; diacritics as given."""
    result = tidy_name(text(value))
    if any(map(str.isdigit, result)):
        raise CellProblem(_("A name has no digits."))
    return result


_SEX_WORDS = {
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "trai": Sex.MALE,
    "1": Sex.MALE,
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "gai": Sex.FEMALE,
    # The national platform's templates wrote 0 for women; the insurance tables 2.
    "0": Sex.FEMALE,
    "2": Sex.FEMALE,
}


def sex(value: Cell) -> str:
    found = _SEX_WORDS.get(fold(text(value)))
    if found is None:
        raise CellProblem(_("Write the sex as Nam or Nữ (or 1 for men, 0 for women)."))
    return found


def phone(value: Cell) -> str:
    """E.164, from 0912 345 678, 0912.345.678, +84 912…, 84912… or 912345678 (a number
    cell that lost its 0); the first number when a cell holds two."""
    raw = re.split(r"[/;,]| - ", text(value))[0]
    digits = re.sub(r"[\s.()\-]", "", raw)
    if re.fullmatch(r"84\d{9}", digits):
        digits = "+" + digits
    try:
        return normalize_phone(digits)[0]
    except ValidationError as error:
        raise CellProblem(error.messages[0]) from None


_ID_KIND_WORDS = {
    "cccd": IdKind.CCCD,
    "can cuoc": IdKind.CCCD,
    "can cuoc cong dan": IdKind.CCCD,
    "cmnd": IdKind.CMND,
    "chung minh nhan dan": IdKind.CMND,
    "ho chieu": IdKind.PASSPORT,
    "passport": IdKind.PASSPORT,
    "khong": IdKind.NONE,
    "none": IdKind.NONE,
}


def id_kind(value: Cell) -> str:
    found = _ID_KIND_WORDS.get(fold(text(value)))
    if found is None:
        raise CellProblem(_("Write the document as CCCD, CMND or Hộ chiếu."))
    return found


def id_number(value: Cell, kind: str | None) -> tuple[str, str]:
    """The document number and its kind (from the number when no column gives it). A number
    cell drops leading zeros: 11 digits that make a CCCD with a 0 in front are one, 8 digits
    where a CMND is expected are a CMND."""
    if isinstance(value, str) and _SCIENTIFIC.fullmatch(value.strip()):
        raise CellProblem(
            _(
                "The spreadsheet shortened this number (%(value)s); format the column as text "
                "and enter it again."
            )
            % {"value": value.strip()}
        )
    number = compact_code(text(value))
    if number.isdigit():
        number = _restore_zero(number, kind)
    return number, kind or _kind_of(number)


def _restore_zero(number: str, kind: str | None) -> str:
    padded = "0" + number
    lost_cccd_zero = len(number) == _CCCD_LENGTH - 1 and padded[:3] in cccd_province_codes()
    if kind in (None, IdKind.CCCD) and lost_cccd_zero:
        return padded
    if kind in (None, IdKind.CMND) and len(number) == _CMND_LENGTH - 1:
        return padded
    return number


def _kind_of(number: str) -> str:
    if _CCCD.fullmatch(number):
        return IdKind.CCCD
    if _CMND.fullmatch(number):
        return IdKind.CMND
    if _PASSPORT.fullmatch(number) and not number.isdigit():
        return IdKind.PASSPORT
    raise CellProblem(
        _("Not a document number: a CCCD has 12 digits, a CMND 9, a passport 6 to 9 characters.")
    )


def code(value: Cell) -> str:
    """A code as stored (insurance cards, lots): no spaces, capitals; a number without ".0"."""
    return compact_code(text(value))
