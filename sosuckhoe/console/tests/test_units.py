"""The unit page: where a unit sits, and what it became in July 2025 or was formed from."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from conftest import PASSWORD, Cast
from sosuckhoe.places.models import UnitLevel, UnitSuccessor
from sosuckhoe.places.services import CROSSWALK, EDITIONS, unit_successors_load, units_load
from sosuckhoe.testing.factories import unit


@pytest.fixture
def real_units(cast: Cast) -> None:
    """The real lists and crosswalk, loaded over the cast's units (which keep their rows)."""
    for edition in EDITIONS:
        units_load(edition=edition)
    unit_successors_load(crosswalk=CROSSWALK)


SPLIT = "This commune was split: the address decides which of these units a record belongs to."


def _vi(text: str) -> str:
    """What the console shows in Vietnamese, its default language."""
    with translation.override("vi"):
        return translation.gettext(text)


def _page(cast: Cast, role: str, edition: str, code: str) -> str:
    response = cast.client_for(role).get(reverse("console:unit", args=[edition, code]))
    assert response.status_code == 200
    return response.content.decode()


def _link(edition: str, code: str) -> str:
    return f'href="{reverse("console:unit", args=[edition, code])}"'


def test_an_old_nam_dinh_commune_shows_its_parents_and_the_ninh_binh_commune_it_became(
    cast, real_units
):
    page = _page(cast, "commune", "2025-03", "13741")
    assert "<h1>Thị trấn Gôi</h1>" in page
    for parent in ("VN", "36", "359"):  # Việt Nam › Tỉnh Nam Định › Huyện Vụ Bản
        assert _link("2025-03", parent) in page
    assert _link("2025-07", "13741") in page
    assert "Xã Vụ Bản" in page
    assert _vi(SPLIT) not in page


def test_a_split_commune_says_so_and_lists_its_candidates(cast, real_units):
    page = _page(cast, "analyst", "2025-03", "00007")  # Phường Cống Vị, Hà Nội
    assert _vi(SPLIT) in page
    for code, name in (("00008", "Phường Ngọc Hà"), ("00025", "Phường Giảng Võ")):
        assert _link("2025-07", code) in page
        assert name in page


def test_a_current_commune_lists_what_it_was_formed_from(cast, real_units):
    page = _page(cast, "province_other", "2025-07", "13669")  # Phường Nam Định
    for code in ("13636", "13669", "13768"):
        assert _link("2025-03", code) in page


def _queries(client: Client, edition: str, code: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("console:unit", args=[edition, code])).status_code == 200
    return len(queries)


def test_the_unit_page_costs_the_same_queries_however_many_units_it_lists(cast, real_units):
    client = cast.client_for("analyst")
    _queries(client, "2025-07", "00859")  # the session's first request settles it
    # Formed from 1 commune, and from 9; became 1 commune, and was split across 2.
    assert _queries(client, "2025-07", "00859") == _queries(client, "2025-07", "13669")
    assert _queries(client, "2025-03", "13741") == _queries(client, "2025-03", "00007")


def test_looking_a_unit_up_by_code_opens_its_page(cast):
    client = cast.client_for("analyst")
    response = client.get(reverse("console:units"), {"code": " 13741 ", "edition": "2025-03"})
    assert response.status_code == 302
    assert response.url == reverse("console:unit", args=["2025-03", "13741"])


def test_a_code_the_edition_lacks_comes_back_with_a_message(cast):
    response = cast.client_for("commune").get(
        reverse("console:units"), {"code": "13741", "edition": "2025-07"}
    )
    assert response.status_code == 200
    assert response.context["lookup_form"].errors["code"]


def test_the_person_page_links_the_home_commune_to_its_unit_page(cast):
    person = cast.own_person
    page = cast.client_for("commune").get(reverse("console:person", args=[person.uuid]))
    assert _link(person.home_unit.edition, person.home_unit.code) in page.content.decode()


@pytest.mark.browser
@pytest.mark.usefixtures("transactional_db")
def test_the_page_of_a_split_commune_fits_a_360_px_phone(page: Page, live_server, cast: Cast):
    old = cast.units.district_commune
    for code, name in (("13741", "Xã Vụ Bản"), ("13750", "Xã Liên Minh Vụ Bản Nam Định Dài")):
        new = unit(code, name, UnitLevel.COMMUNE, cast.units.province)
        UnitSuccessor.objects.create(old=old, new=new, split_count=2)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", "analyst")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + reverse("console:unit", args=[old.edition, old.code]))
    expect(page.locator("h1")).to_have_text(old.name)
    expect(page.locator("section.warn li")).to_have_count(2)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
