"""Reads of the people overdue for their next dose, by name, for the officers who call them:
the rows the daily count wrote (`OverduePerson`), scoped by `Person.objects.visible_to` and
audited as one list per page shown."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, Max, Min, OuterRef, QuerySet
from django.http import Http404

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.models import OverdueCount, OverduePerson
from sosuckhoe.people.audit import records_shown
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.models import Dose

PER_PAGE = 50


def overdue_persons(
    *, actor: Actor, unit: AdminUnit, product: Product | None = None
) -> QuerySet[OverduePerson]:
    """The residents of the unit's subtree the last count found overdue, most overdue first;
    not found when the unit is outside the actor's. Left out: a person who has moved since
    (their new commune's count names them) and one given a dose since the count (called for
    nothing; the next count judges them again). `product`: that of their last dose."""
    if not actor.covers(unit):
        raise Http404
    persons = Person.objects.visible_to(actor.user).active().in_unit_subtree(unit)
    dosed_since = Dose.objects.valid().filter(
        person_id=OuterRef("person_id"), given_on__gt=OuterRef("counted_on")
    )
    rows = OverduePerson.objects.filter(
        unit_id__any=unit.subtree_ids, person__in=persons, unit_id=F("person__home_unit_id")
    ).exclude(Exists(dosed_since))
    if product is not None:
        rows = rows.filter(last_dose__product=product)
    return rows.select_related("person__home_unit", "last_dose__product").order_by(
        "due_by", "person__name_key", "id"
    )


def overdue_page(
    *, actor: Actor, unit: AdminUnit, product: Product | None = None, number: str | int = 1
) -> Page:
    """One page of `overdue_persons`; the persons it shows are audited as one list."""
    rows = overdue_persons(actor=actor, unit=unit, product=product)
    page = Paginator(rows, PER_PAGE).get_page(number)
    records_shown(
        actor=actor,
        object_type="person",
        records=[row.person for row in page.object_list],
        summary=f"people overdue, page {page.number}",
        scope_path=unit.path,
    )
    return page


@dataclass(frozen=True)
class CountedDays:
    """The days the communes of a unit were last counted: the list is as of these."""

    first: dt.date | None
    last: dt.date | None


def overdue_counted_days(*, unit: AdminUnit) -> CountedDays:
    days = OverdueCount.objects.filter(unit_id__any=unit.subtree_ids).aggregate(
        first=Min("counted_on"), last=Max("counted_on")
    )
    return CountedDays(days["first"], days["last"])
