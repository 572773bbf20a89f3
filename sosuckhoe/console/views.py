"""The staff console: thin views that parse, fetch scoped, call one service, render."""

from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.accounts.selectors import AuditFilter, audit_events_search
from sosuckhoe.accounts.services import (
    staff_login_record,
    staff_logout_record,
    totp_device_confirm,
    totp_device_start,
)
from sosuckhoe.console.access import audit_reader_view, personal_data_view, staff_view
from sosuckhoe.console.forms import (
    AuditSearchForm,
    LoginForm,
    PersonForm,
    SearchForm,
    TotpConfirmForm,
)
from sosuckhoe.people.models import IdKind, Person
from sosuckhoe.people.selectors import (
    person_duplicate_candidates,
    person_family,
    person_read,
    person_uuids_by_document,
    persons_search,
)
from sosuckhoe.people.services import person_create, person_merge, person_update


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        staff_login_record(
            actor=Actor.of_request(self.request), succeeded=True, username=form.get_user().username
        )
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        staff_login_record(
            actor=Actor.of_request(self.request),
            succeeded=False,
            username=form.data.get("username", ""),
        )
        return super().form_invalid(form)


@require_POST
@staff_view
def logout_view(request: HttpRequest) -> HttpResponse:
    staff_logout_record(actor=Actor.of_request(request))
    return auth_views.LogoutView.as_view(next_page="console:login")(request)


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"search_form": SearchForm()})


@personal_data_view
def person_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    text = form.data.get("q", "") if form.is_valid() else ""
    results = persons_search(actor=Actor.of_request(request), text=text) if text else []
    return render(
        request,
        "console/person_search.html",
        {"search_form": form, "results": results, "searched": bool(text)},
    )


@personal_data_view
def person_detail(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    person = person_read(actor=actor, person_uuid=person_uuid)
    if person.merged_into_id:
        messages.info(request, _("This record was merged into the one shown."))
        return redirect("console:person", person_uuid=person.merged_into.uuid)
    context = {
        "person": person,
        "family": person_family(actor=actor, person=person),
        "candidates": person_duplicate_candidates(actor=actor, person=person),
    }
    return render(request, "console/person_detail.html", context)


def _save_person_form(
    request: HttpRequest, form: PersonForm, person: Person | None, **links: object
) -> Person | None:
    """Run the create or update service; field errors go back onto the form. `links` are
    family links a new person gets (guardian, household)."""
    if not form.is_valid():
        return None
    actor = Actor.of_request(request)
    fields = dict(form.cleaned_data)
    submission_key = fields.pop("submission_key")
    try:
        if person is None:
            return person_create(actor=actor, submission_key=submission_key, **fields, **links)
        return person_update(actor=actor, person=person, **fields)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@personal_data_view
def person_new(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, unit=request.user.unit)
    if request.method == "POST" and (person := _save_person_form(request, form, None)):
        messages.success(request, _("The person was registered."))
        return redirect("console:person", person_uuid=person.uuid)
    return render(request, "console/person_form.html", {"form": form, "person": None})


@personal_data_view
def person_new_ward(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    """Register a child under a guardian: same home, phone and household as the guardian."""
    guardian = person_read(actor=Actor.of_request(request), person_uuid=person_uuid)
    initial = {
        "home_unit": guardian.home_unit,
        "address_line": guardian.address_line,
        "phone": guardian.phone,
        "id_kind": IdKind.NONE,
    }
    form = PersonForm(request.POST or None, initial=initial, unit=request.user.unit)
    links = {"guardian": guardian, "household": guardian.household}
    if request.method == "POST" and (person := _save_person_form(request, form, None, **links)):
        messages.success(request, _("The child was registered under this guardian."))
        return redirect("console:person", person_uuid=person.uuid)
    context = {"form": form, "person": None, "guardian": guardian}
    return render(request, "console/person_form.html", context)


@personal_data_view
def person_edit(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    person = person_read(actor=Actor.of_request(request), person_uuid=person_uuid)
    form = PersonForm(request.POST or None, instance=person, unit=request.user.unit)
    if request.method == "POST" and _save_person_form(request, form, person):
        messages.success(request, _("The changes were saved."))
        return redirect("console:person", person_uuid=person.uuid)
    return render(request, "console/person_form.html", {"form": form, "person": person})


@personal_data_view
def person_merge_view(request: HttpRequest, person_uuid: UUID, other_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    keep = person_read(actor=actor, person_uuid=person_uuid)
    duplicate = person_read(actor=actor, person_uuid=other_uuid)
    if request.method == "POST":
        try:
            person_merge(actor=actor, keep=keep, duplicate=duplicate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The records were merged."))
        return redirect("console:person", person_uuid=keep.uuid)
    return render(request, "console/person_merge.html", {"keep": keep, "duplicate": duplicate})


@audit_reader_view
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    events = audit_events_search(user=request.user, criteria=AuditFilter())
    if form.is_bound:
        events = events.none()
        if form.is_valid():
            fields = form.cleaned_data
            record = fields.pop("record").strip()
            criteria = AuditFilter(**fields, object_uuids=_record_uuids(request.user, record))
            events = audit_events_search(user=request.user, criteria=criteria)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "console/audit_log.html", {"form": form, "page": page})


def _record_uuids(user: StaffUser, record: str) -> tuple[str, ...] | None:
    """The records a typed record id or document number names, among those the user sees."""
    if not record:
        return None
    try:
        return (str(UUID(record)),)
    except ValueError:
        return tuple(str(u) for u in person_uuids_by_document(user=user, number=record))


@staff_view
def account(request: HttpRequest) -> HttpResponse:
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(request, "console/account.html", {"totp_enabled": confirmed})


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
        device = totp_device_start(user=request.user)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(request, "console/totp_enrol.html", {"form": form, "qr": qr, "device": device})
