"""The HC1 wire format, both ways: CWT claims in a COSE_Sign1 (ES256), zlib, Base45, 'HC1:'.

Encoding is done by cbor2, cryptography, zlib and base45.py; the parsing half takes whatever a
camera read and either returns the structure or raises `Malformed` naming the step."""

import datetime as dt
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from sosuckhoe.certificates.base45 import b45decode, b45encode

PREFIX = "HC1:"
ES256, PS256 = -7, -37
HEADER_ALG, HEADER_KID = 1, 4
CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HCERT = 1, 4, 6, -260
COSE_SIGN1_TAG, CWT_TAG = 18, 61
# A QR code holds at most 4,296 alphanumeric characters; a certificate is about 600.
MAX_TEXT = 8_192
MAX_INFLATED = 65_536
_MAX_DEPTH = 32


class Malformed(Exception):
    """The input fails a step of the format; `code` names the step."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CoseSign1:
    protected_bytes: bytes
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    def header(self, label: int) -> Any:
        """A header parameter: the protected bucket wins, as COSE says (RFC 9052 3.1)."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)

    def to_be_signed(self) -> bytes:
        return _sig_structure(cbor_bytes(self.protected_bytes), cbor_bytes(self.payload))


@dataclass(frozen=True)
class Cwt:
    issuer: str | None
    issued_at: float
    expires_at: float
    payload: dict[str, Any]


# Encoding

# The two fixed COSE structures a certificate signs and carries are byte strings in a frame
# of constant bytes; framed here, since cbor2 spent more time building them (a list, a tag
# object, a dict) than the framing itself takes (bench/certificates.py). Both are compared
# with cbor2's encoding in the tests.
_SIG_STRUCTURE_HEAD = b"\x84\x6aSignature1"  # an array of 4, the text "Signature1"
_COSE_SIGN1_HEAD = b"\xd2\x84"  # tag 18, an array of 4
_EMPTY_MAP = b"\xa0"


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The Sig_structure (RFC 9052 4.4), ["Signature1", protected, external_aad, payload], of
    the protected header and payload already framed as byte strings; no external data."""
    return _SIG_STRUCTURE_HEAD + protected + b"\x40" + payload


def cbor_bytes(data: bytes) -> bytes:
    """`data` as a CBOR byte string (major type 2), its length in the shortest head."""
    size = len(data)
    if size < 24:
        head = bytes((0x40 | size,))
    elif size < 0x100:
        head = bytes((0x58, size))
    elif size < 0x10000:
        head = b"\x59" + size.to_bytes(2, "big")
    elif size < 0x100000000:
        head = b"\x5a" + size.to_bytes(4, "big")
    else:
        head = b"\x5b" + size.to_bytes(8, "big")
    return head + data


def cwt_encode(
    payload: dict[str, Any], *, issuer: str, issued_at: dt.datetime, expires_at: dt.datetime
) -> bytes:
    return cbor2.dumps(
        {
            CLAIM_ISS: issuer,
            CLAIM_IAT: int(issued_at.timestamp()),
            CLAIM_EXP: int(expires_at.timestamp()),
            CLAIM_HCERT: {1: payload},
        }
    )


ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())  # made once: a sixth of a signature's own time


@lru_cache(maxsize=8)
def _protected_header(kid: bytes) -> bytes:
    return cbor2.dumps({HEADER_ALG: ES256, HEADER_KID: kid})


def cose_sign(claims: bytes, *, key: ec.EllipticCurvePrivateKey, kid: bytes) -> bytes:
    """A tagged COSE_Sign1 by ES256, its signature as COSE wants it: r and s, 32 bytes each."""
    protected = cbor_bytes(_protected_header(kid))
    payload = cbor_bytes(claims)
    r, s = decode_dss_signature(key.sign(_sig_structure(protected, payload), ECDSA_SHA256))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return _COSE_SIGN1_HEAD + protected + _EMPTY_MAP + payload + cbor_bytes(signature)


def hc1_encode(cose: bytes) -> str:
    # A zlib stream as the format asks, its block stored rather than compressed: a COSE
    # certificate is mostly a signature, random identifiers and short codes, which
    # compression shrank by 5 bytes of about 370 for 19 µs, the most costly step of issuing
    # after the signature (bench/certificates.py). Every inflater reads stored blocks.
    deflate = zlib.compressobj(0, zlib.DEFLATED, 9, 1)
    return PREFIX + b45encode(deflate.compress(cose) + deflate.flush())


# Parsing, one step each


def unprefix(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise Malformed("too_large")
    if not text.startswith(PREFIX):
        raise Malformed("prefix_invalid")
    return text[len(PREFIX) :]


def base45_decode(text: str) -> bytes:
    try:
        return b45decode(text)
    except ValueError:
        raise Malformed("base45_invalid") from None


def inflate(data: bytes) -> bytes:
    """zlib, refusing a stream that is cut, followed by junk or would exceed MAX_INFLATED."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, MAX_INFLATED)
    except zlib.error:
        raise Malformed("zlib_invalid") from None
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise Malformed("zlib_invalid")
    return inflated


