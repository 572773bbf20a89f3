"""Write services hold the unit rules themselves: an import or an API call has no form that
limits the choice, so each write is refused outside the actor's unit, with nothing written."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.models import SubmissionKey
from sosuckhoe.people.models import Household, IdKind, Person
from sosuckhoe.people.selectors import person_related
from sosuckhoe.people.services import person_create, person_merge, person_update
from sosuckhoe.testing.factories import PersonFactory


def _child(cast, **links):
    return {
        "full_name": "Đỗ Minh Khôi", "sex": "M", "birth_date": dt.date(2021, 5, 6),
        "id_kind": IdKind.NONE, "home_unit": cast.units.commune_a,
    } | links  # fmt: skip


def _unchanged(before):
    assert Person.objects.count() == before["persons"]
    assert AuditEvent.objects.count() == before["events"]


@pytest.fixture
def counts(cast):
    return {"persons": Person.objects.count(), "events": AuditEvent.objects.count()}


def test_registering_in_a_commune_outside_the_unit_is_refused(cast, counts):
    fields = _child(cast, home_unit=cast.units.commune_b)
    with pytest.raises(ValidationError) as error:
        person_create(actor=cast.actor("commune"), **fields)
    assert "home_unit" in error.value.message_dict
    _unchanged(counts)


@pytest.mark.parametrize("link", ["guardian", "household"])
def test_registering_with_a_family_link_outside_the_unit_is_refused(cast, counts, link):
    foreign = cast.foreign_person
    value = foreign if link == "guardian" else Household.objects.create(home_unit=foreign.home_unit)
    with pytest.raises(ValidationError) as error:
        person_create(actor=cast.actor("commune"), **_child(cast, **{link: value}))
    assert link in error.value.message_dict
    _unchanged(counts)


def test_an_analyst_registers_nobody_even_in_their_own_province(cast, counts):
    with pytest.raises(ValidationError):
        person_create(actor=cast.actor("analyst"), **_child(cast))
    _unchanged(counts)


@pytest.mark.parametrize(
    "change",
    [
        lambda cast: (cast.sibling_person, {"full_name": "Bị Sửa"}),
        lambda cast: (cast.own_person, {"home_unit": cast.units.commune_b}),
        lambda cast: (cast.own_person, {"guardian": cast.foreign_person}),
    ],
    ids=["a person outside the unit", "moving out of the unit", "a guardian outside the unit"],
)
def test_a_correction_outside_the_unit_is_refused(cast, counts, change):
    person, fields = change(cast)
    before = Person.objects.values().get(pk=person.pk)
    with pytest.raises(ValidationError):
        person_update(actor=cast.actor("commune"), person=person, **fields)
    assert Person.objects.values().get(pk=person.pk) == before
    _unchanged(counts)


def test_merging_with_a_record_outside_the_unit_is_refused(cast, counts):
    with pytest.raises(ValidationError):
        person_merge(
            actor=cast.actor("commune"), keep=cast.own_person, duplicate=cast.sibling_person
        )
    assert Person.objects.get(pk=cast.sibling_person.pk).merged_into_id is None
    _unchanged(counts)


def test_a_province_officer_may_merge_across_its_communes(cast):
    person_merge(actor=cast.actor("province"), keep=cast.own_person, duplicate=cast.sibling_person)
    assert Person.objects.get(pk=cast.sibling_person.pk).merged_into_id == cast.own_person.pk


def test_a_resent_form_finds_its_person_only_for_the_staff_member_who_sent_it(cast):
    key = uuid.uuid4()
    first = person_create(actor=cast.actor("commune"), submission_key=key, **_child(cast))
    again = person_create(actor=cast.actor("commune"), submission_key=key, **_child(cast))
    assert again.pk == first.pk
    with pytest.raises(ValidationError):
        person_create(actor=cast.actor("province"), submission_key=key, **_child(cast))
    assert SubmissionKey.objects.get(key=key).owner == "commune"
    assert Person.objects.filter(full_name="Đỗ Minh Khôi").count() == 1


def test_a_resent_form_does_not_reveal_a_person_who_has_left_the_unit(cast):
    key = uuid.uuid4()
    child = person_create(actor=cast.actor("commune"), submission_key=key, **_child(cast))
    Person.objects.filter(pk=child.pk).update(home_unit=cast.units.commune_b)
    with pytest.raises(ValidationError):
        person_create(actor=cast.actor("commune"), submission_key=key, **_child(cast))


def test_a_system_job_writes_anywhere_and_is_named_in_the_audit(cast):
    person = person_create(
        actor=Actor.system("import"), **_child(cast, home_unit=cast.units.other_commune)
    )
    assert AuditEvent.objects.get(object_uuid=person.uuid).actor_username == "system:import"


def test_a_guardian_outside_the_readers_unit_is_known_to_exist_but_not_named(cast):
    ward = PersonFactory(
        home_unit=cast.units.commune_a, guardian=cast.sibling_person, full_name="Trần Bé Na",
        id_kind=IdKind.NONE, id_number="", birth_date=dt.date(2020, 1, 1),
    )  # fmt: skip
    for role, named in (("commune", False), ("province", True)):
        related = person_related(actor=cast.actor(role), person=ward)
        assert (related.guardian is not None, related.guardian_elsewhere) == (named, not named)


def test_the_family_and_duplicate_candidates_shown_are_audited_by_name(cast):
    own = cast.own_person
    own.household = Household.objects.create(home_unit=own.home_unit)
    own.save()
    spouse = PersonFactory(home_unit=own.home_unit, household=own.household, full_name="Hà Thị Mai",
                           sex="F", birth_date=dt.date(1987, 1, 1))  # fmt: skip
    twin = PersonFactory(home_unit=own.home_unit, full_name=own.full_name)
    related = person_related(actor=cast.actor("commune"), person=own)
    assert (related.family, related.candidates) == ([spouse], [twin])
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert set(event.changes["shown"]) == {str(spouse.uuid), str(twin.uuid)}
    assert event.actor_username == "commune"


def test_nothing_shown_leaves_no_list_row(cast):
    person_related(actor=cast.actor("commune"), person=cast.own_person)
    assert not AuditEvent.objects.exists()
