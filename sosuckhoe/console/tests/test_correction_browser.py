"""A correction request in a real browser: an officer enters one from the person's page (from
the keyboard), finds it in the list, answers it, and exports the list."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from conftest import Cast, browser_sign_in
from sosuckhoe.console.tests.matrix.reactions import dose_earlier_today
from sosuckhoe.imports import tasks
from sosuckhoe.imports.exports_jobs import export_job_run
from sosuckhoe.vaccination.models import CorrectionRequest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def export_at_once(monkeypatch):
    """The worker's part done by the server as the job commits: the job page offers the file."""
    monkeypatch.setattr(tasks.run_export_job, "delay", lambda job_id: export_job_run(job_id=job_id))
    monkeypatch.setattr(tasks.purge_export_files, "delay", lambda: None)


def test_an_officer_enters_a_request_answers_it_and_exports_the_list(
    page: Page, live_server, cast: Cast, export_at_once
) -> None:
    dose = dose_earlier_today(cast)
    person = dose.person
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "commune")
    page.goto(live_server.url + reverse("console:person", args=[person.uuid]))
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('console:correction_new', args=[person.uuid])}']").click()

    # The form starts on its first field and is filled from the keyboard.
    assert page.evaluate("document.activeElement.id") == "id_kind"
    page.keyboard.press("ArrowDown")  # the second kind: a wrong date, which names a dose
    expect(page.locator("#id_kind")).to_have_value("wrong_date")
    page.select_option("#id_dose", str(dose.uuid))
    page.fill("#id_should_read", "Ngày tiêm đúng là hôm qua")
    page.fill("#id_evidence", "Phiếu tiêm giấy")
    page.locator("#id_channel input[value=phone]").check()
    page.fill("#id_requester_name", "Hoàng Thị Mai")
    page.select_option("#id_requester_relation", "family")
    page.fill("#id_requester_phone", "0987 654 321")
    with page.expect_navigation():
        page.locator("#id_requester_phone").press("Enter")
    request = CorrectionRequest.objects.get()
    assert (request.dose_id, request.requester_phone) == (dose.pk, "+84987654321")

    page.goto(live_server.url + reverse("console:corrections"))
    row = page.locator(f'tr[data-correction="{request.uuid}"]')
    expect(row).to_have_class("open")
    with page.expect_navigation():
        row.locator("a").click()
    page.locator(".resolve-form input[name=status][value=rejected]").check()
    page.fill("#id_note", "Sổ tiêm của điểm tiêm ghi đúng ngày")
    with page.expect_navigation():
        page.locator(".resolve-form button[type=submit]").click()
    expect(page.locator(".resolution")).to_contain_text("Sổ tiêm của điểm tiêm ghi đúng ngày")
    request.refresh_from_db()
    assert request.status == "rejected"

    page.goto(live_server.url + reverse("console:corrections"))
    expect(page.locator(f'tr[data-correction="{request.uuid}"]')).to_have_class("rejected")
    page.locator("details.export summary").click()
    page.select_option("details.export select[name=format]", "csv")
    with page.expect_navigation():
        page.locator("details.export button[type=submit]").click()
    with page.expect_download() as download:
        page.locator("main a[href$='/download/']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Hoàng Thị Mai" in text
    assert "Sổ tiêm của điểm tiêm ghi đúng ngày" in text
    assert not errors, errors