def _cbor(data: bytes, step: str) -> Any:
    try:
        return cbor2.loads(data, max_depth=_MAX_DEPTH, allow_duplicate_keys=False)
    # The decoder meets arbitrary bytes here; whatever it raises, the input is not CBOR.
    except Exception:
        raise Malformed(step) from None


def _is_map(item: Any) -> bool:
    # cbor2 decodes a map as a dict: the exact type first, the abstract check (dearer) after.
    return type(item) is dict or isinstance(item, Mapping)


def cose_parse(data: bytes) -> CoseSign1:
    """A COSE_Sign1: tagged 18, untagged, or inside a CWT tag 61, as real issuers send it."""
    item = _cbor(data, "cose_invalid")
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag) and item.tag == COSE_SIGN1_TAG:
        item = item.value
    if not (isinstance(item, list | tuple) and len(item) == 4):
        raise Malformed("cose_invalid")
    protected_bytes, unprotected, payload, signature = item
    if not (
        type(protected_bytes) is bytes
        and _is_map(unprotected)
        and type(payload) is bytes
        and type(signature) is bytes
    ):
        raise Malformed("cose_invalid")
    protected = _cbor(protected_bytes, "cose_invalid") if protected_bytes else {}
    if not _is_map(protected):
        raise Malformed("cose_invalid")
    return CoseSign1(protected_bytes, protected, unprotected, payload, signature)


def _numeric_date(value: Any) -> float:
    # NumericDate: an integer, or a float with the milliseconds some issuers send.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed("cwt_invalid")
    if not math.isfinite(value):
        raise Malformed("cwt_invalid")
    return float(value)


_SCALARS = (str, int, bool, type(None))
_TEXT = frozenset((str,))


def plain(value: Any) -> Any:
    """The CBOR value as JSON data (dict, list, str, finite number, bool, None), or Malformed:
    byte strings, tags and non-text keys have no place in a DCC payload."""
    kind = type(value)
    if kind in _SCALARS:  # the exact types: a CBOR decoder's subclasses go the long way
        return value
    # The decoder's own types first: the abstract Mapping check costs more than the rest.
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        if not _TEXT.issuperset(map(type, value)):  # every key text, checked in C
            raise Malformed("cwt_invalid")
        # Text, most of a payload, is taken as it is without a call for each value.
        return {key: item if type(item) is str else plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [item if type(item) is str else plain(item) for item in value]
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise Malformed("cwt_invalid")


def cwt_parse(data: bytes) -> Cwt:
    claims = _cbor(data, "cwt_invalid")
    if not _is_map(claims):
        raise Malformed("cwt_invalid")
    hcert = claims.get(CLAIM_HCERT)
    if not _is_map(hcert) or not _is_map(hcert.get(1)):
        raise Malformed("cwt_invalid")
    issuer = claims.get(CLAIM_ISS)
    return Cwt(
        issuer=issuer if isinstance(issuer, str) else None,
        issued_at=_numeric_date(claims.get(CLAIM_IAT)),
        expires_at=_numeric_date(claims.get(CLAIM_EXP)),
        payload=plain(hcert[1]),
    )
