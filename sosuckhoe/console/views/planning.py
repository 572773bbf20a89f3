"""Planning a product per unit: need against stock and expected shipments, the day each unit
reaches its target, the sessions it needs; recording a shipment and sharing it out across the
units below in proportion to need, as stock transfers; coverage plans (a share of the target
by a date) and where each stands. Counts only: every member of staff reads their subtree's
plan; health officers (commune and above) record, share out and set coverage plans."""

import datetime as dt
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.models import ExpectedShipment
from sosuckhoe.analytics.planning import (
    Plan,
    plan_compute,
    shipment_distribute,
    shipment_record,
    shipments_expected,
    split_propose,
)
from sosuckhoe.analytics.plans import plan_delete, plan_for_change, plan_set, plans_progress
from sosuckhoe.analytics.targets import target_editor
from sosuckhoe.console.access import officer_view, staff_view
from sosuckhoe.console.refusals import refusal_messages, refusal_on_form
from sosuckhoe.console.unit_pick import unit_named, unit_pick
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.supply.models import DoseKind, Product, StockBalance
from sosuckhoe.supply.schedule import dose_label
from sosuckhoe.supply.selectors import products_active


class PlanForm(forms.Form):
    """What the plan is of: a product, and the wastage rate to plan with (blank: the vial's)."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), to_field_name="key", label=gettext_lazy("Vaccine")
    )
    wastage = forms.DecimalField(
        label=gettext_lazy("Wastage rate (%)"),
        min_value=0,
        max_value=90,
        decimal_places=1,
        required=False,
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products_active()


class ShipmentForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), to_field_name="key", label=gettext_lazy("Vaccine")
    )
    doses = forms.IntegerField(label=gettext_lazy("Doses"), min_value=1, max_value=10_000_000)
    expected_on = forms.DateField(
        label=gettext_lazy("Expected on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.CharField(widget=forms.HiddenInput)
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=80, required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products_active()


# The doses a coverage plan may be of: the primary series, the additional dose, two boosters.
PLAN_DOSES = ((DoseKind.PRIMARY, 1), (DoseKind.PRIMARY, 2), (DoseKind.PRIMARY, 3),
              (DoseKind.ADDITIONAL, 1), (DoseKind.BOOSTER, 1), (DoseKind.BOOSTER, 2))  # fmt: skip


class CoveragePlanForm(forms.Form):
    """A share of the unit's target population to have had a dose by a date."""

    dose = forms.ChoiceField(label=gettext_lazy("Dose"))
    coverage = forms.IntegerField(label=gettext_lazy("Coverage (%)"), min_value=1, max_value=100)
    due_on = forms.DateField(
        label=gettext_lazy("To reach by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["dose"].choices = [
            (f"{kind}_{number}", dose_label(kind, number)) for kind, number in PLAN_DOSES
        ]

    def dose_key(self) -> tuple[str, int]:
        kind, _sep, number = self.cleaned_data["dose"].partition("_")
        return kind, int(number)


def _plan_form(request: HttpRequest) -> PlanForm:
    data = request.GET.copy()
    if "product" not in data:
        first = products_active().first()
        data["product"] = first.key if first else ""
    return PlanForm(data)


@require_safe
@staff_view
def planning(request: HttpRequest) -> HttpResponse:
    """The plan of a product for the units directly below the picked one."""
    pick, form = unit_pick(request), _plan_form(request)
    plan = None
    if form.is_valid():
        product, wastage = form.cleaned_data["product"], form.cleaned_data["wastage"]
        rate = None if wastage is None else float(wastage) / 100
        plan = plan_compute(unit=pick.unit, product=product, wastage_rate=rate)
    shipment_form = ShipmentForm(
        initial={
            "unit": pick.unit.code,
            "expected_on": timezone.localdate() + dt.timedelta(days=7),
            "product": form.data.get("product"),
        },
        auto_id="id_shipment_%s",
    )
    context = {
        "pick": pick,
        "form": form,
        "plan": plan,
        "wastage_percent": plan.wastage_rate * 100 if plan else None,
        "shipments": shipments_expected(unit=pick.unit),
        "shipment_form": shipment_form,
        "may_write": Actor.of_request(request).covers(pick.unit),
        **_coverage_plans(request, pick.unit),
    }
    return render(request, "console/planning.html", context)


def _coverage_plans(request: HttpRequest, unit: AdminUnit) -> dict[str, object]:
    actor = Actor.of_request(request)
    progress = plans_progress(unit=unit, today=timezone.localdate())
    form = CoveragePlanForm(
        initial={"unit": unit.code, "due_on": timezone.localdate() + dt.timedelta(days=30)},
        auto_id="id_plan_%s",
    )
    return {
        # Behind as the warning judges it, with its slack.
        "coverage_plans": [
            (p, target_editor(actor, p.plan.unit), p.behind(settings.WARNING_PLAN_SLACK_DAYS))
            for p in progress
        ],
        "plan_form": form if target_editor(actor, unit) else None,
    }


@require_POST
@officer_view
def coverage_plan_new(request: HttpRequest) -> HttpResponse:
    """Set a unit's coverage plan of a dose and date."""
    form = CoveragePlanForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("console:planning") + "#plans")
    unit = unit_named(request, form.cleaned_data["unit"])
    kind, number = form.dose_key()
    try:
        plan_set(
            actor=Actor.of_request(request),
            unit=unit,
            kind=kind,
            number=number,
            coverage=form.cleaned_data["coverage"],
            due_on=form.cleaned_data["due_on"],
        )
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The coverage plan is saved."))
    return redirect(_plans_url(unit, request.user.unit))


