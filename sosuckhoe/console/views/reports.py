"""The daily reports of a unit (vaccination, reactions, stock), shown and downloaded as .xlsx
or PDF, and the e-mail subscriptions that send them each morning. Counts only: every member
of staff reads their subtree's reports; health officers (commune and above) list recipients."""

import datetime as dt
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.models import ReportKind, ReportSubscription
from sosuckhoe.analytics.reports import report_sheet, sheet_pdf, sheet_xlsx
from sosuckhoe.analytics.subscriptions import XLSX, subscription_create, subscription_stop
from sosuckhoe.console.access import officer_view, staff_view
from sosuckhoe.console.refusals import refusal_messages
from sosuckhoe.console.unit_pick import unit_named, unit_pick
from sosuckhoe.places.models import AdminUnit

FORMATS = {"xlsx": XLSX, "pdf": "application/pdf"}


class DayForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class SubscriptionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportKind.choices)
    recipients = forms.CharField(
        label=gettext_lazy("E-mail addresses (one a line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    unit = forms.CharField(widget=forms.HiddenInput)


def _day(request: HttpRequest) -> dt.date:
    form = DayForm(request.GET)
    chosen = form.cleaned_data["day"] if form.is_valid() else None
    return chosen or timezone.localdate()


@require_safe
@staff_view
def reports(request: HttpRequest) -> HttpResponse:
    """The day's daily report of the picked unit on the page, the three reports to download,
    and the unit's e-mail subscriptions."""
    pick, day = unit_pick(request), _day(request)
    sheet = report_sheet(kind=ReportKind.DAILY, unit=pick.unit, day=day)
    subscriptions = ReportSubscription.objects.filter(
        unit=pick.unit, is_active=True
    ).select_related("unit")
    context = {
        "pick": pick,
        "day": day,
        "day_form": DayForm(initial={"day": day}),
        "sheet": sheet,
        "kinds": ReportKind.choices,
        "download_query": _query(pick.unit, request.user.unit, day),
        "subscriptions": subscriptions,
        "subscription_form": SubscriptionForm(initial={"unit": pick.unit.code}),
        "may_write": Actor.of_request(request).covers(pick.unit),
    }
    return render(request, "console/reports.html", context)


def _query(unit: AdminUnit, own: AdminUnit, day: dt.date) -> str:
    query = f"?day={day.isoformat()}"
    return query if unit.pk == own.pk else f"{query}&unit={unit.code}"


@require_safe
@staff_view
def report_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """One report of the picked unit and day, as .xlsx or PDF."""
    if kind not in ReportKind.values or fmt not in FORMATS:
        raise Http404
    pick, day = unit_pick(request), _day(request)
    sheet = report_sheet(kind=kind, unit=pick.unit, day=day)
    content = sheet_xlsx(sheet) if fmt == "xlsx" else sheet_pdf(sheet)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{sheet.filename}.{fmt}"'
    return response


def _reports_url(unit: AdminUnit, own: AdminUnit) -> str:
    url = reverse("console:reports")
    return url if unit.pk == own.pk else f"{url}?unit={unit.code}"


@require_POST
@officer_view
def subscription_new(request: HttpRequest) -> HttpResponse:
    """E-mail a report of the unit each morning to the addresses listed."""
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("console:reports")
    unit = unit_named(request, form.cleaned_data["unit"])
    try:
        subscription_create(
            actor=Actor.of_request(request),
            kind=form.cleaned_data["kind"],
            unit=unit,
            recipients=form.cleaned_data["recipients"],
        )
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The report will be sent each morning."))
    return redirect(_reports_url(unit, request.user.unit))


@require_POST
@officer_view
def subscription_stop_view(request: HttpRequest, subscription_uuid: UUID) -> HttpResponse:
    subscription = (
        ReportSubscription.objects.filter(uuid=subscription_uuid).select_related("unit").first()
    )
    if subscription is None or not request.user.works_over(subscription.unit):
        raise Http404
    try:
        subscription_stop(actor=Actor.of_request(request), subscription=subscription)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The report will no longer be sent."))
    return redirect(_reports_url(subscription.unit, request.user.unit))
