"""The dashboards of a unit's subtree: one page, and each chart's data as JSON (drawn by
dashboard.js with plotly.js served from our static files) and as .xlsx.

Counts only, no person: health officers of every level and analysts read them, each over
their unit's subtree (`?unit=` narrows to a unit below, never widens); site staff, who work
on one site's day, have the site pages instead."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role
from sosuckhoe.analytics.dashboards import CHARTS, Request, chart_xlsx
from sosuckhoe.analytics.models import ALL_AGES, ALL_GROUPS, TargetPopulation
from sosuckhoe.analytics.selectors import BREAKDOWNS, FIRST_DOSE, DoseKey, Filters, units_below
from sosuckhoe.analytics.targets import target_editor, target_set
from sosuckhoe.analytics.warning_selectors import warnings_latest
from sosuckhoe.console.unit_pick import unit_pick
from sosuckhoe.places.models import UnitLevel
from sosuckhoe.supply.models import DoseKind
from sosuckhoe.vaccination.age_bands import AGE_BANDS
from sosuckhoe.vaccination.models import PriorityGroup

View = Callable[..., HttpResponse]


def dashboard_view(view: View) -> View:
    """Signed in, and not site staff (403 whatever the unit asked)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role == Role.SITE_STAFF:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(guarded)


def _filters(request: HttpRequest) -> Filters:
    """The group and band asked for; anything unknown reads as all."""
    group = request.GET.get("group", "")
    band = request.GET.get("band", "")
    return Filters(
        group=int(group) if group.isdigit() and len(group) <= 2 else ALL_GROUPS,
        band=band if band in {b.key for b in AGE_BANDS} else ALL_AGES,
    )


def _dose(request: HttpRequest) -> DoseKey:
    kind, _sep, number = request.GET.get("dose", "").partition("_")
    if kind in DoseKind.values and number.isdigit() and 0 < int(number) < 10:
        return kind, int(number)
    return FIRST_DOSE


def _chart_request(request: HttpRequest) -> Request:
    by = request.GET.get("by", "product")
    return Request(
        user=request.user,
        unit=unit_pick(request).unit,
        filters=_filters(request),
        today=timezone.localdate(),
        by=by if by in BREAKDOWNS else "product",
        dose=_dose(request),
    )


@require_safe
@dashboard_view
def dashboard(request: HttpRequest) -> HttpResponse:
    pick = unit_pick(request)
    query = urlencode({k: v for k, v in request.GET.items() if k in ("unit", "group", "band")})
    return render(
        request,
        "console/dashboard.html",
        {
            "pick": pick,
            "below": units_below(pick.unit),
            "filters": _filters(request),
            "groups": PriorityGroup.objects.all(),
            "bands": AGE_BANDS,
            "charts": [
                {
                    "slug": slug,
                    "json": _chart_url("json", slug, query),
                    "xlsx": _chart_url("xlsx", slug, query),
                }
                for slug in CHARTS
            ],
            "is_commune": pick.unit.level == UnitLevel.COMMUNE,
            "labels": _labels(),
            "warnings_panel": warnings_latest(user=request.user),
        },
    )


def _labels() -> dict[str, str]:
    """The words dashboard.js writes on the charts."""
    return {
        "noData": _("No data"),
        "average7": _("7-day average"),
        "total": _("Total"),
        "coverage": _("Coverage (%)"),
        "target": _("Target"),
        "daysLeft": _("Days of stock left"),
        "onHand": _("Doses on hand"),
        "perDoses": _("Signs per 100,000 doses"),
        "serious": _("Serious per 100,000 doses"),
        "missing": _("Not yet entered"),
        "countedOn": _("Counted on"),
        "doses": _("Doses"),
        "product": _("By vaccine"),
        "dose": _("By dose"),
        "group": _("By priority group"),
        "attribution": _(
            "Province boundaries: Open Development Mekong / Open Development Vietnam, "
            "CC BY-SA 4.0; simplified and re-coded."
        ),
    }


def _chart_url(fmt: str, slug: str, query: str) -> str:
    url = reverse(f"console:dashboard_{fmt}", args=[slug])
    return f"{url}?{query}" if query else url


def _chart(request: HttpRequest, slug: str) -> Any:
    if slug not in CHARTS:
        raise Http404
    return CHARTS[slug](_chart_request(request))


@require_safe
@dashboard_view
def dashboard_json(request: HttpRequest, slug: str) -> JsonResponse:
    return JsonResponse(_chart(request, slug).as_json())


@require_safe
@dashboard_view
def dashboard_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    chart = _chart(request, slug)
    name = f"{slug}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(
        chart_xlsx(chart),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@dashboard_view
def dashboard_targets(request: HttpRequest) -> HttpResponse:
    """A commune's target populations; its officers and those above set them."""
    pick = unit_pick(request)
    if pick.unit.level != UnitLevel.COMMUNE:
        raise Http404
    actor = Actor.of_request(request)
    if request.method == "POST":
        if not target_editor(actor, pick.unit):
            raise PermissionDenied
        _target_post(request, actor, pick.unit)
        return redirect(f"{request.path}{pick.query}")
    targets = TargetPopulation.objects.filter(unit=pick.unit).order_by("priority_group", "age_band")
    return render(
        request,
        "console/dashboard_targets.html",
        {
            "pick": pick,
            "targets": targets,
            "groups": PriorityGroup.objects.all(),
            "bands": AGE_BANDS,
            "edits": target_editor(actor, pick.unit),
        },
    )


def _target_post(request: HttpRequest, actor: Actor, unit: Any) -> None:
    group, persons = request.POST.get("group", "0"), request.POST.get("persons", "")
    band = request.POST.get("band", "")
    if not (group.isdigit() and persons.isdigit() and len(persons) <= 9 and len(group) <= 2):
        messages.error(request, _("Enter a whole number of people."))
        return
    try:
        target_set(
            actor=actor,
            unit=unit,
            persons=int(persons),
            priority_group=int(group),
            age_band=band,
            source=request.POST.get("source", "")[:200],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return
    messages.success(request, _("Target saved."))
