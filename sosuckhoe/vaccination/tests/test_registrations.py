import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Registration, RegistrationChannel, RegistrationStatus
from sosuckhoe.vaccination.services.bookings import booking_create
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record
from sosuckhoe.vaccination.services.registrations import (
    registration_approve,
    registration_create,
    registration_mark_duplicate,
    registration_reject,
)


def _register(cast, group, role="commune", person=None, **fields):
    return registration_create(
        actor=cast.actor(role), person=person or cast.own_person, priority_group=group, **fields
    )


def _refused(code, call, *args, **kwargs):
    rows = (Registration.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert code in refusal_codes(error.value)
    assert (Registration.objects.count(), AuditEvent.objects.count()) == rows
    return error.value


def test_a_registration_waits_for_review_and_is_audited_in_the_persons_unit(cast, group, site):
    registration = _register(cast, group, preferred_site=site, preferred_date=timezone.localdate())
    assert (registration.status, registration.channel) == (
        RegistrationStatus.PENDING,
        RegistrationChannel.STAFF,
    )
    event = AuditEvent.objects.get(object_uuid=registration.uuid)
    assert (event.action, event.object_type, event.scope_path) == (
        AuditAction.CREATE,
        "registration",
        cast.units.commune_a.path,
    )


def test_a_second_open_registration_of_the_same_person_is_refused(cast, group):
    _register(cast, group)
    _refused("already_registered", _register, cast, group)


def test_a_rejected_person_may_register_again(cast, group):
    first = _register(cast, group)
    registration_reject(actor=cast.actor("commune"), registration=first, reason="Sai nhóm")
    assert _register(cast, group).status == RegistrationStatus.PENDING


def test_registering_a_resident_of_another_commune_is_refused(cast, group):
    _refused("outside_unit", _register, cast, group, person=cast.sibling_person)


def test_a_site_may_register_a_visitor_from_another_commune_for_itself(cast, group, site):
    registration = _register(
        cast, group, role="site_staff", person=cast.sibling_person, preferred_site=site
    )
    assert registration.person == cast.sibling_person


def test_registering_a_merged_record_is_refused(cast, group):
    merged = PersonFactory(home_unit=cast.units.commune_a, merged_into=cast.own_person)
    _refused("person_merged", _register, cast, group, person=merged)


def test_a_preferred_date_in_the_past_or_a_facility_that_vaccinates_nobody_is_refused(cast, group):
    store = Facility.objects.create(
        name="Kho",
        kind=FacilityKind.HEALTH_CENTRE,
        unit=cast.units.commune_a,
        is_vaccination_site=False,
    )
    _refused("not_a_site", _register, cast, group, preferred_site=store)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _refused("date_in_past", _register, cast, group, preferred_date=yesterday)


def test_a_registration_sent_twice_is_stored_once(cast, group):
    key = uuid.uuid4()
    first = _register(cast, group, submission_key=key)
    again = _register(cast, group, submission_key=key)
    assert again.pk == first.pk
    assert Registration.objects.count() == 1


def test_a_rejection_needs_a_reason(cast, group):
    registration = _register(cast, group)
    _refused(
        "reason_required",
        registration_reject,
        actor=cast.actor("commune"),
        registration=registration,
        reason="  ",
    )


def test_only_the_persons_commune_and_above_review_a_registration(cast, group, site_b):
    registration = _register(cast, group)
    _refused(
        "outside_unit",
        registration_reject,
        actor=cast.actor("commune_other"),
        registration=registration,
        reason="x",
    )
    registration_reject(actor=cast.actor("province"), registration=registration, reason="Sai")
    registration.refresh_from_db()
    assert (registration.status, registration.reason) == (RegistrationStatus.REJECTED, "Sai")
    assert registration.reviewed_by == cast.users["province"]


def test_a_rejected_registration_cannot_be_rejected_again(cast, group):
    registration = _register(cast, group)
    registration_reject(actor=cast.actor("commune"), registration=registration, reason="Sai")
    _refused(
        "not_reviewable",
        registration_reject,
        actor=cast.actor("commune"),
        registration=registration,
        reason="Lại",
    )


def test_marking_a_duplicate_links_the_other_record_without_merging(cast, group):
    twin = PersonFactory(home_unit=cast.units.commune_a, full_name=cast.own_person.full_name)
    registration = _register(cast, group, person=twin)
    registration_mark_duplicate(
        actor=cast.actor("commune"), registration=registration, of_person=cast.own_person
    )
    registration.refresh_from_db()
    assert (registration.status, registration.duplicate_of) == (
        RegistrationStatus.DUPLICATE,
        cast.own_person,
    )
    assert Person.objects.get(pk=twin.pk).merged_into_id is None


def test_marking_a_duplicate_with_a_merge_folds_the_records_into_one(cast, group):
    twin = PersonFactory(home_unit=cast.units.commune_a, full_name=cast.own_person.full_name)
    registration = registration_mark_duplicate(
        actor=cast.actor("commune"),
        registration=_register(cast, group, person=twin),
        of_person=cast.own_person,
        merge=True,
    )
    assert Person.objects.get(pk=twin.pk).merged_into_id == cast.own_person.pk
    assert registration.person == cast.own_person
    assert registration.status == RegistrationStatus.DUPLICATE


def test_a_duplicate_must_name_another_record_in_the_unit(cast, group):
    registration = _register(cast, group)
    _refused(
        "duplicate_of_itself",
        registration_mark_duplicate,
        actor=cast.actor("commune"),
        registration=registration,
        of_person=cast.own_person,
    )
    _refused(
        "outside_unit",
        registration_mark_duplicate,
        actor=cast.actor("commune"),
        registration=registration,
        of_person=cast.sibling_person,
    )


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("commune", True),
        ("site_staff", True),
        ("commune_other", True),  # the preferred site is in their commune
        ("province", True),
        ("province_other", False),
        ("national_admin", True),
        ("analyst", False),
    ],
)
def test_a_registration_is_seen_from_the_persons_unit_and_from_the_preferred_sites(
    cast, group, site_b, role, sees
):
    registration = _register(cast, group, role="province", preferred_site=site_b)
    visible = Registration.objects.visible_to(cast.users[role])
    assert visible.filter(pk=registration.pk).exists() == sees


