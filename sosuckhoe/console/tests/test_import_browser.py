"""An officer's import in a real browser: upload a list, fix how a column is read, start, watch
the job end, download the rows it refused."""

import csv

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import Cast
from sosuckhoe.console.tests.test_jobs_browser import POLL_TIMEOUT_MS, _sign_in
from sosuckhoe.imports import tasks
from sosuckhoe.imports.jobs import import_job_run
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import cccd_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_an_officer_uploads_fixes_the_mapping_watches_and_downloads_the_rejected_rows(
    page: Page, live_server, cast: Cast, tmp_path, monkeypatch
) -> None:
    started: list[int] = []
    monkeypatch.setattr(tasks.run_import_job, "delay", started.append)  # the worker: below
    path = tmp_path / "danh-sach.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["STT", "Họ và tên", "Ngày sinh", "Nam / Nữ?", "Số CCCD"])
        writer.writerow([1, "Lý Thị Hà", "01/02/1990", "Nữ",
                         cccd_for(birth_year=1990, sex="F", serial=4343)])  # fmt: skip
        writer.writerow([2, "Lý Văn Tư", "31/02/1990", "Nam", ""])
    _sign_in(page, live_server, "commune")
    page.goto(live_server.url + reverse("console:imports"))
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_list_kind", "persons")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    expect(page.locator("#id_col1")).to_have_value("full_name")
    expect(page.locator("#id_col3")).to_have_value("")  # "Nam / Nữ?" is not a known header
    page.select_option("#id_col3", "sex")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator('[data-field="status_label"]')).to_have_text("Đang chờ")

    import_job_run(job_id=started[0])  # the worker runs it; the page sees it end
    link = page.locator("a[href$='rejected.xlsx']")
    expect(link).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(page.locator('[data-field="new"]')).to_have_text("1")
    expect(page.locator('[data-field="rejected"]')).to_have_text("1")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "danh-sach-loi.xlsx"
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert [r[1] for r in rows] == ["Họ và tên", "Lý Văn Tư"]
    assert rows[1][-1].startswith("C: ")
    assert Person.objects.filter(full_name="Lý Thị Hà").exists()
