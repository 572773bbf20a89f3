import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import (
    PLACE_TAKEN,
    Booking,
    BookingStatus,
    RegistrationStatus,
    SessionSlot,
    VaccinationSession,
)
from sosuckhoe.vaccination.services.bookings import (
    SlotSpec,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_move,
    session_create,
    walk_in_check_in,
)
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record
from sosuckhoe.vaccination.services.registrations import registration_approve, registration_create


def _slots(session):
    return list(SessionSlot.objects.filter(session=session).order_by("starts_at"))


def _book(cast, person, slot, role="commune", **kwargs):
    return booking_create(actor=cast.actor(role), person=person, slot=slot, **kwargs)


def _refused(code, call, *args, **kwargs):
    rows = (Booking.objects.count(), AuditEvent.objects.count(), _counts())
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert code in refusal_codes(error.value), refusal_codes(error.value)
    assert (Booking.objects.count(), AuditEvent.objects.count(), _counts()) == rows


def _counts():
    return list(SessionSlot.objects.order_by("pk").values_list("booked", flat=True))


def assert_counts_match_bookings():
    """Each slot's count is its bookings that hold or used a place, and no one is booked
    twice into a session."""
    for slot in SessionSlot.objects.annotate(
        taken=Count("bookings", filter=Q(bookings__status__in=PLACE_TAKEN))
    ):
        assert slot.booked == slot.taken <= slot.capacity
    doubles = (
        Booking.objects.open().values("session", "person").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not doubles.exists()


def test_a_session_is_opened_with_its_slots_and_audited_at_the_site(cast, make_session):
    session = make_session(5, 5)
    assert [s.capacity for s in _slots(session)] == [5, 5]
    event = AuditEvent.objects.get(object_uuid=session.uuid)
    assert (event.object_type, event.scope_path) == ("session", cast.units.commune_a.path)


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        ([], "no_slots"),
        ([SlotSpec(dt.time(8), dt.time(7), 5)], "slot_invalid"),
        (
            [SlotSpec(dt.time(7), dt.time(9), 5), SlotSpec(dt.time(8), dt.time(10), 5)],
            "slots_overlap",
        ),
    ],
)
def test_a_session_needs_slots_that_do_not_overlap(cast, site, comirnaty, slots, code, tomorrow):
    with pytest.raises(ValidationError) as error:
        session_create(
            actor=cast.actor("commune"), site=site, date=tomorrow, product=comirnaty, slots=slots
        )
    assert refusal_codes(error.value) == [code]
    assert not VaccinationSession.objects.exists()


def test_a_second_session_of_the_same_vaccine_at_a_site_that_day_is_refused(make_session):
    make_session(5)
    with pytest.raises(ValidationError) as error:
        make_session(5)
    assert refusal_codes(error.value) == ["session_exists"]


def test_a_session_at_another_communes_site_is_refused(cast, make_session, site_b):
    with pytest.raises(ValidationError) as error:
        make_session(5, at=site_b)
    assert refusal_codes(error.value) == ["outside_unit"]


def test_a_booking_takes_a_place_and_is_audited_in_the_persons_unit(cast, make_session):
    slot = _slots(make_session(2))[0]
    booking = _book(cast, cast.own_person, slot)
    assert (booking.status, SessionSlot.objects.get(pk=slot.pk).booked) == (BookingStatus.BOOKED, 1)
    event = AuditEvent.objects.get(object_uuid=booking.uuid)
    assert (event.object_type, event.scope_path) == ("booking", cast.units.commune_a.path)


def test_a_full_slot_refuses_with_nothing_written(cast, make_session):
    slot = _slots(make_session(1))[0]
    _book(cast, cast.own_person, slot)
    other = PersonFactory(home_unit=cast.units.commune_a)
    _refused("slot_full", _book, cast, other, slot)
    assert_counts_match_bookings()


