"""The verifier against the EU DCC test vectors (data/eu-dcc/README.md): every expected result
a case states about a step we judge must hold, and a case is valid exactly when all of them
are true."""

import base64
import json
from pathlib import Path

import cbor2
import pytest
from cryptography import x509

from sosuckhoe.certificates.hcert import plain
from sosuckhoe.certificates.verifier import instant_parse, trust_of, verify

CASES = sorted((Path(__file__).parent / "data" / "eu-dcc").glob("*.json"))
# The reason codes that mean each step failed.
STEP_FAILURES = {
    "EXPECTEDUNPREFIX": {"prefix_invalid"},
    "EXPECTEDB45DECODE": {"base45_invalid"},
    "EXPECTEDCOMPRESSION": {"zlib_invalid"},
    "EXPECTEDDECODE": {"cose_invalid", "cwt_invalid"},
    "EXPECTEDVERIFY": {"kid_unknown", "algorithm_unsupported", "signature_invalid"},
    "EXPECTEDKEYUSAGE": {"key_usage_invalid"},
    "EXPECTEDEXPIRATIONCHECK": {"cwt_expired", "cwt_not_yet_valid"},
    "EXPECTEDSCHEMAVALIDATION": {"schema_invalid", "value_set_invalid"},
}
# Steps a case may state that verify() does not judge, and why.
NOT_JUDGED = {
    # verify() takes the text of the code; reading the picture is the verifier page's part.
    "EXPECTEDPICTUREDECODE",
    # Generation-side checks of the test set: the JSON loads, JSON to CBOR round trip.
    "EXPECTEDVALIDOBJECT",
    "EXPECTEDENCODE",
}
# Cases whose signer certificate was not valid at the clock either: the step we check before
# the one the case names is the reason given; the case's own step is among the failures.
SIGNER_ALSO_EXPIRED = {"common_CO17", "PL-1.2.1_10"}


def _cbor_payload(case):
    """The case's CBOR: the payload, or (as some issuers gave it) the whole CWT claims; where
    a case has none, the claims signed in its COSE, or else its JSON."""
    if "CBOR" not in case and "COSE" not in case:
        return case["JSON"]
    if "CBOR" in case:
        decoded = cbor2.loads(bytes.fromhex(case["CBOR"]))
    else:
        decoded = cbor2.loads(cbor2.loads(bytes.fromhex(case["COSE"])).value[2])
    return plain(decoded[-260][1] if -260 in decoded else decoded)


def _verdict(case):
    context = case["TESTCTX"]
    der = context.get("CERTIFICATE")
    trust = trust_of([x509.load_der_x509_certificate(base64.b64decode(der))] if der else [])
    return verify(
        case["PREFIX"], at=instant_parse(context["VALIDATIONCLOCK"]), trust=trust, revoked=()
    )


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_the_verifier_agrees_with_each_expected_result(path):
    case = json.loads(path.read_text())
    expected = {k: v for k, v in case["EXPECTEDRESULTS"].items() if k not in NOT_JUDGED}
    verdict = _verdict(case)
    failed = set(verdict.failures) | ({verdict.reason_code} - {"valid"})
    for step, passes in expected.items():
        if step in STEP_FAILURES:
            assert bool(failed & STEP_FAILURES[step]) is not passes, (step, verdict)
    assert verdict.valid is all(expected.values()), verdict
    if not verdict.valid:
        named = {s for s, passes in expected.items() if not passes and s in STEP_FAILURES}
        reason = "signer_not_valid" if path.stem in SIGNER_ALSO_EXPIRED else None
        assert reason == verdict.reason_code or verdict.reason_code in set().union(
            *(STEP_FAILURES[s] for s in named)
        )
    if expected.get("EXPECTEDDECODE"):
        assert verdict.payload == _cbor_payload(case)
    if expected.get("EXPECTEDVALIDJSON"):
        assert verdict.payload == case["JSON"]


def test_every_case_states_a_step_that_is_judged():
    """No case is passed over silently: each says something verify() answers for."""
    for path in CASES:
        results = json.loads(path.read_text())["EXPECTEDRESULTS"]
        if path.stem == "common_Q1":  # only a damaged picture: not ours (NOT_JUDGED)
            assert set(results) - NOT_JUDGED <= set(STEP_FAILURES) | {"EXPECTEDVALIDJSON"}
            continue
        assert set(results) & (set(STEP_FAILURES) | {"EXPECTEDVALIDJSON"}), path.stem
