"""The public verifier page: no sign-in, no inline code, its worker in its folder; in Chromium
it reads a QR picture of an issued certificate with the network cut and shows the holder and
the doses, and a tampered text with the reason it fails."""

import json
import re

import cbor2
import pytest
import segno
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import BrowserContext, Page, expect

from sosuckhoe.certificates import hcert
from sosuckhoe.certificates.services import certificate_issue
from sosuckhoe.certificates.verifier import REASONS, verify
from sosuckhoe.console.tests.conftest import (  # noqa: F401  (fixtures)
    browser,
    browser_context,
    page,
)


def _vi(code: str) -> str:
    with translation.override("vi"):
        return str(REASONS[code])


def _tampered(hc1: str) -> str:
    """The certificate with its dose number changed and the signature left as it was."""
    cose = list(cbor2.loads(hcert.inflate(hcert.base45_decode(hc1.removeprefix("HC1:")))).value)
    claims = cbor2.loads(cose[2])
    claims[hcert.CLAIM_HCERT][1]["v"][0]["dn"] = 3
    cose[2] = cbor2.dumps(claims)
    return hcert.hc1_encode(cbor2.dumps(cbor2.CBORTag(hcert.COSE_SIGN1_TAG, cose)))


def test_the_verifier_page_is_public_with_its_reasons_in_vietnamese_and_no_inline_code(client, db):
    response = client.get(reverse("verifier"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html
    assert "<style" not in html
    data = re.search(r'<script id="verifier-data" type="application/json">(.*?)</script>', html)
    assert data is not None
    assert json.loads(data.group(1))["reasons"]["signature_invalid"] == _vi("signature_invalid")


def test_the_worker_is_served_beside_the_page_and_keeps_its_files_and_the_lists(client, db):
    response = client.get(reverse("verifier_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    for url in (reverse("verifier"), reverse("certificates:trust_list"), "jsQR.js", "verifier.js"):
        assert url in body
    assert reverse("verifier_worker").startswith(reverse("verifier"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_verifier_reads_a_qr_picture_offline_and_shows_the_holder_and_the_doses(
    page: Page,  # noqa: F811
    browser_context: BrowserContext,  # noqa: F811
    live_server,
    cast,
    signer,
    vaccinated,
    tmp_path,
) -> None:
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    picture = tmp_path / "certificate.png"
    segno.make(certificate.hc1, error="q").save(picture, scale=4, border=4)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + reverse("verifier"))
    expect(page.locator("body[data-verifier=ready]")).to_be_attached()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    browser_context.set_offline(True)

    page.set_input_files("#picture", picture)  # no BarcodeDetector on Linux: jsQR reads it
    expect(page.locator("#verdict.valid")).to_be_visible()
    expect(page.locator("#reason")).to_have_text(_vi("valid"))
    expect(page.locator("#name")).to_have_text(vaccinated.full_name)
    expect(page.locator("#dob")).to_have_text("1985-04-12")
    expect(page.locator("#dose")).to_contain_text("2")
    expect(page.locator("#vaccine")).to_have_text("Comirnaty")
    expect(page.locator("#uvci")).to_have_text(certificate.uvci)

    page.fill("#text", _tampered(certificate.hc1))
    page.locator("#paste button").click()
    expect(page.locator("#verdict.invalid")).to_be_visible()
    expect(page.locator("#reason")).to_have_text(_vi("signature_invalid"))
    expect(page.locator("#name")).to_have_text(vaccinated.full_name)  # decoded all the same

    # The browser names the step the server's verifier names.
    body = certificate.hc1.removeprefix("HC1:")
    for text in ("HC1:" + body[: len(body) // 3 * 3 - 6], body, "HC1:" + body + "*"):
        page.fill("#text", text)
        page.locator("#paste button").click()
        code = verify(text, at=timezone.now()).reason_code
        expect(page.locator("#verdict")).to_have_attribute("data-reason", code)

    # Opened again without a network: the worker serves the page and the lists it kept.
    page.reload()
    expect(page.locator("body[data-verifier=ready]")).to_be_attached()
    page.fill("#text", certificate.hc1)
    page.locator("#paste button").click()
    expect(page.locator("#verdict.valid")).to_be_visible()
    assert errors == []
