"""The verifier: every step a certificate must pass, in order, and the first one it failed.

One service for the command, the web page and the API. `verify` never raises on what it is
given: any text gets a `Verdict`."""

import base64
import datetime as dt
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sosuckhoe.certificates import hcert
from sosuckhoe.certificates.keys import certificate_types, kid_of
from sosuckhoe.certificates.schema import schema_valid, value_sets_valid
from sosuckhoe.certificates.selectors import any_revoked_unscoped, trust_list_unscoped

# Signer certificates by key id. Several certificates may share a key id: each is tried.
Trust = Mapping[bytes, Sequence[x509.Certificate]]

VALID = "valid"
# Stable codes of the steps, in the order they are checked, with what each means to a reader.
REASONS: dict[str, Promise] = {
    "too_large": _("The text is far longer than any certificate."),
    "prefix_invalid": _("This is not a health certificate: it does not start with HC1:."),
    "base45_invalid": _("The certificate text is damaged (Base45)."),
    "zlib_invalid": _("The certificate data is damaged (compression)."),
    "cose_invalid": _("The certificate is not a signed COSE message."),
    "cwt_invalid": _("The certificate's content is not in the expected form."),
    "kid_unknown": _("The certificate was signed by a key that is not in the trust list."),
    "algorithm_unsupported": _("The certificate's signature algorithm is not accepted."),
    "signature_invalid": _("The signature does not match: the certificate was altered or forged."),
    "signer_not_valid": _("The signer's certificate was not valid at this time."),
    "key_usage_invalid": _("The signer may not sign this type of certificate."),
    "cwt_not_yet_valid": _("The certificate was issued after this time."),
    "cwt_expired": _("The certificate has expired."),
    "schema_invalid": _("The certificate's content does not follow the EU DCC schema."),
    "value_set_invalid": _("The certificate names a vaccine, test or country code not recognised."),
    "revoked": _("The certificate has been revoked."),
    VALID: _("The certificate is valid."),
}
_PAYLOAD_TYPES = ("v", "t", "r")


@dataclass(frozen=True)
class Verdict:
    decoded: bool
    valid: bool
    reason_code: str  # the first step that failed, or VALID
    payload: dict[str, Any] | None = None
    # Every check that failed once the signature held (the signer's validity and key usage,
    # the certificate's times, schema, value sets, revocation); reason_code is the first.
    failures: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """What `reason_code` means, in the language active when it is read."""
        return str(REASONS[self.reason_code])


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def instant_parse(text: str) -> dt.datetime:
    """An ISO 8601 instant as verifiers are given it ('Z', '+02:00', '+0200', up to nine
    decimals); one without a zone is UTC. ValueError when it is none."""
    moment = dt.datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def uci_hash(uvci: str) -> str:
    """The revocation-list entry of a certificate identifier, as the EU lists carry the
    "UCI" hash type: the first 128 bits of the SHA-256 of the UVCI, in Base64."""
    return base64.b64encode(hashlib.sha256(uvci.encode()).digest()[:16]).decode("ascii")


def trust_of(certificates: Collection[x509.Certificate]) -> dict[bytes, list[x509.Certificate]]:
    """A trust list of the given signer certificates, by their key ids."""
    trust: dict[bytes, list[x509.Certificate]] = {}
    for certificate in certificates:
        trust.setdefault(kid_of(certificate.public_bytes(Encoding.DER)), []).append(certificate)
    return trust


@dataclass(frozen=True)
class _SignerFacts:
    """What every verification reads of a signer certificate, read from it once: parsing
    the key, the validity dates and the extensions cost a tenth of a verification each time."""

    key: Any
    is_ec: bool  # an elliptic-curve key (ES256), asked of an abstract class: dear too
    not_before: dt.datetime
    not_after: dt.datetime
    types: frozenset[str] | None  # certificate_types


# By the certificate object itself: hashing a certificate hashes its DER (1.7 µs, twice a
# verification); the certificate is kept with its facts, so that its id is not reused.
_FACTS: dict[int, tuple[x509.Certificate, _SignerFacts]] = {}
_FACTS_KEPT = 64


def _facts_of(certificate: x509.Certificate) -> _SignerFacts:
    kept = _FACTS.get(id(certificate))
    if kept is not None and kept[0] is certificate:
        return kept[1]
    if len(_FACTS) >= _FACTS_KEPT:  # trust lists read again leave old objects behind
        _FACTS.clear()
    key = certificate.public_key()
    facts = _SignerFacts(
        key=key,
        is_ec=isinstance(key, ec.EllipticCurvePublicKey),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        types=certificate_types(certificate),
    )
    _FACTS[id(certificate)] = (certificate, facts)
    return facts


