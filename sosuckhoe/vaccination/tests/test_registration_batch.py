"""Many registrations at once: each item judged as registration_create judges it."""

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Registration, RegistrationChannel, RegistrationStatus
from sosuckhoe.vaccination.services import registrations
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.registrations import (
    RegistrationItem,
    registration_create,
    registrations_create_batch,
)

YESTERDAY = dt.timedelta(days=-1)
ELSEWHERE = "This form was sent by someone else; open it again."


def _batch(cast, items, role="commune"):
    return registrations_create_batch(actor=cast.actor(role), items=items)


def _outcome(result):
    """A result as a comparable value: the registration's fields, or the refusal's codes."""
    if result.error is not None:
        return refusal_codes(result.error)
    return _fields(result.registration)


def _fields(registration):
    r = Registration.objects.get(pk=registration.pk)
    return (r.person_id, r.priority_group_id, r.status, r.channel, r.preferred_site_id,
            r.preferred_date)  # fmt: skip


def _resident(cast):
    return PersonFactory(home_unit=cast.units.commune_a)


@pytest.fixture
def closed_site(cast):
    return Facility.objects.create(
        name="Trạm cũ", kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_a,
        is_active=False,
    )  # fmt: skip


@pytest.fixture
def store(cast):
    return Facility.objects.create(
        name="Kho", kind=FacilityKind.HEALTH_CENTRE, unit=cast.units.commune_a,
        is_vaccination_site=False,
    )  # fmt: skip


@pytest.fixture
def mixed_items(cast, group, site, closed_site, store):
    """One item refused for each rule of registration_create, between accepted ones."""
    today = timezone.localdate()
    registered = _resident(cast)
    registration_create(actor=cast.actor("commune"), person=registered, priority_group=group)

    def item(person=None, **fields):
        return RegistrationItem(person=person or _resident(cast), priority_group=group, **fields)

    return [
        item(preferred_site=site, preferred_date=today),
        item(person=PersonFactory(home_unit=cast.units.commune_a, merged_into=cast.own_person)),
        item(person=cast.sibling_person),
        item(preferred_site=store),
        item(preferred_site=closed_site),
        item(preferred_date=today + YESTERDAY),
        item(person=registered),
        item(channel=RegistrationChannel.IMPORT),
    ]


EXPECTED_CODES = [
    [],
    ["person_merged"],
    ["outside_unit"],
    ["not_a_site"],
    ["not_a_site"],
    ["date_in_past"],
    ["already_registered"],
    [],
]


def test_each_item_is_refused_with_the_code_of_its_rule_and_the_others_registered(
    cast, mixed_items
):
    before = Registration.objects.count()
    results = _batch(cast, mixed_items)
    assert [r.index for r in results] == list(range(len(mixed_items)))
    assert [refusal_codes(r.error) if r.error else [] for r in results] == EXPECTED_CODES
    accepted = [r.registration for r in results if r.accepted]
    assert [r.person for r in accepted] == [mixed_items[0].person, mixed_items[-1].person]
    assert [r.channel for r in accepted] == [RegistrationChannel.STAFF, RegistrationChannel.IMPORT]
    assert Registration.objects.count() == before + 2


def test_the_batch_answers_what_registration_create_answers_one_item_at_a_time(cast, mixed_items):
    actor = cast.actor("commune")
    one_by_one = []
    with transaction.atomic():
        for item in mixed_items:
            try:
                registration = registration_create(
                    actor=actor,
                    person=item.person,
                    priority_group=item.priority_group,
                    channel=item.channel,
                    preferred_site=item.preferred_site,
                    preferred_date=item.preferred_date,
                )
            except ValidationError as error:
                one_by_one.append((refusal_codes(error), error.messages))
            else:
                one_by_one.append((_fields(registration), _event(registration, batch=False)))
        transaction.set_rollback(True)
    batch = [
        (refusal_codes(r.error), r.error.messages)
        if r.error
        else (_fields(r.registration), _event(r.registration, batch=True))
        for r in _batch(cast, mixed_items)
    ]
    assert batch == one_by_one


def _event(registration, *, batch):
    """The audit row of a registration written, without what tells a batch's apart."""
    event = AuditEvent.objects.get(object_uuid=registration.uuid)
    changes = dict(event.changes)
    assert changes.pop("batch", False) is batch
    return (event.action, event.object_type, event.scope_path, event.summary, event.actor_id,
            changes)  # fmt: skip


def test_a_person_named_twice_is_registered_once_and_the_second_refused(cast, group):
    person = _resident(cast)
    items = [RegistrationItem(person=person, priority_group=group)] * 2
    first, second = _batch(cast, items)
    assert first.accepted
    assert refusal_codes(second.error) == ["already_registered"]
    assert Registration.objects.filter(person=person).count() == 1


def test_every_written_registration_is_audited_in_the_persons_unit(cast, group, site):
    visitor = RegistrationItem(
        person=cast.sibling_person, priority_group=group, preferred_site=site
    )
    refused = RegistrationItem(person=cast.foreign_person, priority_group=group)
    before = AuditEvent.objects.count()
    accepted, not_ours = _batch(cast, [visitor, refused], role="site_staff")
    assert refusal_codes(not_ours.error) == ["outside_unit"]
    event = AuditEvent.objects.get(object_uuid=accepted.registration.uuid)
    assert (event.action, event.object_type, event.scope_path, event.actor_username) == (
        AuditAction.CREATE,
        "registration",
        cast.units.commune_b.path,
        "site",
    )
    assert event.changes == {
        "status": RegistrationStatus.PENDING,
        "channel": RegistrationChannel.STAFF,
        "batch": True,
    }
    assert AuditEvent.objects.count() == before + 1


