import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import VoidKind
from sosuckhoe.vaccination.selectors import (
    AGE_BANDS,
    coverage_by_age_band,
    coverage_by_priority_group,
    dose_read,
    investigations_open,
    person_vaccination_history,
    persons_not_reached,
    registrations_to_review,
    session_queue,
    site_day_doses,
)
from sosuckhoe.vaccination.services.bookings import booking_create
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.reactions import reaction_record
from sosuckhoe.vaccination.services.registrations import registration_create


@pytest.fixture
def vaccinate(cast, site, stock, screened):
    lot = stock()

    def give(person, at=None, lot_=None):
        screened(person, at=at or site)
        return dose_record(
            actor=cast.actor("province"),
            person=person,
            product=(lot_ or lot).product,
            lot=lot_ or lot,
            site=at or site,
        )

    return give


def _views():
    return AuditEvent.objects.filter(action=AuditAction.VIEW)


def test_a_persons_history_shows_every_record_and_the_voided_dose_and_is_audited_on_them(
    cast, group, vaccinate, today
):
    registration = registration_create(
        actor=cast.actor("commune"), person=cast.own_person, priority_group=group
    )
    dose = vaccinate(cast.own_person)
    dose_void(actor=cast.actor("site_staff"), dose=dose, kind=VoidKind.NOT_VALID, reason="Sai")
    history = person_vaccination_history(
        actor=cast.actor("commune"), person_uuid=cast.own_person.uuid, on=today
    )
    assert history.registrations == [registration]
    assert [(d.pk, d.is_valid) for d in history.doses] == [(dose.pk, False)]
    assert len(history.screenings) == 1
    assert (history.next_due.kind, history.next_due.number) == ("primary", 1)
    event = _views().get(object_uuid=cast.own_person.uuid)
    assert set(event.changes["shown"]) == {str(r.uuid) for r in history.records}


def test_a_visitors_site_sees_only_what_happened_there(cast, site_b, stock, vaccinate, today):
    visiting = vaccinate(cast.own_person, at=site_b, lot_=stock(at=site_b, number="B-1"))
    history = person_vaccination_history(
        actor=cast.actor("commune_other"), person_uuid=cast.own_person.uuid, on=today
    )
    assert history.doses == [visiting]
    assert history.next_due is None  # the person's schedule is for their own commune


def test_a_person_with_nothing_in_the_readers_unit_is_not_found_and_nothing_is_audited(
    cast, vaccinate, today
):
    vaccinate(cast.own_person)
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        person_vaccination_history(
            actor=cast.actor("province_other"), person_uuid=cast.own_person.uuid, on=today
        )
    with pytest.raises(Http404):
        person_vaccination_history(
            actor=cast.actor("analyst"), person_uuid=cast.own_person.uuid, on=today
        )
    assert AuditEvent.objects.count() == before


def test_one_dose_is_read_audited_or_not_found(cast, vaccinate):
    dose = vaccinate(cast.own_person)
    assert dose_read(actor=cast.actor("commune"), dose_uuid=dose.uuid) == dose
    assert _views().filter(object_uuid=dose.uuid).count() == 1
    with pytest.raises(Http404):
        dose_read(actor=cast.actor("province_other"), dose_uuid=dose.uuid)


def test_a_sites_day_lists_its_doses_and_names_each_person_in_one_audit_row(
    cast, site, vaccinate, today
):
    doses = [vaccinate(cast.own_person), vaccinate(cast.sibling_person)]
    assert site_day_doses(actor=cast.actor("site_staff"), site=site, day=today) == doses
    event = _views().get(object_type="dose")
    assert set(event.changes["persons"]) == {
        str(cast.own_person.uuid),
        str(cast.sibling_person.uuid),
    }
    assert event.scope_path == site.unit.path


def test_the_session_queue_lists_the_booked(cast, make_session):
    session = make_session(5)
    booking = booking_create(
        actor=cast.actor("commune"), person=cast.own_person, slot=session.slots.get()
    )
    assert session_queue(actor=cast.actor("site_staff"), session=session) == [booking]
    assert session_queue(actor=cast.actor("province_other"), session=session) == []


def test_the_review_list_holds_the_units_pending_registrations(cast, group):
    mine = registration_create(
        actor=cast.actor("commune"), person=cast.own_person, priority_group=group
    )
    registration_create(
        actor=cast.actor("commune_other"), person=cast.sibling_person, priority_group=group
    )
    found = registrations_to_review(actor=cast.actor("commune"), unit=cast.units.commune_a)
    assert found == [mine]
    with pytest.raises(Http404):
        registrations_to_review(actor=cast.actor("commune_other"), unit=cast.units.commune_a)


def test_the_unit_sees_who_has_not_registered_and_who_has_no_dose(cast, group, vaccinate, today):
    vaccinated = PersonFactory(home_unit=cast.units.commune_a, full_name="Đã Tiêm")
    vaccinate(vaccinated)
    registration_create(actor=cast.actor("commune"), person=cast.own_person, priority_group=group)
    unit, actor = cast.units.commune_a, cast.actor("commune")
    unregistered = persons_not_reached(actor=actor, unit=unit, on=today, missing="registration")
    assert unregistered == [vaccinated]
    undosed = persons_not_reached(actor=actor, unit=unit, on=today, missing="dose", group=group)
    assert undosed == [cast.own_person]
    assert _views().filter(object_type="person").count() == 2


def test_coverage_by_age_band_counts_residents_registrations_and_doses(
    cast, group, vaccinate, today
):
    child = PersonFactory(
        home_unit=cast.units.commune_a,
        birth_date=today - dt.timedelta(days=8 * 366),
        id_kind="none",
        id_number="",
    )
    registration_create(actor=cast.actor("commune"), person=child, priority_group=group)
    vaccinate(cast.own_person)
    rows = {
        row.key: row
        for row in coverage_by_age_band(
            actor=cast.actor("analyst"), unit=cast.units.commune_a, on=today
        )
    }
    assert [band.key for band in AGE_BANDS] == list(rows)
    assert (rows["5-11"].population, rows["5-11"].registered, rows["5-11"].vaccinated) == (1, 1, 0)
    assert (rows["18-49"].population, rows["18-49"].vaccinated) == (1, 1)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_coverage_by_priority_group(cast, group, vaccinate):
    registration_create(actor=cast.actor("commune"), person=cast.own_person, priority_group=group)
    vaccinate(cast.own_person)
    rows = {
        row.code: row
        for row in coverage_by_priority_group(
            actor=cast.actor("province"), unit=cast.units.province
        )
    }
    assert (rows[9].registered, rows[9].vaccinated, rows[1].registered) == (1, 1, 0)


def test_open_investigations_are_listed_most_urgent_first(cast, vaccinate):
    dose = vaccinate(cast.own_person)
    reaction = reaction_record(
        actor=cast.actor("site_staff"), dose=dose, onset_at=timezone.now(), terms=["S7"]
    )
    assert investigations_open(actor=cast.actor("province")) == [reaction.investigation]
    assert investigations_open(actor=cast.actor("province_other")) == []
