"""Staff accounts of the manager's subtree: list, create, change, deactivate and reactivate,
reset the password or the authenticator. For province officers and national administrators."""

from collections.abc import Callable
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.accounts.selectors import StaffFilter, staff_get, staff_search
from sosuckhoe.accounts.services import (
    password_generate,
    staff_create,
    staff_deactivate,
    staff_password_reset,
    staff_reactivate,
    staff_totp_reset,
    staff_update,
)
from sosuckhoe.console.access import manager_view
from sosuckhoe.console.forms_staff import StaffCreateForm, StaffForm, StaffSearchForm


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the fields it names, or on the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _password_page(request: HttpRequest, member: StaffUser, password: str) -> HttpResponse:
    """The one time a password is shown: the answer to the POST that made it, never cached,
    never stored (the next page load shows it no more)."""
    response = render(
        request, "console/staff_password.html", {"member": member, "password": password}
    )
    add_never_cache_headers(response)
    return response


@require_safe
@manager_view
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffSearchForm(request.GET)
    criteria = form.criteria() if form.is_valid() else StaffFilter()
    staff = staff_search(user=request.user, criteria=criteria)
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    return render(request, "console/staff_list.html", {"form": form, "page": page})


@manager_view
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        password = password_generate()
        try:
            member = staff_create(
                actor=Actor.of_request(request), password=password, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            return _password_page(request, member, password)
    return render(request, "console/staff_form.html", {"form": form, "member": None})


@manager_view
def staff_edit(request: HttpRequest, staff_uuid: UUID) -> HttpResponse:
    member = staff_get(user=request.user, staff_uuid=staff_uuid)
    form = StaffForm(request.POST or None, manager=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            staff_update(actor=Actor.of_request(request), user=member, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("console:staff_edit", staff_uuid=member.uuid)
    context = {
        "form": form,
        "member": member,
        "totp_enabled": TOTPDevice.objects.filter(user=member, confirmed=True).exists(),
    }
    return render(request, "console/staff_form.html", context)


def _act(
    request: HttpRequest, staff_uuid: UUID, service: Callable[..., object], done: str
) -> HttpResponse:
    """Run one service on the account and go back to its page with what happened."""
    member = staff_get(user=request.user, staff_uuid=staff_uuid)
    try:
        service(actor=Actor.of_request(request), user=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("console:staff_edit", staff_uuid=member.uuid)


@require_POST
@manager_view
def staff_deactivate_view(request: HttpRequest, staff_uuid: UUID) -> HttpResponse:
    done = _("The account was deactivated: it cannot sign in, and its sessions have ended.")
    return _act(request, staff_uuid, staff_deactivate, done)


@require_POST
@manager_view
def staff_reactivate_view(request: HttpRequest, staff_uuid: UUID) -> HttpResponse:
    return _act(request, staff_uuid, staff_reactivate, _("The account can sign in again."))


@require_POST
@manager_view
def staff_totp_reset_view(request: HttpRequest, staff_uuid: UUID) -> HttpResponse:
    done = _("The authenticator was removed; they can enrol a new one after signing in.")
    return _act(request, staff_uuid, staff_totp_reset, done)


@require_POST
@manager_view
def staff_password_reset_view(request: HttpRequest, staff_uuid: UUID) -> HttpResponse:
    member = staff_get(user=request.user, staff_uuid=staff_uuid)
    password = staff_password_reset(actor=Actor.of_request(request), user=member)
    return _password_page(request, member, password)