def test_an_officer_of_another_commune_registers_only_for_a_site_of_it(cast, group, site_b):
    items = [
        RegistrationItem(person=cast.own_person, priority_group=group),
        RegistrationItem(person=_resident(cast), priority_group=group, preferred_site=site_b),
    ]
    refused, for_our_site = _batch(cast, items, role="commune_other")
    assert refusal_codes(refused.error) == ["outside_unit"]
    assert for_our_site.registration.preferred_site == site_b
    assert not Registration.objects.filter(person=cast.own_person).exists()


def test_a_batch_sent_again_finds_its_registrations_and_writes_nothing(cast, group):
    items = [
        RegistrationItem(person=_resident(cast), priority_group=group, submission_key=uuid.uuid4())
        for _ in range(3)
    ]
    first = _batch(cast, items)
    rows = (Registration.objects.count(), AuditEvent.objects.count())
    again = _batch(cast, items)
    assert [r.registration.pk for r in again] == [r.registration.pk for r in first]
    assert (Registration.objects.count(), AuditEvent.objects.count()) == rows


def test_a_key_twice_in_one_batch_registers_once(cast, group):
    key = uuid.uuid4()
    item = RegistrationItem(person=_resident(cast), priority_group=group, submission_key=key)
    first, second = _batch(cast, [item, item])
    assert second.registration is first.registration
    assert Registration.objects.filter(person=item.person).count() == 1


def test_a_key_is_shared_with_registration_create_and_refused_to_anyone_else(cast, group):
    key = uuid.uuid4()
    person = _resident(cast)
    one = registration_create(
        actor=cast.actor("commune"), person=person, priority_group=group, submission_key=key
    )
    item = RegistrationItem(person=person, priority_group=group, submission_key=key)
    (replayed,) = _batch(cast, [item])
    assert replayed.registration.pk == one.pk
    (someone_else,) = _batch(cast, [item], role="province")
    assert someone_else.error.messages == [_(ELSEWHERE)]
    batch_key = uuid.uuid4()
    other = _resident(cast)
    (written,) = _batch(
        cast, [RegistrationItem(person=other, priority_group=group, submission_key=batch_key)]
    )
    again = registration_create(
        actor=cast.actor("commune"), person=other, priority_group=group, submission_key=batch_key
    )
    assert again.pk == written.registration.pk


def test_results_keep_the_order_of_the_items_across_chunks(cast, group, monkeypatch):
    monkeypatch.setattr(registrations, "CHUNK", 2)
    persons = [_resident(cast) for _ in range(5)]
    items = [RegistrationItem(person=p, priority_group=group) for p in persons]
    items.insert(3, RegistrationItem(person=cast.foreign_person, priority_group=group))
    results = _batch(cast, items)
    assert [r.index for r in results] == list(range(6))
    assert [r.registration.person if r.accepted else None for r in results] == [
        *persons[:3],
        None,
        *persons[3:],
    ]


def test_a_chunk_costs_the_same_queries_for_two_items_or_twenty(cast, group, site):
    def items(n):
        return [
            RegistrationItem(
                person=_resident(cast),
                priority_group=group,
                preferred_site=site,
                submission_key=uuid.uuid4(),
            )
            for _ in range(n)
        ]

    few, many = items(2), items(20)
    with CaptureQueriesContext(connection) as two:
        _batch(cast, few)
    with CaptureQueriesContext(connection) as twenty:
        _batch(cast, many)
    assert len(twenty) == len(two)


def test_a_registration_another_writer_made_first_refuses_the_chunk_without_an_error(
    cast, group, monkeypatch
):
    taken = _resident(cast)
    registration_create(actor=cast.actor("commune"), person=taken, priority_group=group)
    # The open registration read before the other writer committed: the insert meets it.
    monkeypatch.setattr(registrations, "_registered", lambda persons: set())
    items = [RegistrationItem(person=p, priority_group=group) for p in (_resident(cast), taken)]
    rows = (Registration.objects.count(), AuditEvent.objects.count())
    results = _batch(cast, items)
    assert [refusal_codes(r.error) for r in results] == [["already_registered"]] * 2
    assert (Registration.objects.count(), AuditEvent.objects.count()) == rows


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_batches_for_the_same_persons_at_once_leave_one_open_registration_each(
    cast, transactional_db, group
):
    persons = [_resident(cast) for _ in range(5)]
    items = [RegistrationItem(person=p, priority_group=group) for p in persons]
    barrier, answers = threading.Barrier(2, timeout=30), []

    def send(role) -> None:
        barrier.wait()
        try:
            answers.append(_batch(cast, items, role=role))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(role,)) for role in ("commune", "province")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = answers
    for one, other in zip(first, second, strict=True):
        assert one.accepted != other.accepted
        refused = other if one.accepted else one
        assert refusal_codes(refused.error) == ["already_registered"]
    open_registrations = Registration.objects.open().filter(person__in=persons)
    assert sorted(open_registrations.values_list("person_id", flat=True)) == sorted(
        p.pk for p in persons
    )
