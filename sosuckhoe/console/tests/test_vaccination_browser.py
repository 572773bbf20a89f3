"""A site's day in a real browser: the CCCD card's QR code, check-in, screening, dose, the
watch and its reaction button, then the person's page; another commune sees none of it."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from conftest import Cast, browser_sign_in
from sosuckhoe.console.tests.vaccination_day import SYSTEM, dose_given, site_day
from sosuckhoe.vaccination.models import Dose, PriorityGroup, Reaction
from sosuckhoe.vaccination.services import registration_create

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def _scroll_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_a_site_officer_vaccinates_a_booked_person_found_by_the_cccd_qr_code(
    page: Page, live_server, cast: Cast
) -> None:
    day, person = site_day(cast), cast.own_person
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "site")
    page.goto(live_server.url + reverse("console:site_day", args=[day.site.uuid]))

    # The scanner types the card's string into the focused field and ends with Enter.
    born = f"{person.birth_date:%d%m%Y}"
    qr = f"{person.id_number}||{person.full_name.upper()}|{born}|Nam|Số 5|15042021"
    expect(page.locator("input[name=q]")).to_be_focused()
    page.keyboard.type(qr)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit = live_server.url + reverse("console:site_visit", args=[day.site.uuid, person.uuid])
    expect(page).to_have_url(visit)
    expect(page.locator("h1")).to_have_text(person.full_name)

    with page.expect_navigation():
        page.locator(".check-in button[type=submit]").click()
    expect(page.locator(".check-in")).to_contain_text(_vi("Checked in"))

    page.locator(".screening a").click()
    expect(page.locator(".screening-form input[type=radio]").first).to_be_focused()
    for radio in page.locator(".screening-form input[type=radio][value='0']").all():
        radio.check()
    page.fill("#id_temperature_c", "36.6")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(visit)
    expect(page.locator(".screening .outcome")).to_contain_text(_vi("Eligible for vaccination now"))
    expect(page.locator(".assessments")).to_contain_text("1/2")

    page.set_viewport_size({"width": 360, "height": 740})
    assert _scroll_width(page) <= 360
    with page.expect_navigation():
        page.locator(".dose-form button[type=submit]").click()
    dose = Dose.objects.get(person=person)
    watched = page.locator(f".watch-item[data-dose='{dose.uuid}']")
    # The timer counts down from 30 minutes, in the page's script.
    expect(watched.locator(".timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))
    assert _scroll_width(page) <= 360

    with page.expect_navigation():
        watched.locator("button[type=submit]").click()
    expect(page.locator(f".watch-item[data-dose='{dose.uuid}'] .tag")).to_be_visible()
    assert Reaction.objects.get(dose=dose).during_watch

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("console:person", args=[person.uuid]))
    expect(page.locator(".doses tbody tr")).to_have_count(1)
    expect(page.locator(".doses")).to_contain_text(day.lot.number)
    expect(page.locator(".reactions li")).to_have_count(1)
    expect(page.locator(".screenings li")).to_have_count(1)
    expect(page.locator(".bookings li")).to_contain_text(_vi("Vaccinated"))
    assert errors == []

    page.context.clear_cookies()
    browser_sign_in(page, live_server, "commune_other")
    for url in (
        reverse("console:person", args=[person.uuid]),
        reverse("console:dose", args=[dose.uuid]),
    ):
        response = page.goto(live_server.url + url)
        assert response is not None
        assert response.status == 404, url


def test_the_vaccination_pages_fit_a_360_px_phone(page: Page, live_server, cast: Cast) -> None:
    day = site_day(cast)
    dose = dose_given(day)
    registration_create(
        actor=SYSTEM,
        person=cast.sibling_person,
        priority_group=PriorityGroup.objects.get(code=9),
    )
    page.set_viewport_size({"width": 360, "height": 740})
    browser_sign_in(page, live_server, "province")
    for name, args in (
        ("console:site_choose", []),
        ("console:site_day", [day.site.uuid]),
        ("console:site_screening", [day.site.uuid, cast.own_person.uuid]),
        ("console:person", [cast.own_person.uuid]),
        ("console:dose", [dose.uuid]),
        ("console:stock_overview", []),
        ("console:stock_facility", [day.site.uuid]),
        ("console:registrations", []),
        ("console:not_reached", []),
        ("console:assign", []),
        ("console:session_new", []),
    ):
        response = page.goto(live_server.url + reverse(name, args=args))
        assert response is not None
        assert response.status == 200, name
        assert _scroll_width(page) <= 360, name
