"""Every number of the daily, reaction and stock reports, on the page's sheet and in the .xlsx,
equals what the raw rows (doses, reactions, the stock ledger and balances) say, computed
here without the reports' code; the PDF carries the Vietnamese text; subscriptions send each
day once."""

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.models import ReportKind, ReportSubscription
from sosuckhoe.analytics.reports import (
    StockReport,
    daily_report,
    daily_sheet,
    reaction_report,
    reaction_sheet,
    sheet_pdf,
    sheet_xlsx,
    stock_report,
    stock_sheet,
)
from sosuckhoe.analytics.subscriptions import reports_send_due, subscription_create
from sosuckhoe.analytics.tasks import reports_send
from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind
from sosuckhoe.supply.models import Lot, MovementKind, StockBalance, StockMovement, StockReason
from sosuckhoe.supply.services import stock_transfer, stock_waste
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.generator import campaign_generate
from sosuckhoe.vaccination.models import Dose, Reaction
from sosuckhoe.vaccination.services.doses import dose_record
from sosuckhoe.vaccination.services.reactions import reaction_record

JOB = Actor.system("report-tests")


@pytest.fixture
def campaign(cast, reference, site, site_b):  # type: ignore[no-untyped-def]
    """Histories of adults in both communes of the province and in the other province,
    reactions on the busiest day, and today's stock moved: sent, wasted, used."""
    Facility.objects.create(
        name="Trạm Y tế Phường Ba Đình",
        kind=FacilityKind.COMMUNE_STATION,
        unit=cast.units.other_commune,
    )
    homes = (cast.units.commune_a, cast.units.commune_b, cast.units.other_commune)
    for i in range(60):
        PersonFactory(home_unit=homes[i % 3], birth_date=dt.date(1950 + i % 45, 3, 1))
    campaign_generate(actor=JOB, unit=cast.units.country, seed=11)
    day = busiest_day()
    for n, dose in enumerate(Dose.objects.valid().filter(given_on=day).order_by("pk")[:4]):
        terms = ["S1", "W7"] if n == 0 else ["C1"]
        reaction_record(
            actor=JOB, dose=dose, onset_at=dose.given_at, terms=terms, reporter_name="Y tá Hoa"
        )
    lot = todays_lot(site)
    stock_transfer(actor=JOB, source=site, destination=site_b, lot=lot, doses=12)
    stock_waste(actor=JOB, facility=site, lot=lot, doses=3, reason=StockReason.BROKEN)
    return day


def todays_lot(site: Facility) -> Lot:
    """The lot of Comirnaty the campaign put in stock at the site today."""
    on_hand = Lot.objects.filter(balances__facility=site, balances__doses__gt=0)
    return on_hand.get(product__key="comirnaty")


def busiest_day() -> dt.date:
    days = Counter(Dose.objects.valid().values_list("given_on", flat=True))
    return days.most_common(1)[0][0]


def _row_of(unit: AdminUnit, rows: list[AdminUnit], commune: AdminUnit) -> AdminUnit | None:
    return next((row for row in rows if commune.path.startswith(row.path)), None)


def daily_truth(unit: AdminUnit, rows: list[AdminUnit], day: dt.date) -> dict[str, Counter]:
    """Valid doses up to the day per (row, product, kind, number), and on the day."""
    truth: dict[str, Counter] = {"day": Counter(), "cumulative": Counter()}
    for dose in Dose.objects.filter(voided_at__isnull=True).select_related("person__home_unit"):
        row = _row_of(unit, rows, dose.person.home_unit)
        if row is None or dose.given_on > day:
            continue
        key = (row.pk, dose.product_id, dose.kind, dose.number)
        truth["cumulative"][key] += 1
        if dose.given_on == day:
            truth["day"][key] += 1
    return truth


def _kept(counts: dict[Any, int]) -> dict[Any, int]:
    return {key: n for key, n in counts.items() if n}


def _xlsx_rows(content: bytes, sheet_width: int, body: int) -> list[list[Any]]:
    """The body and total rows of a report's workbook, as written."""
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return [["" if v is None else v for v in r[:sheet_width]] for r in rows[-(body + 1) :]]


