"""Certificates through the API: issue and fetch a person's, scoped and audited; verify any
text, never with a 500."""

import cbor2
import pytest
from django.urls import reverse
from django.utils import translation

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.api.tests.world import SYSTEM
from sosuckhoe.certificates import hcert
from sosuckhoe.certificates.models import Certificate
from sosuckhoe.certificates.services import signer_create
from sosuckhoe.certificates.verifier import REASONS


@pytest.fixture
def signer(db):
    return signer_create(actor=SYSTEM)


def _url(person):
    return reverse("api:person_certificate", args=[person.uuid])


def _verify(client, **body):
    return client.post(reverse("api:certificate_verify"), body, format="json")


def _tampered(hc1: str) -> str:
    """The certificate with its dose number changed and the signature left as it was."""
    cose = list(cbor2.loads(hcert.inflate(hcert.base45_decode(hc1.removeprefix("HC1:")))).value)
    claims = cbor2.loads(cose[2])
    claims[hcert.CLAIM_HCERT][1]["v"][0]["dn"] = 3
    cose[2] = cbor2.dumps(claims)
    return hcert.hc1_encode(cbor2.dumps(cbor2.CBORTag(hcert.COSE_SIGN1_TAG, cose)))


def test_staff_of_the_unit_issue_a_certificate_and_get_it_back(cast, world, signer, api_for):
    client, person = api_for("commune"), cast.own_person
    assert client.get(_url(person)).status_code == 404  # none issued yet
    issued = client.post(_url(person))
    assert issued.status_code == 201
    body = issued.json()
    certificate = Certificate.objects.get(uuid=body["uuid"])
    assert body["hc1"] == certificate.hc1
    assert body["hc1"].startswith("HC1:")
    assert (body["uvci"], body["person"], body["status"]) == (
        certificate.uvci,
        str(person.uuid),
        "valid",
    )
    assert AuditEvent.objects.filter(
        object_type="certificate", object_uuid=certificate.uuid, action=AuditAction.CREATE
    ).exists()

    again = client.post(_url(person))  # the doses have not changed: the same certificate
    assert (again.status_code, again.json()["uuid"]) == (200, body["uuid"])
    viewed = AuditEvent.objects.filter(object_uuid=person.uuid, action=AuditAction.VIEW).count()
    fetched = client.get(_url(person))
    assert fetched.json() == body
    assert (
        AuditEvent.objects.filter(object_uuid=person.uuid, action=AuditAction.VIEW).count()
        == viewed + 1
    )


def test_a_person_of_another_unit_is_not_found_and_gets_no_certificate(
    cast, world, signer, api_for
):
    client, person = api_for("commune_other"), cast.own_person
    assert client.post(_url(person)).status_code == 404
    assert client.get(_url(person)).status_code == 404
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(object_type="certificate").exists()


def test_a_person_without_a_valid_dose_is_refused_with_the_reason(cast, world, signer, api_for):
    answer = api_for("commune").post(_url(world.booker))
    assert (answer.status_code, answer.json()["code"]) == (400, "no_valid_dose")
    assert not Certificate.objects.exists()


def test_verify_says_valid_with_the_payload_to_any_member_of_staff(cast, world, signer, api_for):
    hc1 = api_for("commune").post(_url(cast.own_person)).json()["hc1"]
    answer = _verify(api_for("analyst"), text=hc1)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["decoded"], body["valid"], body["reason_code"]) == (True, True, "valid")
    with translation.override("vi"):
        assert body["reason"] == str(REASONS["valid"])
    assert body["payload"]["nam"]["fn"] == cast.own_person.full_name.split()[0]
    assert body["failures"] == []


def test_verify_names_the_failed_step_of_a_tampered_or_early_certificate(
    cast, world, signer, api_for
):
    client = api_for("commune")
    hc1 = client.post(_url(cast.own_person)).json()["hc1"]
    tampered = _verify(client, text=_tampered(hc1)).json()
    assert (tampered["decoded"], tampered["valid"]) == (True, False)
    assert tampered["reason_code"] == "signature_invalid"
    with translation.override("vi"):
        assert tampered["reason"] == str(REASONS["signature_invalid"])
    early = _verify(client, text=hc1, at="2000-01-01T00:00:00Z").json()
    assert early["valid"] is False
    assert early["failures"] == ["signer_not_valid", "cwt_not_yet_valid"]


@pytest.mark.parametrize(
    "text",
    ["", "hello", "HC1:", "HC1:!!!", "HC1:AB", "HC1:" + "A" * 9000, "HC1:ĐĐĐ", "HC1:0" * 3],
)
def test_verify_answers_any_text_with_a_verdict_never_an_error(world, api_for, text):
    answer = _verify(api_for("site_staff"), text=text)
    assert answer.status_code == 200
    assert answer.json()["valid"] is False
    assert answer.json()["reason_code"] in REASONS


def test_verify_refuses_a_malformed_request_and_an_unsigned_caller(world, api_for):
    assert _verify(api_for("commune"), at="yesterday", text="HC1:").status_code == 400
    assert _verify(api_for("commune")).status_code == 400
    assert _verify(api_for("anonymous"), text="HC1:").status_code == 401
