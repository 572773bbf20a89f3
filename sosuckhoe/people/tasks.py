from celery import shared_task

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.duplicate_services import duplicate_run_run
from sosuckhoe.people.jobs import population_job_run


@shared_task(acks_late=True)
def run_population_job(job_id: int) -> None:
    population_job_run(actor=Actor.system("worker"), job_id=job_id)


@shared_task(acks_late=True)
def run_duplicate_search(job_id: int) -> None:
    duplicate_run_run(actor=Actor.system("worker"), job_id=job_id)
