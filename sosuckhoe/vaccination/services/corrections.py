"""Requests to correct a vaccination record: entered for a citizen, answered by an officer.
Answering changes no dose: the officer corrects the record with the dose services (void, late
entry) and the answer may name the doses that did it."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import ROLE_RANK, AuditAction, Role
from sosuckhoe.core.idempotency import create_once
from sosuckhoe.people.identity import normalize_phone
from sosuckhoe.people.models import Person
from sosuckhoe.vaccination.models import (
    CorrectionChannel,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    Dose,
    RequesterRelation,
)
from sosuckhoe.vaccination.models.corrections import DOSE_KINDS
from sosuckhoe.vaccination.services.common import (
    conflict_refused,
    locked,
    person_locked,
    record_audit,
    refusal,
    require_active,
    require_cover,
)

ALREADY_OPEN = "correction_already_open"
# Staff enter requests for citizens; the portal's requests will come with their account.
STAFF_CHANNELS = (CorrectionChannel.AT_STATION, CorrectionChannel.PHONE)
RESOLUTIONS = (CorrectionStatus.ACCEPTED, CorrectionStatus.REJECTED)


def may_resolve(actor: Actor) -> bool:
    """Health officers answer requests (commune and above), as they review registrations;
    a named system job too."""
    if actor.user is None:
        return bool(actor.system_name)
    return actor.user.reads_personal_data and ROLE_RANK[actor.user.role] >= ROLE_RANK[Role.COMMUNE]


def _correction_audit(
    actor: Actor, action: AuditAction, request: CorrectionRequest, **changes: object
) -> None:
    record_audit(
        actor=actor,
        action=action,
        record=request,
        object_type="correction_request",
        scope_path=request.person.home_unit.path,
        summary=f"{request.person.full_name}: {request.kind} {request.status}",
        changes={
            "person": str(request.person.uuid),
            "dose": str(request.dose.uuid) if request.dose else "",
            "kind": request.kind,
            "status": request.status,
            **changes,
        },
    )


def _check_choices(kind: str, channel: str, relation: str) -> None:
    if kind not in CorrectionKind.values:
        raise refusal("correction_kind_invalid", _("Choose what is wrong from the list."))
    if channel not in STAFF_CHANNELS:
        raise refusal("correction_channel_invalid", _("Say how the request came."))
    if relation not in RequesterRelation.values:
        raise refusal("correction_relation_invalid", _("Say who asked, from the list."))


def _check_dose(kind: str, person: Person, dose: Dose | None) -> None:
    """A missing dose names none; a wrong date, vaccine or someone else's dose names the
    dose on the person's record."""
    if kind == CorrectionKind.MISSING_DOSE and dose is not None:
        raise refusal("correction_dose_not_missing", _("A missing dose is not on the record."))
    if kind in DOSE_KINDS and dose is None:
        raise refusal("correction_dose_required", _("Choose the dose that is wrong."))
    if dose is not None:
        _require_persons(dose, person.pk)


def _require_persons(dose: Dose, person_id: int) -> None:
    if dose.person_id != person_id:
        raise refusal("correction_dose_of_another", _("This dose is on another person's record."))


def _requester_phone(raw: str) -> str:
    return normalize_phone(raw)[0] if raw.strip() else ""


def _dose_locked(dose: Dose | None) -> Dose | None:
    return None if dose is None else locked(Dose, dose.pk, "site__unit", "product")


def _check_not_open(dose: Dose | None, kind: str) -> None:
    if dose is not None and CorrectionRequest.objects.open().filter(dose=dose, kind=kind).exists():
        raise refusal(ALREADY_OPEN, _("A request about this dose is already open."))


