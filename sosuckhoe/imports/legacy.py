"""Vietnamese typed in the legacy TCVN3 and VNI fonts, found inside Unicode text, converted.

Before Unicode, Vietnamese was typed in fonts that drew Vietnamese letters over the bytes of
Latin-1: a file saved from such a font is valid Unicode whose letters are wrong ("Ninh B×nh"
in TCVN3, "Nguyeãn" in VNI). Which font a file used is decided once from a sample of its text,
since a single word can read as either.
"""

import csv
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

TCVN3 = "tcvn3"
VNI = "vni"

# Letters that exist only in Vietnamese Unicode (Latin Extended Additional, ă đ ĩ ũ ơ ư):
# a text holding one was not typed in a legacy font.
_UNICODE_VIETNAMESE = re.compile(
    "[\u1ea0-\u1ef9\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0]"
)
# TCVN3's marks are no letters at all; VNI's pairs ("oà") can be real Vietnamese: it needs more.
_TCVN3_EVIDENCE = 2
_VNI_EVIDENCE = 3


def _read(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _tcvn3_table() -> dict[int, str]:
    return {ord(row["legacy"]): row["unicode"] for row in _read("tcvn3.csv")}


@cache
def _tcvn3_only() -> frozenset[str]:
    """TCVN3's characters that are neither a Vietnamese letter in Unicode nor part of VNI's
    writing of one (¸ µ ¨ © ® …)."""
    vni = _read("vni.csv")
    taken = {row["unicode"] for row in vni} | {ch for row in vni for ch in row["legacy"]}
    return frozenset(chr(code) for code in _tcvn3_table() if chr(code) not in taken)


@cache
def _vni_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {row["legacy"]: row["unicode"] for row in _read("vni.csv")}
    # Longest first, so that "oâ" (ô) wins over "o" followed by "â" read alone.
    alternatives = sorted(table, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives))), table


@cache
def _vni_marks() -> re.Pattern[str]:
    """A letter followed by a VNI mark ("eã", "aø", "öù"), or VNI's đ: in a text without a
    single letter of Vietnamese Unicode, these are VNI."""
    pairs = [row["legacy"] for row in _read("vni.csv") if len(row["legacy"]) == 2]
    return re.compile("|".join(map(re.escape, pairs)) + "|[ñÑ]")


def detect(sample: Iterable[str]) -> str | None:
    """TCVN3, VNI or None (Unicode as it should be) for a sample of a file's text."""
    text = "\n".join(sample)
    if _UNICODE_VIETNAMESE.search(text):
        return None
    tcvn3_only = _tcvn3_only()
    if sum(ch in tcvn3_only for ch in text) >= _TCVN3_EVIDENCE:
        return TCVN3
    if len(_vni_marks().findall(text)) >= _VNI_EVIDENCE:
        return VNI
    return None


def from_tcvn3(text: str) -> str:
    return text.translate(_tcvn3_table())


def from_vni(text: str) -> str:
    pattern, table = _vni_pattern()
    return pattern.sub(lambda match: table[match.group()], text)


def converter(encoding: str | None) -> Callable[[str], str] | None:
    """The function that converts text of a legacy font, None for Unicode text."""
    return {TCVN3: from_tcvn3, VNI: from_vni}.get(encoding or "")
