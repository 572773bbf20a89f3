"""Fixtures of the browser tests: Debian's Chromium driven by Playwright's sync API."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium_running(extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright for a module's tests."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    # Playwright's sync API keeps an event loop running in this thread; Django refuses ORM
    # calls from such a thread unless told the calls really are synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                headless=True, executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args]
            )
            yield chromium
            chromium.close()
            # The tests' database calls made while Playwright ran got connections of this
            # context's own (Django keeps them per context): closed here, or the test
            # database could not be dropped at the end ("accessed by other users").
            connections.close_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_running() as chromium:
        yield chromium


@pytest.fixture
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile per test, as a Vietnamese phone or desk browser would present itself."""
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Page:
    return browser_context.new_page()
