"""Registrations and their review: create, approve, reject, mark as a duplicate."""

import datetime as dt
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core.idempotency import create_once
from sosuckhoe.people.models import Person
from sosuckhoe.people.services import person_merge
from sosuckhoe.places.models import Facility
from sosuckhoe.vaccination.models import (
    PriorityGroup,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from sosuckhoe.vaccination.services.common import (
    conflict_refused,
    locked,
    person_locked,
    record_audit,
    refusal,
    require_active,
    require_cover,
)
from sosuckhoe.vaccination.services.eligibility import eligibility_check

ALREADY_REGISTERED = "already_registered"


def _registration_audit(
    actor: Actor, action: AuditAction, registration: Registration, **changes: object
) -> None:
    record_audit(
        actor=actor,
        action=action,
        record=registration,
        object_type="registration",
        scope_path=registration.person.home_unit.path,
        summary=f"{registration.person.full_name}: {registration.status}",
        changes={"status": registration.status, **changes},
    )


def _check_site_and_date(site: Facility | None, day: dt.date | None) -> None:
    if site is not None and not (site.is_vaccination_site and site.is_active):
        raise refusal("not_a_site", _("This facility is not an open vaccination site."))
    if day is not None and day < timezone.localdate():
        raise refusal("date_in_past", _("The preferred date has passed."))


def _already_registered() -> ValidationError:
    return refusal(ALREADY_REGISTERED, _("This person already has an open registration."))


@transaction.atomic
def registration_create(
    *,
    actor: Actor,
    person: Person,
    priority_group: PriorityGroup,
    channel: str = RegistrationChannel.STAFF,
    preferred_site: Facility | None = None,
    preferred_date: dt.date | None = None,
    submission_key: UUID | None = None,
) -> Registration:
    """Register a person for vaccination, waiting for review; a form sent twice registers once."""

    def create() -> Registration:
        subject = person_locked(person)
        require_active(subject)
        require_cover(actor, subject.home_unit, *([preferred_site.unit] if preferred_site else []))
        _check_site_and_date(preferred_site, preferred_date)
        if Registration.objects.open().filter(person=subject).exists():
            raise _already_registered()
        registration = Registration(
            person=subject,
            priority_group=priority_group,
            channel=channel,
            preferred_site=preferred_site,
            preferred_date=preferred_date,
        )
        registration.full_clean(validate_constraints=False)
        with conflict_refused(
            ALREADY_REGISTERED, _("This person already has an open registration.")
        ):
            registration.save()
        _registration_audit(actor, AuditAction.CREATE, registration, channel=channel)
        return registration

    def find(uuid: UUID) -> Registration:
        return Registration.objects.visible_to(actor.user).select_related("person").get(uuid=uuid)

    return create_once(submission_key, owner=actor.name, create=create, find=find)


def _for_review(actor: Actor, registration: Registration, *allowed: str) -> Registration:
    """The registration locked, after its person; refused outside the person's unit (the
    commune reviews its own residents) or in a status that the review cannot leave."""
    person_locked(registration.person)
    fresh: Registration = locked(Registration, registration.pk, "person__home_unit")
    require_cover(actor, fresh.person.home_unit)
    if fresh.status not in allowed:
        raise refusal(
            "not_reviewable",
            _("This registration is %(status)s and cannot be changed so.")
            % {"status": fresh.get_status_display()},
        )
    return fresh


def _reviewed(actor: Actor, registration: Registration, status: str, **fields: object) -> None:
    registration.status = status
    registration.reviewed_by = actor.user
    registration.reviewed_at = timezone.now()
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", "reviewed_by", "reviewed_at", *fields])


@transaction.atomic
def registration_approve(*, actor: Actor, registration: Registration) -> Registration:
    """Approve a registration for booking, unless a rule already refuses the person: merged,
    too young or too old for every product, contraindicated, or with nothing left to give."""
    registration = _for_review(actor, registration, RegistrationStatus.PENDING)
    require_active(registration.person)
    day = max(registration.preferred_date or timezone.localdate(), timezone.localdate())
    eligibility = eligibility_check(person=registration.person, on=day)
    if lasting := eligibility.lasting_refusals:
        raise ValidationError(lasting)
    _reviewed(actor, registration, RegistrationStatus.APPROVED)
    _registration_audit(actor, AuditAction.UPDATE, registration)
    return registration


@transaction.atomic
def registration_reject(*, actor: Actor, registration: Registration, reason: str) -> Registration:
    """Reject a registration, saying why; the person may register again."""
    if not reason.strip():
        raise refusal("reason_required", _("Say why the registration is rejected."))
    registration = _for_review(
        actor, registration, RegistrationStatus.PENDING, RegistrationStatus.APPROVED
    )
    _reviewed(actor, registration, RegistrationStatus.REJECTED, reason=reason.strip()[:300])
    _registration_audit(actor, AuditAction.UPDATE, registration, reason=registration.reason)
    return registration


@transaction.atomic
def registration_mark_duplicate(
    *, actor: Actor, registration: Registration, of_person: Person, merge: bool = False
) -> Registration:
    """Close a registration made under a second record of someone already known. The records
    are merged only when asked (`merge`), through the people app's merge; otherwise the
    other record is linked, for a merge decided on the person's page."""
    if of_person.pk == registration.person_id:
        raise refusal("duplicate_of_itself", _("A record cannot be a duplicate of itself."))
    registration = _for_review(
        actor, registration, RegistrationStatus.PENDING, RegistrationStatus.APPROVED
    )
    other = Person.objects.select_related("home_unit").get(pk=of_person.pk)
    require_cover(actor, other.home_unit)
    require_active(other)
    _reviewed(actor, registration, RegistrationStatus.DUPLICATE, duplicate_of=other)
    _registration_audit(actor, AuditAction.UPDATE, registration, duplicate_of=str(other.uuid))
    if merge:
        _merge(actor, keep=other, duplicate=registration.person)
        registration.refresh_from_db()
    return registration


def _merge(actor: Actor, *, keep: Person, duplicate: Person) -> None:
    # person_merge refuses (code "merge_conflict") when both records hold the same dose or
    # booking: which one stays is a correction.
    person_merge(actor=actor, keep=keep, duplicate=duplicate)
