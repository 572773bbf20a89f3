"""A booking cancelled or moved by staff."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix import PERSONAL_DATA, SEES_COMMUNE_A, Case
from sosuckhoe.console.tests.matrix.vaccination import button
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Booking, VaccinationSession
from sosuckhoe.vaccination.services import SlotSpec, booking_create, session_create
from sosuckhoe.vaccination.services.reference import vaccination_reference_load


def _session(site: Facility, days: int) -> VaccinationSession:
    return session_create(actor=SYSTEM, site=site, product=Product.objects.get(key="comirnaty"),
                          date=timezone.localdate() + dt.timedelta(days=days),
                          slots=[SlotSpec(dt.time(7), dt.time(11), 20)])  # fmt: skip


def _booked(cast, name: str, session: VaccinationSession) -> Booking:  # type: ignore[no-untyped-def]
    person = PersonFactory(home_unit=cast.units.commune_a, full_name=name)
    return booking_create(actor=SYSTEM, person=person, slot=session.slots.get())


def cases(cast) -> list[Case]:
    supply_reference_load()
    vaccination_reference_load()
    site = Facility.objects.create(
        name="Điểm tiêm Nhà văn hoá Tổ 5",
        kind=FacilityKind.COMMUNE_STATION,
        unit=cast.units.commune_a,
    )
    today, tomorrow = _session(site, 0), _session(site, 1)
    to_cancel = _booked(cast, "Hoàng Thị Huỷ", today)
    to_move = _booked(cast, "Hoàng Văn Dời", today)
    url = reverse
    return [
        button("console:booking_cancel", url("console:booking_cancel", args=[to_cancel.uuid]),
               {"reason": "Bận việc gia đình"}, SEES_COMMUNE_A),
        Case("console:booking_move", url("console:booking_move", args=[to_move.uuid]),
             SEES_COMMUNE_A, PERSONAL_DATA, post={"slot": tomorrow.slots.get().uuid}),
    ]  # fmt: skip
