from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports.exports_jobs import export_files_purge, export_job_run
from sosuckhoe.imports.jobs import import_files_purge, import_job_run


# A database that went away fails the job after its last committed chunk; the retry resumes
# it there.
@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=10,
)
def run_import_job(self, job_id: int) -> None:
    job = import_job_run(job_id=job_id)
    if job.status == JobStatus.RUNNING:
        # Another worker runs it, or ran it and died (a redelivered task): look again once
        # that worker's lease has run out.
        raise self.retry(countdown=settings.IMPORT_STALE_SECONDS)


@shared_task
def purge_import_files() -> None:
    import_files_purge()


# As imports: a database gone away is retried; a job another worker runs is looked at again
# once that worker's lease has run out (it is taken over, its file written again).
@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=10,
)
def run_export_job(self, job_id: int) -> None:
    job = export_job_run(job_id=job_id)
    if job.status == JobStatus.RUNNING:
        raise self.retry(countdown=settings.IMPORT_STALE_SECONDS)


@shared_task
def purge_export_files() -> None:
    export_files_purge()
