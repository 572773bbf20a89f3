"""Vaccine stock per facility of the user's unit: on hand per lot, open vials, the ledger, and
the forms that move doses (receipt, transfer, waste, return, expiry, count, closing a vial,
recall). Stock is no personal data: every member of staff reads their subtree's; those who
handle records also write it, and only a national administrator recalls a lot."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view, staff_view
from sosuckhoe.console.forms_stock import (
    LotRecallForm,
    StockAdjustForm,
    StockExpireForm,
    StockReturnForm,
    StockWasteForm,
)
from sosuckhoe.console.forms_vaccination import StockReceiptForm, StockTransferForm
from sosuckhoe.console.refusals import refusal_messages, refusal_on_form
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot
from sosuckhoe.supply.selectors import (
    facilities_visible_to,
    open_vials,
    products_active,
    stock_balances,
    stock_movements,
    vial_at,
)
from sosuckhoe.supply.services import (
    lot_recall,
    lot_register,
    stock_adjust,
    stock_expire,
    stock_receive,
    stock_return,
    stock_transfer,
    stock_vial_close,
    stock_waste,
)

MOVEMENTS_SHOWN = 100

# What a form's service is handed: who acts, at which facility, with the form's data; it
# answers the message shown on success.
Act = Callable[[Actor, Facility, dict[str, Any]], str]


def _facility(request: HttpRequest, facility_uuid: UUID) -> Facility:
    facility = (
        facilities_visible_to(user=request.user)
        .select_related("unit")
        .filter(uuid=facility_uuid)
        .first()
    )
    if facility is None:
        raise Http404
    return facility


def _lots_on_hand(request: HttpRequest, facility: Facility) -> QuerySet[Lot]:
    lot_ids = stock_balances(user=request.user, facility=facility).values_list("lot_id", flat=True)
    return Lot.objects.filter(pk__in=list(lot_ids)).select_related("product")


def _destinations(request: HttpRequest, facility: Facility) -> QuerySet[Facility]:
    return facilities_visible_to(user=request.user).filter(is_active=True).exclude(pk=facility.pk)


def _forms(request: HttpRequest, facility: Facility, sent: str = "") -> dict[str, forms.Form]:
    """Every form of the page by name; the one `sent` bound to the POST. Ids carry the name,
    as several forms share field names."""

    def make(name: str, form_class: type[forms.Form], **choices: Any) -> forms.Form:
        data = request.POST if sent == name else None
        return form_class(data, auto_id=f"id_{name}_%s", **choices)

    lots = _lots_on_hand(request, facility)
    return {
        "receipt": make("receipt", StockReceiptForm, products=products_active()),
        "transfer": make(
            "transfer", StockTransferForm, lots=lots, destinations=_destinations(request, facility)
        ),
        "waste": make("waste", StockWasteForm, lots=lots),
        "return": make("return", StockReturnForm, lots=lots),
        "expire": make(
            "expire", StockExpireForm, lots=lots.filter(expiry_date__lt=timezone.localdate())
        ),
        "adjust": make("adjust", StockAdjustForm, lots=lots),
        "recall": make("recall", LotRecallForm, lots=lots.filter(recalled_at__isnull=True)),
    }


@require_safe
@staff_view
def stock_overview(request: HttpRequest) -> HttpResponse:
    """On hand per facility and lot across the user's subtree."""
    balances = list(stock_balances(user=request.user)[:500])
    return render(request, "console/stock_overview.html", {"balances": balances})


def _page(
    request: HttpRequest, facility: Facility, page_forms: dict[str, forms.Form]
) -> HttpResponse:
    context = {
        "facility": facility,
        "balances": stock_balances(user=request.user, facility=facility),
        "open_vials": open_vials(user=request.user, facility=facility)
        .annotate(left=F("doses") - F("used"))
        .order_by("opened_at"),
        "movements": stock_movements(user=request.user, facility=facility)[:MOVEMENTS_SHOWN],
        "may_write": request.user.reads_personal_data,
        "may_recall": request.user.sees_whole_country,
        **{f"{name}_form": form for name, form in page_forms.items()},
    }
    return render(request, "console/stock_facility.html", context)


def _back(facility: Facility) -> HttpResponse:
    return redirect("console:stock_facility", facility_uuid=facility.uuid)


