"""The EU DCC 1.3 payload of a person's vaccination: the holder's name as written and as
ICAO 9303 transliterates it, the latest valid dose, and its unique certificate identifier."""

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from sosuckhoe.core.text import fold
from sosuckhoe.people.models import Person

DCC_VERSION = "1.3.0"
COVID_19 = "840539006"  # SNOMED CT, the value set disease-agent-targeted
# ICAO 9303 machine-readable names: A-Z, with '<' in place of spaces and hyphens.
_NOT_ICAO = re.compile(r"[^A-Z<]")
# Luhn mod N over the UVCI, with the alphabet of the eHN guidelines (FAQ "UVCI checksum").
_LUHN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
_LUHN_N = len(_LUHN_ALPHABET)
_NOT_LUHN = 0xFF


def _luhn_addends(factor: int) -> bytes:
    """What each character adds to the sum at a place of that factor (its value times the
    factor, the two base-n digits added); a translate table, so the sum is taken in C."""
    table = bytearray([_NOT_LUHN]) * 256
    for value, char in enumerate(_LUHN_ALPHABET):
        table[ord(char)] = sum(divmod(value * factor, _LUHN_N))
    return bytes(table)


_LUHN_SINGLE, _LUHN_DOUBLED = _luhn_addends(1), _luhn_addends(2)


def icao_transliterate(name: str) -> str:
    """'Nguyễn Thị Đào' -> 'NGUYEN<THI<DAO': diacritics folded, đ as D, as ICAO 9303 writes it."""
    spaced = fold(name).upper().replace("-", " ").replace(" ", "<")
    return _NOT_ICAO.sub("", spaced)[:80]


def luhn_mod_n(text: str) -> str:
    """The check character of `text` (letters, digits, '/' and ':') by Luhn mod N."""
    backwards = text.encode("ascii")[::-1]
    # From the right, every other character doubled, starting with the last.
    doubled = backwards[0::2].translate(_LUHN_DOUBLED)
    single = backwards[1::2].translate(_LUHN_SINGLE)
    if _NOT_LUHN in doubled or _NOT_LUHN in single:
        raise ValueError(f"not a UVCI character in {text!r}")
    return _LUHN_ALPHABET[-(sum(doubled) + sum(single)) % _LUHN_N]


def uvci_new(country: str = "VN") -> str:
    """A new unique certificate identifier, `URN:UVCI:01:VN:<opaque>#<check character>`."""
    # 128 random bits in upper-case hexadecimal (32 characters): never guessed, never repeated.
    body = f"URN:UVCI:01:{country}:{secrets.token_hex(16).upper()}"
    return f"{body}#{luhn_mod_n(body)}"


def name_entry(full_name: str) -> dict[str, str]:
    """A Vietnamese name is family name first: 'Nguyễn Văn An' is family name 'Nguyễn' and
    given names 'Văn An'. A name of one word is a family name alone, as the schema allows."""
    family, _, given = full_name.strip().partition(" ")
    entry = {"fn": family[:80], "fnt": icao_transliterate(family)}
    if given.strip():
        entry |= {"gn": given.strip()[:80], "gnt": icao_transliterate(given)}
    return entry


class Holder(NamedTuple):
    """What a certificate says of its holder (a person's fields, read as values in bulk)."""

    full_name: str
    birth_date: dt.date | None
    birth_year: int

    @classmethod
    def of(cls, person: Person) -> "Holder":
        return cls(person.full_name, person.birth_date, person.birth_year)


def birth_entry(holder: Holder) -> str:
    """The date of birth, or its year alone for the paper records that give no more."""
    return holder.birth_date.isoformat() if holder.birth_date else f"{holder.birth_year:04d}"


@dataclass(frozen=True)
class DoseFacts:
    """What a certificate says of a dose. Read as values, not model instances: making the
    instances cost more than the signature (bench/certificates.py)."""

    dose_id: int
    given_on: dt.date
    series_doses: int
    vaccine_type: str
    dcc_code: str
    holder: str


def vaccination_payload(*, holder: Holder, doses: Sequence[DoseFacts], uvci: str) -> dict[str, Any]:
    """The payload covering `doses`, the person's valid doses in the order given: one `v`
    entry for the latest, whose `dn` is its place among all of them (boosters count on past
    the primary series, as the DCC encodes them)."""
    latest = doses[-1]
    country, issuer = issuer_identity()
    return {
        "ver": DCC_VERSION,
        "nam": name_entry(holder.full_name),
        "dob": birth_entry(holder),
        "v": [
            {
                "tg": COVID_19,
                "vp": latest.vaccine_type,
                "mp": latest.dcc_code,
                "ma": latest.holder,
                "dn": len(doses),
                "sd": latest.series_doses,
                "dt": latest.given_on.isoformat(),
                "co": country,
                "is": issuer,
                "ci": uvci,
            }
        ],
    }


@lru_cache(maxsize=1)
def issuer_identity() -> tuple[str, str]:
    """(country, issuer) of the certificates issued here. Read once: each read of a setting
    goes through Django's lazy settings object, a microsecond a time, three times a
    certificate (bench/certificates.py)."""
    return settings.CERTIFICATE_COUNTRY, settings.CERTIFICATE_ISSUER[:80]


@receiver(setting_changed)
def _issuer_identity_forget(*, setting: str, **_kwargs: Any) -> None:
    if setting in ("CERTIFICATE_COUNTRY", "CERTIFICATE_ISSUER"):
        issuer_identity.cache_clear()
