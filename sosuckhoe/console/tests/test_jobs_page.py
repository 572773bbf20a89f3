"""The jobs page and its JSON: the jobs of the user's scope, their progress, a cancel button
for managers."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.console.views.jobs import JOB_KINDS, JobKind
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.models import PopulationJob

PAGE = reverse("console:jobs")
STATUS = reverse("console:jobs_status")


def _job(unit, **fields) -> PopulationJob:
    values = {"progress_total": 1000, "started_by_name": "system:test"} | fields
    return PopulationJob.objects.create(unit=unit, **values)


@pytest.fixture
def jobs(cast) -> dict[str, PopulationJob]:
    units = cast.units
    return {
        "province": _job(units.province),
        "commune": _job(units.commune_a, status=JobStatus.DONE, finished_at=timezone.now()),
        "other": _job(units.other_province),
    }


def _keys(response) -> set[str]:
    return {job["key"] for job in response.json()["jobs"]}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("commune", {"commune"}),  # a job of the whole province is above their unit
        ("site_staff", {"commune"}),
        ("analyst", {"province", "commune"}),
        ("province", {"province", "commune"}),
        ("province_other", {"other"}),
        ("national_admin", {"province", "commune", "other"}),
    ],
)
def test_each_member_of_staff_follows_the_jobs_of_their_unit(cast, jobs, role, sees):
    expected = {f"population:{jobs[name].uuid}" for name in sees}
    client = cast.client_for(role)
    assert _keys(client.get(STATUS)) == expected
    page = client.get(PAGE).content.decode()
    assert {name for name, job in jobs.items() if str(job.uuid) in page} == sees


def test_a_running_job_shows_its_progress_rate_and_time_left(cast):
    started = timezone.now() - dt.timedelta(seconds=100)
    job = _job(cast.units.province, status=JobStatus.RUNNING, started_at=started, progress_done=250)
    (shown,) = cast.client_for("province").get(STATUS).json()["jobs"]
    assert shown["key"] == f"population:{job.uuid}"
    assert (shown["status"], shown["done"], shown["total"], shown["percent"]) == (
        "running",
        250,
        1000,
        25,
    )
    assert shown["status_label"] == "Đang chạy"
    assert shown["rate"] == "2 mỗi giây"  # 250 in 100 seconds, about 2.5
    assert shown["left"] == "còn khoảng 5 phút"  # 750 more at 2.5 a second: 300 s
    page = cast.client_for("province").get(PAGE).content.decode()
    assert '<progress value="250" max="1000">' in page


def test_a_failed_job_shows_why(cast):
    _job(cast.units.province, status=JobStatus.FAILED, error="disk full")
    (shown,) = cast.client_for("province").get(STATUS).json()["jobs"]
    assert (shown["status"], shown["error"], shown["may_cancel"]) == ("failed", "disk full", False)


@pytest.mark.parametrize(("role", "button"), [("province", True), ("analyst", False)])
def test_only_managers_get_a_cancel_button(cast, jobs, role, button):
    cancel = reverse("console:job_cancel", args=["population", jobs["province"].uuid])
    assert (cancel in cast.client_for(role).get(PAGE).content.decode()) == button


def test_cancelling_a_waiting_job_from_the_page_cancels_it_and_is_audited(cast, jobs):
    job = jobs["province"]
    client = cast.client_for("province")
    response = client.post(reverse("console:job_cancel", args=["population", job.uuid]))
    assert (response.status_code, response.url) == (302, PAGE)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert AuditEvent.objects.filter(object_uuid=job.uuid, actor_username="province").exists()
    assert "Tác vụ đã được hủy." in client.get(PAGE).content.decode()


def test_cancelling_a_job_that_ended_says_so_and_changes_nothing(cast, jobs):
    job = jobs["commune"]
    client = cast.client_for("province")
    client.post(reverse("console:job_cancel", args=["population", job.uuid]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert "Tác vụ này đã kết thúc." in client.get(PAGE).content.decode()


def test_a_database_busy_with_the_job_gets_a_message_not_an_error_page(cast, jobs, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("database is locked")  # SQLite, while the job holds it

    monkeypatch.setitem(JOB_KINDS, "population", JobKind(PopulationJob, locked))
    client = cast.client_for("province")
    response = client.post(
        reverse("console:job_cancel", args=["population", jobs["province"].uuid])
    )
    assert (response.status_code, response.url) == (302, PAGE)
    assert "Cơ sở dữ liệu đang bận" in client.get(PAGE).content.decode()  # "The database is busy"


def test_an_unknown_kind_of_job_is_not_found(cast, jobs):
    url = reverse("console:job_cancel", args=["import", jobs["province"].uuid])
    assert cast.client_for("national_admin").post(url).status_code == 404


def test_the_page_works_without_script_and_loads_its_script_from_a_file(cast, jobs):
    page = cast.client_for("province").get(PAGE).content.decode()
    assert f'data-jobs-status="{STATUS}"' in page
    assert "console/jobs.js" in page
    assert "<script>" not in page


def test_the_status_reads_a_fixed_number_of_queries_whatever_the_number_of_jobs(
    cast, django_assert_num_queries
):
    client = cast.client_for("national_admin")
    client.get(STATUS)  # the first request of a session also saves it
    _job(cast.units.province)
    # The session, the user with their unit, the jobs of each kind with their units.
    with django_assert_num_queries(2 + len(JOB_KINDS)):
        client.get(STATUS)
    for _n in range(30):
        _job(cast.units.other_province, status=JobStatus.DONE)
    with django_assert_num_queries(2 + len(JOB_KINDS)):
        response = client.get(STATUS)
    assert len(response.json()["jobs"]) == 21  # the waiting one, and the 20 newest