def test_the_daily_report_equals_the_doses_by_unit_product_and_dose(cast, campaign):
    province, day = cast.units.province, campaign
    report = daily_report(unit=province, day=day)
    rows = [cast.units.commune_a, cast.units.commune_b]
    assert [line.unit for line in report.rows] == rows
    truth = daily_truth(province, rows, day)
    for name in ("day", "cumulative"):
        kept = {
            (line.unit.pk, *key): n
            for line in report.rows
            for key, n in getattr(line, name).items()
        }
        assert _kept(kept) == dict(truth[name]), name
        total = Counter()
        for (_row, *key), n in truth[name].items():
            total[tuple(key)] += n
        assert _kept(getattr(report.total, name)) == dict(total)
    assert truth["day"]
    assert truth["cumulative"]
    # The sheet (the page and the PDF) and the workbook carry the same numbers.
    sheet = daily_sheet(report)
    for n, (line, body) in enumerate(zip(report.rows, sheet.body, strict=True), 1):
        expected = [
            truth[name][(line.unit.pk, c.product.pk, c.kind, c.number)]
            for c in report.columns
            for name in ("day", "cumulative")
        ]
        assert body == [n, line.unit.name, *expected]
    assert _xlsx_rows(sheet_xlsx(sheet), sheet.width, len(sheet.body)) == [
        *sheet.body,
        sheet.total,
    ]


def test_the_daily_report_of_a_province_leaves_out_the_other_province(cast, campaign):
    ours = daily_report(unit=cast.units.province, day=campaign).total.cumulative
    theirs = daily_report(unit=cast.units.other_province, day=campaign).total.cumulative
    everyone = Counter(
        (d.product_id, d.kind, d.number)
        for d in Dose.objects.valid().filter(
            given_on__lte=campaign, person__home_unit__path__startswith=cast.units.country.path
        )
    )
    assert sum(theirs.values()) > 0
    assert Counter(ours) + Counter(theirs) == everyone


def reaction_truth(unit: AdminUnit, day: dt.date) -> tuple[Counter, Counter]:
    on_day, cumulative = Counter(), Counter()
    for reaction in Reaction.objects.select_related("dose__person__home_unit"):
        dose = reaction.dose
        if not dose.person.home_unit.path.startswith(unit.path) or dose.given_on > day:
            continue
        for term in reaction.terms.all():
            key = (dose.product_id, dose.lot_id, term.pk, reaction.serious)
            cumulative[key] += 1
            if dose.given_on == day:
                on_day[key] += 1
    return on_day, cumulative


def test_the_reaction_report_equals_the_reactions_by_product_lot_sign_and_seriousness(
    cast, campaign
):
    report = reaction_report(unit=cast.units.province, day=campaign)
    on_day, cumulative = reaction_truth(cast.units.province, campaign)
    keys = [(r.product.pk, r.lot.pk, r.term.pk, r.serious) for r in report.lines]
    assert {k: r.day for k, r in zip(keys, report.lines, strict=True) if r.day} == dict(on_day)
    assert {k: r.cumulative for k, r in zip(keys, report.lines, strict=True)} == dict(cumulative)
    assert any(serious for *_k, serious in on_day)
    sheet = reaction_sheet(report)
    assert sheet.total[-2:] == [on_day.total(), cumulative.total()]
    assert _xlsx_rows(sheet_xlsx(sheet), sheet.width, len(sheet.body)) == [
        *sheet.body,
        sheet.total,
    ]


def test_the_stock_report_equals_the_balances_and_the_days_movements(cast, campaign, today):
    province = cast.units.province
    report = stock_report(unit=province, day=today)
    in_province = {"facility__unit__path__startswith": province.path}
    balances = Counter()
    for lot_id, doses in StockBalance.objects.filter(**in_province).values_list("lot_id", "doses"):
        balances[lot_id] += doses
    assert {line.lot.pk: line.closing for line in report.lines} == _kept(balances)
    today_lines = StockMovement.objects.filter(on=today, **in_province)
    received = Counter()
    for movement in today_lines.filter(kind__in=(MovementKind.RECEIPT, MovementKind.TRANSFER_IN)):
        received[movement.lot_id] += movement.doses
    assert {line.lot.pk: line.moved["received"] for line in report.lines} == dict(received)
    sent = {line.lot.pk: -line.moved["sent"] for line in report.lines if line.moved["sent"]}
    wasted = {line.lot.pk: -line.moved["wasted"] for line in report.lines if line.moved["wasted"]}
    lot = todays_lot(Facility.objects.get(name="Trạm Y tế Phường Nam Định"))
    assert sent == {lot.pk: 12}
    assert wasted == {lot.pk: 3}
    # Tomorrow opens with what today closed on, and nothing moved.
    tomorrow = stock_report(unit=province, day=today + dt.timedelta(days=1))
    assert {line.lot.pk: line.opening for line in tomorrow.lines} == _kept(balances)
    assert all(not any(line.moved.values()) for line in tomorrow.lines)
    sheet = stock_sheet(report)
    assert _xlsx_rows(sheet_xlsx(sheet), sheet.width, len(sheet.body)) == [
        *sheet.body,
        sheet.total,
    ]


