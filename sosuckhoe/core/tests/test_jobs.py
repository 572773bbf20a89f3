import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.jobs import (
    population_job_cancel,
    population_job_create,
    population_job_enqueue,
    population_job_run,
)
from sosuckhoe.people.models import Person, PopulationJob
from sosuckhoe.places.selectors import province_by_code
from sosuckhoe.places.services import EDITIONS, units_load

COMMAND = Actor.system("generate_province")
WORKER = Actor.system("worker")
# The generator reports progress every 50,000 persons: one report before the end.
PERSONS_WITH_A_REPORT = 50_001


@pytest.fixture
def ninh_binh(db):
    units_load(edition=EDITIONS[-1])
    return province_by_code(code="37")


def _job_events(job: PopulationJob) -> list[tuple[str, str]]:
    events = AuditEvent.objects.filter(object_uuid=job.uuid).order_by("id")
    return [(e.actor_username, e.action) for e in events]


def test_a_job_runs_once_and_reports_its_progress(ninh_binh):
    job = population_job_create(actor=COMMAND, unit=ninh_binh, persons=250, seed=5)
    population_job_run(actor=WORKER, job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.percent) == (JobStatus.DONE, 250, 100)
    assert job.households_made > 0
    population_job_run(actor=WORKER, job_id=job.pk)  # a retried task finds nothing to do
    assert Person.objects.count() == 250


def test_a_job_names_who_started_it_and_each_step_is_audited_in_its_unit(cast):
    province = cast.units.province
    job = population_job_create(actor=cast.actor("province"), unit=province, persons=10)
    population_job_run(actor=WORKER, job_id=job.pk)
    assert (job.started_by, job.started_by_name) == (cast.users["province"], "province")
    assert _job_events(job) == [("province", "create"), ("system:worker", "create")]
    events = AuditEvent.objects.filter(object_uuid=job.uuid)
    assert {e.scope_path for e in events} == {province.path}


def test_a_population_of_nobody_is_refused_with_a_translated_message(ninh_binh):
    with pytest.raises(ValidationError) as refused:
        population_job_create(actor=COMMAND, unit=ninh_binh, persons=0)
    assert refused.value.message_dict == {"persons": ["Dân số phải có ít nhất một người."]}
    assert not PopulationJob.objects.exists()


