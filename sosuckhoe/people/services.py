"""Writes to persons: create, change, merge. Each is atomic and leaves its audit row."""

import copy
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sosuckhoe.accounts.audit import Actor, audit_event
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.bulk import bulk_insert, unsaved
from sosuckhoe.core.idempotency import create_once
from sosuckhoe.core.text import compact_code, fold, tidy_name
from sosuckhoe.people.audit import person_audit
from sosuckhoe.people.clean_fields import fields_certainly_clean
from sosuckhoe.people.identity import normalize_phone
from sosuckhoe.people.models import Household, IdKind, Person
from sosuckhoe.people.selectors import document_holders_unscoped
from sosuckhoe.people.signals import person_merging, person_recounted, persons_changed
from sosuckhoe.places.models import AdminUnit

# What staff type on the person form; the services also take the family links below.
PROFILE_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "id_kind",
    "id_number",
    "phone",
    "home_unit",
    "address_line",
    "insurance_number",
    "ethnicity",
    "occupation",
)
EDITABLE_FIELDS = (*PROFILE_FIELDS, "guardian", "household")
# Filled on the kept record from the duplicate when the kept one has nothing.
MERGE_FILLABLE_FIELDS = (
    "birth_date",
    "phone",
    "phone_network",
    "address_line",
    "insurance_number",
    "ethnicity",
    "occupation",
    "guardian",
    "household",
)


def _normalize(person: Person) -> None:
    """Bring typed-in values to their stored form, then validate the whole record."""
    _normalize_values(person)
    person.full_clean()


def _normalize_values(person: Person) -> None:
    """Typed-in values in their stored form (the batch validates without full_clean)."""
    person.full_name = tidy_name(person.full_name or "")
    person.name_key = fold(person.full_name)
    person.id_number = compact_code(person.id_number or "")
    person.insurance_number = compact_code(person.insurance_number or "")
    if person.id_kind == IdKind.NONE:
        person.id_number = ""
    if person.birth_date and not person.birth_year:
        person.birth_year = person.birth_date.year
    if person.phone:
        try:
            person.phone, person.phone_network = normalize_phone(person.phone)
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    else:
        person.phone_network = ""


DOCUMENT_TAKEN = gettext_lazy("A person with this identity document is already registered.")
DOCUMENT_TAKEN_CODE = "document_taken"


def document_taken() -> ValidationError:
    """The refusal of a person whose identity document another registered person holds."""
    return ValidationError({"id_number": ValidationError(DOCUMENT_TAKEN, code=DOCUMENT_TAKEN_CODE)})


def is_document_taken(error: ValidationError | None) -> bool:
    """Whether the refusal is that of the document taken, alone."""
    by_field = getattr(error, "error_dict", None) or {}
    return list(by_field) == ["id_number"] and all(
        e.code == DOCUMENT_TAKEN_CODE for e in by_field["id_number"]
    )


def _save_checked(person: Person, **kwargs: Any) -> None:
    """Save; a record that a concurrent writer made first is reported like the validation's."""
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError:
        raise document_taken() from None


def _field_value(person: Person, field: str) -> Any:
    value = getattr(
        person, f"{field}_id" if field in ("home_unit", "guardian", "household") else field
    )
    return value.isoformat() if hasattr(value, "isoformat") else value


def _check_editable(fields: dict[str, Any]) -> None:
    if unknown := set(fields) - set(EDITABLE_FIELDS):
        raise ValueError(f"{sorted(unknown)} are not editable fields of a person")


def _check_scope(
    actor: Actor, person: Person, covers: Callable[[AdminUnit], bool] | None = None
) -> None:
    """Refuse a commune or a family link outside the actor's unit. Forms offer only what is
    in scope, but an import or an API call has no form to limit the choice. `covers` is
    `actor.covers`, or a batch's memory of its answers."""
    covers = covers or actor.covers
    errors: dict[str, list[str]] = {}
    if person.home_unit_id and not covers(person.home_unit):
        errors["home_unit"] = [_("This commune is outside your unit.")]
    guardian, household = person.guardian, person.household
    if guardian is not None and not covers(guardian.home_unit):
        errors["guardian"] = [_("This guardian is registered outside your unit.")]
    if household is not None and not covers(household.home_unit):
        errors["household"] = [_("This household is outside your unit.")]
    if errors:
        raise ValidationError(errors)


