"""Reads of correction requests: scoped by `visible_to` (the person's unit, and the unit of the
site that gave the dose named), audited, not found outside the reader's reach."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.people.audit import records_shown
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.vaccination.models import CorrectionRequest, CorrectionStatus, Dose

LIST_LIMIT = 200


def correction_requests_scoped(
    *, user: Any, unit: AdminUnit, status: str = "", person: Person | None = None
) -> QuerySet[CorrectionRequest]:
    """The requests of a unit the user may see, open first (the oldest first: a queue), then
    the answered, the latest first; the list page's and the export's. Not audited: callers
    audit what they show or write."""
    ids = unit.subtree_ids
    requests = CorrectionRequest.objects.visible_to(user).filter(
        Q(person__home_unit_id__in=ids) | Q(dose__site__unit_id__in=ids)
    )
    if status:
        requests = requests.filter(status=status)
    if person is not None:
        requests = requests.filter(person=person)
    waiting = Case(
        When(status=CorrectionStatus.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return requests.select_related(
        "person__home_unit", "dose__product", "dose__lot", "dose__site"
    ).order_by(waiting, F("resolved_at").desc(nulls_last=True), "created_at", "id")


def _reach(actor: Actor, unit: AdminUnit) -> None:
    if actor.user is not None and not actor.user.works_over(unit):
        raise Http404


def correction_requests_list(
    *,
    actor: Actor,
    unit: AdminUnit,
    status: str = "",
    person: Person | None = None,
    limit: int = LIST_LIMIT,
) -> list[CorrectionRequest]:
    """A page of a unit's requests (or one person's), audited as one list."""
    _reach(actor, unit)
    found = list(
        correction_requests_scoped(user=actor.user, unit=unit, status=status, person=person)[:limit]
    )
    records_shown(
        actor=actor,
        object_type="correction_request",
        records=found,
        summary=f"{unit.name}: correction requests {status}".rstrip(),
        scope_path=unit.path,
    )
    return found


@dataclass(frozen=True)
class CorrectionPage:
    """A request, and the person's doses the reader sees (to compare, and to name those the
    correction voided or entered)."""

    request: CorrectionRequest
    doses: list[Dose]


def correction_request_read(*, actor: Actor, request_uuid: UUID) -> CorrectionPage:
    """One request with its person's doses, audited on the person; not found when it is not
    the reader's to see."""
    request = (
        CorrectionRequest.objects.visible_to(actor.user)
        .select_related(
            "person__home_unit",
            "dose__product",
            "dose__lot",
            "dose__site__unit",
            "entered_by",
            "resolved_by",
            "voided_dose__product",
            "added_dose__product",
        )
        .filter(uuid=request_uuid)
        .first()
    )
    if request is None:
        raise Http404
    doses = _doses_seen(actor, request.person_id)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW,
        scope_path=request.person.home_unit.path,
        object_type="correction_request",
        object_uuid=request.uuid,
        summary=f"{request.person.full_name}: correction request",
        changes={
            "persons": [str(request.person.uuid)],
            "shown": [str(d.uuid) for d in doses],
        },
    )
    return CorrectionPage(request, doses)


def correction_form_doses(*, actor: Actor, person: Person) -> list[Dose]:
    """The person's doses the reader sees, to name the one a request is about; audited as
    one list."""
    doses = _doses_seen(actor, person.pk)
    records_shown(
        actor=actor,
        object_type="dose",
        records=doses,
        summary=f"{person.full_name}: doses for a correction request",
        scope_path=person.home_unit.path,
    )
    return doses


def _doses_seen(actor: Actor, person_id: int) -> list[Dose]:
    """The person's doses the reader sees (the caller audits them), in the order given."""
    return list(
        Dose.objects.visible_to(actor.user)
        .filter(person_id=person_id)
        .select_related("product", "lot", "site")
        .order_by("given_at", "id")
    )