@pytest.mark.parametrize("role", ["commune", "province_other", "analyst"])
def test_only_a_manager_of_the_unit_starts_or_stops_its_jobs(cast, role):
    with pytest.raises(PermissionDenied):
        population_job_create(actor=cast.actor(role), unit=cast.units.province, persons=10)
    job = population_job_create(actor=COMMAND, unit=cast.units.province, persons=10)
    with pytest.raises(PermissionDenied):
        population_job_cancel(actor=cast.actor(role), job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert _job_events(job) == [("system:generate_province", "create")]


def test_two_workers_cannot_claim_the_same_job(ninh_binh):
    job = population_job_create(actor=COMMAND, unit=ninh_binh, persons=10)
    other = PopulationJob.objects.get(pk=job.pk)
    assert job.claim() is True
    assert other.claim() is False


def test_a_failed_job_says_why_and_leaves_nothing_half_written(ninh_binh, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sosuckhoe.people.jobs.population_generate", broken)
    job = population_job_create(actor=COMMAND, unit=ninh_binh, persons=10)
    with pytest.raises(RuntimeError):
        population_job_run(actor=WORKER, job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "disk full")
    assert not Person.objects.exists()


def test_a_waiting_job_is_cancelled_at_once_and_never_runs(cast):
    job = population_job_create(actor=COMMAND, unit=cast.units.province, persons=10)
    population_job_cancel(actor=cast.actor("province"), job=job)
    assert job.status == JobStatus.CANCELLED
    assert job.finished_at is not None
    population_job_run(actor=WORKER, job_id=job.pk)  # the task arrives afterwards
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert Person.objects.count() == 4  # the cast's
    assert _job_events(job) == [("system:generate_province", "create"), ("province", "update")]


def test_a_cancel_sent_twice_is_done_once_and_an_ended_job_cannot_be_cancelled(cast):
    job = population_job_create(actor=COMMAND, unit=cast.units.province, persons=10)
    population_job_cancel(actor=cast.actor("province"), job=job)
    population_job_cancel(actor=cast.actor("province"), job=job)
    assert len(_job_events(job)) == 2
    done = population_job_create(actor=COMMAND, unit=cast.units.province, persons=3)
    done = population_job_run(actor=WORKER, job_id=done.pk)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        population_job_cancel(actor=cast.actor("national_admin"), job=done)
    done.refresh_from_db()
    assert done.status == JobStatus.DONE


def _console_cancels(cast, job: PopulationJob) -> None:
    """The console's cancel request, arriving while the job's transaction is open. On
    PostgreSQL it comes from a connection of its own, as from a web process, and commits at
    once. SQLite has one writer: any other connection would wait for the job to end, so the
    request is made on the worker's own connection."""

    def cancel() -> None:
        row = PopulationJob.objects.select_related("unit").get(pk=job.pk)
        population_job_cancel(actor=cast.actor("province"), job=row)

    if connection.vendor != "postgresql":
        cancel()
        return

    def from_the_console() -> None:
        try:
            cancel()
        finally:
            connection.close()

    console = threading.Thread(target=from_the_console)
    console.start()
    console.join(timeout=30)


@pytest.mark.usefixtures("transactional_db")
def test_a_running_job_asked_to_stop_stops_at_its_next_report_and_keeps_nothing(cast):
    job = population_job_create(
        actor=COMMAND, unit=cast.units.province, persons=PERSONS_WITH_A_REPORT, seed=1
    )
    before = Person.objects.count()
    reports: list[int] = []

    def at_progress(done: int) -> None:
        reports.append(done)
        _console_cancels(cast, job)

    job = population_job_run(actor=WORKER, job_id=job.pk, on_progress=at_progress)
    job.refresh_from_db()
    assert len(reports) == 1
    assert job.status == JobStatus.CANCELLED
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(object_uuid=job.uuid, actor_username="system:worker")


@pytest.mark.usefixtures("transactional_db")
def test_a_job_asked_to_stop_after_its_last_report_still_keeps_nothing(cast, monkeypatch):
    from sosuckhoe.people import jobs

    real_generate = jobs.population_generate

    def generate_then_get_asked_to_stop(**kwargs):
        result = real_generate(**kwargs)
        _console_cancels(cast, job)
        return result

    monkeypatch.setattr(jobs, "population_generate", generate_then_get_asked_to_stop)
    job = population_job_create(actor=COMMAND, unit=cast.units.province, persons=30)
    before = Person.objects.count()
    job = population_job_run(actor=WORKER, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert Person.objects.count() == before


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_on_postgresql_the_cancel_is_committed_and_audited_while_the_job_runs(
    cast, transactional_db
):
    job = population_job_create(
        actor=COMMAND, unit=cast.units.province, persons=PERSONS_WITH_A_REPORT, seed=1
    )
    seen_while_running: list[str] = []

    def look_from_another_connection() -> None:
        try:
            seen_while_running.append(PopulationJob.objects.get(pk=job.pk).status)
        finally:
            connection.close()

    def at_progress(done: int) -> None:
        _console_cancels(cast, job)
        # Not on the worker's connection: it is streaming the persons (COPY).
        other = threading.Thread(target=look_from_another_connection)
        other.start()
        other.join(timeout=30)

    population_job_run(actor=WORKER, job_id=job.pk, on_progress=at_progress)
    assert seen_while_running == [JobStatus.CANCELLING]
    assert _job_events(job) == [("system:generate_province", "create"), ("province", "update")]


def test_a_job_handed_to_a_worker_is_queued_only_once_the_caller_commits(
    ninh_binh, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr("sosuckhoe.people.tasks.run_population_job.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = population_job_enqueue(actor=COMMAND, unit=ninh_binh, persons=10)
        assert queued == []
    for callback in callbacks:
        callback()
    assert queued == [job.pk]
