import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sosuckhoe.certificates.base45 import b45decode, b45encode

VECTORS = sorted((Path(__file__).parent / "data" / "eu-dcc").glob("*.json"))


@pytest.mark.parametrize(
    ("data", "text"),
    # RFC 9285, sections 4.3 and 4.4.
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        # The largest and smallest groups, whole and as the last byte alone.
        (b"\xff\xff\x00\x00\xff", "FGW000U5"),
        (b"", ""),
    ],
)
def test_the_examples_of_rfc_9285(data, text):
    assert b45encode(data) == text
    assert b45decode(text) == data


def test_the_texts_of_the_eu_test_vectors():
    checked = 0
    for path in VECTORS:
        case = json.loads(path.read_text())
        if case["EXPECTEDRESULTS"].get("EXPECTEDB45DECODE") and "COMPRESSED" in case:
            assert b45decode(case["BASE45"]) == bytes.fromhex(case["COMPRESSED"]), path.stem
            assert b45encode(bytes.fromhex(case["COMPRESSED"])) == case["BASE45"], path.stem
            checked += 1
    assert checked > 10


@given(st.binary(max_size=600))
def test_what_is_encoded_decodes_back(data):
    assert b45decode(b45encode(data)) == data


@pytest.mark.parametrize("text", ["A", "GGW", ":::", "ZZ", "aa", "Đ12", "AB\n"])
def test_what_is_not_base45_is_refused(text):
    with pytest.raises(ValueError, match="Base45"):
        b45decode(text)
