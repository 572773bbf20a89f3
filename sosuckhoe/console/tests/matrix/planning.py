"""Planning: the plan of a product (counts: every member of staff, over their subtree),
recording an expected shipment and sharing one out (health officers over its unit)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.analytics.planning import shipment_record
from sosuckhoe.console.tests.matrix import ROLES, SEES_COMMUNE_A, STAFF, Case
from sosuckhoe.console.tests.matrix.registrations import OFFICERS
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product, StockBalance
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive

# Counts are no personal data: the analyst of the province reads commune A's plan too.
READS_COMMUNE_A = SEES_COMMUNE_A | {"analyst"}
# Officers whose subtree holds the province (a shipment to it) and commune A.
OVER_PROVINCE = frozenset({"province", "national_admin"})
OVER_COMMUNE_A = SEES_COMMUNE_A & OFFICERS


def post_only(name: str, url: str, post: dict[str, object], allowed: frozenset[str]) -> Case:
    """A POST-only form of officers: a GET is 405 for everyone; officers over the unit it
    names are served, other officers find no such unit, the others are refused."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in OFFICERS:
            return 403
        return 302 if role in allowed else 404

    return Case(name, url, allowed, OFFICERS, post=post, statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def cases(cast) -> list[Case]:
    supply_reference_load()
    units, today = cast.units, timezone.localdate()
    store = Facility.objects.create(
        name="Kho vắc xin tỉnh Ninh Bình", kind=FacilityKind.HEALTH_CENTRE, unit=units.province
    )
    Facility.objects.create(
        name="Trạm Y tế Xã Gia Viễn (kế hoạch)",
        kind=FacilityKind.COMMUNE_STATION,
        unit=units.commune_b,
    )
    product = Product.objects.get(key="comirnaty")
    lot = lot_register(actor=SYSTEM, product=product, number="PL0001",
                       expiry_date=today + dt.timedelta(days=200))  # fmt: skip
    stock_receive(actor=SYSTEM, facility=store, lot=lot, doses=300)
    shipment = shipment_record(actor=SYSTEM, product=product, doses=300, expected_on=today,
                               unit=units.province)  # fmt: skip
    balance = StockBalance.objects.get(facility=store, lot=lot)
    split = {"source": balance.pk, "on": today.isoformat(), "u_13669": 60, "u_14464": 90}
    later = (today + dt.timedelta(days=5)).isoformat()
    new = {"product": "comirnaty", "doses": 500, "unit": units.commune_a.code,
           "expected_on": later, "reference": "PB-12"}  # fmt: skip
    url = reverse
    in_a = f"?unit={units.commune_a.code}&product=comirnaty"
    return [
        Case("console:planning", url("console:planning"), STAFF, STAFF, post=None),
        Case("console:planning", url("console:planning") + in_a, READS_COMMUNE_A, STAFF,
             post=None),
        post_only("console:shipment_new", url("console:shipment_new"), new, OVER_COMMUNE_A),
        Case("console:shipment_split", url("console:shipment_split", args=[shipment.uuid]),
             OVER_PROVINCE, OFFICERS, post=split),
    ]  # fmt: skip
