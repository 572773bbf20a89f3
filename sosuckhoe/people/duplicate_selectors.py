"""Reads of the duplicate review queue, scoped to the reader's unit and audited."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.audit import records_shown
from sosuckhoe.people.models import DuplicatePair, DuplicatePairStatus, Person
from sosuckhoe.places.models import AdminUnit

REVIEW_PAGE = 50


def _pairs_within(unit: AdminUnit, actor: Actor) -> QuerySet[DuplicatePair]:
    within = Person.objects.visible_to(actor.user).in_unit_subtree(unit).active()
    return DuplicatePair.objects.filter(
        status=DuplicatePairStatus.OPEN, person_a__in=within, person_b__in=within
    )


def duplicate_pairs_to_review(
    *, actor: Actor, unit: AdminUnit, limit: int = REVIEW_PAGE
) -> list[DuplicatePair]:
    """The open pairs of which both records live within `unit` (within the reader's scope),
    the likeliest first; the persons shown are audited as one list."""
    pairs = list(
        _pairs_within(unit, actor)
        .select_related("person_a__home_unit", "person_b__home_unit")
        .order_by("-score", "id")[:limit]
    )
    persons = [person for pair in pairs for person in (pair.person_a, pair.person_b)]
    records_shown(
        actor=actor,
        object_type="person",
        records=persons,
        summary="possible duplicates",
        scope_path=unit.path,
    )
    return pairs


def duplicate_pairs_open_count(*, actor: Actor, unit: AdminUnit) -> int:
    return _pairs_within(unit, actor).count()


def duplicate_pair_for_review(*, actor: Actor, pair_uuid: UUID) -> DuplicatePair:
    """An open or closed pair whose two records the actor may both see; else not found."""
    visible = Person.objects.visible_to(actor.user)
    pair = (
        DuplicatePair.objects.filter(uuid=pair_uuid, person_a__in=visible, person_b__in=visible)
        .select_related("person_a__home_unit", "person_b__home_unit")
        .first()
    )
    if pair is None:
        raise Http404
    return pair