def _used(report: StockReport) -> dict[int, int]:
    return {line.lot.pk: line.moved["used"] for line in report.lines}


def test_a_dose_given_from_stock_today_counts_as_used(cast, campaign, site, screened, today):
    person = PersonFactory(home_unit=cast.units.commune_a, birth_date=dt.date(1990, 5, 5))
    screened(person)
    lot = todays_lot(site)
    before = {
        line.lot.pk: line.moved["used"] for line in stock_report(unit=site.unit, day=today).lines
    }
    dose_record(actor=JOB, person=person, product=lot.product, lot=lot, site=site)
    after = {
        line.lot.pk: line.moved["used"] for line in stock_report(unit=site.unit, day=today).lines
    }
    assert after[lot.pk] == before.get(lot.pk, 0) - 1


def test_the_pdf_embeds_the_font_and_its_vietnamese_text_reads_back(cast, campaign):
    pdf = sheet_pdf(daily_sheet(daily_report(unit=cast.units.province, day=campaign)))
    assert b"NotoSans" in pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Phường Nam Định" in text
    assert "Xã Gia Viễn" in text
    assert "mũi cơ bản 1" in text


def test_a_subscription_sends_yesterdays_report_once_with_both_files(cast, campaign, settings):
    settings.REPORT_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    subscription_create(
        actor=cast.actor("province"),
        kind=ReportKind.DAILY,
        unit=cast.units.province,
        recipients="so-yte@ninhbinh.gov.vn\nTTKSBT@ninhbinh.gov.vn",
    )
    assert reports_send_due(day=campaign) == 1
    assert reports_send_due(day=campaign) == 0  # the day is sent: a second run sends nothing
    (message,) = mail.outbox
    assert message.to == ["so-yte@ninhbinh.gov.vn", "ttksbt@ninhbinh.gov.vn"]
    assert "Ninh Bình" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == [f"daily-37-{campaign:%Y%m%d}.xlsx", f"daily-37-{campaign:%Y%m%d}.pdf"]
    assert ReportSubscription.objects.get().last_sent_on == campaign


def test_a_subscription_outside_the_officers_unit_is_refused(cast, reference):
    with pytest.raises(ValidationError) as refused:
        subscription_create(
            actor=cast.actor("province_other"),
            kind=ReportKind.STOCK,
            unit=cast.units.province,
            recipients="a@b.vn",
        )
    assert refused.value.code == "outside_scope"
    assert not ReportSubscription.objects.exists()


def test_the_download_is_the_picked_units_report_of_the_day(cast, campaign):
    client = cast.client_for("commune")
    url = reverse("console:report_download", args=["daily", "xlsx"])
    response = client.get(url, {"day": campaign.isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'daily-13669-{campaign:%Y%m%d}.xlsx"')
    sheet = daily_sheet(daily_report(unit=cast.units.commune_a, day=campaign))
    assert _xlsx_rows(response.content, sheet.width, len(sheet.body)) == [*sheet.body, sheet.total]
    assert client.get(url, {"unit": "14464"}).status_code == 404  # commune B is not theirs


def test_the_command_and_the_beat_task_send_the_due_reports(cast, campaign, settings):
    settings.REPORT_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    subscription_create(actor=cast.actor("commune"), kind=ReportKind.STOCK,
                        unit=cast.units.commune_a, recipients="tram@namdinh.vn")  # fmt: skip
    out = io.StringIO()
    call_command("report_send", day=campaign.isoformat(), stdout=out)
    assert out.getvalue().strip() == "1 reports sent"
    reports_send.run()  # yesterday's: another day, sent too
    assert [m.to for m in mail.outbox] == [["tram@namdinh.vn"], ["tram@namdinh.vn"]]
    entry = settings.CELERY_BEAT_SCHEDULE["reports-send"]
    assert entry["task"] == reports_send.name
