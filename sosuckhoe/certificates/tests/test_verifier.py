"""Each way a certificate goes wrong gives its own reason; nothing makes the verifier raise."""

import base64
import datetime as dt
import zlib

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sosuckhoe.certificates import hcert
from sosuckhoe.certificates.base45 import b45decode, b45encode
from sosuckhoe.certificates.keys import kid_of, signer_certificate_build, signer_key_generate
from sosuckhoe.certificates.models import SignerKey
from sosuckhoe.certificates.payload import uvci_new
from sosuckhoe.certificates.verifier import trust_of, uci_hash, verify

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
UVCI = uvci_new()
PAYLOAD = {
    "ver": "1.3.0",
    "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"},
    "dob": "1985-04-12",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2026-03-01",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "ci": UVCI,
        }
    ],
}


def _signer(*, types=("v",), not_before=NOW - dt.timedelta(days=30), days=400):
    key = signer_key_generate()
    certificate = signer_certificate_build(
        key=key,
        common_name="DSC test",
        not_before=not_before,
        not_after=not_before + dt.timedelta(days=days),
        types=types,
    )
    return key, certificate


def _claims(payload=PAYLOAD, issued_at=NOW - dt.timedelta(days=1), days=365):
    return hcert.cwt_encode(
        payload,
        issuer="VN",
        issued_at=issued_at,
        expires_at=issued_at + dt.timedelta(days=days),
    )


def _kid(certificate):
    return kid_of(certificate.public_bytes(Encoding.DER))


def _hc1(signer, **claims):
    key, certificate = signer
    return hcert.hc1_encode(hcert.cose_sign(_claims(**claims), key=key, kid=_kid(certificate)))


def _sign_raw(key, protected, unprotected, claims):
    """A COSE_Sign1 with the headers given, signed by ES256."""
    protected_bytes = cbor2.dumps(protected)
    to_sign = hcert.CoseSign1(protected_bytes, protected, unprotected, claims, b"").to_be_signed()
    r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    return [protected_bytes, unprotected, claims, r.to_bytes(32, "big") + s.to_bytes(32, "big")]


def _verify(text, signer, at=NOW, revoked=()):
    return verify(text, at=at, trust=trust_of([signer[1]]), revoked=revoked)


@pytest.fixture(scope="module")
def signer():
    return _signer()


def test_a_signed_certificate_verifies_with_its_signer(signer):
    verdict = _verify(_hc1(signer), signer)
    assert (verdict.decoded, verdict.valid, verdict.reason_code) == (True, True, "valid")
    assert verdict.payload == PAYLOAD
    assert verdict.failures == ()


def test_a_tampered_payload_breaks_the_signature(signer):
    cose = cbor2.loads(zlib.decompress(b45decode(_hc1(signer)[4:])))
    forged = dict(PAYLOAD, dob="1955-01-01")
    protected, unprotected, _, signature = cose.value
    tampered = [protected, unprotected, _claims(payload=forged), signature]
    verdict = _verify(hcert.hc1_encode(cbor2.dumps(cbor2.CBORTag(18, tampered))), signer)
    assert (verdict.decoded, verdict.valid, verdict.reason_code) == (
        True,
        False,
        "signature_invalid",
    )
    assert verdict.payload["dob"] == "1955-01-01"  # read, shown, not believed


def test_a_certificate_of_another_signer_has_an_unknown_kid(signer):
    assert _verify(_hc1(_signer()), signer).reason_code == "kid_unknown"


def test_every_certificate_of_a_shared_kid_is_tried():
    right, wrong = _signer(), _signer()
    text = _hc1(right)
    kid = _kid(right[1])
    both = {kid: [wrong[1], right[1]]}
    assert verify(text, at=NOW, trust=both, revoked=()).valid
    only_wrong = {kid: [wrong[1]]}
    assert verify(text, at=NOW, trust=only_wrong, revoked=()).reason_code == "signature_invalid"


def test_two_stored_keys_with_one_kid_are_both_tried(db, signer):
    impostor = _signer()[1].public_bytes(Encoding.DER)
    for der in (impostor, signer[1].public_bytes(Encoding.DER)):
        SignerKey.objects.create(
            kid=base64.b64encode(_kid(signer[1])).decode(),
            certificate=der,
            private_key=b"not used: the trust list reads certificates only",
            not_before=NOW - dt.timedelta(days=1),
            not_after=NOW + dt.timedelta(days=1),
        )
    assert verify(_hc1(signer), at=NOW, revoked=()).valid
    SignerKey.objects.exclude(certificate=impostor).delete()
    assert verify(_hc1(signer), at=NOW, revoked=()).reason_code == "signature_invalid"


def test_an_expired_certificate_is_refused(signer):
    text = _hc1(signer, issued_at=NOW - dt.timedelta(days=20), days=10)
    verdict = _verify(text, signer)
    assert (verdict.valid, verdict.reason_code, verdict.failures) == (
        False,
        "cwt_expired",
        ("cwt_expired",),
    )


def test_a_certificate_issued_after_the_time_asked_about_is_refused(signer):
    verdict = _verify(_hc1(signer, issued_at=NOW + dt.timedelta(hours=1)), signer)
    assert verdict.reason_code == "cwt_not_yet_valid"


