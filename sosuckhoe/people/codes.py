"""Coded lists a person is described with: ethnicities and occupations (official codes)."""

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA_DIR = Path(__file__).resolve().parent / "data"


class BilingualLabel(str):
    """A label that reads in Vietnamese or English, whichever the request speaks."""

    english: str

    def __new__(cls, vietnamese: str, english: str) -> "BilingualLabel":
        label = super().__new__(cls, vietnamese)
        label.english = english or vietnamese
        return label

    def __str__(self) -> str:
        return self.english if (get_language() or "vi").startswith("en") else str.__str__(self)


def _read(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def ethnicity_choices() -> list[tuple[str, str]]:
    return [(row["code"], row["name_vi"]) for row in _read("ethnicities.csv")]


@cache
def occupation_choices() -> list[tuple[str, BilingualLabel]]:
    return [
        (row["code"], BilingualLabel(row["name_vi"], row["name_en"]))
        for row in _read("occupations.csv")
    ]
