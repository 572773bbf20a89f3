import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.people.models import Household, IdKind, Person
from sosuckhoe.people.selectors import person_related
from sosuckhoe.people.services import person_create, person_merge, person_update
from sosuckhoe.testing.factories import PersonFactory, cccd_for


def _fields(cast, **overrides):
    fields = {
        "full_name": "  nguyễn   THỊ  hoa ",
        "sex": "F",
        "birth_date": dt.date(1990, 2, 3),
        "id_kind": IdKind.CCCD,
        "id_number": cccd_for(birth_year=1990, sex="F", serial=777),
        "phone": "0912 000 111",
        "home_unit": cast.units.commune_a,
    }
    return fields | overrides


def test_creating_a_person_normalizes_name_phone_and_birth_year_and_audits_it(cast):
    person = person_create(actor=cast.actor("commune"), **_fields(cast))
    assert person.full_name == "Nguyễn Thị Hoa"
    assert person.name_key == "nguyen thi hoa"
    assert person.phone == "+84912000111"
    assert person.phone_network == "Vinaphone"
    assert person.birth_year == 1990
    event = AuditEvent.objects.get(object_uuid=person.uuid)
    assert (event.action, event.actor_username, event.scope_path) == (
        AuditAction.CREATE,
        "commune",
        cast.units.commune_a.path,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "036305000001"}, "id_number"),  # born 2005, not 1990
        ({"id_number": "036090000001"}, "id_number"),  # 4th digit says male
        ({"phone": "0521234567"}, "phone"),
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"birth_date": None, "birth_year": 1700, "id_kind": IdKind.NONE}, "birth_year"),
        ({"id_kind": IdKind.CMND, "id_number": "12"}, "id_number"),
        ({"insurance_number": "XX"}, "insurance_number"),
        ({"full_name": "   "}, "full_name"),
        ({"home_unit": None}, "home_unit"),
    ],
)
def test_invalid_input_names_the_field_and_stores_nothing(cast, overrides, field):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        person_create(actor=cast.actor("commune"), **_fields(cast, **overrides))
    assert field in error.value.message_dict
    assert Person.objects.count() == before


def test_a_person_may_be_registered_with_a_birth_year_alone(cast):
    person = person_create(
        actor=cast.actor("commune"),
        **_fields(cast, birth_date=None, birth_year=1948, id_kind=IdKind.NONE, id_number="x"),
    )
    assert (person.birth_date, person.birth_year, person.id_number) == (None, 1948, "")


def test_a_second_person_with_the_same_document_is_refused(cast):
    person_create(actor=cast.actor("commune"), **_fields(cast))
    with pytest.raises(ValidationError) as error, translation.override("en"):
        person_create(actor=cast.actor("commune"), **_fields(cast, full_name="Khác"))
    assert "already registered" in str(error.value)
    assert Person.objects.filter(id_number=_fields(cast)["id_number"]).count() == 1


def test_a_family_may_share_one_phone(cast):
    shared = cast.own_person.phone
    child = person_create(
        actor=cast.actor("commune"),
        **_fields(
            cast,
            full_name="Nguyễn Minh Khôi",
            birth_date=dt.date(2019, 5, 1),
            id_kind=IdKind.NONE,
            id_number="",
            phone=shared,
            guardian=cast.own_person,
        ),
    )
    assert child.phone == shared == cast.own_person.phone


def test_an_update_records_old_and_new_values(cast):
    person = cast.own_person
    person_update(
        actor=cast.actor("commune"), person=person, address_line="Xóm 3", phone="0987654321"
    )
    event = AuditEvent.objects.filter(object_uuid=person.uuid, action=AuditAction.UPDATE).get()
    assert event.changes["address_line"] == ["", "Xóm 3"]
    assert event.changes["phone"][1] == "+84987654321"


def test_an_update_that_changes_nothing_leaves_no_audit_row(cast):
    person_update(actor=cast.actor("commune"), person=cast.own_person, full_name="nguyễn văn an")
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_duplicate_candidates_share_the_folded_name_and_the_birth_or_the_phone(cast):
    original = cast.own_person
    same_birth = PersonFactory(
        home_unit=cast.units.commune_a, full_name="NGUYEN VAN AN", name_key="nguyen van an",
        id_kind=IdKind.NONE, id_number="",
    )  # fmt: skip
    same_phone = PersonFactory(
        home_unit=cast.units.commune_a, birth_date=None, birth_year=1985, phone=original.phone,
    )  # fmt: skip
    PersonFactory(home_unit=cast.units.commune_a, birth_date=dt.date(1999, 1, 1))  # twin name only
    found = person_related(actor=cast.actor("commune"), person=original).candidates
    assert {p.pk for p in found} == {same_birth.pk, same_phone.pk}


def test_merging_moves_every_link_fills_blanks_and_keeps_the_duplicate(cast):
    keep = cast.own_person
    household = Household.objects.create(home_unit=cast.units.commune_a, address_line="Xóm 1")
    duplicate = PersonFactory(
        home_unit=cast.units.commune_a, id_kind=IdKind.NONE, id_number="", phone="",
        insurance_number="GD4361234567890", household=household,
    )  # fmt: skip
    child = PersonFactory(
        home_unit=cast.units.commune_a, guardian=duplicate, id_kind=IdKind.NONE, id_number="",
        birth_date=dt.date(2018, 1, 1), full_name="Nguyễn Văn Bé",
    )  # fmt: skip
    person_merge(actor=cast.actor("commune"), keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    child.refresh_from_db()
    assert duplicate.merged_into == keep
    assert child.guardian == keep
    assert keep.insurance_number == "GD4361234567890"
    assert keep.household == household
    events = AuditEvent.objects.filter(action=AuditAction.MERGE)
    assert {e.object_uuid for e in events} == {keep.uuid, duplicate.uuid}


def test_records_of_different_sex_are_not_merged(cast):
    other = PersonFactory(
        home_unit=cast.units.commune_a, sex="F",
        id_number=cccd_for(birth_year=1985, sex="F", serial=99),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        person_merge(actor=cast.actor("commune"), keep=cast.own_person, duplicate=other)
    other.refresh_from_db()
    assert other.merged_into is None


def test_the_audit_log_refuses_updates_and_deletes_in_the_database(cast):
    person_update(actor=cast.actor("commune"), person=cast.own_person, address_line="Xóm 9")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    for change in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="forged"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_merging_moves_the_document_to_a_kept_record_that_had_none(cast):
    keep = PersonFactory(home_unit=cast.units.commune_a, id_kind=IdKind.NONE, id_number="")
    number = cast.own_person.id_number
    person_merge(actor=cast.actor("commune"), keep=keep, duplicate=cast.own_person)
    keep.refresh_from_db()
    cast.own_person.refresh_from_db()
    assert (keep.id_kind, keep.id_number) == (IdKind.CCCD, number)
    assert (cast.own_person.id_number, cast.own_person.merged_into) == ("", keep)
