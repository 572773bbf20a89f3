"""An officer's import in a real browser: upload a list, fix how a column is read, start, watch
the job end, download the rows it refused."""

import csv

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import Cast, browser_sign_in
from sosuckhoe.console.tests.test_jobs_browser import POLL_TIMEOUT_MS
from sosuckhoe.imports import tasks
from sosuckhoe.imports.jobs import import_job_run
from sosuckhoe.imports.tests.conftest import SITE_NAME
from sosuckhoe.imports.tests.test_import_records import supplies  # noqa: F401
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import cccd_for
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.tests.conftest import reference, reference_rows  # noqa: F401

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
    browser_sign_in(page, live_server, "commune")
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


def test_a_dose_list_of_a_known_layout_comes_mapped_and_its_doses_are_written(
    page: Page,
    live_server,
    cast: Cast,
    tmp_path,
    monkeypatch,
    supplies,  # noqa: F811
) -> None:
    started: list[int] = []
    monkeypatch.setattr(tasks.run_import_job, "delay", started.append)
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Vắc xin?", "Ngày tiêm",
              "Số lô", "Nơi tiêm"]  # fmt: skip
    number = cccd_for(birth_year=1980, sex="M", serial=5151)
    paths = []
    for name, day in (("tuan-1.csv", "01/09/2021"), ("tuan-2.csv", "02/10/2021")):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, ["Hà Văn Nam", "01/01/1980", "Nam", number,
                                              "Comirnaty", day, "FK1234", SITE_NAME]])  # fmt: skip
        paths.append(path)
    browser_sign_in(page, live_server, "commune")
    for path in paths:
        page.goto(live_server.url + reverse("console:imports"))
        page.set_input_files("#id_file", str(path))
        page.select_option("#id_list_kind", "doses")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        if path == paths[0]:
            expect(page.locator("[data-layout]")).to_have_count(0)
            page.select_option("#id_col4", "dose1.product")  # "Vắc xin?": not a known header
        else:
            expect(page.locator('[data-layout="saved"]')).to_be_visible()
            expect(page.locator("#id_col4")).to_have_value("dose1.product")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        import_job_run(job_id=started[-1])
        expect(page.locator('[data-field="records_new"]')).to_have_text(
            "1", timeout=POLL_TIMEOUT_MS
        )
    assert Dose.objects.filter(person__id_number=number).count() == 2
