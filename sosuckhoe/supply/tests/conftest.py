"""Fixtures of the supply tests: the reference data, sites of the cast's units, lots."""

import datetime as dt
from collections.abc import Callable

import pytest

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive

SYSTEM = Actor.system("supply-tests")


@pytest.fixture
def products(db: None) -> dict[str, Product]:
    supply_reference_load()
    return {p.key: p for p in Product.objects.all()}


def _site(name: str, unit) -> Facility:  # type: ignore[no-untyped-def]
    return Facility.objects.create(name=name, kind=FacilityKind.COMMUNE_STATION, unit=unit)


@pytest.fixture
def site(cast) -> Facility:  # type: ignore[no-untyped-def]
    """A vaccination site in the commune of the commune officer."""
    return _site("Trạm Y tế Phường Nam Định", cast.units.commune_a)


@pytest.fixture
def sibling_site(cast) -> Facility:  # type: ignore[no-untyped-def]
    return _site("Trạm Y tế Xã Gia Viễn", cast.units.commune_b)


@pytest.fixture
def foreign_site(cast) -> Facility:  # type: ignore[no-untyped-def]
    return _site("Trạm Y tế Phường Ba Đình", cast.units.other_commune)


@pytest.fixture
def make_lot(products: dict[str, Product]) -> Callable[..., Lot]:
    def make(
        key: str = "comirnaty",
        number: str = "FK1234",
        expiry: dt.date = dt.date(2030, 1, 31),
        doses_per_vial: int | None = None,
    ) -> Lot:
        return lot_register(
            actor=SYSTEM,
            product=products[key],
            number=number,
            expiry_date=expiry,
            doses_per_vial=doses_per_vial,
        )

    return make


@pytest.fixture
def stocked(site: Facility, make_lot: Callable[..., Lot]) -> Callable[..., Lot]:
    """A lot with `doses` received at the site."""

    def stock(doses: int = 12, **lot: object) -> Lot:
        made = make_lot(**lot)
        stock_receive(actor=SYSTEM, facility=site, lot=made, doses=doses, on=dt.date(2026, 1, 5))
        return made

    return stock
