"""Registrations and their review: create (one, or many at once), approve, reject, mark as a
duplicate."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_event
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.bulk import bulk_insert
from sosuckhoe.core.idempotency import create_once, replayed
from sosuckhoe.core.models import SubmissionKey
from sosuckhoe.people.models import Person
from sosuckhoe.people.services import person_merge
from sosuckhoe.places.models import Facility
from sosuckhoe.vaccination.models import (
    PriorityGroup,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from sosuckhoe.vaccination.services.batch import CHUNK, unknown_record
from sosuckhoe.vaccination.services.common import (
    conflict_refused,
    locked,
    person_locked,
    persons_locked,
    refusal,
    require_active,
    require_cover,
)
from sosuckhoe.vaccination.services.eligibility import eligibility_check

ALREADY_REGISTERED = "already_registered"
# Rows the batch has loaded itself: full_clean would check that each exists, a query each
# (and that a new uuid is unique: the database's index does that at the insert).
_LOADED_FIELDS = ["person", "priority_group", "preferred_site"]


def _registration_event(
    actor: Actor, action: AuditAction, registration: Registration, **changes: object
) -> AuditEvent:
    """The audit row of a registration written, unsaved: a batch inserts them all at once."""
    return audit_event(
        actor=actor,
        action=action,
        object_type="registration",
        object_uuid=registration.uuid,
        scope_path=registration.person.home_unit.path,
        summary=f"{registration.person.full_name}: {registration.status}",
        changes={"status": registration.status, **changes},
    )


def _registration_audit(
    actor: Actor, action: AuditAction, registration: Registration, **changes: object
) -> None:
    _registration_event(actor, action, registration, **changes).save()


def _check_site_and_date(site: Facility | None, day: dt.date | None) -> None:
    if site is not None and not (site.is_vaccination_site and site.is_active):
        raise refusal("not_a_site", _("This facility is not an open vaccination site."))
    if day is not None and day < timezone.localdate():
        raise refusal("date_in_past", _("The preferred date has passed."))


def _check_registrable(
    actor: Actor, person: Person, site: Facility | None, day: dt.date | None
) -> None:
    """The rules of a new registration before the person's open one: an active record, in
    the actor's unit or registered for a site of it, an open site, a date to come."""
    require_active(person)
    require_cover(actor, person.home_unit, *([site.unit] if site else []))
    _check_site_and_date(site, day)


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
        _check_registrable(actor, subject, preferred_site, preferred_date)
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


@dataclass(frozen=True)
class RegistrationItem:
    """One registration of a batch, as registration_create takes it."""

    person: Person
    priority_group: PriorityGroup
    channel: str = RegistrationChannel.STAFF
    preferred_site: Facility | None = None
    preferred_date: dt.date | None = None
    submission_key: UUID | None = None


@dataclass(frozen=True)
class RegistrationItemResult:
    index: int
    registration: Registration | None
    error: ValidationError | None

    @property
    def accepted(self) -> bool:
        return self.registration is not None


def registrations_create_batch(
    *, actor: Actor, items: Sequence[RegistrationItem]
) -> list[RegistrationItemResult]:
    """Register each person whom the rules of registration_create allow, refuse each other
    with its reason; results in the order of the items. A chunk of items is one transaction:
    its persons locked in id order, what the rules read of them in a few queries, the
    registrations, submission keys and audit rows inserted at once."""
    results: list[RegistrationItemResult] = []
    for start in range(0, len(items), CHUNK):
        results += _chunk_create(actor, items[start : start + CHUNK], start)
    return results


