import pytest

from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.jobs import population_job_create, population_job_run
from sosuckhoe.people.models import Person, PopulationJob
from sosuckhoe.places.selectors import province_by_code
from sosuckhoe.places.services import EDITIONS, units_load


@pytest.fixture
def ninh_binh(db):
    units_load(edition=EDITIONS[-1])
    return province_by_code(code="37")


def test_a_job_runs_once_and_reports_its_progress(ninh_binh):
    job = population_job_create(unit=ninh_binh, persons=250, seed=5)
    population_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.percent) == (JobStatus.DONE, 250, 100)
    assert job.households_made > 0
    population_job_run(job_id=job.pk)  # a retried task finds nothing to do
    assert Person.objects.count() == 250


def test_two_workers_cannot_claim_the_same_job(ninh_binh):
    job = population_job_create(unit=ninh_binh, persons=10)
    other = PopulationJob.objects.get(pk=job.pk)
    assert job.claim() is True
    assert other.claim() is False


def test_a_failed_job_says_why_and_leaves_nothing_half_written(ninh_binh, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sosuckhoe.people.jobs.population_generate", broken)
    job = population_job_create(unit=ninh_binh, persons=10)
    with pytest.raises(RuntimeError):
        population_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "disk full")
    assert not Person.objects.exists()