def test_a_system_import_registers_anywhere(cast, group):
    registration = registration_create(
        actor=Actor.system("import"),
        person=cast.foreign_person,
        priority_group=group,
        channel=RegistrationChannel.IMPORT,
    )
    assert registration.channel == RegistrationChannel.IMPORT


def test_an_approved_registration_is_audited_with_its_reviewer(cast, group):
    registration = registration_approve(
        actor=cast.actor("commune"), registration=_register(cast, group)
    )
    assert (registration.status, registration.reviewed_by) == (
        RegistrationStatus.APPROVED,
        cast.users["commune"],
    )
    assert AuditEvent.objects.filter(object_uuid=registration.uuid).count() == 2


def test_a_person_too_young_for_every_vaccine_is_not_approved(cast, group):
    born = timezone.localdate() - dt.timedelta(days=2 * 365)
    toddler = PersonFactory(
        home_unit=cast.units.commune_a, birth_date=born, id_kind="none", id_number=""
    )
    registration = _register(cast, group, person=toddler)
    _refused(
        "age_below_minimum",
        registration_approve,
        actor=cast.actor("commune"),
        registration=registration,
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_a_person_not_yet_due_is_approved(cast, group, site, stock):
    lot = stock()
    dose_record(
        actor=cast.actor("site_staff"),
        person=cast.own_person,
        product=lot.product,
        lot=lot,
        site=site,
        given_at=timezone.now() - dt.timedelta(days=5),
        late_entry_reason="Sổ giấy",
        use_stock=False,
    )
    registration = registration_approve(
        actor=cast.actor("commune"), registration=_register(cast, group)
    )
    assert registration.status == RegistrationStatus.APPROVED


def test_a_registration_is_approved_once(cast, group):
    registration = _register(cast, group)
    registration_approve(actor=cast.actor("commune"), registration=registration)
    _refused(
        "not_reviewable",
        registration_approve,
        actor=cast.actor("commune"),
        registration=registration,
    )


def test_a_merge_that_would_book_one_person_twice_in_a_session_is_refused(
    cast, group, make_session
):
    twin = PersonFactory(home_unit=cast.units.commune_a, full_name=cast.own_person.full_name)
    slot = make_session(5).slots.get()
    for person in (cast.own_person, twin):
        booking_create(actor=cast.actor("commune"), person=person, slot=slot)
    registration = _register(cast, group, person=twin)
    _refused(
        "merge_conflict",
        registration_mark_duplicate,
        actor=cast.actor("commune"),
        registration=registration,
        of_person=cast.own_person,
        merge=True,
    )
    assert Person.objects.get(pk=twin.pk).merged_into_id is None
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
