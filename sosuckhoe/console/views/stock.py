"""Vaccine stock per facility of the user's unit: on hand per lot, the ledger, receipts and
transfers. Stock is no personal data: every member of staff reads their subtree's; those who
handle records also receive and send."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view, staff_view
from sosuckhoe.console.forms_vaccination import StockReceiptForm, StockTransferForm
from sosuckhoe.console.refusals import refusal_on_form
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot
from sosuckhoe.supply.selectors import (
    facilities_visible_to,
    products_active,
    stock_balances,
    stock_movements,
)
from sosuckhoe.supply.services import lot_register, stock_receive, stock_transfer

MOVEMENTS_SHOWN = 100


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


def _forms(
    request: HttpRequest, facility: Facility, sent: str = ""
) -> tuple[StockReceiptForm, StockTransferForm]:
    """Both forms of the page; the one `sent` bound to the POST."""
    receipt = StockReceiptForm(
        request.POST if sent == "receipt" else None, products=products_active()
    )
    transfer = StockTransferForm(
        request.POST if sent == "transfer" else None,
        lots=_lots_on_hand(request, facility),
        destinations=_destinations(request, facility),
    )
    return receipt, transfer


@require_safe
@staff_view
def stock_overview(request: HttpRequest) -> HttpResponse:
    """On hand per facility and lot across the user's subtree."""
    balances = list(stock_balances(user=request.user)[:500])
    return render(request, "console/stock_overview.html", {"balances": balances})


def _page(
    request: HttpRequest, facility: Facility, forms: tuple[StockReceiptForm, StockTransferForm]
) -> HttpResponse:
    context = {
        "facility": facility,
        "balances": stock_balances(user=request.user, facility=facility),
        "movements": stock_movements(user=request.user, facility=facility)[:MOVEMENTS_SHOWN],
        "may_write": request.user.reads_personal_data,
        "receipt_form": forms[0],
        "transfer_form": forms[1],
    }
    return render(request, "console/stock_facility.html", context)


@require_safe
@staff_view
def stock_facility(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    facility = _facility(request, facility_uuid)
    return _page(request, facility, _forms(request, facility))


@require_POST
@personal_data_view
def stock_receipt(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """A delivery arrives: its lot registered on first sight, its doses received."""
    facility, actor = _facility(request, facility_uuid), Actor.of_request(request)
    forms = _forms(request, facility, "receipt")
    form = forms[0]
    if form.is_valid():
        data = form.cleaned_data
        try:
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
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The delivery was received."))
            return redirect("console:stock_facility", facility_uuid=facility.uuid)
    return _page(request, facility, forms)


@require_POST
@personal_data_view
def stock_transfer_view(request: HttpRequest, facility_uuid: UUID) -> HttpResponse:
    """Send doses of a lot to another facility."""
    facility, actor = _facility(request, facility_uuid), Actor.of_request(request)
    forms = _forms(request, facility, "transfer")
    form = forms[1]
    if form.is_valid():
        data = form.cleaned_data
        try:
            stock_transfer(
                actor=actor,
                source=facility,
                destination=data["destination"],
                lot=data["lot"],
                doses=data["doses"],
                reference=data["reference"],
            )
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, _("The doses were sent."))
            return redirect("console:stock_facility", facility_uuid=facility.uuid)
    return _page(request, facility, forms)
