"""The signed-in member of staff's own account: the authenticator app, the API keys."""

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.services import totp_device_confirm, totp_device_start
from sosuckhoe.api.services import api_token_create, api_token_revoke
from sosuckhoe.console.access import staff_view
from sosuckhoe.console.forms import TotpConfirmForm


@require_safe
@staff_view
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


def _account_page(request: HttpRequest, new_key: str = "") -> HttpResponse:
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    context = {
        "totp_enabled": confirmed,
        "api_tokens": request.user.api_tokens.active().order_by("created_at"),
        "new_key": new_key,
    }
    return render(request, "console/account.html", context)


@staff_view
@require_POST
@never_cache  # the answer shows a new key
def api_keys(request: HttpRequest) -> HttpResponse:
    """Make an API key, shown on this answer only, or revoke one of one's own."""
    actor = Actor.of_request(request)
    if "revoke" in request.POST:
        number = request.POST["revoke"]
        token = (
            request.user.api_tokens.active().filter(pk=number).first() if number.isdigit() else None
        )
        if token is None:
            raise Http404
        api_token_revoke(actor=actor, token=token)
        messages.success(request, _("The key no longer works."))
        return redirect("console:account")
    name = request.POST.get("name", "")
    return _account_page(
        request, new_key=api_token_create(actor=actor, user=request.user, name=name)[1]
    )


@staff_view
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new authenticator secret as a QR code, then confirm it with one code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST":
        if device is None:
            raise Http404
        if form.is_valid():
            try:
                totp_device_confirm(
                    actor=Actor.of_request(request), device=device, token=form.cleaned_data["token"]
                )
            except ValidationError as error:
                form.add_error("token", error)
            else:
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("console:account")
    else:
        device = totp_device_start(actor=Actor.of_request(request), user=request.user)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(request, "console/totp_enrol.html", {"form": form, "qr": qr, "device": device})
