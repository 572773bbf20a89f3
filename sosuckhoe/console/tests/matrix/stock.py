"""Vaccine stock: the overview, a facility's page, receipts and transfers."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix import (
    PERSONAL_DATA,
    ROLES,
    SEES_COMMUNE_A,
    STAFF,
    Case,
)
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive

# Stock is no personal data: the analyst of the province reads commune A's too.
READS_COMMUNE_A = SEES_COMMUNE_A | {"analyst"}


def send(name: str, url: str, post: dict[str, object]) -> Case:
    """A POST-only form: a GET is 405 for everyone; staff who handle records of commune A
    are served, those of other units find no such facility, analysts are refused."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in PERSONAL_DATA:
            return 403
        return 302 if role in SEES_COMMUNE_A else 404

    return Case(name, url, SEES_COMMUNE_A, PERSONAL_DATA, post=post,
                statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def cases(cast) -> list[Case]:
    supply_reference_load()
    store, station = (
        Facility.objects.create(name=name, kind=kind, unit=cast.units.commune_a)
        for name, kind in (("Kho Phường Nam Định", FacilityKind.HEALTH_CENTRE),
                           ("Điểm tiêm Trường Tiểu học", FacilityKind.SCHOOL))
    )  # fmt: skip
    expiry = timezone.localdate() + dt.timedelta(days=120)
    product = Product.objects.get(key="vaxzevria")
    lot = lot_register(actor=SYSTEM, product=product, number="ST0001", expiry_date=expiry)
    stock_receive(actor=SYSTEM, facility=store, lot=lot, doses=100)
    receipt = {"product": product.key, "number": "ST0002", "expiry_date": expiry.isoformat(),
               "doses": 30}  # fmt: skip
    transfer = {"lot": lot.pk, "destination": station.uuid, "doses": 10}
    url = reverse
    return [
        Case("console:stock_overview", url("console:stock_overview"), STAFF, STAFF, post=None),
        Case("console:stock_facility", url("console:stock_facility", args=[store.uuid]),
             READS_COMMUNE_A, STAFF, post=None),
        send("console:stock_receipt", url("console:stock_receipt", args=[store.uuid]), receipt),
        send("console:stock_transfer", url("console:stock_transfer", args=[store.uuid]), transfer),
    ]  # fmt: skip