def test_an_expired_signer_certificate_is_refused():
    expired = _signer(not_before=NOW - dt.timedelta(days=100), days=50)
    verdict = _verify(_hc1(expired), expired)
    assert (verdict.reason_code, verdict.failures) == ("signer_not_valid", ("signer_not_valid",))


def test_a_signer_for_tests_may_not_sign_a_vaccination():
    tests_only = _signer(types=("t",))
    assert _verify(_hc1(tests_only), tests_only).reason_code == "key_usage_invalid"
    every_type = _signer(types=("t", "v", "r"))
    assert _verify(_hc1(every_type), every_type).valid


def test_a_revoked_certificate_is_refused(signer):
    verdict = _verify(_hc1(signer), signer, revoked={uci_hash(UVCI)})
    assert (verdict.decoded, verdict.valid, verdict.reason_code) == (True, False, "revoked")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"dob": "12/04/1985"}, "schema_invalid"),
        ({"v": [dict(PAYLOAD["v"][0], dn=0)]}, "schema_invalid"),
        ({"v": [dict(PAYLOAD["v"][0], ma="ORG-99999999")]}, "value_set_invalid"),
        ({"v": [dict(PAYLOAD["v"][0], co="XX")]}, "value_set_invalid"),
    ],
)
def test_content_outside_the_schema_or_the_value_sets_is_refused(signer, change, reason):
    verdict = _verify(_hc1(signer, payload=PAYLOAD | change), signer)
    assert (verdict.decoded, verdict.reason_code) == (True, reason)


@pytest.mark.parametrize(
    "wrap", [lambda sign1: sign1, lambda sign1: cbor2.CBORTag(61, cbor2.CBORTag(18, sign1))]
)
def test_untagged_and_cwt_tagged_messages_are_read(signer, wrap):
    sign1 = _sign_raw(signer[0], {1: -7, 4: _kid(signer[1])}, {}, _claims())
    assert _verify(hcert.hc1_encode(cbor2.dumps(wrap(sign1))), signer).valid


def test_the_kid_may_be_in_the_unprotected_header(signer):
    sign1 = _sign_raw(signer[0], {1: -7}, {4: _kid(signer[1])}, _claims())
    assert _verify(hcert.hc1_encode(cbor2.dumps(cbor2.CBORTag(18, sign1))), signer).valid


def test_an_algorithm_other_than_es256_and_ps256_is_refused(signer):
    sign1 = _sign_raw(signer[0], {1: -8, 4: _kid(signer[1])}, {}, _claims())
    verdict = _verify(hcert.hc1_encode(cbor2.dumps(cbor2.CBORTag(18, sign1))), signer)
    assert verdict.reason_code == "algorithm_unsupported"


def test_a_compression_bomb_is_refused(signer):
    bomb = hcert.PREFIX + b45encode(zlib.compress(b"\0" * 4_000_000, 9))
    assert len(bomb) < hcert.MAX_TEXT
    assert _verify(bomb, signer).reason_code == "zlib_invalid"


def test_a_huge_text_is_refused_at_once(signer):
    assert _verify("HC1:" + "A" * 1_000_000, signer).reason_code == "too_large"


# Any text at all gets a clean refusal.

_cbor_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.binary(max_size=40),
)
_cbor_value = st.recursive(
    _cbor_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.integers(-300, 300), st.text(max_size=5)), inner, max_size=5),
        st.builds(cbor2.CBORTag, st.sampled_from([18, 61, 1, 0, 24, 55799]), inner),
    ),
    max_leaves=20,
)


def _packed(data: bytes) -> str:
    return hcert.PREFIX + b45encode(zlib.compress(data))


@st.composite
def _mutated(draw, text):
    """The text of a real certificate, cut short or with characters changed or inserted."""
    i = draw(st.integers(0, len(text) - 1))
    how = draw(st.sampled_from(["cut", "replace", "insert"]))
    if how == "cut":
        return text[:i]
    char = draw(st.characters(codec="utf-8").filter(lambda c: c != text[i]))
    return text[:i] + char + text[i + (how == "replace") :]


_SIGNER = _signer()
_TEXT = _hc1(_SIGNER)
_SIGN1_SHAPES = st.lists(_cbor_value, min_size=0, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=200),
        st.text(max_size=200).map(lambda t: hcert.PREFIX + t),
        st.binary(max_size=300).map(lambda b: hcert.PREFIX + b45encode(b)),
        st.binary(max_size=300).map(_packed),
        _cbor_value.map(lambda v: _packed(cbor2.dumps(v))),
        _SIGN1_SHAPES.map(lambda v: _packed(cbor2.dumps(cbor2.CBORTag(18, v)))),
        _cbor_value.map(
            lambda claims: _packed(
                cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, cbor2.dumps(claims), b""]))
            )
        ),
        _mutated(_TEXT),
    )
)
def test_any_text_gets_a_clean_refusal(text):
    verdict = verify(text, at=NOW, trust=trust_of([_SIGNER[1]]), revoked=())
    assert verdict.valid is False
    assert verdict.reason_code != "valid"
    assert isinstance(verdict.reason, str)
    assert verdict.reason