def _send(request: HttpRequest, facility_uuid: UUID, name: str, act: Act) -> HttpResponse:
    """The POST of one form of the page: its service's refusal above the form, which is shown
    again with nothing written; on success back to the page with the service's message."""
    facility, actor = _facility(request, facility_uuid), Actor.of_request(request)
    page_forms = _forms(request, facility, name)
    form = page_forms[name]
    if form.is_valid():
        try:
            done = act(actor, facility, form.cleaned_data)
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, done)
            return _back(facility)
    return _page(request, facility, page_forms)


@require_safe
@staff_view
def stock_facility(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    facility = _facility(request, facility_uuid)
    return _page(request, facility, _forms(request, facility))


def _receive(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    # The lot and its first receipt together: a refused receipt leaves no new lot behind.
    with transaction.atomic():
        lot = lot_register(
            actor=actor,
            product=data["product"],
            number=data["number"],
            expiry_date=data["expiry_date"],
        )
        stock_receive(
            actor=actor,
            facility=facility,
            lot=lot,
            doses=data["doses"],
            reference=data["reference"],
        )
    return _("The delivery was received.")


@require_POST
@personal_data_view
def stock_receipt(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """A delivery arrives: its lot registered on first sight, its doses received."""
    return _send(request, facility_uuid, "receipt", _receive)


def _transfer(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    stock_transfer(
        actor=actor,
        source=facility,
        destination=data["destination"],
        lot=data["lot"],
        doses=data["doses"],
        reference=data["reference"],
    )
    return _("The doses were sent.")


@require_POST
@personal_data_view
def stock_transfer_view(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Send doses of a lot to another facility."""
    return _send(request, facility_uuid, "transfer", _transfer)


def _waste(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    stock_waste(actor=actor, facility=facility, **data)
    return _("The wasted doses were written off.")


@require_POST
@personal_data_view
def stock_waste_view(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Doses lost: broken, cold chain, contaminated, or another reason told in the note."""
    return _send(request, facility_uuid, "waste", _waste)


def _return(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    stock_return(actor=actor, facility=facility, **data)
    return _("The doses were returned to the supplier.")


@require_POST
@personal_data_view
def stock_return_view(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Doses sent back to the supplier, out of the platform."""
    return _send(request, facility_uuid, "return", _return)


def _expire(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    movement = stock_expire(actor=actor, facility=facility, lot=data["lot"])
    return _("%(doses)s expired doses were written off.") % {"doses": -movement.doses}


@require_POST
@personal_data_view
def stock_expire_view(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Write off what is left of a lot past its expiry date."""
    return _send(request, facility_uuid, "expire", _expire)


def _adjust(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    if stock_adjust(actor=actor, facility=facility, **data) is None:
        return _("The count matches the stock on hand: nothing changed.")
    return _("The stock on hand was set to the count.")


@require_POST
@personal_data_view
def stock_adjust_view(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Bring the stock on hand of a lot to a physical count."""
    return _send(request, facility_uuid, "adjust", _adjust)


def _recall(actor: Actor, facility: Facility, data: dict[str, Any]) -> str:
    lot = lot_recall(actor=actor, **data)
    return _("Lot %(lot)s is recalled: no site may use it.") % {"lot": lot.number}


@require_POST
@personal_data_view
def stock_lot_recall(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Recall a lot everywhere, from a facility that holds it."""
    # A recall reaches every facility of the country: only a national administrator's role
    # does it (the service refuses others too); for the rest the page does not exist.
    if not request.user.sees_whole_country:
        raise PermissionDenied
    return _send(request, facility_uuid, "recall", _recall)


@require_POST
@personal_data_view
def stock_vial_close_view(
    request: HttpRequest, facility_uuid: UUID, vial_uuid: UUID
) -> HttpResponse:
    """Close an open multi-dose vial: the doses left in it are wasted."""
    facility = _facility(request, facility_uuid)
    vial = vial_at(facility=facility, vial_uuid=vial_uuid)
    if vial is None:
        raise Http404
    try:
        wasted = stock_vial_close(actor=Actor.of_request(request), vial=vial)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        doses = -wasted.doses if wasted else 0
        messages.success(
            request,
            _("The vial was closed; doses left in it and wasted: %(doses)s.") % {"doses": doses},
        )
    return _back(facility)
