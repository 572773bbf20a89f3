import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sosuckhoe.messaging.models import OutboundMessage
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Booking, PriorityGroup, Registration, RegistrationStatus
from sosuckhoe.vaccination.services.assignment import registrations_assign
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record
from sosuckhoe.vaccination.services.registrations import registration_approve, registration_create


@pytest.fixture
def registrant(cast, reference):
    def make(name, group, born, approve=True):
        person = PersonFactory(home_unit=cast.units.commune_a, full_name=name, birth_date=born)
        group_row = PriorityGroup.objects.get(code=group)
        registration = registration_create(
            actor=cast.actor("commune"), person=person, priority_group=group_row
        )
        if approve:
            registration_approve(actor=cast.actor("commune"), registration=registration)
        return person

    return make


def _assign(cast, *sessions, role="commune"):
    return registrations_assign(
        actor=cast.actor(role), unit=cast.units.commune_a, sessions=sessions
    )


def _booked_names(report):
    return [b.person.full_name for b in report.booked]


def test_approved_registrants_are_booked_by_priority_group_then_oldest_first(
    cast, registrant, make_session, tomorrow
):
    registrant("Chín Trẻ", 9, dt.date(1990, 1, 1))
    registrant("Một Trẻ", 1, dt.date(1995, 1, 1))
    registrant("Một Già", 1, dt.date(1960, 1, 1))
    registrant("Mười Sáu", 16, dt.date(1950, 1, 1))
    registrant("Chín Già", 9, dt.date(1955, 1, 1))
    report = _assign(cast, make_session(3, day=tomorrow))
    assert _booked_names(report) == ["Một Già", "Một Trẻ", "Chín Già"]
    assert report.waiting == 2
    statuses = dict(Registration.objects.values_list("person__full_name", "status"))
    assert statuses["Chín Trẻ"] == RegistrationStatus.APPROVED
    assert statuses["Chín Già"] == RegistrationStatus.BOOKED


def test_each_booked_registrant_is_sent_their_place_and_time(
    cast, registrant, make_session, tomorrow
):
    person = registrant("Có Điện Thoại", 9, dt.date(1960, 1, 1))
    report = _assign(cast, make_session(3, day=tomorrow))
    assert report.notified == 1
    message = OutboundMessage.objects.get()
    assert message.to == person.phone
    assert tomorrow.strftime("%d/%m/%Y") in message.body


def test_a_registrant_the_schedule_refuses_is_skipped_and_counted(
    cast, registrant, make_session, site, stock, tomorrow
):
    lot = stock()
    early = registrant("Vừa Tiêm", 1, dt.date(1960, 1, 1))
    dose_record(
        actor=cast.actor("site_staff"),
        person=early,
        product=lot.product,
        lot=lot,
        site=site,
        given_at=timezone.now() - dt.timedelta(days=5),
        late_entry_reason="Sổ giấy",
        use_stock=False,
    )
    registrant("Chờ Tiêm", 9, dt.date(1970, 1, 1))
    report = _assign(cast, make_session(1, day=tomorrow))
    assert _booked_names(report) == ["Chờ Tiêm"]
    assert report.refused == {"interval_too_short": 1}


def test_sessions_are_filled_in_date_order_and_pending_registrations_wait(
    cast, registrant, make_session, tomorrow
):
    for i in range(3):
        registrant(f"Người {i}", 9, dt.date(1960 + i, 1, 1))
    registrant("Chưa Duyệt", 1, dt.date(1940, 1, 1), approve=False)
    later = make_session(2, day=tomorrow + dt.timedelta(days=1))
    sooner = make_session(2, day=tomorrow)
    report = _assign(cast, later, sooner)
    assert [b.session for b in report.booked] == [sooner, sooner, later]
    assert not Booking.objects.filter(person__full_name="Chưa Duyệt").exists()


def test_an_officer_assigns_only_their_own_units_registrants(
    cast, registrant, make_session, tomorrow
):
    registrant("Một", 9, dt.date(1960, 1, 1))
    with pytest.raises(ValidationError) as error:
        _assign(cast, make_session(2, day=tomorrow), role="commune_other")
    assert refusal_codes(error.value) == ["outside_unit"]
    assert not Booking.objects.exists()
