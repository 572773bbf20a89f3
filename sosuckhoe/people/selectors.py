"""Reads of persons. Every staff read goes through `visible_to` and is audited."""

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core.pg import text_array
from sosuckhoe.core.text import fold
from sosuckhoe.people.audit import person_audit
from sosuckhoe.people.identity import normalize_phone
from sosuckhoe.people.models import IdKind, Person, PersonQuerySet

SEARCH_LIMIT = 25
_SEPARATORS = re.compile(r"[\s.\-()]")


@dataclass(frozen=True)
class SearchQuery:
    """What a typed search means: an identity number, a phone, or the start of a name."""

    kind: str  # "id", "phone", "name" or "empty"
    value: str

    @classmethod
    def parse(cls, text: str) -> "SearchQuery":
        compact = _SEPARATORS.sub("", text.strip())
        if not compact:
            return cls("empty", "")
        if compact.isdigit() and len(compact) in (9, 12):
            return cls("id", compact)
        if re.fullmatch(r"\+?\d{9,15}", compact):
            try:
                return cls("phone", normalize_phone(compact)[0])
            except ValidationError:
                return cls("id", compact)
        if re.fullmatch(r"[A-Za-z]\d{7,8}", compact):
            return cls("id", compact.upper())
        return cls("name", fold(text))


def _name_prefix(qs: PersonQuerySet, key: str) -> PersonQuerySet:
    # A range rather than LIKE: the same b-tree serves it on SQLite and on PostgreSQL ("C").
    return qs.filter(name_key__gte=key, name_key__lt=key + "\U0010ffff").order_by("name_key", "id")


def _shown_audit(*, actor: Actor, action: AuditAction, summary: str, shown: list[Person]) -> None:
    """One row naming every person a list showed: whose names, documents and phones were read."""
    audit_write(
        actor=actor,
        action=action,
        object_type="person",
        summary=summary,
        changes={"shown": [str(p.uuid) for p in shown]},
    )


