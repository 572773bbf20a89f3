from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.views.generic import RedirectView

from sosuckhoe.certificates import views as certificates
from sosuckhoe.core.health import healthz


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin signs in through the console's form, which asks for the authenticator code;
    the admin's own form would take a password alone. Signed-in staff without admin rights are
    refused rather than sent back to a sign-in that would send them on to the admin again."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.get_full_path(), reverse("console:login"))


admin.site.login = _admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("sosuckhoe.api.urls")),
    path("certificates/", include("sosuckhoe.certificates.urls")),
    # The public verifier page, short to type; its worker beside it, so that its scope holds it.
    path("verify/", certificates.verifier, name="verifier"),
    path("verify/worker.js", certificates.verifier_worker, name="verifier_worker"),
    # The unversioned address of the schema and its page lead to the current version's.
    path("api/schema/", RedirectView.as_view(pattern_name="api:schema"), name="api_schema"),
    path("api/docs/", RedirectView.as_view(pattern_name="api:docs"), name="api_docs"),
    path("", include("sosuckhoe.console.urls")),
]
