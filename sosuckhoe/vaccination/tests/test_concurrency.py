"""Races that only a real server shows: run on PostgreSQL, skipped on SQLite (one writer)."""

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from sosuckhoe.people.models import Person
from sosuckhoe.supply.models import StockBalance
from sosuckhoe.testing.factories import PersonFactory, cccd_for
from sosuckhoe.vaccination.models import Booking, Dose, SessionSlot
from sosuckhoe.vaccination.services.bookings import booking_create
from sosuckhoe.vaccination.services.common import document_holders_locked, refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]

# PostgreSQL allows 100 connections, shared with whatever else runs: the bookers take turns
# on this many at once, all let go together.
CONNECTIONS = 25


def _at_once(count: int, work: Callable[[int], object], workers: int = CONNECTIONS) -> list[object]:
    """Run `work(i)` for i < count on `workers` threads, each on its own connection; the
    first `workers` calls start together."""
    barrier = threading.Barrier(min(count, workers), timeout=30)
    started = threading.local()

    def run(i: int) -> object:
        if not getattr(started, "yes", False):
            started.yes = True
            barrier.wait()
        try:
            return work(i)
        except ValidationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, range(count)))
    return results


def _persons(cast, count):
    return [
        PersonFactory(
            home_unit=cast.units.commune_a,
            id_number=cccd_for(birth_year=1985, sex="M", serial=900_000 + i),
        )
        for i in range(count)
    ]


def test_a_hundred_bookers_for_ten_places_get_ten_bookings_and_ninety_refusals(
    cast, transactional_db, make_session
):
    slot = make_session(10).slots.get()
    persons = _persons(cast, 100)

    def book(i: int) -> object:
        return booking_create(actor=cast.actor("site_staff"), person=persons[i], slot=slot)

    results = _at_once(100, book)
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(booked), len(refused)) == (10, 90), [
        r for r in results if r not in booked + refused
    ]
    assert {code for r in refused for code in refusal_codes(r)} == {"slot_full"}
    assert SessionSlot.objects.get(pk=slot.pk).booked == 10
    assert Booking.objects.filter(slot=slot).count() == 10


def test_a_double_click_that_arrives_twice_at_once_books_once(cast, transactional_db, make_session):
    slot = make_session(10).slots.get()
    key = uuid.uuid4()

    def click(_: int) -> object:
        return booking_create(
            actor=cast.actor("site_staff"), person=cast.own_person, slot=slot, submission_key=key
        )

    first, second = _at_once(2, click)
    assert isinstance(first, Booking), first
    assert isinstance(second, Booking), second
    assert first.pk == second.pk
    assert SessionSlot.objects.get(pk=slot.pk).booked == 1


def test_one_person_booked_into_two_slots_at_once_holds_one_booking(
    cast, transactional_db, make_session
):
    slots = list(make_session(5, 5).slots.order_by("starts_at"))

    def book(i: int) -> object:
        return booking_create(actor=cast.actor("site_staff"), person=cast.own_person, slot=slots[i])

    results = _at_once(2, book)
    assert sorted(type(r).__name__ for r in results) == ["Booking", "ValidationError"]
    error = next(r for r in results if isinstance(r, ValidationError))
    assert refusal_codes(error) == ["already_booked"]
    assert (
        sum(
            SessionSlot.objects.filter(pk__in=[s.pk for s in slots]).values_list(
                "booked", flat=True
            )
        )
        == 1
    )


def test_one_dose_entered_at_two_desks_at_once_is_recorded_once(
    cast, transactional_db, site, stock, screened
):
    lot = stock(doses=10)
    screened(cast.own_person)

    def enter(_: int) -> object:
        return dose_record(
            actor=cast.actor("site_staff"),
            person=cast.own_person,
            product=lot.product,
            lot=lot,
            site=site,
        )

    results = _at_once(2, enter)
    assert sorted(type(r).__name__ for r in results) == ["Dose", "ValidationError"]
    error = next(r for r in results if isinstance(r, ValidationError))
    assert "dose_exists" in refusal_codes(error)
    assert Dose.objects.count() == 1
    assert StockBalance.objects.get(facility=site, lot=lot).doses == 9


def test_persons_locked_by_their_documents_wait_for_the_holder_to_commit(cast, transactional_db):
    person, other = _persons(cast, 2)
    held = threading.Event()
    done = threading.Event()

    def holder(_i: int) -> object:
        with transaction.atomic():
            found = document_holders_locked({(person.id_kind, person.id_number)})
            held.set()
            done.wait(10)
        return found

    def writer(_i: int) -> object:
        held.wait(10)
        try:
            with transaction.atomic():
                Person.objects.select_for_update(nowait=True).get(pk=person.pk)
        except DatabaseError:
            locked = True
        else:
            locked = False
        with transaction.atomic():  # the person not named is free
            Person.objects.select_for_update(nowait=True).get(pk=other.pk)
        done.set()
        return locked

    found, locked = _at_once(2, lambda i: (holder, writer)[i](i), workers=2)
    assert locked is True
    assert found == {(person.id_kind, person.id_number): person}
    assert found[(person.id_kind, person.id_number)].home_unit == cast.units.commune_a
