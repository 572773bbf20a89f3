"""Staff cancel a booking or move it to another slot, from the person's page or the site's
queue. A second sending is refused and changes nothing; a booking of another unit is not
found."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.vaccination_day import SYSTEM, site_day
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import (
    Booking,
    BookingStatus,
    SessionSlot,
    SessionStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.services import SlotSpec, booking_create, session_create


@pytest.fixture
def day(cast):
    return site_day(cast)  # cast.own_person booked today at a station of commune A


def _session(site: Facility, product, days: int, capacity: int = 20) -> VaccinationSession:  # type: ignore[no-untyped-def]
    return session_create(actor=SYSTEM, site=site, product=product,
                          date=timezone.localdate() + dt.timedelta(days=days),
                          slots=[SlotSpec(dt.time(13), dt.time(16), capacity)])  # fmt: skip


def _slot(session: VaccinationSession) -> SessionSlot:
    return session.slots.get()


def _site(cast, name: str, unit=None) -> Facility:  # type: ignore[no-untyped-def]
    return Facility.objects.create(
        name=name, kind=FacilityKind.COMMUNE_STATION, unit=unit or cast.units.commune_a
    )


def _cancel(day) -> str:  # type: ignore[no-untyped-def]
    return reverse("console:booking_cancel", args=[day.booking.uuid])


def _move(day) -> str:  # type: ignore[no-untyped-def]
    return reverse("console:booking_move", args=[day.booking.uuid])


def _levels(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.level_tag for m in response.context["messages"]]


def _booked(day) -> int:  # type: ignore[no-untyped-def]
    return SessionSlot.objects.get(pk=day.booking.slot_id).booked


def test_the_person_page_and_the_site_queue_offer_to_move_and_cancel_an_open_booking(cast, day):
    client = cast.client_for("site_staff")
    for url in (
        reverse("console:person", args=[cast.own_person.uuid]),
        reverse("console:site_day", args=[day.site.uuid]),
    ):
        page = client.get(url).content.decode()
        assert _cancel(day) in page, url
        assert _move(day) in page, url


def test_a_cancelled_booking_gives_its_place_back_and_returns_to_the_page_it_was_sent_from(
    cast, day
):
    back = reverse("console:site_day", args=[day.site.uuid])
    form = {"reason": "Bận việc", "next": back}
    client = cast.client_for("site_staff")
    response = client.post(_cancel(day), form)
    assert response["Location"] == back
    booking = Booking.objects.get(pk=day.booking.pk)
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Bận việc")
    assert _booked(day) == 0
    page = client.get(back)
    assert _levels(page) == ["success"]
    assert _cancel(day) not in page.content.decode()


def test_a_second_cancel_is_refused_with_a_message_and_gives_no_second_place_back(cast, day):
    other = booking_create(
        actor=SYSTEM, person=PersonFactory(home_unit=cast.units.commune_a), slot=_slot(day.session)
    )
    client = cast.client_for("commune")
    assert _levels(client.post(_cancel(day), {}, follow=True)) == ["success"]
    response = client.post(_cancel(day), {}, follow=True)
    assert _levels(response) == ["error"]
    assert _booked(day) == 1  # the other person's place
    assert Booking.objects.get(pk=other.pk).status == BookingStatus.BOOKED


def test_a_cancel_goes_back_to_the_persons_page_rather_than_to_another_site(cast, day):
    response = cast.client_for("commune").post(_cancel(day), {"next": "https://example.com/"})
    assert response["Location"] == reverse("console:person", args=[cast.own_person.uuid])


def test_the_move_offers_open_slots_with_places_at_the_users_sites_own_site_first(cast, day):
    product = day.product
    later_here = _slot(_session(day.site, product, 3))
    tomorrow_there = _slot(_session(_site(cast, "Trạm 2"), product, 1))
    full = _slot(_session(day.site, product, 1, capacity=1))
    booking_create(actor=SYSTEM, person=PersonFactory(home_unit=cast.units.commune_a), slot=full)
    closed = _session(day.site, product, 2)
    VaccinationSession.objects.filter(pk=closed.pk).update(status=SessionStatus.CLOSED)
    past = _session(day.site, product, 4)
    VaccinationSession.objects.filter(pk=past.pk).update(
        date=timezone.localdate() - dt.timedelta(1)
    )
    other_unit = _slot(_session(_site(cast, "Trạm B", cast.units.commune_b), product, 1))
    form = cast.client_for("commune").get(_move(day)).context["form"]
    assert list(form.fields["slot"].queryset) == [later_here, tomorrow_there]
    # A province officer covers commune B's station too.
    form = cast.client_for("province").get(_move(day)).context["form"]
    assert other_unit in form.fields["slot"].queryset


def test_a_moved_booking_holds_the_new_slot_and_gives_the_old_place_back(cast, day):
    tomorrow = _slot(_session(day.site, day.product, 1))
    back = reverse("console:person", args=[cast.own_person.uuid])
    response = cast.client_for("site_staff").post(_move(day), {"slot": tomorrow.uuid, "next": back})
    assert response["Location"] == back
    old = Booking.objects.get(pk=day.booking.pk)
    assert old.status == BookingStatus.MOVED
    assert (old.moved_to.slot, old.moved_to.status) == (tomorrow, BookingStatus.BOOKED)
    assert (_booked(day), SessionSlot.objects.get(pk=tomorrow.pk).booked) == (0, 1)


def test_a_second_move_is_refused_above_the_form_and_changes_nothing(cast, day):
    tomorrow = _slot(_session(day.site, day.product, 1))
    later = _slot(_session(day.site, day.product, 2))
    client = cast.client_for("commune")
    client.post(_move(day), {"slot": tomorrow.uuid})
    response = client.post(_move(day), {"slot": later.uuid})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert SessionSlot.objects.get(pk=later.pk).booked == 0
    assert Booking.objects.filter(person=cast.own_person, status=BookingStatus.BOOKED).count() == 1


def test_a_slot_that_is_not_offered_is_refused_on_the_form(cast, day):
    elsewhere = _slot(_session(_site(cast, "Trạm B", cast.units.commune_b), day.product, 1))
    response = cast.client_for("commune").post(_move(day), {"slot": elsewhere.uuid})
    assert response.context["form"].errors["slot"]
    assert Booking.objects.get(pk=day.booking.pk).status == BookingStatus.BOOKED


def test_a_booking_of_another_unit_is_not_found_and_stays_as_it_was(cast, day):
    tomorrow = _slot(_session(day.site, day.product, 1))
    client = cast.client_for("commune_other")
    assert client.get(_move(day)).status_code == 404
    assert client.post(_move(day), {"slot": tomorrow.uuid}).status_code == 404
    assert client.post(_cancel(day), {}).status_code == 404
    assert Booking.objects.get(pk=day.booking.pk).status == BookingStatus.BOOKED
    assert _booked(day) == 1