@transaction.atomic
def correction_request_create(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    should_read: str,
    requester_name: str,
    requester_relation: str,
    channel: str,
    dose: Dose | None = None,
    requester_phone: str = "",
    evidence: str = "",
    submission_key: UUID | None = None,
) -> CorrectionRequest:
    """Enter a citizen's request to correct a person's vaccination record, as they said it.
    Staff of the person's unit enter it, or of the unit of the site that gave the dose it
    names. A form sent twice enters one request."""

    def create() -> CorrectionRequest:
        fresh = person_locked(person)
        require_active(fresh)
        named = _dose_locked(dose)
        require_cover(actor, fresh.home_unit, *([named.site.unit] if named else []))
        _check_choices(kind, channel, requester_relation)
        _check_dose(kind, fresh, named)
        if not should_read.strip() or not requester_name.strip():
            raise refusal(
                "correction_incomplete",
                _("Say what the record should say and who asked."),
            )
        _check_not_open(named, kind)
        request = CorrectionRequest(
            person=fresh,
            dose=named,
            kind=kind,
            should_read=should_read.strip()[:1000],
            evidence=evidence.strip()[:300],
            channel=channel,
            requester_name=requester_name.strip()[:120],
            requester_phone=_requester_phone(requester_phone),
            requester_relation=requester_relation,
            entered_by=actor.user,
            entered_by_name=actor.name,
        )
        # Two officers entering the same request at once: the second is told, not failed.
        with conflict_refused(ALREADY_OPEN, _("A request about this dose is already open.")):
            request.save(force_insert=True)
        _correction_audit(actor, AuditAction.CREATE, request, channel=channel)
        return request

    def find(uuid: UUID) -> CorrectionRequest:
        return CorrectionRequest.objects.visible_to(actor.user).get(uuid=uuid)

    return create_once(submission_key, owner=actor.name, create=create, find=find)


def _request_for_resolve(actor: Actor, request: CorrectionRequest) -> CorrectionRequest:
    if not may_resolve(actor):
        raise refusal("not_an_officer", _("A health officer answers correction requests."))
    fresh: CorrectionRequest = locked(
        CorrectionRequest, request.pk, "person__home_unit", "dose__site__unit"
    )
    require_cover(actor, fresh.person.home_unit, *([fresh.dose.site.unit] if fresh.dose else []))
    if not fresh.is_open:
        raise refusal("correction_resolved", _("This request was already answered."))
    return fresh


def _check_linked(
    actor: Actor, request: CorrectionRequest, voided: Dose | None, added: Dose | None
) -> None:
    """The doses the answer names are the person's, as the dose services left them: the one
    voided is voided, the one entered is valid; each within the officer's reach."""
    for dose in (d for d in (voided, added) if d is not None):
        _require_persons(dose, request.person_id)
        require_cover(actor, request.person.home_unit, dose.site.unit)
    if voided is not None and voided.voided_at is None:
        raise refusal("correction_dose_not_voided", _("Void the dose first, then answer."))
    if added is not None and added.voided_at is not None:
        raise refusal("correction_dose_voided", _("The dose entered was voided since."))


@transaction.atomic
def correction_request_resolve(
    *,
    actor: Actor,
    request: CorrectionRequest,
    status: str,
    note: str,
    voided_dose: Dose | None = None,
    added_dose: Dose | None = None,
) -> CorrectionRequest:
    """Accept or reject a request with a note to the citizen. Accepting changes no record:
    the officer corrects it with the dose services first, and may name the dose voided and
    the dose entered."""
    if status not in RESOLUTIONS:
        raise refusal("correction_status_invalid", _("Accept or reject the request."))
    if not note.strip():
        raise refusal("correction_note_required", _("Say what was done, or why not."))
    request = _request_for_resolve(actor, request)
    voided, added = _dose_locked(voided_dose), _dose_locked(added_dose)
    if status == CorrectionStatus.REJECTED and (voided or added):
        raise refusal(
            "correction_rejected_with_doses", _("A rejected request names no dose changed.")
        )
    _check_linked(actor, request, voided, added)
    request.status, request.resolution_note = status, note.strip()[:500]
    request.resolved_at, request.resolved_by = timezone.now(), actor.user
    request.resolved_by_name = actor.name
    request.voided_dose, request.added_dose = voided, added
    try:
        request.full_clean(
            exclude=["person", "dose", "entered_by", "resolved_by", "voided_dose", "added_dose"],
            validate_constraints=False,
        )
    except ValidationError as error:
        raise refusal("correction_invalid", "; ".join(error.messages)) from None
    with conflict_refused("correction_invalid", _("This answer could not be saved.")):
        request.save(
            update_fields=[
                "status", "resolution_note", "resolved_at", "resolved_by", "resolved_by_name",
                "voided_dose", "added_dose",
            ]
        )  # fmt: skip
    _correction_audit(
        actor,
        AuditAction.UPDATE,
        request,
        note=request.resolution_note,
        voided_dose=str(voided.uuid) if voided else "",
        added_dose=str(added.uuid) if added else "",
    )
    return request
