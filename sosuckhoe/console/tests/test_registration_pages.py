"""Registration review by the commune's health officers, the not-reached lists, sessions
created and filled."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.console.tests.vaccination_day import SYSTEM, site_day
from sosuckhoe.people.models import Person
from sosuckhoe.places.cache import tree_changed
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.testing.factories import PersonFactory, unit
from sosuckhoe.vaccination.models import (
    Booking,
    PriorityGroup,
    Registration,
    RegistrationStatus,
    VaccinationSession,
)
from sosuckhoe.vaccination.selectors import (
    coverage_by_age_band,
    coverage_by_priority_group,
    persons_not_reached,
    registrations_to_review,
)
from sosuckhoe.vaccination.services import (
    registration_approve,
    registration_create,
    registrations_assign,
)

PAGES = ("console:registrations", "console:not_reached", "console:assign")


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


# --- Narrowed to one unit below the officer's ----------------------------------------------


@pytest.fixture
def minh_thuan(cast) -> AdminUnit:
    """A second commune of the district officer's district (2025-03 edition)."""
    commune = unit("13744", "Xã Minh Thuận", UnitLevel.COMMUNE, cast.units.district, "2025-03")
    tree_changed()
    return commune


def test_a_district_officer_narrowed_to_one_commune_sees_only_its_registrations(
    cast, day, minh_thuan
):
    own = _register(cast.district_person)
    neighbour = _register(PersonFactory(home_unit=minh_thuan, full_name="Phạm Văn Hà"))
    client, url = cast.client_for("district"), reverse("console:registrations")
    everyone = client.get(url).context["registrations"]
    assert {r.uuid for r in everyone} == {own.uuid, neighbour.uuid}
    page = client.get(url, {"unit": cast.units.district_commune.code})
    assert [r.uuid for r in page.context["registrations"]] == [own.uuid]
    html = page.content.decode()
    assert "Phạm Văn Hà" not in html
    # The review buttons and the status tabs keep the commune.
    approve = reverse("console:registration_approve", args=[own.uuid])
    assert f'action="{approve}?unit=13741"' in html
    assert "?unit=13741&amp;status=approved" in html


def test_a_review_made_on_a_narrowed_list_returns_to_it(cast, day):
    registration = _register(cast.own_person)
    url = reverse("console:registration_approve", args=[registration.uuid])
    response = cast.client_for("province").post(f"{url}?unit={cast.units.commune_a.code}")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert response["Location"].endswith("?status=pending&unit=13669")


def test_a_province_of_the_three_level_edition_drills_down_to_a_commune(cast, day, minh_thuan):
    nam_dinh = cast.units.district.parent
    officer = cast.users["province"]
    officer.unit = nam_dinh
    officer.save(update_fields=["unit"])
    client, url = cast.client_for("province"), reverse("console:registrations")
    top = client.get(url).context["pick"]
    assert [u.code for u in top.choices] == ["36", "359"]
    district = client.get(url, {"unit": "359"}).context["pick"]
    assert [u.code for u in district.choices] == ["359", "13741", "13744"]
    commune = client.get(url, {"unit": "13744"}).context["pick"]
    assert commune.choices == []
    assert [u.code for u in commune.trail] == ["36", "359", "13744"]


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("district", "36"),  # the district's own province: above, never wider
        ("district", "13669"),  # a code of the other edition
        ("commune", "14464"),  # the sibling commune
        ("province", "00004"),  # a commune of another province
        ("province", "01"),  # another province
        ("national_admin", "359"),  # a district of the 3-level edition: not the admin's
        ("province", "37/../01"),
    ],
)
@pytest.mark.parametrize("page", PAGES)
def test_a_unit_outside_the_officers_subtree_is_not_found_and_shows_nothing(
    cast, day, role, code, page
):
    _register(cast.sibling_person)
    _register(cast.foreign_person)
    _register(cast.district_person)
    before = AuditEvent.objects.count()
    response = cast.client_for(role).get(reverse(page), {"unit": code, "missing": "dose"})
    assert response.status_code == 404
    html = response.content.decode()
    for person in (cast.sibling_person, cast.foreign_person, cast.district_person):
        assert person.full_name not in html
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("page", PAGES)
def test_a_commune_officer_sees_no_picker_and_a_province_officer_its_communes(cast, day, page):
    commune = cast.client_for("commune").get(reverse(page))
    assert commune.context["pick"].choices == []
    assert 'name="unit"' not in commune.content.decode()
    province = cast.client_for("province").get(reverse(page)).content.decode()
    assert 'name="unit"' in province
    assert '<option value="14464">Xã Gia Viễn</option>' in province


def test_the_not_reached_page_narrowed_lists_and_counts_only_that_commune(cast, day):
    url = reverse("console:not_reached")
    page = cast.client_for("province").get(url, {"unit": "14464", "missing": "dose"})
    assert cast.sibling_person in page.context["persons"]
    assert cast.own_person not in page.context["persons"]
    assert sum(c.population for c in page.context["by_band"]) == 1
    assert '<input type="hidden" name="unit" value="14464">' in page.content.decode()
    # The unit alone names no list: nothing searched, no form errors.
    only_unit = cast.client_for("province").get(url, {"unit": "14464"})
    assert not only_unit.context["searched"]


def test_assignment_narrowed_to_one_commune_books_only_its_registrants(cast, day):
    for person in (cast.own_person, cast.sibling_person):
        registration_approve(actor=SYSTEM, registration=_register(person))
    url = f"{reverse('console:assign')}?unit={cast.units.commune_b.code}"
    page = cast.client_for("province").get(url)
    assert f'action="{url}"' in page.content.decode()
    response = cast.client_for("province").post(url, {"sessions": [day.session.uuid]})
    assert [b.person for b in response.context["report"].booked] == [cast.sibling_person]
    assert not Booking.objects.filter(person=cast.own_person, session=day.session).exists()


def test_a_narrowed_page_asked_again_reads_no_unit_from_the_database(cast, day):
    client = cast.client_for("province")
    url = reverse("console:registrations")
    client.get(url, {"unit": "13669"})
    with CaptureQueriesContext(connection) as second:
        page = client.get(url, {"unit": "13669"})
    assert page.context["pick"].unit == cast.units.commune_a
    assert not [q for q in second.captured_queries if 'FROM "places_' in q["sql"]]


def test_the_selectors_and_the_assignment_take_a_unit_below_and_refuse_one_outside(cast, day):
    actor, today = cast.actor("district"), timezone.localdate()
    reads = [
        lambda unit: registrations_to_review(actor=actor, unit=unit),
        lambda unit: persons_not_reached(actor=actor, unit=unit, on=today, missing="dose"),
        lambda unit: coverage_by_age_band(actor=actor, unit=unit, on=today),
        lambda unit: coverage_by_priority_group(actor=actor, unit=unit),
    ]
    for read in reads:
        read(cast.units.district_commune)
        with pytest.raises(Http404):
            read(cast.units.commune_a)
        with pytest.raises(Http404):
            read(cast.units.district.parent)
    registrations_assign(actor=actor, unit=cast.units.district_commune, sessions=[])
    with pytest.raises(ValidationError):
        registrations_assign(actor=actor, unit=cast.units.commune_a, sessions=[day.session])
