"""Vaccination tests play with the root cast, the reference data, a site in each commune."""

import datetime as dt
from decimal import Decimal
from itertools import chain

import pytest
from django.core import serializers
from django.db import transaction
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product, ScheduleRule
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.vaccination.models import (
    AefiTerm,
    PriorityGroup,
    ScreeningForm,
    ScreeningItem,
)
from sosuckhoe.vaccination.services.bookings import SlotSpec, session_create
from sosuckhoe.vaccination.services.reference import vaccination_reference_load
from sosuckhoe.vaccination.services.screening import Vitals, screening_record

REFERENCE_MODELS = (Product, ScheduleRule, PriorityGroup, ScreeningForm, ScreeningItem, AefiTerm)


@pytest.fixture(scope="session")
def reference_rows(django_db_setup, django_db_blocker) -> str:
    """The reference data as the loaders make it, read once and rolled back: loading it
    for each test took most of the test's time."""
    with django_db_blocker.unblock(), transaction.atomic():
        supply_reference_load()
        vaccination_reference_load()
        rows = serializers.serialize("json", chain(*(m.objects.all() for m in REFERENCE_MODELS)))
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def reference(db, reference_rows):
    for row in serializers.deserialize("json", reference_rows):
        row.save()


@pytest.fixture
def site(cast):
    """The commune health station of the cast's commune A."""
    return Facility.objects.create(
        name="Trạm Y tế Phường Nam Định",
        kind=FacilityKind.COMMUNE_STATION,
        unit=cast.units.commune_a,
    )


@pytest.fixture
def site_b(cast):
    return Facility.objects.create(
        name="Trạm Y tế Xã Gia Viễn", kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_b
    )


@pytest.fixture
def group(reference):
    return PriorityGroup.objects.get(code=9)


@pytest.fixture
def comirnaty(reference):
    return Product.objects.get(key="comirnaty")


@pytest.fixture
def make_session(cast, site, comirnaty):
    """A session at `site` (commune A) with slots of the given capacities, today by default."""

    def make(*capacities, day=None, at=None, product=None, by="commune"):
        slots = [
            SlotSpec(dt.time(7 + i), dt.time(8 + i), capacity)
            for i, capacity in enumerate(capacities or (10,))
        ]
        return session_create(
            actor=cast.actor(by),
            site=at or site,
            date=day or timezone.localdate(),
            product=product or comirnaty,
            slots=slots,
        )

    return make


@pytest.fixture
def answers(reference):
    """Every question of a form answered "no", but those named: `answers("adult", "2", "7")`."""

    def make(kind, *yes):
        items = ScreeningItem.objects.filter(form__kind=kind, answer_type__startswith="yes_no")
        return {code: code in yes for code in items.values_list("code", flat=True)}

    return make


SYSTEM = Actor.system("vaccination-tests")


@pytest.fixture
def stock(reference, site):
    """A lot of a product with doses on hand at a facility (the cast's site by default)."""

    def make(key="comirnaty", *, at=None, doses=50, number=None, expiry=None, received=None):
        lot = lot_register(
            actor=SYSTEM,
            product=Product.objects.get(key=key),
            number=number or f"{key[:4]}-1",
            expiry_date=expiry or timezone.localdate() + dt.timedelta(days=365),
        )
        stock_receive(actor=SYSTEM, facility=at or site, lot=lot, doses=doses, on=received)
        return lot

    return make


@pytest.fixture
def screened(cast, site, answers):
    """An adult screened at the cast's site now, eligible unless items are answered "yes"."""

    def screen(person, *yes, at=None):
        return screening_record(
            actor=SYSTEM,
            person=person,
            site=at or site,
            answers=answers("adult", *yes),
            vitals=Vitals(temperature_c=Decimal("36.6")),
        )

    return screen