@require_POST
@officer_view
def coverage_plan_delete(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    plan = plan_for_change(actor=actor, plan_uuid=plan_uuid)
    try:
        plan_delete(actor=actor, plan=plan)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The coverage plan is removed."))
    return redirect(_plans_url(plan.unit, request.user.unit))


def _plans_url(unit: AdminUnit, own: AdminUnit) -> str:
    query = "" if unit.pk == own.pk else f"?unit={unit.code}"
    return reverse("console:planning") + query + "#plans"


@require_POST
@officer_view
def shipment_new(request: HttpRequest) -> HttpResponse:
    """Record a shipment the unit expects."""
    form = ShipmentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("console:planning")
    unit = unit_named(request, form.cleaned_data["unit"])
    data = form.cleaned_data
    try:
        shipment_record(
            actor=Actor.of_request(request),
            product=data["product"],
            doses=data["doses"],
            expected_on=data["expected_on"],
            unit=unit,
            reference=data["reference"],
        )
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The expected shipment is recorded."))
    return redirect(_planning_url(unit, request.user.unit, data["product"]))


def _planning_url(unit: AdminUnit, own: AdminUnit, product: Product) -> str:
    query = f"?product={product.key}"
    if unit.pk != own.pk:
        query += f"&unit={unit.code}"
    return reverse("console:planning") + query


def _shipment(request: HttpRequest, shipment_uuid: UUID) -> ExpectedShipment:
    shipment = (
        ExpectedShipment.objects.filter(uuid=shipment_uuid)
        .select_related("unit", "product")
        .first()
    )
    if shipment is None or not request.user.works_over(shipment.unit):
        raise Http404
    return shipment


class SplitForm(forms.Form):
    """Where the doses leave from, and each unit's share (prefilled with the proposal)."""

    source = forms.ChoiceField(label=gettext_lazy("Send from (facility and lot)"))
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, shipment: ExpectedShipment, plan: Plan, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.balances = {
            str(b.pk): b
            for b in StockBalance.objects.filter(
                facility__unit__path__startswith=shipment.unit.path,
                facility__is_active=True,
                lot__product=shipment.product,
                lot__recalled_at__isnull=True,
                lot__expiry_date__gte=timezone.localdate(),
                doses__gt=0,
            ).select_related("facility", "lot")
        }
        self.fields["source"].choices = [
            (pk, f"{b.facility.name} · {b.lot.number} · {b.doses}")
            for pk, b in self.balances.items()
        ]
        vial = shipment.product.doses_per_vial
        proposal = split_propose(needs=plan.rows, doses=shipment.doses, vial=vial)
        self.units = {}
        for need in plan.rows:
            name = f"u_{need.unit.code}"
            self.units[name] = need
            self.fields[name] = forms.IntegerField(
                label=need.unit.name, min_value=0, initial=proposal.get(need.unit.pk, 0)
            )
        self.fields["on"].initial = timezone.localdate()

    def unit_fields(self) -> list[tuple[forms.BoundField, object]]:
        return [(self[name], need) for name, need in self.units.items()]

    def split(self) -> dict[AdminUnit, int]:
        return {need.unit: self.cleaned_data[name] for name, need in self.units.items()}


@require_http_methods(["GET", "HEAD", "POST"])
@officer_view
def shipment_split(request: HttpRequest, shipment_uuid: UUID) -> HttpResponse:
    """The proposed split of a shipment across the units below its unit, editable; sent,
    it becomes one stock transfer to each unit."""
    shipment = _shipment(request, shipment_uuid)
    plan = plan_compute(unit=shipment.unit, product=shipment.product)
    form = SplitForm(request.POST or None, shipment=shipment, plan=plan)
    if request.method == "POST" and form.is_valid():
        balance = form.balances[form.cleaned_data["source"]]
        try:
            shipment_distribute(
                actor=Actor.of_request(request),
                shipment=shipment,
                source=balance.facility,
                lot=balance.lot,
                split=form.split(),
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The shipment is shared out as stock transfers."))
            return redirect(_planning_url(shipment.unit, request.user.unit, shipment.product))
    context = {"shipment": shipment, "plan": plan, "form": form}
    return render(request, "console/planning_split.html", context)