@dataclass
class _RegistrationChunk:
    """The state of one chunk while its items are judged, then written."""

    actor: Actor
    persons: dict[int, Person]  # locked, with their unit
    sites: dict[int, Facility]  # with their unit
    registered: set[int]  # persons with an open registration, those accepted here included
    replays: dict[UUID, SubmissionKey]
    replayed: dict[UUID, Registration]
    accepted: list[tuple[int, Registration, UUID | None]] = field(default_factory=list)
    by_key: dict[UUID, Registration] = field(default_factory=dict)

    def result(self, index: int, item: RegistrationItem) -> RegistrationItemResult:
        key = item.submission_key
        if key is not None and key in self.replays:
            return self._replay(index, self.replays[key])
        if key is not None and key in self.by_key:
            # The same key twice in one batch: the second is the first sent again.
            return RegistrationItemResult(index, self.by_key[key], None)
        try:
            registration = self._judge(item)
        except ValidationError as error:
            return RegistrationItemResult(index, None, error)
        self.registered.add(registration.person_id)
        self.accepted.append((index, registration, key))
        if key is not None:
            self.by_key[key] = registration
        return RegistrationItemResult(index, registration, None)

    def _judge(self, item: RegistrationItem) -> Registration:
        """The registration of an item the rules allow, unsaved; else the refusal."""
        person = self.persons.get(item.person.pk)
        if person is None:
            raise unknown_record("person")
        site = None
        if item.preferred_site is not None:
            site = self.sites.get(item.preferred_site.pk)
            if site is None:
                raise unknown_record("site")
        _check_registrable(self.actor, person, site, item.preferred_date)
        if person.pk in self.registered:
            raise _already_registered()
        registration = Registration(
            person=person,
            priority_group=item.priority_group,
            channel=item.channel,
            preferred_site=site,
            preferred_date=item.preferred_date,
        )
        registration.full_clean(
            exclude=_LOADED_FIELDS, validate_unique=False, validate_constraints=False
        )
        return registration

    def _replay(self, index: int, done: SubmissionKey) -> RegistrationItemResult:
        """What create_once answers for a key already used: its registration, or the refusal."""
        try:
            found = replayed(done, owner=self.actor.name, found=self.replayed)
        except ValidationError as error:
            return RegistrationItemResult(index, None, error)
        return RegistrationItemResult(index, found, None)


@transaction.atomic
def _chunk_create(
    actor: Actor, items: Sequence[RegistrationItem], offset: int
) -> list[RegistrationItemResult]:
    persons = _persons_locked({i.person.pk for i in items if i.person.pk is not None})
    keys = {i.submission_key for i in items if i.submission_key is not None}
    # Read once the persons are locked: a batch sent twice at once waits, then finds the keys.
    replays = {k.key: k for k in SubmissionKey.objects.filter(key__in=keys)} if keys else {}
    chunk = _RegistrationChunk(
        actor=actor,
        persons=persons,
        sites=_sites({i.preferred_site.pk for i in items if i.preferred_site is not None}),
        registered=_registered(persons),
        replays=replays,
        replayed=_replayed_registrations(actor, replays),
    )
    results = [chunk.result(index, item) for index, item in enumerate(items)]
    if not _written(chunk):
        results = _refused_as_registered(chunk, results)
    return [RegistrationItemResult(offset + r.index, r.registration, r.error) for r in results]


def _persons_locked(pks: set[int]) -> dict[int, Person]:
    return {p.pk: p for p in persons_locked(ids=pks)}


def _registered(persons: dict[int, Person]) -> set[int]:
    """Those of the persons who have an open registration."""
    registrations = Registration.objects.open().filter(person_id__any=list(persons))
    return set(registrations.values_list("person_id", flat=True))


def _sites(pks: set[int]) -> dict[int, Facility]:
    if not pks:
        return {}
    return {s.pk: s for s in Facility.objects.select_related("unit").filter(pk__any=list(pks))}


def _replayed_registrations(
    actor: Actor, replays: dict[UUID, SubmissionKey]
) -> dict[UUID, Registration]:
    if not replays:
        return {}
    found = (
        Registration.objects.all()
        if actor.user is None
        else Registration.objects.visible_to(actor.user)
    )
    found = found.select_related("person").filter(
        uuid__in=[k.result_uuid for k in replays.values()]
    )
    return {r.uuid: r for r in found}


def _written(chunk: _RegistrationChunk) -> bool:
    """Insert the accepted registrations, their keys and audit rows; False, with nothing
    written, should a concurrent writer have registered one of their persons first."""
    if not chunk.accepted:
        return True
    try:
        with transaction.atomic():
            bulk_insert(Registration, [r for _i, r, _k in chunk.accepted])
            bulk_insert(
                SubmissionKey,
                [
                    SubmissionKey(key=key, result_uuid=r.uuid, owner=chunk.actor.name)
                    for _i, r, key in chunk.accepted
                    if key is not None
                ],
            )
    except IntegrityError:
        return False
    bulk_insert(
        AuditEvent,
        [
            _registration_event(chunk.actor, AuditAction.CREATE, r, channel=r.channel, batch=True)
            for _i, r, _k in chunk.accepted
        ],
    )
    return True


def _refused_as_registered(
    chunk: _RegistrationChunk, results: list[RegistrationItemResult]
) -> list[RegistrationItemResult]:
    """The chunk's results once its insert failed: every item it would have registered (a
    key sent twice in the chunk included) refused as registration_create refuses it."""
    unwritten = {id(r) for _i, r, _k in chunk.accepted}
    error = _already_registered()
    return [
        RegistrationItemResult(r.index, None, error) if id(r.registration) in unwritten else r
        for r in results
    ]


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
