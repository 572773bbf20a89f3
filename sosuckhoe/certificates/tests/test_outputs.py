"""The QR code and the printed card of a certificate: the QR reads back as the certificate's
text at error correction Q, and the card's text, Vietnamese letters included, reads back."""

import io
import xml.etree.ElementTree as ET

import pypdf
import zxingcpp
from PIL import Image
from reportlab.lib.pagesizes import A4, A6

from sosuckhoe.certificates.outputs import card_pdf, cards_pdf, qr_code, qr_png, qr_svg
from sosuckhoe.certificates.selectors import cards_unscoped
from sosuckhoe.certificates.services import certificate_issue
from sosuckhoe.certificates.tests.conftest import SYSTEM
from sosuckhoe.testing.factories import PersonFactory


def _pdf_text(content: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_png_qr_code_reads_back_as_the_certificate_text_at_error_correction_q(
    vaccinated, signer
):
    certificate = certificate_issue(actor=SYSTEM, person=vaccinated)
    image = Image.open(io.BytesIO(qr_png(certificate.hc1)))
    (found,) = zxingcpp.read_barcodes(image)
    assert found.text == certificate.hc1
    assert found.ec_level == "Q"


def test_the_qr_code_keeps_level_q_even_when_a_higher_level_would_fit(vaccinated, signer):
    certificate = certificate_issue(actor=SYSTEM, person=vaccinated)
    code = qr_code(certificate.hc1)
    assert code.error == "Q"
    # Base45 is QR's alphanumeric alphabet: the code is as small as the text allows.
    assert code.mode == "alphanumeric"


def test_the_svg_qr_code_is_the_symbol_with_its_quiet_zone(vaccinated, signer):
    certificate = certificate_issue(actor=SYSTEM, person=vaccinated)
    svg = ET.fromstring(qr_svg(certificate.hc1, scale=3))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    size = 3 * (len(qr_code(certificate.hc1).matrix) + 8)  # four modules of quiet zone a side
    assert (svg.get("width"), svg.get("height")) == (str(size), str(size))
    assert svg.find("{http://www.w3.org/2000/svg}path") is not None


def test_the_card_reads_back_with_the_holders_name_in_vietnamese_letters(cast, give, signer):
    person = PersonFactory(home_unit=cast.units.commune_a, full_name="Nguyễn Thị Ánh Đào")
    give(person, 300)
    give(person, 250)
    certificate = certificate_issue(actor=SYSTEM, person=person)
    reader, text = _pdf_text(card_pdf(cards_unscoped([certificate])[0]))
    assert len(reader.pages) == 1
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [
        round(A6[0]),
        round(A6[1]),
    ]
    assert "Nguyễn Thị Ánh Đào" in text
    assert certificate.uvci in text
    assert person.birth_display in text
    first, second = person.doses.order_by("given_at")
    for dose in (first, second):
        assert dose.given_on.strftime("%d/%m/%Y") in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("NotoSans" in str(font.get_object()["/BaseFont"]) for font in fonts.values())


def test_a_card_shows_the_doses_its_certificate_covers_and_no_later_one(vaccinated, give, signer):
    before = certificate_issue(actor=SYSTEM, person=vaccinated)
    give(vaccinated, 10, key="spikevax")
    after = certificate_issue(actor=SYSTEM, person=vaccinated)
    old, new = cards_unscoped([before, after])
    assert [dose.number for dose in old.doses] == [1, 2]
    assert [(dose.number, dose.kind) for dose in new.doses][-1] == (3, "booster")
    assert old.full_name == new.full_name == vaccinated.full_name


def test_a_batch_prints_four_cards_to_an_a4_sheet(cast, give, signer):
    names = [f"Lương Văn Đức {n}" for n in range(5)]
    certificates = []
    for name in names:
        person = PersonFactory(home_unit=cast.units.commune_a, full_name=name)
        give(person, 200)
        certificates.append(certificate_issue(actor=SYSTEM, person=person))
    reader, text = _pdf_text(cards_pdf(cards_unscoped(certificates), title="Buổi tiêm"))
    assert len(reader.pages) == 2
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [
        round(A4[0]),
        round(A4[1]),
    ]
    for name in names:
        assert name in text
