"""The records the API tests address: all of commune A (Ninh Bình) of the cast."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Booking, Dose, PriorityGroup, Registration, SessionSlot
from sosuckhoe.vaccination.services import (
    Vitals,
    booking_create,
    dose_record,
    registration_create,
    screening_record,
)

SYSTEM = Actor.system("api-tests")


@dataclass
class World:
    site: Facility
    lot: Lot
    slot: SessionSlot
    dose: Dose  # of the cast's own person, given today at the site
    registration: Registration  # of the own person
    booking: Booking  # of `booked`, in `slot`
    booker: Person  # may book: no dose, no booking
    dosee: Person  # screened today, no dose yet
    answers: dict[str, bool]

    def dose_body(self, person: Person) -> dict[str, object]:
        return {
            "person": str(person.uuid),
            "product": "comirnaty",
            "lot": self.lot.number,
            "site": str(self.site.uuid),
            "given_at": timezone.now().isoformat(),
        }

    def screening_body(self, person: Person) -> dict[str, object]:
        return {
            "person": str(person.uuid),
            "site": str(self.site.uuid),
            "answers": {code: {"yes": yes} for code, yes in self.answers.items()},
            "vitals": {"temperature_c": "36.6"},
        }


def screen(person: Person, site: Facility, answers: dict[str, bool]) -> None:
    screening_record(
        actor=SYSTEM,
        person=person,
        site=site,
        answers=answers,
        vitals=Vitals(temperature_c=Decimal("36.6")),
    )


def world_build(cast, site, stock, make_session, answers) -> World:
    """A site of commune A with stock, tomorrow's session, and records of its residents."""
    unit = cast.units.commune_a
    lot = stock()
    session = make_session(5, day=timezone.localdate() + dt.timedelta(days=1))
    slot = session.slots.get()
    adult = answers("adult")
    own = cast.own_person
    screen(own, site, adult)
    dose = dose_record(actor=SYSTEM, person=own, product=lot.product, lot=lot, site=site)
    registration = registration_create(
        actor=SYSTEM, person=own, priority_group=PriorityGroup.objects.get(code=9)
    )
    booked = PersonFactory(home_unit=unit, full_name="Phạm Văn Hẹn")
    booking = booking_create(actor=SYSTEM, person=booked, slot=slot)
    dosee = PersonFactory(home_unit=unit, full_name="Hoàng Thị Tiêm")
    screen(dosee, site, adult)
    return World(
        site=site,
        lot=lot,
        slot=slot,
        dose=dose,
        registration=registration,
        booking=booking,
        booker=PersonFactory(home_unit=unit, full_name="Đỗ Văn Đặt"),
        dosee=dosee,
        answers=adult,
    )
