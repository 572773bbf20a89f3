"""The daily report downloads from its page in a real browser: the file is the workbook of
the unit and day shown, with the numbers of the page."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import Cast, browser_sign_in
from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.reports import daily_report, daily_sheet
from sosuckhoe.console.tests.conftest import (  # noqa: F401  (fixtures)
    browser,
    browser_context,
    page,
)
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.generator import histories_generate
from sosuckhoe.vaccination.models import Dose

pytestmark = [
    pytest.mark.browser,
    # The root conftest adds audit_log_flushable to every transactional test.
    pytest.mark.usefixtures("transactional_db"),
]


def test_the_daily_report_downloads_from_its_page(
    page: Page,  # noqa: F811
    live_server,
    cast: Cast,
    reference,
    site,
    site_b,
) -> None:
    for i in range(20):
        home = (cast.units.commune_a, cast.units.commune_b)[i % 2]
        PersonFactory(home_unit=home, birth_date=dt.date(1960 + i, 3, 1))
    histories_generate(actor=Actor.system("report-browser"), unit=cast.units.province, seed=4)
    day = Dose.objects.order_by("-given_on").values_list("given_on", flat=True).first()
    browser_sign_in(page, live_server, "province")
    page.goto(f"{live_server.url}{reverse('console:reports')}?day={day.isoformat()}")
    expect(page.locator(".daily-report tbody tr")).to_have_count(2)
    with page.expect_download() as download_info:
        page.locator('[data-report="daily-xlsx"]').click()
    download = download_info.value
    assert download.suggested_filename == f"daily-37-{day:%Y%m%d}.xlsx"
    rows = list(load_workbook(io.BytesIO(download.path().read_bytes())).active.values)
    sheet = daily_sheet(daily_report(unit=cast.units.province, day=day))
    written = [["" if v is None else v for v in r[: sheet.width]] for r in rows[-3:]]
    assert written == [*sheet.body, sheet.total]
    assert sum(v for v in sheet.total[1:] if isinstance(v, int)) > 0