def _check_may_change(actor: Actor, person: Person) -> None:
    if not actor.covers(person.home_unit):
        raise ValidationError(_("This person is registered outside your unit."))


def _locked(*people: Person) -> list[Person]:
    """Fresh copies of the rows, locked in id order so that two writers cannot deadlock."""
    rows = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .select_related("home_unit")
        .filter(pk__in=[p.pk for p in people])
        .order_by("pk")
    }
    return [rows[p.pk] for p in people]


def person_check(*, actor: Actor, **fields: Any) -> Person:
    """The person these fields describe, normalised and validated as person_create registers
    them, unsaved: an import's dry run reports what the real run would refuse."""
    _check_editable(fields)
    person = Person(**fields)
    _normalize(person)
    _check_scope(actor, person)
    return person


@transaction.atomic
def person_create(*, actor: Actor, submission_key: UUID | None = None, **fields: Any) -> Person:
    """Register a person; a form sent twice with the same key registers them once."""

    def create() -> Person:
        person = person_check(actor=actor, **fields)
        _save_checked(person)
        person_audit(actor=actor, action=AuditAction.CREATE, person=person)
        return person

    def find(uuid: UUID) -> Person:
        found = Person.objects.visible_to(actor.user).filter(uuid=uuid).first()
        if found is None:
            raise ValidationError(_("The person this form registered is outside your unit now."))
        return found

    return create_once(submission_key, owner=actor.name, create=create, find=find)


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **fields: Any) -> Person:
    """Change the given fields; the audit row records each old and new value."""
    _check_editable(fields)
    (person,) = _locked(person)
    _check_may_change(actor, person)
    as_it_was = copy.copy(person)
    before = {f: _field_value(person, f) for f in EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(person, name, value)
    _normalize(person)
    _check_scope(actor, person)
    changes = {
        f: [before[f], _field_value(person, f)]
        for f in EDITABLE_FIELDS
        if before[f] != _field_value(person, f)
    }
    if not changes:
        return person
    _save_checked(person)
    person_recounted.send(sender=Person, actor=actor, before=as_it_was, after=person)
    persons_changed.send(sender=Person, actor=actor, person_ids=[person.pk])
    person_audit(
        actor=actor,
        action=AuditAction.UPDATE,
        person=person,
        summary=", ".join(changes),
        changes=changes,
    )
    return person


def _move_links(*, source: Person, target: Person) -> dict[str, int]:
    """Point every record that refers to `source` at `target`, whatever app it lives in. A
    record that would then exist twice (the same dose, booking or open registration on both)
    refuses the merge: which of the two stays is a correction for a person to make."""
    try:
        with transaction.atomic():
            return _move_each_link(source=source, target=target)
    except IntegrityError:
        raise ValidationError(
            _(
                "Both records hold the same dose, booking or open registration; void or cancel "
                "the one on the duplicate before merging."
            ),
            code="merge_conflict",
        ) from None


def _move_each_link(*, source: Person, target: Person) -> dict[str, int]:
    moved: dict[str, int] = {}
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if not relation.one_to_many or model is AuditEvent or isinstance(model, str):
            continue
        field = relation.field.name
        count = model._default_manager.filter(**{field: source}).update(**{field: target})
        if count:
            moved[f"{model._meta.label_lower}.{field}"] = count
    return moved


def _recount_as_kept(actor: Actor, *, keep: Person, duplicate: Person) -> None:
    """Before the links move: the records of both persons will count as the kept person,
    blanks filled from the duplicate."""
    kept = copy.copy(keep)
    _fill_blanks(keep=kept, duplicate=duplicate)
    for subject in (keep, duplicate):
        after = copy.copy(kept)
        after.pk = subject.pk
        person_recounted.send(sender=Person, actor=actor, before=subject, after=after)


def _fill_blanks(*, keep: Person, duplicate: Person) -> list[str]:
    filled = []
    for field in MERGE_FILLABLE_FIELDS:
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
            filled.append(field)
    return filled


@transaction.atomic
def person_merge(*, actor: Actor, keep: Person, duplicate: Person) -> Person:
    """Fold a duplicate record into the one kept. The duplicate stays, pointing at `keep`,
    and everything linked to it moves; nothing is deleted."""
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    keep, duplicate = _locked(keep, duplicate)
    for subject in (keep, duplicate):
        _check_may_change(actor, subject)
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("One of these records has already been merged."))
    if keep.sex != duplicate.sex or keep.birth_year != duplicate.birth_year:
        raise ValidationError(
            _("These records differ in sex or year of birth; correct one of them before merging.")
        )
    person_merging.send(sender=Person, actor=actor, keep=keep, duplicate=duplicate)
    _recount_as_kept(actor, keep=keep, duplicate=duplicate)
    moved = _move_links(source=duplicate, target=keep)
    filled = _fill_blanks(keep=keep, duplicate=duplicate)
    _check_scope(actor, keep)  # a guardian or household taken over from the duplicate
    if keep.id_kind == IdKind.NONE and duplicate.id_kind != IdKind.NONE:
        keep.id_kind, keep.id_number = duplicate.id_kind, duplicate.id_number
        # The document moves to the kept record; one number has one holder.
        Person.objects.filter(pk=duplicate.pk).update(id_kind=IdKind.NONE, id_number="")
        filled += ["id_kind", "id_number"]
    if filled:
        keep.save(update_fields=[*filled, "updated_at"])
    Person.objects.filter(pk=duplicate.pk).update(merged_into=keep)
    persons_changed.send(sender=Person, actor=actor, person_ids=[keep.pk, duplicate.pk])
    for subject in (keep, duplicate):
        person_audit(
            actor=actor,
            action=AuditAction.MERGE,
            person=subject,
            summary=f"{duplicate.uuid} → {keep.uuid}",
            changes={
                "kept": str(keep.uuid),
                "retired": str(duplicate.uuid),
                "filled": filled,
                "moved": moved,
            },
        )
    return keep


