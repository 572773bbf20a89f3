"""Base45 (RFC 9285), the text a QR code holds in its alphanumeric mode.

A few lines of our own: the PyPI `base45` package has had no release since 2022 and, in pure
Python, took longer to decode a certificate than the signature check (bench/certificates.py);
`b45` needs numpy. Decoding maps the characters with one `bytes.translate` and computes every
group at once in big-integer lanes; encoding divides every group at once the same way."""

ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
_VALUES = bytes(ALPHABET.index(c) if c in ALPHABET else _INVALID for c in range(256))
_DIGITS = ALPHABET + bytes(256 - len(ALPHABET))  # a digit's value -> its character
# n * _INV45 >> 24 == n // 45 for every n < 2**16: 45 * _INV45 exceeds 2**24 by less than
# 2**24 / 2**16, so the error never reaches the next integer.
_INV45 = (1 << 24) // 45 + 1
_LANE = 5  # bytes a group takes in the lane integers: n * _INV45 < 2**35 never carries over


def b45encode(data: bytes) -> str:
    groups = len(data) // 2
    lanes = bytearray(_LANE * groups)
    lanes[3::_LANE], lanes[4::_LANE] = data[0 : 2 * groups : 2], data[1 : 2 * groups : 2]
    quotients, lowest = _divmod45(int.from_bytes(lanes, "big"), groups)
    highest, middle = _divmod45(quotients, groups)
    text = bytearray(3 * groups)
    text[0::3], text[1::3] = lowest, middle
    text[2::3] = highest.to_bytes(_LANE * groups, "big")[4::_LANE]
    if len(data) % 2:
        text += bytes(reversed(divmod(data[-1], 45)))
    return text.translate(_DIGITS).decode("ascii")


def _divmod45(lanes: int, groups: int) -> tuple[int, bytes]:
    """The quotient by 45 of the number in each lane, as lanes again, and the remainders, a
    byte each: every group divided at once by big-integer arithmetic in C, the way
    `_lanes` lets decoding multiply, instead of two divisions per group in Python."""
    size = _LANE * groups
    shifted = (lanes * _INV45).to_bytes(size, "big")  # each quotient in its lane's top 16 bits
    quotients = bytearray(size)
    quotients[3::_LANE], quotients[4::_LANE] = shifted[0::_LANE], shifted[1::_LANE]
    quotient_lanes = int.from_bytes(quotients, "big")
    remainders = (lanes - 45 * quotient_lanes).to_bytes(size, "big")[4::_LANE]
    return quotient_lanes, remainders


def b45decode(text: str) -> bytes:
    """The bytes of `text`; ValueError when it is not Base45."""
    try:
        values = text.encode("ascii").translate(_VALUES)
    except UnicodeEncodeError:
        raise ValueError("not Base45: a character outside ASCII") from None
    if _INVALID in values or len(values) % 3 == 1:
        raise ValueError("not Base45")
    groups = len(values) // 3
    low, middle, high = _lanes(values, groups)
    total = (low + 45 * middle + 2025 * high).to_bytes(3 * groups, "big")
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


def _lanes(values: bytes, groups: int) -> tuple[int, int, int]:
    """Each digit place of every group as one integer with a 24-bit lane per group: adding
    and multiplying such integers works on all groups at once (no lane can carry into the
    next, 44 * 2071 < 2**24), in C instead of a Python loop over the groups."""
    spread = bytearray(3 * groups)  # one buffer: each place overwrites the same lane bytes
    lanes = []
    for digit in range(3):
        spread[2::3] = values[digit : 3 * groups : 3]
        lanes.append(int.from_bytes(spread, "big"))
    return lanes[0], lanes[1], lanes[2]
