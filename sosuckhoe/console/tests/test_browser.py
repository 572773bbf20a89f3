"""The staff console in a real browser, against a live server and the fixed cast."""

import pytest
from axes.utils import reset as axes_reset
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, Response, expect

from conftest import PASSWORD, Cast
from sosuckhoe.people.models import Person

pytestmark = [
    pytest.mark.browser,
    # The root conftest adds audit_log_flushable to every transactional test.
    pytest.mark.usefixtures("transactional_db"),
]


def _url(live_server, name: str, **kwargs: object) -> str:  # type: ignore[no-untyped-def]
    return live_server.url + reverse(name, kwargs=kwargs or None)


def _vi(text: str) -> str:
    """What the console shows in Vietnamese (the browser fixture asks for vi-VN)."""
    with translation.override("vi"):
        return translation.gettext(text)


def _submit_login(page: Page, username: str, password: str) -> Response | None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    return navigation.value


def _sign_in(page: Page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(_url(live_server, "console:login"))
    _submit_login(page, username, PASSWORD)
    expect(page).to_have_url(_url(live_server, "console:home"))


def _search(page: Page, live_server, text: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(_url(live_server, "console:person_search"))
    page.fill("input[name=q]", text)
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()


def _national_phone(person: Person) -> str:
    """+84912345678 as people type it: 0912345678."""
    return "0" + person.phone.removeprefix("+84")


def _scroll_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_a_commune_officer_signs_in_and_finds_a_person_by_cccd_phone_or_plain_name(
    page: Page, live_server, cast: Cast
) -> None:
    person = cast.own_person
    page.goto(live_server.url + "/")
    expect(page.locator("#id_username")).to_be_visible()  # sent to the sign-in form
    _submit_login(page, "commune", PASSWORD)
    expect(page).to_have_url(_url(live_server, "console:home"))

    for text in (person.id_number, _national_phone(person), "nguyen van an"):
        _search(page, live_server, text)
        expect(page.locator("table.list tbody tr"), text).to_have_count(1)
        expect(page.locator("table.list tbody")).to_contain_text(person.full_name)

    page.get_by_role("link", name=person.full_name).click()
    expect(page).to_have_url(_url(live_server, "console:person", person_uuid=person.uuid))
    expect(page.locator("h1")).to_have_text(person.full_name)
    expect(page.locator(".facts")).to_contain_text(person.id_number)


def test_an_officer_typing_the_address_of_a_person_of_another_commune_gets_not_found(
    page: Page, live_server, cast: Cast
) -> None:
    _sign_in(page, live_server, "commune")
    for other in (cast.sibling_person, cast.foreign_person):
        response = page.goto(_url(live_server, "console:person", person_uuid=other.uuid))
        assert response is not None
        assert response.status == 404
        expect(page.locator("body")).not_to_contain_text(other.full_name)

        _search(page, live_server, other.id_number)
        expect(page.locator("table.list")).to_have_count(0)
        expect(page.locator("p.empty")).to_be_visible()


def test_the_language_buttons_switch_the_page_language(page: Page, live_server, cast: Cast) -> None:
    _sign_in(page, live_server, "commune")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "vi")
    page.locator("form.lang").get_by_role("button", name="EN").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(_url(live_server, "console:home"))  # back where it was
    page.goto(_url(live_server, "console:person_search"))
    expect(html).to_have_attribute("lang", "en")  # the choice is remembered
    page.locator("form.lang").get_by_role("button", name="VI").click()
    expect(html).to_have_attribute("lang", "vi")


def test_the_console_fits_a_360_px_phone_without_horizontal_scrolling(
    page: Page, live_server, cast: Cast
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    _sign_in(page, live_server, "commune")
    assert _scroll_width(page) <= 360, "home"
    _search(page, live_server, "nguyen")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    assert _scroll_width(page) <= 360, "search results"
    page.get_by_role("link", name=cast.own_person.full_name).click()
    expect(page.locator("h1")).to_have_text(cast.own_person.full_name)
    assert _scroll_width(page) <= 360, "person page"


def test_the_console_loads_nothing_from_another_origin_and_allows_no_inline_code(
    page: Page, live_server, cast: Cast
) -> None:
    requested: list[str] = []
    policies: dict[str, str | None] = {}
    console_errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "response",
        lambda response: (
            policies.__setitem__(response.url, response.headers.get("content-security-policy"))
            if response.request.resource_type == "document"
            else None
        ),
    )
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    _sign_in(page, live_server, "commune")
    _search(page, live_server, cast.own_person.id_number)
    page.get_by_role("link", name=cast.own_person.full_name).click()
    expect(page.locator("h1")).to_have_text(cast.own_person.full_name)

    assert requested
    assert [url for url in requested if not url.startswith(live_server.url + "/")] == []
    assert any(url.endswith(".css") for url in requested)  # the stylesheet did load
    assert len(policies) >= 4
    for url, policy in policies.items():
        assert policy, f"no Content-Security-Policy on {url}"
        assert "'unsafe-inline'" not in policy, url
        assert "default-src 'self'" in policy, url
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    page: Page, live_server, cast: Cast
) -> None:
    axes_reset(username="commune")
    login = _url(live_server, "console:login")
    page.goto(login)
    for _attempt in range(4):
        response = _submit_login(page, "commune", "wrong password")
        assert response is not None
        assert response.status == 200
        expect(page.locator("#id_password")).to_be_visible()  # the form again, with an error

    response = _submit_login(page, "commune", "wrong password")
    assert response is not None
    assert response.status == 429
    expect(page.locator("h1")).to_have_text(_vi("Account locked"))

    page.goto(login)
    response = _submit_login(page, "commune", PASSWORD)
    assert response is not None
    assert response.status == 429
    expect(page.locator("h1")).to_have_text(_vi("Account locked"))
    page.goto(_url(live_server, "console:home"))
    expect(page.locator("#id_username")).to_be_visible()  # still signed out

    # Another account is not held hostage by the guessing.
    page.goto(login)
    _submit_login(page, "commune_other", PASSWORD)
    expect(page).to_have_url(_url(live_server, "console:home"))
