"""Registration review by the commune's health officers, the not-reached lists, sessions
created and filled."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.vaccination_day import SYSTEM, site_day
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import (
    Booking,
    PriorityGroup,
    Registration,
    RegistrationStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.services import registration_approve, registration_create


@pytest.fixture
def day(cast):
    return site_day(cast, person=PersonFactory(home_unit=cast.units.commune_a))


def _register(person: Person, group: int = 9) -> Registration:
    return registration_create(
        actor=SYSTEM, person=person, priority_group=PriorityGroup.objects.get(code=group)
    )


def test_the_commune_officer_sees_the_pending_registrations_of_the_commune_only(cast, day):
    own = _register(cast.own_person)
    _register(cast.sibling_person)
    page = cast.client_for("commune").get(reverse("console:registrations"))
    assert [r.uuid for r in page.context["registrations"]] == [own.uuid]


def test_approving_a_registration_moves_it_to_the_approved_list(cast, day):
    registration = _register(cast.own_person)
    client = cast.client_for("commune")
    client.post(reverse("console:registration_approve", args=[registration.uuid]))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    page = client.get(reverse("console:registrations"), {"status": "approved"})
    assert registration in page.context["registrations"]


def test_a_rejection_without_reason_is_refused_and_with_one_is_kept(cast, day):
    registration = _register(cast.own_person)
    client, url = (
        cast.client_for("commune"),
        reverse("console:registration_reject", args=[registration.uuid]),
    )
    client.post(url, {"reason": " "})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    client.post(url, {"reason": "Đã tiêm ở tỉnh khác"})
    registration.refresh_from_db()
    assert (registration.status, registration.reason) == ("rejected", "Đã tiêm ở tỉnh khác")


def test_a_duplicate_is_linked_to_the_record_found_by_its_document_without_merging(cast, day):
    second = PersonFactory(home_unit=cast.units.commune_a, full_name=cast.own_person.full_name)
    registration = _register(second)
    url = reverse("console:registration_duplicate", args=[registration.uuid])
    cast.client_for("commune").post(url, {"of": cast.own_person.id_number})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.DUPLICATE
    assert registration.duplicate_of == cast.own_person
    second.refresh_from_db()
    assert second.merged_into_id is None


def test_the_not_reached_list_names_the_unvaccinated_adults_of_the_commune(cast, day):
    url = reverse("console:not_reached")
    page = cast.client_for("commune").get(url, {"missing": "dose", "band": "18-49"})
    assert cast.own_person in page.context["persons"]
    assert cast.sibling_person not in page.context["persons"]
    assert page.context["by_band"]


def test_a_session_created_opens_on_its_site_day(cast, day):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = {
        "site": day.site.uuid, "date": tomorrow.isoformat(), "product": "comirnaty",
        "slots": "07:30-09:00 2\n09:00-10:30 3",
    }  # fmt: skip
    response = cast.client_for("commune").post(reverse("console:session_new"), form)
    session = VaccinationSession.objects.get(date=tomorrow)
    assert sorted(session.slots.values_list("capacity", flat=True)) == [2, 3]
    assert response["Location"].endswith(f"?day={tomorrow.isoformat()}")


def test_slots_that_are_not_start_end_places_are_refused_on_the_form(cast, day):
    form = {"site": day.site.uuid, "date": timezone.localdate().isoformat(),
            "product": "vaxzevria", "slots": "sáng 20"}  # fmt: skip
    response = cast.client_for("commune").post(reverse("console:session_new"), form)
    assert response.status_code == 200
    assert response.context["form"].errors["slots"]
    assert not VaccinationSession.objects.filter(product__key="vaxzevria").exists()


def test_assignment_books_the_approved_registrants_into_the_chosen_session(cast, day):
    registration = _register(cast.own_person)
    registration_approve(actor=SYSTEM, registration=registration)
    response = cast.client_for("commune").post(
        reverse("console:assign"), {"sessions": [day.session.uuid]}
    )
    assert response.context["report"].booked
    assert Booking.objects.filter(person=cast.own_person, session=day.session).exists()


def test_site_staff_may_not_review(cast, day):
    assert cast.client_for("site_staff").get(reverse("console:registrations")).status_code == 403
