"""Instances read by hand-written statements (core.rows) are the ones the ORM gives: every
column converted alike on SQLite (text dates, UUIDs, JSON) and on PostgreSQL."""

import uuid

import pytest
from django.db import connection

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core import rows
from sosuckhoe.core.lookups import any_of, any_uuid_of
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _fields_of(obj: object) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _read(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_a_person_and_their_unit_read_by_hand_are_the_orms(cast) -> None:
    made = PersonFactory(home_unit=cast.units.commune_a)
    row = _read(
        f"SELECT {rows.select_list(Person, 'p')}, {rows.select_list(AdminUnit, 'u')}"
        " FROM people_person p JOIN places_adminunit u ON u.id = p.home_unit_id"
        " WHERE p.uuid = %s",
        [rows.param(Person, "uuid", made.uuid)],
    )
    person = rows.instance(Person, row)
    unit = rows.instance(AdminUnit, row, rows.width(Person))
    assert _fields_of(person) == _fields_of(Person.objects.get(pk=made.pk))
    assert _fields_of(unit) == _fields_of(cast.units.commune_a)
    assert isinstance(person.uuid, uuid.UUID)
    assert person.birth_date == made.birth_date
    assert not person._state.adding


def test_a_json_column_read_by_hand_is_the_orms() -> None:
    event = audit_write(
        actor=Actor.system("test"),
        action=AuditAction.CREATE,
        object_uuid=uuid.uuid4(),
        changes={"doses": [1, 2], "late": True, "name": "Nguyễn"},
    )
    row = _read(
        f"SELECT {rows.select_list(AuditEvent, 'a')} FROM accounts_auditevent a WHERE a.id = %s",
        [event.pk],
    )
    read = rows.instance(AuditEvent, row)
    assert read.changes == {"doses": [1, 2], "late": True, "name": "Nguyễn"}
    assert _fields_of(read) == _fields_of(AuditEvent.objects.get(pk=event.pk))


def test_ids_are_matched_as_the_any_lookup_matches_them(cast) -> None:
    people = [PersonFactory(home_unit=cast.units.commune_a) for _ in range(3)]
    wanted = {people[0].pk, people[2].pk}
    for ids, found in ((wanted, wanted), (set(), set())):
        condition, params = any_of("id", list(ids), connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM people_person WHERE {condition}", params)
            assert {pk for (pk,) in cursor.fetchall()} == found


def test_uuids_are_matched_on_every_database(cast) -> None:
    people = [PersonFactory(home_unit=cast.units.commune_a) for _ in range(3)]
    wanted = {people[0].uuid, people[2].uuid}
    for uuids, found in ((wanted, {people[0].pk, people[2].pk}), (set(), set())):
        condition, params = any_uuid_of("uuid", uuids, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM people_person WHERE {condition}", params)
            assert {pk for (pk,) in cursor.fetchall()} == found
