"""The QR string printed on the chip CCCD card, read into the fields of a person's record.

`CCCD|CMND|full name|ddmmyyyy|sex|address|issue date` (Thông tư 06/2021/TT-BCA cards). No
official specification was found: readers also see 6 fields without the old CMND, an empty
CMND and a trailing separator, so all of these are accepted."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sosuckhoe.people.models import Sex

SEPARATOR = "|"
_CCCD = re.compile(r"\d{12}")
_CMND = re.compile(r"\d{9}")
_SEXES = {"nam": Sex.MALE, "nữ": Sex.FEMALE, "nu": Sex.FEMALE}


@dataclass(frozen=True)
class CccdQr:
    cccd: str
    cmnd: str
    full_name: str
    birth_date: dt.date
    sex: str
    address: str
    issued_on: dt.date | None


def is_cccd_qr(text: str) -> bool:
    """Whether a scanned or typed text is a card's QR string rather than a search."""
    return SEPARATOR in text


def _invalid() -> ValidationError:
    return ValidationError(
        _("This is not the QR code of a chip CCCD card; scan it again or type the number."),
        code="cccd_qr_invalid",
    )


def _fields(text: str) -> list[str]:
    """The 7 fields; a 6-field string gets an empty CMND."""
    parts = [part.strip() for part in unicodedata.normalize("NFC", text.strip()).split(SEPARATOR)]
    # The CMND field is 9 digits or empty; otherwise the second field is already the name.
    has_cmnd = len(parts) > 1 and (parts[1] == "" or _CMND.fullmatch(parts[1]) is not None)
    if not has_cmnd:
        parts.insert(1, "")
    while len(parts) > 7 and parts[-1] == "":
        parts.pop()  # a trailing separator
    if len(parts) == 6:
        parts.append("")  # a 6-field string that also lacks the issue date
    if len(parts) != 7:
        raise _invalid()
    return parts


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%d%m%Y").date()
    except ValueError:
        raise _invalid() from None


def _name(text: str) -> str:
    """Cards print the name in capitals; records keep it as people write it."""
    return " ".join(text.split()).title() if text.isupper() else " ".join(text.split())


def cccd_qr_parse(text: str) -> CccdQr:
    """The card's fields, or a ValidationError (code `cccd_qr_invalid`) naming no field."""
    cccd, cmnd, name, birth, sex, address, issued = _fields(text)
    if not _CCCD.fullmatch(cccd) or not name or sex.casefold() not in _SEXES:
        raise _invalid()
    return CccdQr(
        cccd=cccd,
        cmnd=cmnd,
        full_name=_name(name),
        birth_date=_date(birth),
        sex=_SEXES[sex.casefold()],
        address=" ".join(address.split()),
        issued_on=_date(issued) if issued else None,
    )