def _signature_checks(
    certificate: x509.Certificate, alg: Any, signed: bytes, signature: bytes
) -> bool:
    facts = _facts_of(certificate)
    key = facts.key
    try:
        if alg == hcert.ES256 and facts.is_ec:
            if len(signature) != 64:
                return False
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signed, hcert.ECDSA_SHA256)
            return True
        if alg == hcert.PS256 and isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, signed, pss, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def _signer(cose: hcert.CoseSign1, trust: Trust) -> x509.Certificate:
    """The trusted certificate whose key made the signature: every one that has its key id
    is tried, since a key id (8 bytes of a hash) may be shared."""
    kid = cose.header(hcert.HEADER_KID)
    candidates = trust.get(kid, ()) if isinstance(kid, bytes) else ()
    if not candidates:
        raise _Refused("kid_unknown")
    alg = cose.header(hcert.HEADER_ALG)
    if alg not in (hcert.ES256, hcert.PS256):
        raise _Refused("algorithm_unsupported")
    signed = cose.to_be_signed()
    for certificate in candidates:
        if _signature_checks(certificate, alg, signed, cose.signature):
            return certificate
    raise _Refused("signature_invalid")


def _payload_type(payload: dict[str, Any]) -> str | None:
    present = [kind for kind in _PAYLOAD_TYPES if kind in payload]
    return present[0] if len(present) == 1 else None


def _signer_failures(
    certificate: x509.Certificate, payload: dict[str, Any], at: dt.datetime
) -> list[str]:
    failures = []
    facts = _facts_of(certificate)
    if not facts.not_before <= at <= facts.not_after:
        failures.append("signer_not_valid")
    allowed, kind = facts.types, _payload_type(payload)
    # A payload of no single type fails the schema instead.
    if allowed is not None and kind is not None and kind not in allowed:
        failures.append("key_usage_invalid")
    return failures


def _time_failures(cwt: hcert.Cwt, at: dt.datetime) -> list[str]:
    moment = at.timestamp()
    if moment < cwt.issued_at:
        return ["cwt_not_yet_valid"]
    if moment > cwt.expires_at:
        return ["cwt_expired"]
    return []


def _uci_hashes(payload: dict[str, Any]) -> list[str]:
    entries = [entry for kind in _PAYLOAD_TYPES for entry in payload.get(kind) or ()]
    return [
        uci_hash(entry["ci"])
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("ci"), str)
    ]


def _content_failures(payload: dict[str, Any], revoked: Collection[str] | None) -> list[str]:
    failures = []
    if not schema_valid(payload):
        failures.append("schema_invalid")
    elif not value_sets_valid(payload):  # it reads the fields the schema has checked
        failures.append("value_set_invalid")
    hashes = _uci_hashes(payload)
    if any_revoked_unscoped(hashes) if revoked is None else any(h in revoked for h in hashes):
        failures.append("revoked")
    return failures


def _decode(text: str) -> tuple[hcert.CoseSign1, hcert.Cwt]:
    try:
        compressed = hcert.base45_decode(hcert.unprefix(text))
        cose = hcert.cose_parse(hcert.inflate(compressed))
        return cose, hcert.cwt_parse(cose.payload)
    except hcert.Malformed as refused:
        raise _Refused(refused.code) from None


def _judge(
    text: str, at: dt.datetime, trust: Trust | None, revoked: Collection[str] | None
) -> Verdict:
    cose, cwt = _decode(text)
    try:
        signer = _signer(cose, trust_list_unscoped() if trust is None else trust)
    except _Refused as refused:
        return Verdict(decoded=True, valid=False, reason_code=refused.code, payload=cwt.payload)
    # Once the signature holds, the remaining checks are independent: all are run, so that a
    # certificate both expired and signed by an expired signer says both.
    failures = (
        _signer_failures(signer, cwt.payload, at)
        + _time_failures(cwt, at)
        + _content_failures(cwt.payload, revoked)
    )
    return Verdict(
        decoded=True,
        valid=not failures,
        reason_code=failures[0] if failures else VALID,
        payload=cwt.payload,
        failures=tuple(failures),
    )


def verify(
    text: str,
    *,
    at: dt.datetime,
    trust: Trust | None = None,
    revoked: Collection[str] | None = None,
) -> Verdict:
    """Judge the text of a QR code at `at` against the signer certificates of `trust` and
    the UCI hashes of `revoked` (both from the database when not given)."""
    if not isinstance(text, str):
        return Verdict(decoded=False, valid=False, reason_code="prefix_invalid")
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    try:
        return _judge(text, at, trust, revoked)
    except _Refused as refused:
        return Verdict(decoded=False, valid=False, reason_code=refused.code)
