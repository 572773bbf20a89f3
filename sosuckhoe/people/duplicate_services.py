"""Writes of the duplicate finder: its runs as jobs, the review queue filled idempotently, a
pair dismissed by a person. Merging is never done here: a person merges through
`person_merge` (the merge page), and the pairs of merged records are then closed."""

import logging
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core.job_services import job_cancel, job_manage_check
from sosuckhoe.core.jobs import JobCancelled, JobStatus
from sosuckhoe.people.duplicates import (
    COLUMNS,
    PARTITION_READ,
    REVIEW_THRESHOLD,
    Record,
    ScoredPair,
    compare,
    pairs_find,
)
from sosuckhoe.people.models import DuplicatePair, DuplicatePairStatus, DuplicateRun, Person
from sosuckhoe.places.models import AdminUnit

logger = logging.getLogger(__name__)
QUEUE_BATCH = 5000


def _run_audit(*, actor: Actor, run: DuplicateRun, action: AuditAction, summary: str) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=run.unit.path,
        object_type="duplicate_run",
        object_uuid=run.uuid,
        summary=summary,
    )


@transaction.atomic
def duplicate_run_create(
    *, actor: Actor, unit: AdminUnit, threshold: float = REVIEW_THRESHOLD
) -> DuplicateRun:
    job_manage_check(actor, unit)
    if not 0 < threshold < 1:
        raise ValidationError({"threshold": _("The threshold is a probability between 0 and 1.")})
    run = DuplicateRun.objects.create(
        unit=unit, threshold=threshold, started_by=actor.user, started_by_name=actor.name
    )
    _run_audit(actor=actor, run=run, action=AuditAction.CREATE, summary=f"≥ {threshold} in {unit}")
    return run


@transaction.atomic
def duplicate_run_enqueue(
    *, actor: Actor, unit: AdminUnit, threshold: float = REVIEW_THRESHOLD
) -> DuplicateRun:
    """Create the run and hand it to a worker once the caller's transaction commits."""
    from sosuckhoe.people.tasks import run_duplicate_search

    run = duplicate_run_create(actor=actor, unit=unit, threshold=threshold)
    transaction.on_commit(lambda: run_duplicate_search.delay(run.pk))
    return run


def _persons_sorted(unit: AdminUnit) -> Iterable[tuple]:
    """The active persons of the unit as the finder reads them, one partition after another."""
    persons = Person.objects.active().in_unit_subtree(unit).order_by("birth_year", "sex")
    return persons.values_list(*COLUMNS).iterator(chunk_size=PARTITION_READ)


def duplicate_run_run(
    *, actor: Actor, job_id: int, on_progress: Callable[[int], None] | None = None
) -> DuplicateRun:
    """Run a pending search: read every person once, sorted, and queue the pairs found. A run
    claimed by another worker, or cancelled, is left alone; a cancel request seen at a
    progress report queues nothing."""
    run = DuplicateRun.objects.select_related("unit").get(pk=job_id)
    if not run.claim():
        return run
    run.progress_total = Person.objects.active().in_unit_subtree(run.unit).count()
    DuplicateRun.objects.filter(pk=run.pk).update(progress_total=run.progress_total)

    def progress(done: int) -> None:
        run.report_progress(done)  # raises JobCancelled when asked to stop
        if on_progress:
            on_progress(done)

    try:
        duplicate_pairs_settle()
        found = pairs_find(_persons_sorted(run.unit), threshold=run.threshold, on_progress=progress)
        with transaction.atomic():
            run.report_progress(found.persons)
            run.pairs_compared = found.compared
            run.pairs_queued = duplicate_pairs_queue(actor=actor, pairs=found.pairs, run=run)
            _run_audit(
                actor=actor,
                run=run,
                action=AuditAction.CREATE,
                summary=f"{found.compared} compared, {run.pairs_queued} queued",
            )
            run.finish(JobStatus.DONE, also=("pairs_compared", "pairs_queued"))
    except JobCancelled:
        run.finish(JobStatus.CANCELLED)
    except Exception as error:
        logger.exception("duplicate search %s failed", run.pk)
        run.finish(JobStatus.FAILED, error=str(error)[:2000])
        raise
    return run


def duplicate_run_cancel(*, actor: Actor, job: DuplicateRun) -> DuplicateRun:
    """Cancel a waiting search, or ask a running one to stop."""
    return job_cancel(actor=actor, job=job, object_type="duplicate_run")


def duplicate_pairs_queue(
    *, actor: Actor, pairs: Sequence[ScoredPair], run: DuplicateRun | None = None
) -> int:
    """Queue the pairs for review; a pair queued before (open, merged or dismissed) stays as
    it is, so a second run adds only what is new. The number of pairs added."""
    parts = [pairs[start : start + QUEUE_BATCH] for start in range(0, len(pairs), QUEUE_BATCH)]
    with transaction.atomic():
        if run is not None:  # its pairs carry the run: counted once before, once after
            before = _queued_by(run)
            for part in parts:
                _pairs_insert(part, run)
            return _queued_by(run) - before
        added = 0
        for part in parts:
            before = _queued_among(part)
            _pairs_insert(part, None)
            added += _queued_among(part) - before
        if added:
            audit_write(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="duplicate_pair",
                summary=f"{added} possible duplicates queued",
            )
    return added


def _pairs_insert(pairs: Sequence[ScoredPair], run: DuplicateRun | None) -> None:
    """The pairs not queued before (a pair's persons are unique on the queue)."""
    DuplicatePair.objects.bulk_create(
        [
            DuplicatePair(
                person_a_id=pair.a,
                person_b_id=pair.b,
                score=round(pair.comparison.score, 4),
                reasons=pair.comparison.levels,
                run=run,
            )
            for pair in pairs
        ],
        ignore_conflicts=True,
    )