# Many persons at once (imports): the rules of person_create, without a query per person.

BATCH_CHUNK = 1000  # persons per transaction
# Checked in Python by the batch: each row names a commune it has already loaded, and the
# uniqueness of documents is checked for a whole chunk with one query.
_LINKS: dict[str, type[models.Model]] = {
    "home_unit": AdminUnit,
    "guardian": Person,
    "household": Household,
}


# Not frozen, as other value types are: an import builds one for every person it registers, and
# a frozen dataclass's __init__ costs five times a plain one's (each field set through
# object.__setattr__).
@dataclass
class PersonRowResult:
    index: int
    person: Person | None
    error: ValidationError | None

    @property
    def accepted(self) -> bool:
        return self.person is not None


def persons_check_batch(
    *, actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> list[PersonRowResult]:
    """What persons_create_batch would do with these rows, writing nothing (a dry run):
    each row's unsaved person, or its reasons."""
    results: list[PersonRowResult] = []
    for start in range(0, len(rows), BATCH_CHUNK):
        persons, refused = _chunk_check(actor, rows[start : start + BATCH_CHUNK])
        results += _chunk_results(start, persons, refused)
    return results


def persons_create_batch(
    *, actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> list[PersonRowResult]:
    """Register each person that person_create would register, refuse each other with its
    reasons; results in the order of the rows. Each chunk commits (or, inside the caller's
    transaction, is a savepoint) on its own. A row whose document a concurrent writer
    registered after the check is refused, and the rest of its chunk written again."""
    results: list[PersonRowResult] = []
    for start in range(0, len(rows), BATCH_CHUNK):
        persons, refused = _chunk_check(actor, rows[start : start + BATCH_CHUNK])
        results += _chunk_results(start, persons, _chunk_write(actor, persons, refused))
    return results


def _chunk_write(
    actor: Actor, persons: dict[int, Person], refused: dict[int, ValidationError]
) -> dict[int, ValidationError]:
    """Insert the persons not refused; the rows refused in the end. A concurrent writer that
    registered some of these documents after the check: those rows are refused and the rest
    written again; a second conflict refuses the whole chunk, to be imported again."""
    for attempt in range(2):
        try:
            _persons_insert(actor, [p for i, p in persons.items() if i not in refused])
        except IntegrityError:
            if attempt == 0:
                refused = refused | _documents_taken(persons)
            continue
        return refused
    busy = ValidationError(
        _("Others registered persons of these rows at the same time; import them again."),
        code="concurrent_writer",
    )
    return refused | dict.fromkeys(persons.keys() - refused.keys(), busy)


def _chunk_check(
    actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> tuple[dict[int, Person], dict[int, ValidationError]]:
    judge = _ChunkJudge(actor)
    checked = [judge.check(fields) for fields in rows]
    refused = {i: found for i, found in enumerate(checked) if isinstance(found, ValidationError)}
    persons = {i: p for i, p in enumerate(checked) if isinstance(p, Person)}
    return persons, refused | _documents_taken(persons)


def _chunk_results(
    start: int, persons: dict[int, Person], refused: dict[int, ValidationError]
) -> list[PersonRowResult]:
    return [
        PersonRowResult(start + i, None if i in refused else persons[i], refused.get(i))
        for i in sorted(persons.keys() | refused.keys())
    ]


class _ChunkJudge:
    """person_check for the rows of one chunk, without queries: the links are rows the
    caller read (a commune of its references), the document's uniqueness is the chunk's to
    check, and the actor's reach of a commune is worked out once for all its rows."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self._reach: dict[int, bool] = {}
        # The day Person.clean compares birth dates with, asked once: a chunk takes a second.
        self.today = timezone.localdate()

    def check(self, fields: Mapping[str, Any]) -> Person | ValidationError:
        try:
            _check_editable(dict(fields))
            person = _new_person(fields)
            _normalize_values(person)
            _validate_in_python(person, self.today)
            _check_scope(self.actor, person, self._covers)
        except ValidationError as error:
            return error
        return person

    def _covers(self, unit: AdminUnit) -> bool:
        if unit.pk is None:
            return self.actor.covers(unit)
        reach = self._reach.get(unit.pk)
        if reach is None:
            reach = self._reach[unit.pk] = self.actor.covers(unit)
        return reach


def _new_person(fields: Mapping[str, Any]) -> Person:
    """`Person(**fields)`, built as core.bulk.unsaved builds a new row (without a descriptor
    call per field: a fifth of the cost) when each link is None or a row of its model read
    from one database, all that Django's descriptors accept here; any other link goes through
    them, to be refused as they refuse it."""
    # The links a row leaves out are None, as Django's descriptor would read them.
    related: dict[str, models.Model | None] = {"guardian": None, "household": None}
    values: dict[str, Any] = {}
    databases = set()
    for name, value in fields.items():
        if name not in _LINKS:
            values[name] = value
        elif value is None:
            related[name] = None
        elif isinstance(value, _LINKS[name]) and value._state.db is not None:
            related[name] = value
            databases.add(value._state.db)
        else:
            return Person(**fields)
    if len(databases) > 1:
        return Person(**fields)
    person = unsaved(Person, related, **values)
    # Django's descriptor puts a new row on the database of the row it links to.
    person._state.db = next(iter(databases), None)
    return person


def _validate_in_python(person: Person, today: dt.date) -> None:
    """full_clean without its queries: a link given is a row (full_clean would look it up),
    and the constraints are the chunk's to check. Django's clean_fields runs only on a row
    whose fields fields_certainly_clean cannot vouch for (it would refuse or convert them)."""
    given = {name for name in _LINKS if getattr(person, f"{name}_id") is not None}
    errors: dict[str, list[Any]] = {}
    steps = [lambda: person.clean_as_of(today)]
    if not fields_certainly_clean(person, exclude=given):
        steps.insert(0, lambda: person.clean_fields(exclude=given))
    for step in steps:
        try:
            step()
        except ValidationError as error:
            error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _documents_taken(persons: dict[int, Person]) -> dict[int, ValidationError]:
    """The rows whose document a registered person holds, or an earlier row of the chunk:
    one query."""
    documents = {i: (p.id_kind, p.id_number) for i, p in persons.items() if p.id_number}
    registered = document_holders_unscoped(set(documents.values()))
    taken: dict[int, ValidationError] = {}
    seen: set[tuple[str, str]] = set()
    for i, document in documents.items():
        if document in registered:
            taken[i] = document_taken()
        elif document in seen:
            taken[i] = ValidationError(
                {"id_number": _("An earlier row holds the same identity document.")}
            )
        seen.add(document)
    return taken


def _persons_insert(actor: Actor, persons: list[Person]) -> None:
    """The persons and their audit rows, in a savepoint: a conflict leaves nothing."""
    for person in persons:
        person.pk, person._state.adding = None, True  # a retry after a conflict
    events = [
        audit_event(
            actor=actor,
            action=AuditAction.CREATE,
            scope_path=p.home_unit.path,
            object_type="person",
            object_uuid=p.uuid,
            summary=p.full_name,
        )
        for p in persons
    ]
    with transaction.atomic():
        bulk_insert(Person, persons)
        bulk_insert(AuditEvent, events)
