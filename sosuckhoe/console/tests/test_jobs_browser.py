"""The jobs page follows its jobs in a real browser, without reloading itself."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast, browser_sign_in
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.models import PopulationJob

pytestmark = [
    pytest.mark.browser,
    # The root conftest adds audit_log_flushable to every transactional test.
    pytest.mark.usefixtures("transactional_db"),
]
POLL_TIMEOUT_MS = 10_000  # the page asks every 3 seconds


def test_the_jobs_page_shows_progress_as_it_happens_and_a_new_job_when_it_starts(
    page: Page, live_server, cast: Cast
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    job = PopulationJob.objects.create(
        unit=cast.units.province, progress_total=1000, progress_done=100,
        status=JobStatus.RUNNING, started_at=timezone.now() - dt.timedelta(seconds=10),
        started_by_name="system:generate_province",
    )  # fmt: skip
    browser_sign_in(page, live_server, "province")
    page.goto(live_server.url + reverse("console:jobs"))
    row = page.locator(f'tr[data-job="population:{job.uuid}"]')
    expect(row.locator("progress")).to_have_js_property("value", 100)
    page.evaluate("window.notReloaded = true")

    PopulationJob.objects.filter(pk=job.pk).update(progress_done=600)
    expect(row.locator("progress")).to_have_js_property("value", 600, timeout=POLL_TIMEOUT_MS)
    expect(row.locator('[data-field="rate"]')).not_to_be_empty()

    PopulationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, progress_done=1000, finished_at=timezone.now()
    )
    expect(row.locator('[data-field="status_label"]')).to_have_text(
        "Hoàn tất", timeout=POLL_TIMEOUT_MS
    )
    expect(row.locator("form")).to_have_count(0)  # nothing left to cancel
    assert page.evaluate("window.notReloaded") is True

    PopulationJob.objects.create(
        unit=cast.units.commune_b, progress_total=10, started_by_name="province"
    )
    expect(page.locator("tr[data-job]")).to_have_count(2, timeout=POLL_TIMEOUT_MS)
    assert errors == []
