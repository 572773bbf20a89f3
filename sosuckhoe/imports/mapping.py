"""Which field each column holds, suggested from its header (Vietnamese or English, diacritics
and case folded). Doses side by side ("Mũi 1" over "Ngày tiêm", or "Ngày tiêm mũi 2") become
numbered dose fields: `dose1.given_on`, `dose2.lot`."""

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sosuckhoe.core.text import fold

DATA_DIR = Path(__file__).resolve().parent / "data"

PERSONS = "persons"
REGISTRATIONS = "registrations"
DOSES = "doses"
KINDS = (PERSONS, REGISTRATIONS, DOSES)

PERSON_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "id_kind",
    "id_number",
    "phone",
    "insurance_number",
    "home_unit",
    "address_line",
    "ethnicity",
    "occupation",
)
REGISTRATION_FIELDS = ("priority_group", "preferred_site", "preferred_date")
DOSE_FIELDS = ("product", "given_on", "lot", "site")
IGNORED = "-"  # a known header whose column holds nothing to import (row number, notes)

# A term this short names its field only as the whole header: "xa" must not match
# "tên vắc xin", nor "lo" match "loại".
_SHORT_TERM = 5
_ORDINALS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_DOSE_PHRASE = re.compile(
    r"\b(?:mui|lan|dose|m)\s*(?:tiem\s*)?(?:thu\s*)?(\d{1,2}|nhat|mot|hai|ba|bon|tu|nam)\b"
)


def label_key(text: str) -> str:
    """A header as compared with the terms: folded, punctuation as spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


@cache
def _terms() -> dict[str, str]:
    with (DATA_DIR / "header_terms.csv").open(encoding="utf-8", newline="") as f:
        return {label_key(row["term"]): row["field"] for row in csv.DictReader(f)}


@dataclass(frozen=True)
class Match:
    field: str
    exact: bool
    length: int  # of the term: a longer term found in a header says more

    @property
    def rank(self) -> tuple[bool, int]:
        return (self.exact, self.length)


def field_of(label: str) -> Match | None:
    """The field a header names: the term equal to it, else the longest term within it."""
    key = label_key(label)
    if not key:
        return None
    terms = _terms()
    if key in terms:
        return Match(terms[key], exact=True, length=len(key))
    padded = f" {key} "
    found = [term for term in terms if len(term) >= _SHORT_TERM and f" {term} " in padded]
    if not found:
        return None
    term = max(found, key=len)
    return Match(terms[term], exact=False, length=len(term))


def dose_number(label: str) -> tuple[int | None, str]:
    """The dose a header speaks of ("Mũi 2", "lần tiêm thứ hai") and the header without it."""
    key = label_key(label)
    found = _DOSE_PHRASE.search(key)
    if found is None:
        return None, key
    value = found.group(1)
    number = int(value) if value.isdigit() else _ORDINALS[value]
    return number, " ".join((key[: found.start()] + key[found.end() :]).split())


def is_known(label: str) -> bool:
    """Whether a header is one spreadsheets use: a field's name or a dose's group."""
    number, rest = dose_number(label)
    return number is not None or field_of(rest) is not None


def _allowed(kind: str) -> tuple[str, ...]:
    if kind == REGISTRATIONS:
        return PERSON_FIELDS + REGISTRATION_FIELDS
    if kind == DOSES:
        return PERSON_FIELDS + tuple(f"dose.{f}" for f in DOSE_FIELDS)
    return PERSON_FIELDS


def column_field(labels: Sequence[str], kind: str) -> tuple[str, Match] | None:
    """The field of a column headed by `labels` (group first, then the sub-header)."""
    number = None
    rest = []
    for label in labels:
        found, remainder = dose_number(label)
        number = number or found
        if remainder:
            rest.append(remainder)
    if not rest:
        return None
    match = field_of(rest[-1]) or field_of(" ".join(rest))
    if match is None or match.field not in _allowed(kind):
        return None
    if match.field.startswith("dose."):
        return f"dose{number or 1}.{match.field[5:]}", match
    return match.field, match


def suggest(columns: Sequence[tuple[int, Sequence[str]]], kind: str) -> dict[int, str]:
    """Column index -> field; when two columns name one field, the closer match wins, then
    the first."""
    best: dict[str, tuple[tuple[bool, int], int]] = {}
    for index, labels in columns:
        found = column_field(labels, kind)
        if found is None:
            continue
        field, match = found
        rank = (match.exact, match.length)
        if field not in best or rank > best[field][0]:
            best[field] = (rank, index)
    return dict(sorted((index, field) for field, (_rank, index) in best.items()))