# What was added is counted among the pairs themselves, never as the whole queue before and
# after: a province's runs fill it with hundreds of thousands, and others may add meanwhile.
def _queued_by(run: DuplicateRun) -> int:
    return DuplicatePair.objects.filter(run=run).count()


def _queued_among(pairs: Sequence[ScoredPair]) -> int:
    """How many of these pairs are on the queue (found through their persons' ids)."""
    wanted = {(pair.a, pair.b) for pair in pairs}
    found = DuplicatePair.objects.filter(
        person_a_id__in={a for a, _b in wanted}, person_b_id__in={b for _a, b in wanted}
    ).values_list("person_a_id", "person_b_id")
    return len(wanted & set(found))


def duplicate_pairs_settle() -> int:
    """Close the open pairs of which one record has been merged (into the other, or into a
    third): there is nothing left to review."""
    merged = Q(person_a__merged_into__isnull=False) | Q(person_b__merged_into__isnull=False)
    open_pairs = DuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN).filter(merged)
    return DuplicatePair.objects.filter(
        pk__in=list(open_pairs.values_list("pk", flat=True))
    ).update(status=DuplicatePairStatus.MERGED, decided_at=timezone.now())


@transaction.atomic
def duplicate_pair_dismiss(*, actor: Actor, pair: DuplicatePair) -> DuplicatePair:
    """Record that the two records are two persons: the pair leaves the queue for good."""
    pair = (
        DuplicatePair.objects.select_for_update(of=("self",))
        .select_related("person_a__home_unit", "person_b__home_unit")
        .get(pk=pair.pk)
    )
    for person in (pair.person_a, pair.person_b):
        if not actor.covers(person.home_unit):
            raise ValidationError(_("This person is registered outside your unit."))
    if pair.status != DuplicatePairStatus.OPEN:
        raise ValidationError(_("This pair has already been reviewed."))
    pair.status = DuplicatePairStatus.DISMISSED
    pair.decided_at, pair.decided_by_name = timezone.now(), actor.name
    pair.save(update_fields=["status", "decided_at", "decided_by_name"])
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        scope_path=pair.person_a.home_unit.path,
        object_type="duplicate_pair",
        object_uuid=pair.uuid,
        summary=f"not the same person: {pair.person_a.uuid} ≠ {pair.person_b.uuid}",
    )
    return pair


def _record(person: Person) -> Record:
    return Record(*(getattr(person, column) for column in COLUMNS))


def person_candidates_queue(
    *, actor: Actor, persons: Sequence[Person], threshold: float = REVIEW_THRESHOLD
) -> int:
    """Queue for review the registered persons that newly created ones may duplicate: the
    same folded name and year of birth, or the same phone, scored as the finder scores.
    Never a merge: an import links on the document alone. The number of pairs queued."""
    persons = [p for p in persons if p.pk]
    pairs: dict[tuple[int, int], ScoredPair] = {}
    for start in range(0, len(persons), CANDIDATES_BATCH):
        batch = persons[start : start + CANDIDATES_BATCH]
        known = _KnownRecords(_candidates_known(batch))
        for person in batch:
            new = _record(person)
            for other in known.like(new):
                comparison = compare(new, other)
                if comparison.score >= threshold:
                    low, high = sorted((new.id, other.id))
                    pairs[low, high] = ScoredPair(low, high, comparison)
    # In the order of the persons' ids: two import parts that find the same pairs at once
    # insert them in one order, so that neither waits for the other's second pair.
    ordered = [pairs[key] for key in sorted(pairs)]
    return duplicate_pairs_queue(actor=actor, pairs=ordered) if ordered else 0


class _KnownRecords:
    """The registered records a batch's new persons may duplicate, by folded name and year
    of birth and by phone: each new person is compared with its own candidates, not with
    every record the batch brought (a batch of 1,000 holds 1,000 records at least)."""

    def __init__(self, records: list[Record]) -> None:
        self.by_name: dict[tuple[str, int], list[Record]] = {}
        self.by_phone: dict[str, list[Record]] = {}
        for record in records:
            self.by_name.setdefault((record.name_key, record.birth_year), []).append(record)
            if record.phone:
                self.by_phone.setdefault(record.phone, []).append(record)

    def like(self, new: Record) -> list[Record]:
        """Those with the same folded name and year of birth, or the same phone, as the issue
        defines a candidate; the new person itself left out."""
        same = self.by_name.get((new.name_key, new.birth_year), [])
        if new.phone:
            same = same + self.by_phone.get(new.phone, [])
        return list({other.id: other for other in same if other.id != new.id}.values())


# Persons looked up per query: a condition per year of birth among them, each with the
# list of their names (SQLite refuses an expression deeper than 1,000 terms).
CANDIDATES_BATCH = 1000


def _candidates_known(batch: list[Person]) -> list[Record]:
    names_by_year: dict[int, set[str]] = {}
    for person in batch:
        names_by_year.setdefault(person.birth_year, set()).add(person.name_key)
    # One condition a year, not one a person: Django builds a condition of a thousand
    # terms more slowly than PostgreSQL answers it.
    same = Q(pk__in=[])
    for birth_year, name_keys in names_by_year.items():
        same |= Q(birth_year=birth_year, name_key__in=name_keys)
    if phones := {p.phone for p in batch if p.phone}:
        same |= Q(phone__in=phones)
    return [Record(*row) for row in Person.objects.active().filter(same).values_list(*COLUMNS)]
