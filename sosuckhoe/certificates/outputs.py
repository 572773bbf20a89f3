"""What a certificate is handed out as: its QR code (PNG, SVG) and a printable card (PDF, A6)
in Vietnamese and English, one card or a batch of cards four to an A4 sheet."""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import fontpkg
import segno
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from sosuckhoe.supply.models import DoseKind

# The EU DCC guidelines ask for error correction Q (25 % of the code may be lost). segno
# would raise it to H when that fits the same version: kept at Q, as verifiers expect.
QR_ERROR = "Q"

# Noto Sans (SIL OFL 1.1) from the fontpkg-noto-sans package: every Vietnamese letter with its
# tone mark, embedded (subset) in each PDF, so no font is needed on the machine that prints.
FONT = "NotoSans"
CARD_WIDTH, CARD_HEIGHT = A6
_MARGIN = 6 * mm
_QR_SIZE = 60 * mm
# Both languages on one card: the Vietnamese wording first, the English one after it.
_LANGUAGES = ("vi", "en")
_MAX_DOSES = 4  # the latest four have room above the QR (the QR itself names the latest only)

TITLE = gettext_lazy("Vaccination certificate")
NAME = gettext_lazy("Full name")
BIRTH = gettext_lazy("Date of birth")
DOSE = gettext_lazy("Dose")
DATE = gettext_lazy("Date")
VACCINE = gettext_lazy("Vaccine")
IDENTIFIER = gettext_lazy("Certificate identifier")
VALIDITY = gettext_lazy("Issued %(issued)s, valid until %(expires)s")


@dataclass(frozen=True)
class CardDose:
    number: int  # its place among the person's valid doses, as the certificate counts it
    given_on: dt.date
    vaccine: str
    kind: str


@dataclass(frozen=True)
class Card:
    """What a printed card says: the holder, the doses the certificate covers, its QR."""

    full_name: str
    birth: str
    doses: Sequence[CardDose]
    uvci: str
    hc1: str
    issued_at: dt.datetime
    expires_at: dt.datetime


def qr_code(text: str) -> segno.QRCode:
    return segno.make_qr(text, error=QR_ERROR, boost_error=False)


