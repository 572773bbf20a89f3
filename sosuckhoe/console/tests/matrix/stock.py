"""Vaccine stock: the overview, a facility's page, and its forms: receipt, transfer, waste,
return, expiry, count, closing an open vial, recall."""

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
from sosuckhoe.supply.models import Lot, OpenVial, Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive, stock_use

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


def _recall(url: str, post: dict[str, object]) -> Case:
    """Recalling a lot reaches the whole country: a national administrator's alone."""
    answers = dict.fromkeys(ROLES, 403) | {"anonymous": 302, "national_admin": 302}
    return Case("console:stock_lot_recall", url, frozenset({"national_admin"}),
                frozenset({"national_admin"}), post=post, statuses=dict.fromkeys(ROLES, 405),
                post_statuses=answers)  # fmt: skip


def _expired_lot(product: Product, store: Facility) -> Lot:
    """A lot on hand at the store whose expiry date has passed since it arrived."""
    today = timezone.localdate()
    lot = lot_register(actor=SYSTEM, product=product, number="ST0003",
                       expiry_date=today + dt.timedelta(days=30))  # fmt: skip
    stock_receive(actor=SYSTEM, facility=store, lot=lot, doses=20)
    Lot.objects.filter(pk=lot.pk).update(expiry_date=today - dt.timedelta(days=1))
    return lot


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
    stock_use(actor=SYSTEM, facility=store, lot=lot)  # opens a vial of 10 doses
    vial = OpenVial.objects.get(facility=store, lot=lot)
    expired = _expired_lot(product, store)
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
        send("console:stock_waste", url("console:stock_waste", args=[store.uuid]),
             {"lot": lot.pk, "doses": 1, "reason": "broken"}),
        send("console:stock_return", url("console:stock_return", args=[store.uuid]),
             {"lot": lot.pk, "doses": 1, "reference": "PX-01"}),
        send("console:stock_expire", url("console:stock_expire", args=[store.uuid]),
             {"lot": expired.pk}),
        send("console:stock_adjust", url("console:stock_adjust", args=[store.uuid]),
             {"lot": lot.pk, "counted": 50, "reason": "physical_count"}),
        send("console:stock_vial_close",
             url("console:stock_vial_close", args=[store.uuid, vial.uuid]), {}),
        _recall(url("console:stock_lot_recall", args=[store.uuid]),
                {"lot": lot.pk, "reason": "Thông báo thu hồi của Bộ Y tế"}),
    ]  # fmt: skip
