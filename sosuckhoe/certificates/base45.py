"""Base45 (RFC 9285), the text a QR code holds in its alphanumeric mode.

A few lines of our own: the PyPI `base45` package has had no release since 2022 and, in pure
Python, took longer to decode a certificate than the signature check (bench/certificates.py);
`b45` needs numpy. Encoding looks each group up in a table; decoding maps the characters with
one `bytes.translate` and computes every group at once in big-integer lanes."""

import array
import sys
from functools import cache

ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
_VALUES = bytes(ALPHABET.index(c) if c in ALPHABET else _INVALID for c in range(256))


@cache
def _groups() -> tuple[bytes, ...]:
    """The three characters of every 16-bit group, least significant digit first: about
    3 MB, built on the first encoding, that make encoding one lookup per group in C instead
    of two divisions in Python (a third of the time of issuing a certificate)."""
    a = ALPHABET
    return tuple(bytes((a[n % 45], a[n // 45 % 45], a[n // 2025])) for n in range(65536))


def b45encode(data: bytes) -> str:
    groups = array.array("H", data[: len(data) & ~1])
    if sys.byteorder == "little":
        groups.byteswap()  # groups are big-endian
    text = b"".join(map(_groups().__getitem__, groups))
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        text += ALPHABET[c : c + 1] + ALPHABET[d : d + 1]
    return text.decode("ascii")


def b45decode(text: str) -> bytes:
    """The bytes of `text`; ValueError when it is not Base45."""
    try:
        values = text.encode("ascii").translate(_VALUES)
    except UnicodeEncodeError:
        raise ValueError("not Base45: a character outside ASCII") from None
    if _INVALID in values or len(values) % 3 == 1:
        raise ValueError("not Base45")
    groups = len(values) // 3
    sums = sum(weight * _lanes(values, digit, groups) for digit, weight in enumerate((1, 45, 2025)))
    total = sums.to_bytes(3 * groups, "big")
    if total[0::3].strip(b"\0"):
        raise ValueError("not Base45: a group above 65535")
    out = bytearray(2 * groups)
    out[0::2], out[1::2] = total[1::3], total[2::3]
    if 3 * groups < len(values):
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise ValueError("not Base45: a last group above 255")
        out.append(n)
    return bytes(out)


def _lanes(values: bytes, digit: int, groups: int) -> int:
    """The digit `digit` of every group as one integer with a 24-bit lane per group: adding
    and multiplying such integers works on all groups at once (no lane can carry into the
    next, 44 * 2071 < 2**24), in C instead of a Python loop over the groups."""
    spread = bytearray(3 * groups)
    spread[2::3] = values[digit : 3 * groups : 3]
    return int.from_bytes(spread, "big")
