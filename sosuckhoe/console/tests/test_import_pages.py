import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.imports import tasks
from sosuckhoe.imports.jobs import import_job_run
from sosuckhoe.imports.models import ImportJob
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import cccd_for

# "Nam / Nữ?" is no header the mapping knows: the officer maps that column by hand.
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Nam / Nữ?", "Số CCCD", "Xã/Phường"]


def _upload(rows=None, name="danh-sach.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["DANH SÁCH NGƯỜI DÂN PHƯỜNG NAM ĐỊNH"])
    writer.writerow(HEADER)
    number = cccd_for(birth_year=1990, sex="F", serial=4242)
    writer.writerows(rows or [[1, "Lý Thị Hà", "01/02/1990", "Nữ", number, "13669"],
                              [2, "Lý Văn Tư", "31/02/1990", "Nam", "", "13669"]])  # fmt: skip
    return SimpleUploadedFile(name, buffer.getvalue().encode())


@pytest.fixture
def enqueued(monkeypatch):
    jobs = []
    monkeypatch.setattr(tasks.run_import_job, "delay", jobs.append)
    return jobs


def test_an_officer_uploads_fixes_the_mapping_starts_and_downloads_the_rejected_rows(
    cast, enqueued, django_capture_on_commit_callbacks
):
    client = cast.client_for("commune")
    answer = client.post(reverse("console:imports"), {"file": _upload(), "list_kind": "persons"})
    job = ImportJob.objects.get()
    assert answer.url == reverse("console:import_mapping", args=[job.uuid])
    assert job.unit == cast.units.commune_a

    page = client.get(answer.url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["col1"].initial == "full_name"
    assert form["col3"].initial == ""  # not recognised
    assert "DANH SÁCH" not in page.content.decode()  # the title is not the header

    mapping = {f"col{i}": f for i, f in job.columns.items()} | {"col3": "sex"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("console:import_mapping", args=[job.uuid]), mapping)
    assert answer.url == reverse("console:import_job", args=[job.uuid])
    assert enqueued == [job.pk]
    job.refresh_from_db()
    assert job.columns[3] == "sex"

    import_job_run(job_id=job.pk)
    page = client.get(answer.url)
    assert b"rejected.xlsx" in page.content
    status = client.get(reverse("console:import_job_status", args=[job.uuid])).json()
    assert status["jobs"][0]["status"] == "done"
    assert status["jobs"][0]["counts"] == {"read": 2, "valid": 1, "rejected": 1, "matched": 0,
                                           "new": 1, "records_new": 0,
                                           "records_matched": 0}  # fmt: skip
    assert Person.objects.filter(full_name="Lý Thị Hà").exists()

    download = client.get(reverse("console:import_rejected", args=[job.uuid]))
    assert download["Content-Disposition"].startswith('attachment; filename="danh-sach-loi.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == tuple(HEADER)
    assert rows[1][1] == "Lý Văn Tư"
    assert rows[1][6].startswith("C: ")
    assert AuditEvent.objects.filter(object_type="import_rejected_rows", object_uuid=job.uuid)


def test_a_mapping_without_a_needed_field_is_shown_again_and_starts_nothing(cast, enqueued):
    client = cast.client_for("commune")
    client.post(reverse("console:imports"), {"file": _upload(), "list_kind": "persons"})
    job = ImportJob.objects.get()
    answer = client.post(reverse("console:import_mapping", args=[job.uuid]), {"col1": "full_name"})
    assert answer.status_code == 200
    assert answer.context["form"].non_field_errors()
    job.refresh_from_db()
    assert (job.confirmed_at, enqueued) == (None, [])


@pytest.mark.parametrize(
    ("name", "content"),
    [("danh-sach.docx", b"PK\x03\x04"), ("danh-sach.xlsx", b"PK\x03\x04 broken")],
)
def test_a_file_of_another_type_or_damaged_is_refused_on_the_form(cast, name, content):
    client = cast.client_for("commune")
    upload = SimpleUploadedFile(name, content)
    answer = client.post(reverse("console:imports"), {"file": upload, "list_kind": "persons"})
    assert answer.status_code == 200
    assert answer.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_an_officer_imports_into_a_unit_of_their_subtree_only(cast):
    client = cast.client_for("province")
    outside = cast.units.other_commune.code
    answer = client.post(reverse("console:imports"),
                         {"file": _upload(), "list_kind": "persons", "unit": outside})  # fmt: skip
    assert answer.context["form"].errors["unit"]
    answer = client.post(reverse("console:imports"),
                         {"file": _upload(), "list_kind": "persons", "unit": "13669"})  # fmt: skip
    assert ImportJob.objects.get().unit == cast.units.commune_a


def test_an_import_under_way_is_on_the_jobs_page_with_its_progress(cast, enqueued):
    client = cast.client_for("province")
    client.post(reverse("console:imports"), {"file": _upload(), "list_kind": "persons"})
    job = ImportJob.objects.get()
    client.post(reverse("console:import_mapping", args=[job.uuid]),
                {f"col{i}": f for i, f in job.columns.items()} | {"col3": "sex"})  # fmt: skip
    keys = [row["key"] for row in client.get(reverse("console:jobs_status")).json()["jobs"]]
    assert f"import:{job.uuid}" in keys
    client.post(reverse("console:job_cancel", args=["import", job.uuid]))
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_the_next_file_of_a_confirmed_layout_comes_mapped_and_the_page_says_so(cast, enqueued):
    client = cast.client_for("commune")
    client.post(reverse("console:imports"), {"file": _upload(), "list_kind": "persons"})
    first = ImportJob.objects.get()
    page = client.get(reverse("console:import_mapping", args=[first.uuid]))
    assert b"data-layout" not in page.content
    client.post(reverse("console:import_mapping", args=[first.uuid]),
                {f"col{i}": f for i, f in first.columns.items()} | {"col3": "sex"})  # fmt: skip

    client.post(reverse("console:imports"), {"file": _upload(name="tuan-sau.csv"),
                                             "list_kind": "persons"})  # fmt: skip
    second = ImportJob.objects.get(file_name="tuan-sau.csv")
    page = client.get(reverse("console:import_mapping", args=[second.uuid]))
    assert page.context["form"]["col3"].initial == "sex"
    assert b'data-layout="saved"' in page.content


def test_a_dose_list_offers_the_fields_of_each_dose(cast, enqueued):
    client = cast.client_for("commune")
    client.post(reverse("console:imports"), {"file": _upload(), "list_kind": "doses"})
    job = ImportJob.objects.get()
    form = client.get(reverse("console:import_mapping", args=[job.uuid])).context["form"]
    offered = [value for value, _label in form.fields["col1"].choices]
    assert {"dose1.product", "dose2.lot", "dose4.site"} <= set(offered)
    assert "priority_group" not in offered
