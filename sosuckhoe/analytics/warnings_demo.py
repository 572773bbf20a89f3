"""What the demo adds so that its first run shows warnings of kinds a campaign's history
alone would not raise: a lot near its expiry with doses left, yesterday's paper tally of a
station ahead of the doses entered, and a coverage plan of a booster by next quarter (the
campaign's history ended long ago: no pace to reach it at, the commune is behind)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.plans import plan_set
from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind
from sosuckhoe.supply.models import DoseKind, Product
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.vaccination.services.tally import tally_enter

DEMO_PRODUCT = "spikevax"


@transaction.atomic
def warnings_demo_prepare(*, actor: Actor, commune: AdminUnit) -> None:
    """At the commune's station: 40 doses of a lot that expires in three weeks, and a tally of
    yesterday that counts 25 doses nobody entered; the commune's plan: 80 % of its people
    with a first booster in 90 days."""
    station = Facility.objects.get(unit=commune, kind=FacilityKind.COMMUNE_STATION)
    product = Product.objects.get(key=DEMO_PRODUCT)
    today = timezone.localdate()
    lot = lot_register(
        actor=actor,
        product=product,
        number=f"DEMO{today:%y%m%d}",
        expiry_date=today + dt.timedelta(days=21),
    )
    stock_receive(actor=actor, facility=station, lot=lot, doses=40, reference="demo")
    yesterday = today - dt.timedelta(days=1)
    tally_enter(actor=actor, site=station, day=yesterday, product=product, doses=25)
    plan_set(actor=actor, unit=commune, kind=DoseKind.BOOSTER, number=1, coverage=80,
             due_on=today + dt.timedelta(days=90))  # fmt: skip
