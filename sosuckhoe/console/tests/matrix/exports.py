"""Exports: every member of staff asks for the lists their pages show (personal ones only
those who read personal data); an export's page and file are its starter's alone."""

import datetime as dt

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix import STAFF, Case
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports.models import ExportJob


def _job(user) -> ExportJob:  # type: ignore[no-untyped-def]
    job = ExportJob.objects.create(
        unit=user.unit, list_kind="persons", format="csv", language="vi",
        started_by=user, started_by_name=user.username, status=JobStatus.DONE,
        finished_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(hours=1),
        file_name="persons.csv",
    )  # fmt: skip
    job.file.save("persons.csv", ContentFile("\ufeffHọ và tên\n".encode()))
    return job


def _pages(job: ExportJob, sees: frozenset[str]) -> list[Case]:
    return [
        Case("console:export_job", reverse("console:export_job", args=[job.uuid]), sees,
             post=None),
        Case("console:export_job_status", reverse("console:export_job_status", args=[job.uuid]),
             sees, post=None),
        Case("console:export_download", reverse("console:export_download", args=[job.uuid]),
             sees, post=None),
    ]  # fmt: skip


def cases(cast) -> list[Case]:  # type: ignore[no-untyped-def]
    url = reverse("console:exports")
    stock = {"list_kind": "stock_movements", "format": "csv"}
    persons = {"list_kind": "persons", "format": "xlsx"}
    return [
        Case("console:exports", url, STAFF, post=stock),
        # An analyst reads no personal data: asking for persons is refused, and writes nothing.
        Case("console:exports", url, STAFF, post=persons, post_statuses={"analyst": 403}),
        *_pages(_job(cast.users["commune"]), frozenset({"commune"})),
        *_pages(_job(cast.users["province_other"]), frozenset({"province_other"})),
    ]