def test_the_same_person_is_never_booked_twice(cast, make_session):
    first, second = _slots(make_session(5, 5))
    _book(cast, cast.own_person, first)
    _refused("already_booked", _book, cast, cast.own_person, first)
    _refused("already_booked", _book, cast, cast.own_person, second)
    assert_counts_match_bookings()


def test_a_double_click_books_once(cast, make_session):
    slot = _slots(make_session(5))[0]
    key = uuid.uuid4()
    first = _book(cast, cast.own_person, slot, submission_key=key)
    again = _book(cast, cast.own_person, slot, submission_key=key)
    assert again.pk == first.pk
    assert SessionSlot.objects.get(pk=slot.pk).booked == 1


def test_a_double_click_on_the_last_place_finds_the_booking_it_made(cast, make_session):
    slot = _slots(make_session(1))[0]
    key = uuid.uuid4()
    first = _book(cast, cast.own_person, slot, submission_key=key)
    slot.refresh_from_db()  # full now: the second click reads it so
    again = _book(cast, cast.own_person, slot, submission_key=key)
    assert again.pk == first.pk


def test_a_slot_read_full_is_refused_before_the_person_is_read(cast, make_session):
    slot = _slots(make_session(1))[0]
    _book(cast, cast.own_person, slot)
    slot.refresh_from_db()
    late = PersonFactory(home_unit=cast.units.commune_a)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as error:
        _book(cast, late, slot)
    assert refusal_codes(error.value) == ["slot_full"]
    # Only the test's own transaction shows: a savepoint, rolled back.
    assert all("SAVEPOINT" in q["sql"] for q in queries.captured_queries)
    assert not Booking.objects.filter(person=late).exists()


def test_a_person_the_schedule_refuses_is_not_booked(cast, make_session):
    slot = _slots(make_session(5))[0]
    child = PersonFactory(
        home_unit=cast.units.commune_a, birth_date=dt.date(2022, 1, 1), id_kind="none", id_number=""
    )
    _refused("age_below_minimum", _book, cast, child, slot)


def test_a_merged_record_is_not_booked(cast, make_session):
    slot = _slots(make_session(5))[0]
    merged = PersonFactory(home_unit=cast.units.commune_a, merged_into=cast.own_person)
    _refused("person_merged", _book, cast, merged, slot)


def test_a_site_books_a_visitor_from_another_commune_but_no_one_into_a_foreign_site(
    cast, make_session, site_b
):
    _book(cast, cast.sibling_person, _slots(make_session(5))[0], role="site_staff")
    foreign = _slots(make_session(5, at=site_b, by="commune_other"))[0]
    _refused("outside_unit", _book, cast, cast.foreign_person, foreign)


def test_cancelling_gives_the_place_back(cast, make_session):
    slot = _slots(make_session(1))[0]
    booking = _book(cast, cast.own_person, slot)
    booking_cancel(actor=cast.actor("commune"), booking=booking, reason="Bận")
    other = PersonFactory(home_unit=cast.units.commune_a)
    assert _book(cast, other, slot).status == BookingStatus.BOOKED
    assert_counts_match_bookings()
    _refused("booking_not_open", booking_cancel, actor=cast.actor("commune"), booking=booking)


@pytest.mark.parametrize("direction", ["to a later slot", "to an earlier slot"])
def test_moving_takes_a_place_in_the_new_slot_and_frees_the_old(cast, make_session, direction):
    early, late = _slots(make_session(1, 1))
    source, target = (early, late) if direction == "to a later slot" else (late, early)
    old = _book(cast, cast.own_person, source)
    new = booking_move(actor=cast.actor("commune"), booking=old, to_slot=target)
    old.refresh_from_db()
    assert (old.status, old.moved_to, new.slot) == (BookingStatus.MOVED, new, target)
    assert_counts_match_bookings()
    assert [SessionSlot.objects.get(pk=s.pk).booked for s in (source, target)] == [0, 1]


