"""Population generation as a job row: started by anyone, run once by one worker."""

import logging
from collections.abc import Callable

from django.db import transaction

from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.generator import population_generate
from sosuckhoe.people.models import PopulationJob
from sosuckhoe.places.models import AdminUnit

logger = logging.getLogger(__name__)


def population_job_create(
    *, unit: AdminUnit, persons: int, seed: int | None = None
) -> PopulationJob:
    if persons < 1:
        raise ValueError("a population has at least one person")
    return PopulationJob.objects.create(unit=unit, progress_total=persons, seed=seed)


def population_job_enqueue(
    *, unit: AdminUnit, persons: int, seed: int | None = None
) -> PopulationJob:
    """Create the job and hand it to a worker once the caller's transaction commits."""
    from sosuckhoe.people.tasks import run_population_job

    job = population_job_create(unit=unit, persons=persons, seed=seed)
    transaction.on_commit(lambda: run_population_job.delay(job.pk))
    return job


def population_job_run(
    *, job_id: int, on_progress: Callable[[int], None] | None = None
) -> PopulationJob:
    """Run a pending job. A job already claimed by another worker is left alone; a failure
    rolls the whole generation back and is written on the job."""
    job = PopulationJob.objects.select_related("unit").get(pk=job_id)
    if not job.claim():
        return job

    def progress(done: int) -> None:
        job.report_progress(done)
        if on_progress:
            on_progress(done)

    try:
        result = population_generate(
            unit=job.unit, persons=job.progress_total, seed=job.seed, on_progress=progress
        )
    except Exception as error:
        logger.exception("population job %s failed", job.pk)
        job.finish(JobStatus.FAILED, error=str(error)[:2000])
        raise
    job.progress_done, job.households_made = result.persons, result.households
    job.finish(JobStatus.DONE, also=("households_made",))
    return job
