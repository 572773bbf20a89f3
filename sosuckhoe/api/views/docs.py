"""The OpenAPI schema and its browsable page, open to anyone: they describe the API, not data."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class Docs(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its start-up script is a separate request
    (`?script`) and its styles a static file, so the page needs nothing inline (the CSP)."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
