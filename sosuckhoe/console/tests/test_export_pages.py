import pytest
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.imports import tasks
from sosuckhoe.imports.exports_jobs import export_job_run
from sosuckhoe.imports.models import ExportJob
from sosuckhoe.places.models import Facility, FacilityKind


@pytest.fixture
def enqueued(monkeypatch):
    jobs = []
    monkeypatch.setattr(tasks.run_export_job, "delay", jobs.append)
    monkeypatch.setattr(tasks.purge_export_files, "delay", lambda: None)
    return jobs


@pytest.fixture
def site(cast):
    return Facility.objects.create(
        name="Trạm Y tế Phường Nam Định",
        kind=FacilityKind.COMMUNE_STATION,
        unit=cast.units.commune_a,
        is_vaccination_site=True,
    )


def test_the_site_page_exports_its_doses_and_only_the_asker_downloads_them(
    cast, site, enqueued, django_capture_on_commit_callbacks
):
    client = cast.client_for("site_staff")
    day = timezone.localdate()
    page = client.get(reverse("console:site_day", args=[site.uuid]))
    assert b'name="list_kind" value="doses"' in page.content
    assert b'value="national"' in page.content
    form = {"list_kind": "doses", "format": "national", "site": str(site.uuid),
            "since": day.isoformat(), "until": day.isoformat()}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("console:exports"), form)
    job = ExportJob.objects.get()
    assert answer.url == reverse("console:export_job", args=[job.uuid])
    assert (enqueued, job.unit, job.language) == ([job.pk], cast.units.commune_a, "vi")

    export_job_run(job_id=job.pk)
    page = client.get(answer.url)
    download_url = reverse("console:export_download", args=[job.uuid])
    assert download_url.encode() in page.content
    status = client.get(reverse("console:export_job_status", args=[job.uuid])).json()
    assert status["jobs"][0]["status"] == "done"
    download = client.get(download_url)
    assert download["Content-Disposition"].startswith('attachment; filename="doses-13669-')
    assert b"".join(download.streaming_content)[:2] == b"PK"
    # The commune's officer sees the job on the jobs page, not its file.
    assert cast.client_for("commune").get(download_url).status_code == 404


def test_a_site_of_another_unit_is_not_found_and_nothing_is_asked(cast, site, enqueued):
    client = cast.client_for("commune_other")
    form = {"list_kind": "doses", "format": "csv", "site": str(site.uuid)}
    assert client.post(reverse("console:exports"), form).status_code == 404
    assert not ExportJob.objects.exists()


def test_days_in_the_wrong_order_are_refused_on_the_page(cast, enqueued):
    client = cast.client_for("commune")
    form = {"list_kind": "reactions", "format": "csv", "since": "2026-02-01", "until": "2026-01-01"}
    page = client.post(reverse("console:exports"), form)
    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["__all__"]
    assert not ExportJob.objects.exists()


def test_an_expired_export_is_no_longer_downloaded(cast, enqueued):
    client = cast.client_for("commune")
    client.post(reverse("console:exports"), {"list_kind": "persons", "format": "csv"})
    job = export_job_run(job_id=ExportJob.objects.get().pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    assert client.get(reverse("console:export_download", args=[job.uuid])).status_code == 404


def test_each_list_page_carries_its_export_form(cast, site):
    client = cast.client_for("province")
    pages = {
        "persons": reverse("console:person_search"),
        "reactions": reverse("console:investigations"),
        "registrations": reverse("console:registrations"),
        "stock_movements": reverse("console:stock_facility", args=[site.uuid]),
        "doses": reverse("console:site_day", args=[site.uuid]),
    }
    for list_kind, url in pages.items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'name="list_kind" value="{list_kind}"'.encode() in page.content, url
    # What the file holds, said above its form: the unit's persons, not those found.
    export_form = client.get(pages["persons"]).content.decode().split("<details")[-1]
    assert '<p class="help">' in export_form


def test_a_list_narrowed_to_a_commune_exports_that_commune_and_never_one_outside(cast, enqueued):
    form = {"list_kind": "registrations", "format": "csv", "scope": "14464", "status": "pending"}
    client = cast.client_for("province")
    client.post(reverse("console:exports"), form)
    job = ExportJob.objects.get()
    assert (job.unit, job.filters) == (
        cast.units.commune_b, {"unit": "14464", "status": "pending"}
    )  # fmt: skip
    outside = client.post(reverse("console:exports"), form | {"scope": "00004"})
    assert outside.status_code == 404
    assert ExportJob.objects.count() == 1
