"""A person's certificate in the console: shown with its QR, downloaded as PNG, SVG and PDF
within the reader's unit only and audited, issued by a button; a session's cards in one PDF."""

import io

import pypdf
import pytest
from django.urls import reverse

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.certificates.models import Certificate, RevokeReason, SignerKey
from sosuckhoe.certificates.services import certificate_revoke
from sosuckhoe.console.tests.matrix.certificates import certificate_day
from sosuckhoe.console.tests.vaccination_day import SYSTEM


@pytest.fixture
def day(cast):
    return certificate_day(cast)


def _download(certificate: Certificate, kind: str) -> str:
    return reverse("console:certificate_download", args=[certificate.uuid, kind])


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_person_page_shows_the_current_certificate_with_its_qr_and_downloads(cast, day):
    person = day.certificate.person
    page = cast.client_for("commune").get(reverse("console:person", args=[person.uuid]))
    html = page.content.decode()
    assert day.certificate.uvci in html
    assert "<svg" in html
    for kind in ("qr.png", "qr.svg", "card.pdf"):
        assert _download(day.certificate, kind) in html
    assert reverse("console:certificate_issue", args=[person.uuid]) not in html


@pytest.mark.parametrize(
    ("kind", "content_type", "start"),
    [
        ("qr.png", "image/png", b"\x89PNG"),
        ("qr.svg", "image/svg+xml", b"<?xml"),
        ("card.pdf", "application/pdf", b"%PDF"),
    ],
)
def test_each_download_has_its_type_and_is_not_cached(cast, day, kind, content_type, start):
    response = cast.client_for("site_staff").get(_download(day.certificate, kind))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(start)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_card_downloaded_carries_the_holders_name_with_its_diacritics(cast, day):
    response = cast.client_for("commune").get(_download(day.certificate, "card.pdf"))
    assert "Đặng Thị Ánh Tuyết" in _pdf_text(response.content)


def test_a_download_is_audited_as_a_read_of_the_persons_data(cast, day):
    cast.client_for("commune").get(_download(day.certificate, "qr.png"))
    event = AuditEvent.objects.get(object_uuid=day.certificate.uuid, actor=cast.users["commune"])
    assert event.action == "view"
    assert event.changes == {"person": str(day.certificate.person.uuid), "purpose": "qr.png"}
    assert event.scope_path == day.certificate.person.home_unit.path


def test_a_certificate_of_another_communes_person_is_not_found_and_nothing_is_audited(cast, day):
    client = cast.client_for("commune_other")
    for kind in ("qr.png", "card.pdf"):
        assert client.get(_download(day.certificate, kind)).status_code == 404
    assert not AuditEvent.objects.filter(actor=cast.users["commune_other"]).exists()


def test_an_unknown_download_kind_is_not_found(cast, day):
    response = cast.client_for("commune").get(_download(day.certificate, "card.docx"))
    assert response.status_code == 404


def test_a_revoked_certificate_is_listed_in_the_history_and_no_longer_downloaded(cast, day):
    certificate_revoke(actor=SYSTEM, certificate=day.certificate, reason=RevokeReason.ERROR)
    client = cast.client_for("commune")
    assert client.get(_download(day.certificate, "card.pdf")).status_code == 404
    page = client.get(reverse("console:person", args=[day.certificate.person.uuid]))
    html = page.content.decode()
    assert day.certificate.uvci in html
    assert str(RevokeReason.ERROR.label) in html
    assert reverse("console:certificate_issue", args=[day.certificate.person.uuid]) in html


def test_the_issue_button_issues_the_certificate_of_a_vaccinated_person(cast, day):
    person, client = day.uncertified, cast.client_for("commune")
    page = client.get(reverse("console:person", args=[person.uuid])).content.decode()
    assert reverse("console:certificate_issue", args=[person.uuid]) in page
    response = client.post(reverse("console:certificate_issue", args=[person.uuid]), follow=True)
    certificate = Certificate.objects.current().get(person=person)
    assert certificate.uvci in response.content.decode()


def test_issuing_without_a_valid_signer_key_shows_the_services_reason(cast, day):
    SignerKey.objects.update(is_active=False)
    url = reverse("console:certificate_issue", args=[day.uncertified.uuid])
    response = cast.client_for("commune").post(url, follow=True)
    assert not Certificate.objects.filter(person=day.uncertified).exists()
    assert len(_messages(response)) == 1


def test_the_session_cards_print_the_readers_certified_persons_in_one_pdf(cast, day):
    url = reverse("console:session_cards", args=[day.session.uuid])
    commune = cast.client_for("commune").get(url)
    assert commune["Content-Type"] == "application/pdf"
    text = _pdf_text(commune.content)
    # The neighbour lives in commune B: commune A's officer does not see their record.
    assert "Đặng Thị Ánh Tuyết" in text
    assert "Phùng Văn Lộc" not in text
    text = _pdf_text(cast.client_for("province").get(url).content)
    assert "Đặng Thị Ánh Tuyết" in text
    assert "Phùng Văn Lộc" in text
    assert "Hồ Thị Chưa" not in text


def test_the_site_day_links_to_the_session_cards_and_the_issue_button(cast, day):
    site_day = reverse("console:site_day", args=[day.site.uuid])
    html = cast.client_for("commune").get(site_day).content.decode()
    assert reverse("console:session_cards", args=[day.session.uuid]) in html
    assert reverse("console:session_certificates_issue", args=[day.session.uuid]) in html


def test_issuing_the_missing_certificates_of_a_session_issues_each_once(cast, day):
    url = reverse("console:session_certificates_issue", args=[day.session.uuid])
    client = cast.client_for("commune")
    response = client.post(url, follow=True)
    assert Certificate.objects.current().filter(person=day.uncertified).count() == 1
    assert any("1" in message for message in _messages(response))
    client.post(url)
    assert Certificate.objects.filter(person=day.uncertified).count() == 1


def test_a_session_with_no_certificate_sends_back_to_the_site_day(cast, day):
    Certificate.objects.update(revoked_at=day.certificate.issued_at, revoke_reason="error")
    url = reverse("console:session_cards", args=[day.session.uuid])
    response = cast.client_for("commune").get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("console:site_day", args=[day.site.uuid]))
