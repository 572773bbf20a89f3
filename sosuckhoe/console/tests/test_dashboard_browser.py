"""The dashboard in a real browser: plotly.js from our own static files under the CSP, a click
on a unit's bar opens that unit's dashboard with its communes, and a chart's data and
picture download."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import PASSWORD, Cast, browser_sign_in
from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role, StaffUser
from sosuckhoe.analytics.targets import target_set
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register
from sosuckhoe.vaccination.services.doses import dose_record

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
SYSTEM = Actor.system("dashboard-tests")


def _nam_dinh_officer(cast: Cast) -> StaffUser:
    """A province officer of Nam Định as it was (2025-03): districts, then their communes."""
    user = StaffUser(username="namdinh", role=Role.PROVINCE, unit=cast.units.district.parent)
    user.set_password(PASSWORD)
    user.save()
    return user


def _doses_in_the_district(cast: Cast) -> None:
    supply_reference_load()
    commune = cast.units.district_commune
    site = Facility.objects.create(
        name="Trạm Y tế Thị trấn Gôi", kind=FacilityKind.COMMUNE_STATION, unit=commune
    )
    lot = lot_register(
        actor=SYSTEM,
        product=Product.objects.get(key="comirnaty"),
        number="GOI-1",
        expiry_date=timezone.localdate() + dt.timedelta(days=200),
    )
    dose_record(
        actor=SYSTEM,
        person=cast.district_person,
        product=lot.product,
        lot=lot,
        site=site,
        given_at=timezone.now() - dt.timedelta(days=3),
        late_entry_reason="Nhập bù từ sổ tiêm giấy",
        use_stock=False,
    )
    target_set(actor=SYSTEM, unit=commune, persons=4)


def test_a_click_on_a_districts_bar_opens_its_dashboard_and_its_data_downloads(
    page: Page, live_server, cast: Cast
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _nam_dinh_officer(cast)
    _doses_in_the_district(cast)
    browser_sign_in(page, live_server, "namdinh")
    page.goto(live_server.url + reverse("console:dashboard"))
    expect(page.locator("#dashboard-unit")).to_have_text("Tỉnh Nam Định")
    coverage = page.locator("#chart-coverage")
    expect(coverage).to_have_attribute("data-state", "drawn")
    bar = coverage.locator("g.trace.bars path").first
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box is not None
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "unit=359" in page.url
    expect(page.locator("#dashboard-unit")).to_have_text("Huyện Vụ Bản")
    expect(coverage).to_have_attribute("data-state", "drawn")
    expect(coverage.locator(".ytick text")).to_have_text(["Thị trấn Gôi"])
    expect(page.locator(".units-below a")).to_have_text(["Thị trấn Gôi"])

    with page.expect_download() as download:
        coverage.locator("a.xlsx").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:3] == ("13741", "Thị trấn Gôi", 4)
    assert rows[2][4] == 25.0  # one first dose of four people

    coverage.locator(".plot").hover()
    with page.expect_download() as picture:
        coverage.locator('.modebar-btn[data-title*="PNG"]').click()
    assert picture.value.suggested_filename == "coverage.png"
    expect(coverage.locator('.modebar-btn[data-title*="Share"]')).to_have_count(0)
    assert errors == []


# A point inside Ninh Bình (since 2025-07: with the former Nam Định and Hà Nam).
NINH_BINH = (106.01, 20.33)
TO_SCREEN = """([lon, lat]) => {
  const plot = document.querySelector("#chart-coverage .plot"), layout = plot._fullLayout;
  const box = plot.getBoundingClientRect();
  return [box.left + layout._size.l + layout.xaxis.l2p(lon),
          box.top + layout._size.t + layout.yaxis.l2p(lat)];
}"""


def test_the_national_map_draws_the_provinces_and_a_click_on_one_opens_its_dashboard(
    page: Page, live_server, cast: Cast
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "national")
    page.goto(live_server.url + reverse("console:dashboard"))
    coverage = page.locator("#chart-coverage")
    expect(coverage.locator(".chart-note")).to_contain_text("CC BY-SA 4.0")
    expect(coverage.locator("g.trace.scatter")).to_have_count(34)
    expect(coverage.locator(".coverage-scale")).to_be_visible()
    # The point is near the bottom of the first screen: a longer menu or heading pushes it out.
    coverage.locator(".plot").scroll_into_view_if_needed()
    x, y = page.evaluate(TO_SCREEN, list(NINH_BINH))
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert "unit=37" in page.url
    expect(page.locator("#dashboard-unit")).to_have_text("Tỉnh Ninh Bình")
    assert errors == []
