"""The browsable API page works offline under the CSP: Swagger UI from the sidecar's static
files, its start-up script a separate request, nothing inline, nothing from elsewhere."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from sosuckhoe.console.tests.conftest import (  # noqa: F401  (fixtures)
    browser,
    browser_context,
    page,
)


def test_the_docs_page_has_no_inline_code(client, db):
    html = client.get(reverse("api:docs")).content.decode()
    assert "<style" not in html
    assert "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in script.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_docs_page_shows_the_api_offline_without_csp_violations(
    page: Page,  # noqa: F811
    live_server,
) -> None:
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + reverse("api:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("sosuckhoe API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()

    assert [url for url in requested if not url.startswith(live_server.url + "/")] == []
    assert any("swagger-ui-bundle.js" in url for url in requested)
    assert errors == []
