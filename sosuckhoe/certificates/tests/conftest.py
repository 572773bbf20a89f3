"""Certificate tests play with the root cast, the vaccination reference data and a site in
commune A; doses are entered as late paper records (no stock), through the dose service."""

import datetime as dt

import pytest
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.certificates.services import signer_create
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.services import lot_register
from sosuckhoe.vaccination.services.doses import dose_record
from sosuckhoe.vaccination.tests.conftest import (  # noqa: F401 (fixtures)
    reference,
    reference_rows,
    site,
)

SYSTEM = Actor.system("certificates-tests")


@pytest.fixture
def signer(db):
    return signer_create(actor=SYSTEM)


@pytest.fixture
def give(cast, site, reference):  # noqa: F811 (the fixtures imported above)
    """Enter a dose of `key` given `days_ago` to `person`, from the paper book."""

    def make(person, days_ago, key="comirnaty"):
        product = Product.objects.get(key=key)
        lot = lot_register(
            actor=SYSTEM,
            product=product,
            number=f"{key[:4]}-1",
            expiry_date=timezone.localdate() + dt.timedelta(days=365),
        )
        return dose_record(
            actor=cast.actor("commune"),
            person=person,
            product=product,
            lot=lot,
            site=site,
            given_at=timezone.now() - dt.timedelta(days=days_ago),
            late_entry_reason="Nhập bù từ sổ tiêm giấy",
            use_stock=False,
        )

    return make


@pytest.fixture
def vaccinated(cast, give):
    """The cast's own person with two doses of Comirnaty."""
    give(cast.own_person, 300)
    give(cast.own_person, 250)
    return cast.own_person
