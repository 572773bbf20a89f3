"""The COSE structures hcert frames by hand are byte for byte what cbor2 encodes."""

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from sosuckhoe.certificates import hcert


@pytest.mark.parametrize("size", [0, 1, 23, 24, 255, 256, 65_535, 65_536])
def test_a_byte_string_has_cbor2s_head_at_every_length_boundary(size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert hcert.cbor_bytes(data) == cbor2.dumps(data)


@given(protected=st.binary(max_size=40), payload=st.binary(max_size=600))
def test_the_sig_structure_is_the_cbor_array_of_rfc_9052(protected, payload):
    cose = hcert.CoseSign1(protected, {}, {}, payload, b"")
    assert cose.to_be_signed() == cbor2.dumps(["Signature1", protected, b"", payload])


@given(claims=st.binary(max_size=600), kid=st.binary(min_size=8, max_size=8))
def test_a_signed_message_is_cbor2s_tagged_cose_sign1_and_parses_back(claims, kid):
    key = ec.generate_private_key(ec.SECP256R1())
    message = hcert.cose_sign(claims, key=key, kid=kid)
    tagged = cbor2.loads(message)
    protected, unprotected, payload, signature = tagged.value
    assert tagged.tag == hcert.COSE_SIGN1_TAG
    assert message == cbor2.dumps(cbor2.CBORTag(18, [protected, {}, claims, signature]))
    assert cbor2.loads(protected) == {hcert.HEADER_ALG: hcert.ES256, hcert.HEADER_KID: kid}
    assert (unprotected, payload, len(signature)) == ({}, claims, 64)
    parsed = hcert.cose_parse(message)
    assert (parsed.payload, parsed.signature, parsed.header(hcert.HEADER_KID)) == (
        claims,
        signature,
        kid,
    )
