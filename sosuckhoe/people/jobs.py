"""Population generation as a job row: started by a manager or a command, run once by one
worker, cancellable while it waits or runs."""

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.core.job_services import job_cancel, job_manage_check
from sosuckhoe.core.jobs import JobCancelled, JobStatus
from sosuckhoe.people.generator import population_generate
from sosuckhoe.people.models import PopulationJob
from sosuckhoe.places.models import AdminUnit

logger = logging.getLogger(__name__)


def _job_audit(*, actor: Actor, job: PopulationJob, action: AuditAction, summary: str) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=job.unit.path,
        object_type="population_job",
        object_uuid=job.uuid,
        summary=summary,
    )


@transaction.atomic
def population_job_create(
    *, actor: Actor, unit: AdminUnit, persons: int, seed: int | None = None
) -> PopulationJob:
    job_manage_check(actor, unit)
    if persons < 1:
        raise ValidationError({"persons": _("A population has at least one person.")})
    job = PopulationJob.objects.create(
        unit=unit,
        progress_total=persons,
        seed=seed,
        started_by=actor.user,
        started_by_name=actor.name,
    )
    _job_audit(
        actor=actor, job=job, action=AuditAction.CREATE, summary=f"{persons} persons in {unit}"
    )
    return job


@transaction.atomic
def population_job_enqueue(
    *, actor: Actor, unit: AdminUnit, persons: int, seed: int | None = None
) -> PopulationJob:
    """Create the job and hand it to a worker once the caller's transaction commits."""
    from sosuckhoe.people.tasks import run_population_job

    job = population_job_create(actor=actor, unit=unit, persons=persons, seed=seed)
    transaction.on_commit(lambda: run_population_job.delay(job.pk))
    return job


def population_job_run(
    *, actor: Actor, job_id: int, on_progress: Callable[[int], None] | None = None
) -> PopulationJob:
    """Run a pending job. A job already claimed by another worker, or cancelled, is left
    alone. The persons, the audit row and the end of the job commit together; a failure or a
    cancel request seen at a progress report rolls the whole generation back."""
    job = PopulationJob.objects.select_related("unit").get(pk=job_id)
    if not job.claim():
        return job

    def progress(done: int) -> None:
        job.report_progress(done)  # raises JobCancelled when asked to stop
        if on_progress:
            on_progress(done)

    try:
        with transaction.atomic():
            result = population_generate(
                unit=job.unit, persons=job.progress_total, seed=job.seed, on_progress=progress
            )
            job.households_made = result.households
            # The last report: a cancel request that came after the generator's last one
            # still rolls everything back.
            job.report_progress(result.persons)
            _job_audit(
                actor=actor,
                job=job,
                action=AuditAction.CREATE,
                summary=f"{result.persons} persons in {result.households} households",
            )
            job.finish(JobStatus.DONE, also=("households_made",))
    except JobCancelled:
        job.finish(JobStatus.CANCELLED)
    except Exception as error:
        logger.exception("population job %s failed", job.pk)
        job.finish(JobStatus.FAILED, error=str(error)[:2000])
        raise
    return job


def population_job_cancel(*, actor: Actor, job: PopulationJob) -> PopulationJob:
    """Cancel a waiting generation, or ask a running one to stop (it rolls back what it
    wrote)."""
    return job_cancel(actor=actor, job=job, object_type="population_job")