def test_moving_into_a_full_slot_is_refused_and_keeps_the_booking(cast, make_session):
    first, second = _slots(make_session(1, 1))
    mine = _book(cast, cast.own_person, first)
    _book(cast, PersonFactory(home_unit=cast.units.commune_a), second)
    _refused("slot_full", booking_move, actor=cast.actor("commune"), booking=mine, to_slot=second)
    mine.refresh_from_db()
    assert mine.status == BookingStatus.BOOKED


def test_a_booked_registration_is_marked_and_freed_again_by_a_cancel(cast, make_session, group):
    registration = registration_create(
        actor=cast.actor("commune"), person=cast.own_person, priority_group=group
    )
    registration_approve(actor=cast.actor("commune"), registration=registration)
    booking = _book(cast, cast.own_person, _slots(make_session(2))[0], registration=registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.BOOKED
    booking_cancel(actor=cast.actor("commune"), booking=booking)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED


def test_only_an_approved_registration_is_booked(cast, make_session, group):
    registration = registration_create(
        actor=cast.actor("commune"), person=cast.own_person, priority_group=group
    )
    slot = _slots(make_session(2))[0]
    _refused(
        "registration_not_approved", _book, cast, cast.own_person, slot, registration=registration
    )


def test_check_in_is_on_the_sessions_day_at_its_site(cast, make_session, tomorrow):
    today = _book(cast, cast.own_person, _slots(make_session(2))[0])
    later = _book(
        cast, cast.sibling_person, _slots(make_session(2, day=tomorrow))[0], role="province"
    )
    _refused("not_session_day", booking_check_in, actor=cast.actor("site_staff"), booking=later)
    _refused("outside_unit", booking_check_in, actor=cast.actor("commune_other"), booking=today)
    checked = booking_check_in(actor=cast.actor("site_staff"), booking=today)
    assert (checked.status, checked.checked_in_at is not None) == (BookingStatus.CHECKED_IN, True)


def test_a_walk_in_joins_the_queue_without_taking_a_slot(cast, make_session):
    session = make_session(1)
    walk_in = walk_in_check_in(
        actor=cast.actor("site_staff"), person=cast.sibling_person, session=session
    )
    assert (walk_in.walk_in, walk_in.slot, walk_in.status) == (True, None, BookingStatus.CHECKED_IN)
    _refused(
        "already_booked",
        walk_in_check_in,
        actor=cast.actor("site_staff"),
        person=cast.sibling_person,
        session=session,
    )
    assert _slots(session)[0].booked == 0


@pytest.mark.parametrize(
    ("role", "sees"),
    [("commune", True), ("commune_other", True), ("province_other", False), ("analyst", False)],
)
def test_a_booking_is_seen_from_the_persons_unit_and_from_the_sites(cast, make_session, role, sees):
    booking = _book(cast, cast.sibling_person, _slots(make_session(2))[0], role="province")
    assert Booking.objects.visible_to(cast.users[role]).filter(pk=booking.pk).exists() == sees


def test_the_database_itself_refuses_an_overbooked_slot(make_session):
    slot = _slots(make_session(2))[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionSlot.objects.filter(pk=slot.pk).update(booked=3)


def test_the_database_itself_refuses_a_second_open_booking_in_a_session(cast, make_session):
    first, second = _slots(make_session(5, 5))
    booking = _book(cast, cast.own_person, first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(session=booking.session, slot=second, person=cast.own_person)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    assert Booking.objects.create(session=booking.session, slot=second, person=cast.own_person)


def test_a_dose_given_outside_a_booking_fulfils_the_persons_registration(
    cast, group, site, stock, screened
):
    registration = registration_create(
        actor=cast.actor("commune"), person=cast.own_person, priority_group=group
    )
    lot = stock()
    screened(cast.own_person)
    dose_record(
        actor=cast.actor("site_staff"),
        person=cast.own_person,
        product=lot.product,
        lot=lot,
        site=site,
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.VACCINATED