def persons_search(*, actor: Actor, text: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Persons the actor may see that match a CCCD/CMND/passport, a phone or a name prefix."""
    query = SearchQuery.parse(text)
    if query.kind == "empty":
        return []
    qs = Person.objects.visible_to(actor.user).active().select_related("home_unit")
    if query.kind == "id":
        qs = qs.filter(
            id_number=query.value, id_kind__in=[IdKind.CCCD, IdKind.CMND, IdKind.PASSPORT]
        )
    elif query.kind == "phone":
        qs = qs.filter(phone=query.value).order_by("name_key", "id")
    else:
        qs = _name_prefix(qs, query.value)
    results = list(qs[:limit])
    summary = f"{query.kind}: {text.strip()[:100]} ({len(results)})"
    _shown_audit(actor=actor, action=AuditAction.SEARCH, summary=summary, shown=results)
    return results


def persons_read(*, actor: Actor, person_uuids: Sequence[UUID]) -> list[Person]:
    """Persons for a member of staff, in the order asked, each audited; 404 when any one is not
    theirs to see (and then nothing is audited: nothing was shown)."""
    found = {
        p.uuid: p
        for p in Person.objects.visible_to(actor.user)
        .select_related("home_unit", "guardian__home_unit", "household", "merged_into")
        .filter(uuid__in=person_uuids)
    }
    if len(found) != len(set(person_uuids)):
        raise Http404
    for person in found.values():
        person_audit(actor=actor, action=AuditAction.VIEW, person=person)
    return [found[uuid] for uuid in person_uuids]


def person_read(*, actor: Actor, person_uuid: UUID) -> Person:
    """One person for a member of staff, audited; 404 when it is not theirs to see."""
    return persons_read(actor=actor, person_uuids=[person_uuid])[0]


@dataclass(frozen=True)
class RelatedPersons:
    """What a person's page shows of others. A guardian outside the reader's unit is only
    known to exist: their name is not the reader's to see."""

    guardian: Person | None
    guardian_elsewhere: bool
    family: list[Person]
    candidates: list[Person]


def person_related(*, actor: Actor, person: Person) -> RelatedPersons:
    """The guardian, family and duplicate candidates of a person, audited as one list."""
    guardian = person.guardian
    guardian_elsewhere = guardian is not None and not actor.covers(guardian.home_unit)
    related = RelatedPersons(
        guardian=None if guardian_elsewhere else guardian,
        guardian_elsewhere=guardian_elsewhere,
        family=_family(actor=actor, person=person),
        candidates=_duplicate_candidates(actor=actor, person=person),
    )
    shown = [*([related.guardian] if related.guardian else []), *related.family]
    shown += related.candidates
    if shown:
        summary = f"{person.full_name}: {len(shown)}"
        _shown_audit(actor=actor, action=AuditAction.VIEW, summary=summary, shown=shown)
    return related


def _duplicate_candidates(*, actor: Actor, person: Person, limit: int = 10) -> list[Person]:
    """Records that may be the same person: same folded name, and same birth or same phone."""
    same_birth = (
        Q(birth_date=person.birth_date) if person.birth_date else Q(birth_year=person.birth_year)
    )
    same_phone = Q(phone=person.phone) if person.phone else Q(pk__in=[])
    return list(
        Person.objects.visible_to(actor.user)
        .active()
        .filter(name_key=person.name_key)
        .filter(same_birth | same_phone)
        .exclude(pk=person.pk)
        .select_related("home_unit")[:limit]
    )


def _family(*, actor: Actor, person: Person) -> list[Person]:
    """The person's household and the children under their guardianship, oldest first."""
    links = Q(guardian=person)
    if person.household_id:
        links |= Q(household_id=person.household_id)
    family = Person.objects.visible_to(actor.user).active().filter(links).exclude(pk=person.pk)
    return list(family.order_by("birth_year", "id"))


def person_uuids_by_document(*, user: Any, number: str) -> list[UUID]:
    """The records holding a document number, among those the user may see."""
    found = Person.objects.visible_to(user).filter(id_number=number.strip().upper())
    return list(found.values_list("uuid", flat=True))


Document = tuple[str, str]  # (id_kind, id_number)


def document_holders_unscoped(documents: Collection[Document]) -> dict[Document, Person]:
    """The registered holder of each of these documents that one holds, merged or not, with
    its id and document loaded only: one query, for the batches (an import's chunk). Not
    scoped: a document has one holder in the whole country."""
    return document_holders_read(
        documents,
        columns="p.id, p.id_kind, p.id_number",
        read=lambda sql, params: Person.objects.raw(sql, params),
    )


def document_holders_read(
    documents: Collection[Document],
    *,
    columns: str,
    read: Callable[[str, list[Any]], Iterable[Person]],
    after: str = "",
) -> dict[Document, Person]:
    """The holders of these documents by document, read by `read` from one SELECT of
    `columns` of the persons `p` (their kind and number among them), `after` appended to it
    (an order, a lock)."""
    wanted = {(kind, number) for kind, number in documents if number}
    if not wanted:
        return {}
    table = Person._meta.db_table
    if connection.vendor == "postgresql":
        # The documents as two arrays joined to the table: each found through the unique
        # index. Against `id_number IN (…)` of a thousand numbers, which the index does not
        # serve (its first column is the kind), PostgreSQL read the whole table.
        kinds, numbers = zip(*wanted, strict=True)
        sql = (
            f"SELECT {columns} FROM {table} p"
            " JOIN unnest(%s::text[], %s::text[]) AS d(kind, number)"
            " ON p.id_kind = d.kind AND p.id_number = d.number WHERE p.id_number <> ''"
        )
        params: list[Any] = [text_array(kinds), text_array(numbers)]
    else:
        params = sorted({number for _kind, number in wanted})
        placeholders = ", ".join(["%s"] * len(params))
        sql = f"SELECT {columns} FROM {table} p WHERE p.id_number IN ({placeholders})"
    holders = {(p.id_kind, p.id_number): p for p in read(sql + after, params)}
    return {document: p for document, p in holders.items() if document in wanted}
