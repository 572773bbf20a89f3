"""Counting the people overdue for their next dose, per commune: a daily run (the command
`overdue_count`), since the schedule engine judges one person at a time and a province holds
millions. A commune's counts, and the list of the persons counted (`OverduePerson`, which the
console's list of people to call reads), are replaced in one transaction of their own, so that
a run stopped half way leaves every commune with a whole count, of that day or of the day
before, and its list agrees with it."""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.analytics.models import OverdueCount, OverduePerson
from sosuckhoe.core.bulk import copy_rows
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.supply.schedule import next_dose_due
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.services.eligibility import birth_of, person_facts

CHUNK = 1000  # persons whose facts are read at once (four queries a chunk)


def _vaccinated(commune_id: int) -> Iterator[list[Person]]:
    """The commune's residents with a valid dose, CHUNK at a time."""
    with_dose = Dose.objects.valid().filter(person__home_unit_id=commune_id).values("person_id")
    persons = (
        Person.objects.active()
        .filter(home_unit_id=commune_id, pk__in=with_dose)
        .only("pk", "birth_date", "birth_year")
        .order_by("pk")
    )
    chunk: list[Person] = []
    for person in persons.iterator(chunk_size=CHUNK):
        chunk.append(person)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class Overdue:
    """A resident past the window of their next dose (kind, number) on the day judged."""

    person_id: int
    kind: str
    number: int
    due_by: dt.date  # the last day of the window
    last_dose_id: int | None  # their latest valid dose up to the day


def commune_overdue_persons(*, commune_id: int, on: dt.date) -> Iterator[Overdue]:
    """The commune's residents overdue for their next dose on `on`: what the count counts and
    the list of people to call names, by the one judgement of the schedule engine."""
    for chunk in _vaccinated(commune_id):
        facts = person_facts([p.pk for p in chunk])
        for person in chunk:
            known = facts[person.pk]
            due = next_dose_due(
                birth=birth_of(person),
                history=known.history(until=on),
                on=on,
                immunocompromised=known.immunocompromised(on=on),
                high_exposure=known.high_exposure,
            )
            if due is not None and due.overdue and due.overdue_after is not None:
                given = [dose.pk for dose in known.doses if dose.given_on <= on]
                last = given[-1] if given else None
                yield Overdue(person.pk, due.kind, due.number, due.overdue_after, last)


NOBODY = ("", 0)  # the row of a commune counted with nobody overdue: the day is known
LISTED_COLUMNS = ("unit_id", "person_id", "kind", "number", "due_by", "last_dose_id", "counted_on")


@transaction.atomic
def _replace(commune_id: int, on: dt.date, found: list[Overdue]) -> None:
    """The commune's count and its list of names, both of the day, in one transaction."""
    counts = Counter((overdue.kind, overdue.number) for overdue in found)
    OverdueCount.objects.filter(unit_id=commune_id).delete()
    OverdueCount.objects.bulk_create(
        OverdueCount(unit_id=commune_id, kind=kind, number=number, persons=n, counted_on=on)
        for (kind, number), n in sorted(counts.items() or [(NOBODY, 0)])
    )
    OverduePerson.objects.filter(unit_id=commune_id).delete()
    copy_rows(
        OverduePerson,
        LISTED_COLUMNS,
        ((commune_id, o.person_id, o.kind, o.number, o.due_by, o.last_dose_id, on) for o in found),
    )


def overdue_count(
    *,
    actor: Actor,
    unit: AdminUnit,
    on: dt.date,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Count the overdue people of every commune of the unit's subtree; the total found."""
    if not actor.manages(unit):
        raise ValidationError(_("This unit is outside your unit."), code="outside_unit")
    communes = list(
        AdminUnit.objects.subtree_of(unit)
        .filter(level=UnitLevel.COMMUNE)
        .order_by("path")
        .values_list("id", flat=True)
    )
    total = 0
    for done, commune_id in enumerate(communes, start=1):
        found = list(commune_overdue_persons(commune_id=commune_id, on=on))
        _replace(commune_id, on, found)
        total += len(found)
        if on_progress:
            on_progress(done, len(communes))
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        scope_path=unit.path,
        object_type="overdue",
        summary=f"{unit.name} {on:%d/%m/%Y}: {total} overdue in {len(communes)} communes",
    )
    return total
