"""Doses for tests, as a site enters them from its paper book after the day."""

import datetime as dt

from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.doses import dose_record

PAPER = "Nhập bù từ sổ tiêm giấy"  # why a dose is entered after its day: the paper book


def paper_dose(*, actor: Actor, person: Person, lot: Lot, site: Facility, days_ago: int) -> Dose:
    """A dose given `days_ago` days ago, entered now from the paper book (its stock long
    counted, so none is taken)."""
    return dose_record(
        actor=actor,
        person=person,
        product=lot.product,
        lot=lot,
        site=site,
        given_at=timezone.now() - dt.timedelta(days=days_ago),
        late_entry_reason=PAPER,
        use_stock=False,
    )
