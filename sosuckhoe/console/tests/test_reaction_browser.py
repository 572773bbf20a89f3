"""The reaction form in a real browser: from the dose page, signs ticked by category, the
onset typed in Vietnam time; a serious reaction comes back with its investigation's link."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast, browser_sign_in
from sosuckhoe.console.tests.matrix.reactions import LOCAL_MINUTE, dose_earlier_today
from sosuckhoe.vaccination.models import Investigation

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_site_officer_reports_a_serious_reaction_from_the_dose_page(
    page: Page, live_server, cast: Cast
) -> None:
    dose = dose_earlier_today(cast)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "site")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("console:dose", args=[dose.uuid]))
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('console:reaction_new', args=[dose.uuid])}']").click()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360

    onset = timezone.localtime().strftime(LOCAL_MINUTE)
    page.fill("#id_onset_at", onset)
    page.locator("#terms_common input[value=C2]").check()
    page.locator("#terms_serious_criterion input[value=S2]").check()
    page.select_option("#id_treated_at", "district_hospital")
    with page.expect_navigation():
        page.locator(".reaction-form button[type=submit]").click()

    investigation = Investigation.objects.get(reaction__dose=dose)
    assert timezone.localtime(investigation.reaction.onset_at).strftime(LOCAL_MINUTE) == onset
    link = page.locator(
        f"#reactions a[href='{reverse('console:investigation', args=[investigation.uuid])}']"
    )
    expect(link).to_be_visible()
    assert not errors, errors
