"""The verifier page's camera path: Chromium's fake camera plays a video of an issued
certificate's QR code, and the page reads it from the camera, verifies it and shows the holder."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

from sosuckhoe.certificates.services import certificate_issue
from sosuckhoe.certificates.verifier import REASONS
from sosuckhoe.console.tests.conftest import chromium_running

FRAME_SIDE = 480  # pixels: even, as 4:2:0 video needs; a phone's camera preview at its lowest


@pytest.fixture(scope="module")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the fake camera reads its video: written by the test before the page opens the
    camera, since the QR code is of a certificate issued in the test's own database."""
    return tmp_path_factory.mktemp("camera") / "qr.y4m"


@pytest.fixture(scope="module")
def browser(camera_video: Path) -> Iterator[Browser]:
    """Chromium with a fake camera that plays `camera_video`, permission granted."""
    camera_args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_video}",
    ]
    with chromium_running(camera_args) as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", permissions=["camera"]
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def qr_video(text: str, path: Path, frames: int = 5) -> None:
    """A few frames of a grey-scale YUV4MPEG2 video showing `text` as a QR code (level Q, the
    DCC's) in the middle of a light grey frame, as a phone held over a printed card sees it."""
    matrix = segno.make(text, error="q").matrix
    scale = FRAME_SIDE * 4 // 5 // len(matrix)
    offset = (FRAME_SIDE - scale * len(matrix)) // 2
    luma = bytearray([200]) * (FRAME_SIDE * FRAME_SIDE)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            for line in range(offset + y * scale, offset + (y + 1) * scale):
                start = line * FRAME_SIDE + offset + x * scale
                luma[start : start + scale] = bytes(scale)
    chroma = bytes([128]) * (FRAME_SIDE * FRAME_SIDE // 2)  # U and V planes: no colour
    header = f"YUV4MPEG2 W{FRAME_SIDE} H{FRAME_SIDE} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + bytes(luma) + chroma) * frames)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_verifier_reads_a_certificate_held_up_to_the_camera(
    page: Page, camera_video: Path, live_server, cast, signer, vaccinated
) -> None:
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    qr_video(certificate.hc1, camera_video)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + reverse("verifier"))
    expect(page.locator("body[data-verifier=ready]")).to_be_attached()
    page.locator("#scan").click()

    expect(page.locator("#verdict.valid")).to_be_visible()
    with translation.override("vi"):
        expect(page.locator("#reason")).to_have_text(str(REASONS["valid"]))
    expect(page.locator("#name")).to_have_text(vaccinated.full_name)
    expect(page.locator("#text")).to_have_value(certificate.hc1)
    expect(page.locator("#camera")).to_be_hidden()  # the camera is let go once it has read
    assert errors == []