def qr_png(text: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    qr_code(text).save(out, kind="png", scale=scale)
    return out.getvalue()


def qr_svg(text: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    qr_code(text).save(out, kind="svg", scale=scale, xmldecl=True, title="EU DCC")
    return out.getvalue()


def qr_svg_inline(text: str, *, scale: int = 4) -> str:
    """The QR as an <svg> element for a page: no second request, no image to audit apart."""
    return qr_code(text).svg_inline(scale=scale, title="EU DCC")


@lru_cache(maxsize=1)
def pdf_font() -> str:
    """The name of Noto Sans in ReportLab, registered on first use: every PDF of ours (cards,
    reports) writes Vietnamese with it."""
    pdfmetrics.registerFont(TTFont(FONT, str(fontpkg.path("Noto Sans"))))
    return FONT


def card_pdf(card: Card) -> bytes:
    """One card on an A6 page, for card stock or to fold."""
    out = io.BytesIO()
    canvas = _canvas(out, A6, title=card.uvci)
    _draw_card(canvas, card)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def cards_pdf(cards: Sequence[Card], *, title: str) -> bytes:
    """Many cards four to an A4 sheet (an A4 sheet is exactly four A6), with cut lines: any
    office printer prints them, where A6 stock is rare at a commune station."""
    out = io.BytesIO()
    canvas = _canvas(out, A4, title=title)
    for start in range(0, len(cards), 4):
        for place, card in enumerate(cards[start : start + 4]):
            canvas.saveState()
            canvas.translate((place % 2) * CARD_WIDTH, (1 - place // 2) * CARD_HEIGHT)
            _draw_card(canvas, card)
            canvas.restoreState()
        _cut_lines(canvas)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _canvas(out: io.BytesIO, size: tuple[float, float], *, title: str) -> Canvas:
    canvas = Canvas(out, pagesize=size, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("sosuckhoe")
    return canvas


def _cut_lines(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeGray(0.7)
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 2)
    canvas.line(CARD_WIDTH, 0, CARD_WIDTH, A4[1])
    canvas.line(0, CARD_HEIGHT, A4[0], CARD_HEIGHT)
    canvas.restoreState()


def _label(message: object) -> str:
    """A label in Vietnamese and English: 'Họ và tên / Full name'."""
    texts = []
    for language in _LANGUAGES:
        with translation.override(language):
            texts.append(str(message))
    return " / ".join(dict.fromkeys(texts))


def _kind(kind: str) -> str:
    return _label(DoseKind(kind).label) if kind in DoseKind.values else kind


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _draw_card(canvas: Canvas, card: Card) -> None:
    """One card in the A6 box at the canvas's origin, from the top down."""
    font, left, right = pdf_font(), _MARGIN, CARD_WIDTH - _MARGIN
    top = CARD_HEIGHT - _MARGIN
    canvas.setFont(font, 11)
    canvas.drawCentredString(CARD_WIDTH / 2, top - 4 * mm, _label(TITLE))
    canvas.setFont(font, 7)
    canvas.drawString(left, top - 11 * mm, _label(NAME))
    canvas.setFont(font, 12)
    canvas.drawString(left, top - 16 * mm, card.full_name)
    canvas.setFont(font, 7)
    canvas.drawString(left, top - 21 * mm, f"{_label(BIRTH)}: {card.birth}")
    _draw_doses(canvas, card.doses, left=left, right=right, top=top - 27 * mm)
    # At the same place on every card, below the room of the longest dose table.
    _draw_qr(canvas, card.hc1, x=(CARD_WIDTH - _QR_SIZE) / 2, top=top - 58 * mm, size=_QR_SIZE)
    canvas.setFont(font, 6)
    bottom = _MARGIN
    canvas.drawCentredString(CARD_WIDTH / 2, bottom + 5 * mm, f"{_label(IDENTIFIER)}:")
    canvas.drawCentredString(CARD_WIDTH / 2, bottom + 2.5 * mm, card.uvci)
    dates = {"issued": _day(card.issued_at), "expires": _day(card.expires_at)}
    canvas.drawCentredString(CARD_WIDTH / 2, bottom, _label(VALIDITY) % dates)


def _draw_doses(
    canvas: Canvas, doses: Sequence[CardDose], *, left: float, right: float, top: float
) -> None:
    """The doses as a table, the latest ones when there are more than it has room for."""
    columns = (left, left + 14 * mm, left + 32 * mm)
    canvas.setFont(pdf_font(), 6.5)
    for x, heading in zip(columns, (DOSE, DATE, VACCINE), strict=True):
        # Vietnamese above English: "Mũi tiêm / Dose" would not fit a narrow column.
        for line, language in enumerate(_LANGUAGES):
            with translation.override(language):
                canvas.drawString(x, top + (1 - line) * 2.6 * mm, str(heading))
    canvas.setLineWidth(0.3)
    canvas.line(left, top - 1.2 * mm, right, top - 1.2 * mm)
    y = top - 4.5 * mm
    for dose in doses[-_MAX_DOSES:]:
        canvas.setFont(pdf_font(), 8)
        canvas.drawString(columns[0], y, str(dose.number))
        canvas.drawString(columns[1], y, dose.given_on.strftime("%d/%m/%Y"))
        canvas.drawString(columns[2], y, dose.vaccine[:40])
        canvas.setFont(pdf_font(), 5.5)
        canvas.drawString(columns[2], y - 2.6 * mm, _kind(dose.kind))
        y -= 6 * mm


def _draw_qr(canvas: Canvas, text: str, *, x: float, top: float, size: float) -> None:
    """The QR drawn as vector squares, sharp at any printer's resolution; one path, filled
    once, with each row's dark runs as rectangles."""
    matrix = qr_code(text).matrix
    # The quiet zone (4 modules) is part of the square, as the QR standard asks.
    count = len(matrix) + 8
    module = size / count
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        y = top - (row + 5) * module
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            start = column
            while column < len(cells) and cells[column]:
                column += 1
            path.rect(x + (start + 4) * module, y, (column - start) * module, module)
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
