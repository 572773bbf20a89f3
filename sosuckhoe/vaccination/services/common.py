"""What every vaccination write shares: refusals with a code, scope checks, locks, audit rows."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core import rows
from sosuckhoe.core.lookups import any_of, any_uuid_of
from sosuckhoe.people.models import Person
from sosuckhoe.people.selectors import Document, document_holders_read
from sosuckhoe.places.models import AdminUnit


def refusal(code: str, message: str) -> ValidationError:
    """A refusal whose `code` names the rule, so that the console, API and imports count it."""
    return ValidationError(message, code=code)


def refuse_any(refusals: list[ValidationError]) -> None:
    if refusals:
        raise ValidationError(refusals)


def refusal_codes(error: ValidationError) -> list[str]:
    return [e.code or "invalid" for e in error.error_list]


def require_cover(actor: Actor, *units: AdminUnit) -> None:
    """Refuse unless the actor's unit covers one of the units the record belongs to."""
    if not any(actor.covers(unit) for unit in units):
        raise refusal("outside_unit", _("This record is outside your unit."))


def require_active(person: Person) -> None:
    if person.merged_into_id:
        raise refusal(
            "person_merged",
            _("This record was merged into another person's; use the record it was merged into."),
        )


def person_locked(person: Person) -> Person:
    """A fresh copy of the person row, locked: one person's vaccination writes run one at a
    time (dose numbers, bookings), and always lock the person first."""
    found = _person_locked("id", person.pk)
    if found is None:
        raise Person.DoesNotExist(f"person {person.pk}")
    return found


def person_locked_by_uuid(uuid: UUID) -> Person | None:
    """The person as person_locked reads them, for a writer that names its person by uuid
    (the API's dose); None when there is none."""
    return _person_locked("uuid", rows.param(Person, "uuid", uuid))


@cache
def _person_locked_sql(column: str) -> str:
    lock = " FOR UPDATE OF p" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {rows.select_list(Person, 'p')}, {rows.select_list(AdminUnit, 'u')}"
        " FROM people_person p JOIN places_adminunit u ON u.id = p.home_unit_id"
        f" WHERE p.{column} = %s{lock}"
    )


def _persons_locked_statement(
    ids: Collection[int], uuids: Collection[UUID]
) -> tuple[str, list[Any]]:
    by_id, id_params = any_of("p.id", list(ids), connection.vendor)
    by_uuid, uuid_params = any_uuid_of("p.uuid", uuids, connection.vendor)
    lock = " FOR UPDATE OF p" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {rows.select_list(Person, 'p')} FROM people_person p"
        f" WHERE {by_id} OR {by_uuid} ORDER BY p.id{lock}",
        [*id_params, *uuid_params],
    )


def _person_locked(column: str, value: Any) -> Person | None:
    """The person with their home unit, locked: a statement written once (`core.rows`), as
    every booking, screening and dose reads its person first."""
    found = rows.one(_person_locked_sql(column), [value], Person, AdminUnit)
    if found is None:
        return None
    person, person.home_unit = found
    return person


def persons_locked(*, ids: Collection[int] = (), uuids: Collection[UUID] = ()) -> list[Person]:
    """The persons of these ids or uuids, locked in id order, as person_locked does one at a
    time, so that writers cannot deadlock; each with its home unit. A statement written once:
    the queryset prepared a thousand uuids one by one."""
    if not ids and not uuids:
        return []
    return _locked_with_units(*_persons_locked_statement(ids, uuids))


def document_holders_locked(documents: Collection[Document]) -> dict[Document, Person]:
    """The registered holder of each of these documents that one holds, merged or not,
    locked and read as persons_locked reads them (in id order, with their home units): a
    batch that names its persons by document (an import) reads them once."""
    lock = " FOR UPDATE OF p" if connection.features.has_select_for_update_of else ""
    return document_holders_read(
        documents,
        columns=rows.select_list(Person, "p"),
        read=_locked_with_units,
        after=f" ORDER BY p.id{lock}",
    )


def _locked_with_units(sql: str, params: list[Any]) -> list[Person]:
    """The persons a locking statement reads, each with its home unit: the units read in one
    query (a batch's thousand persons live in a few communes: a copy of the unit per person
    cost more than the lock)."""
    with rows.planned_once(generic=False) as cursor:
        cursor.execute(sql, params)
        persons = [rows.instance(Person, row) for row in cursor.fetchall()]
    units = AdminUnit.objects.in_bulk({person.home_unit_id for person in persons})
    for person in persons:
        person.home_unit = units[person.home_unit_id]
    return persons


@contextmanager
def conflict_refused(code: str, message: str, *, savepoint: bool = True) -> Iterator[None]:
    """A unique or check constraint that a concurrent writer hit first, as the rule's refusal.
    Without a savepoint (two round trips fewer) the refusal ends the caller's transaction: for
    callers that let it propagate, never for those that catch it and go on."""
    try:
        with transaction.atomic(savepoint=savepoint):
            yield
    except IntegrityError:
        raise refusal(code, message) from None


def record_audit(
    *,
    actor: Actor,
    action: AuditAction,
    record: Any,
    object_type: str,
    scope_path: str,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return audit_write(
        actor=actor,
        action=action,
        scope_path=scope_path,
        object_type=object_type,
        object_uuid=record.uuid,
        summary=summary or str(record),
        changes=changes,
    )


def locked(model: type[models.Model], pk: int, *related: str) -> Any:
    """A fresh copy of one row, locked until the transaction ends."""
    qs = model._default_manager.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    return qs.get(pk=pk)
