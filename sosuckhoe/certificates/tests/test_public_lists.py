import base64
import hashlib

from django.urls import reverse

from sosuckhoe.certificates.services import certificate_issue, certificate_revoke, signer_create
from sosuckhoe.certificates.tests.conftest import SYSTEM


def test_the_trust_list_publishes_every_signer_by_kid_without_sign_in(client, signer):
    newer = signer_create(actor=SYSTEM)
    response = client.get(reverse("certificates:trust_list"))
    assert response.status_code == 200
    listed = {entry["kid"]: entry for entry in response.json()["certificates"]}
    assert set(listed) == {signer.kid, newer.kid}
    for key in (signer, newer):
        der = base64.b64decode(listed[key.kid]["certificate"])
        assert der == bytes(key.certificate)
        assert base64.b64encode(hashlib.sha256(der).digest()[:8]).decode() == key.kid
    assert (listed[signer.kid]["active"], listed[newer.kid]["active"]) == (False, True)
    assert "private" not in response.content.decode().lower()


def test_the_lists_carry_caching_headers_and_answer_304_when_unchanged(client, signer):
    for name in ("certificates:trust_list", "certificates:revocations"):
        response = client.get(reverse(name))
        assert "public" in response["Cache-Control"]
        assert "max-age=" in response["Cache-Control"]
        again = client.get(reverse(name), headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304


def test_the_etag_changes_with_the_list(client, cast, signer, vaccinated):
    url = reverse("certificates:revocations")
    before = client.get(url)
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    certificate_revoke(actor=cast.actor("commune"), certificate=certificate, reason="error")
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    digest = base64.b64encode(hashlib.sha256(certificate.uvci.encode()).digest()[:16]).decode()
    assert after.json() == {
        "batches": [{"kid": signer.kid, "hashType": "UCI", "entries": [{"hash": digest}]}]
    }


def test_the_lists_take_no_post(client, signer):
    assert client.post(reverse("certificates:trust_list")).status_code == 405
