"""A site's day for the console's vaccination tests: a site in the cast's commune A with a lot
in stock, a session today, the commune's person booked into it."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.vaccination.models import Booking, Dose, ScreeningItem, VaccinationSession
from sosuckhoe.vaccination.services import (
    SlotSpec,
    Vitals,
    booking_check_in,
    booking_create,
    dose_record,
    screening_record,
    session_create,
)
from sosuckhoe.vaccination.services.reference import vaccination_reference_load

SYSTEM = Actor.system("console-tests")


@dataclass
class SiteDay:
    site: Facility
    product: Product
    lot: Lot
    session: VaccinationSession
    booking: Booking


def site_day(cast, *, person: Person | None = None) -> SiteDay:  # type: ignore[no-untyped-def]
    supply_reference_load()
    vaccination_reference_load()
    site = Facility.objects.create(
        name="Trạm Y tế Phường Nam Định",
        kind=FacilityKind.COMMUNE_STATION,
        unit=cast.units.commune_a,
    )
    today = timezone.localdate()
    product = Product.objects.get(key="comirnaty")
    lot = lot_register(
        actor=SYSTEM, product=product, number="FK0123", expiry_date=today + dt.timedelta(days=200)
    )
    stock_receive(actor=SYSTEM, facility=site, lot=lot, doses=60)
    session = session_create(
        actor=SYSTEM,
        site=site,
        date=today,
        product=product,
        slots=[SlotSpec(dt.time(7), dt.time(11), 20)],
    )
    booking = booking_create(
        actor=SYSTEM, person=person or cast.own_person, slot=session.slots.get()
    )
    return SiteDay(site=site, product=product, lot=lot, session=session, booking=booking)


def no_answers(person_kind: str = "adult") -> dict[str, str]:
    """Every question of the form answered "no", as the screening form posts it."""
    codes = ScreeningItem.objects.filter(
        form__kind=person_kind, answer_type__startswith="yes_no"
    ).values_list("code", flat=True)
    return {f"item_{code}": "0" for code in codes}


def dose_given(day: SiteDay) -> Dose:
    """The booked person checked in, screened eligible and vaccinated."""
    booking_check_in(actor=SYSTEM, booking=day.booking)
    person = day.booking.person
    screening_record(
        actor=SYSTEM,
        person=person,
        site=day.site,
        answers={code[5:]: False for code in no_answers()},
        vitals=Vitals(temperature_c=Decimal("36.6")),
    )
    return dose_record(actor=SYSTEM, person=person, product=day.product, lot=day.lot, site=day.site)
