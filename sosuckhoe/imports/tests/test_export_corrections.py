"""The correction requests' list exported like the console's others: the unit's requests
within the reader's scope (another commune's never), in the status the page showed, headers
in the reader's language, the reading audited."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports.exports import Filters
from sosuckhoe.imports.exports_jobs import export_job_create, export_job_run
from sosuckhoe.vaccination.services import correction_request_create, correction_request_resolve

SYSTEM = Actor.system("export-tests")


def _ask(person, should_read):
    return correction_request_create(
        actor=SYSTEM, person=person, kind="missing_dose", should_read=should_read,
        requester_name="Nguyễn Thị Lan", requester_relation="parent", channel="at_station",
        requester_phone="0912345678",
    )  # fmt: skip


@pytest.fixture
def requests(cast):
    """Two of commune A (one answered), one of commune B, one of the other province."""
    answered = _ask(cast.own_person, "Mũi 1 ngày 02/08/2021")
    correction_request_resolve(
        actor=SYSTEM, request=answered, status="rejected", note="Không có trong sổ tiêm"
    )
    return {
        "answered": answered,
        "open": _ask(cast.own_person, "Mũi 2 ngày 30/08/2021"),
        "commune_b": _ask(cast.sibling_person, "Mũi 1 ngày 05/09/2021"),
        "other_province": _ask(cast.foreign_person, "Mũi 3 ngày 01/03/2022"),
    }


def _export(cast, role, export_format="csv", language="vi", **filters):
    filters.setdefault("unit", cast.users[role].unit)
    job = export_job_create(
        actor=cast.actor(role), list_kind="corrections", export_format=export_format,
        filters=Filters(**filters), language=language,
    )  # fmt: skip
    return export_job_run(job_id=job.pk)


def _csv_rows(job):
    with Path(job.file.path).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _asked(rows, header):
    return [row[header.index("What the record should say")] for row in rows]


def test_a_commune_exports_its_requests_open_first_with_english_headers(cast, requests):
    job = _export(cast, "commune", language="en")
    assert (job.status, job.rows_written) == (JobStatus.DONE, 2)
    header, *rows = _csv_rows(job)
    assert header[:2] == ["Full name", "Date of birth"]
    assert _asked(rows, header) == ["Mũi 2 ngày 30/08/2021", "Mũi 1 ngày 02/08/2021"]
    answered = rows[1]
    assert answered[header.index("Status")] == "Rejected"
    assert answered[header.index("Answer")] == "Không có trong sổ tiêm"
    assert answered[header.index("What is wrong")] == "A dose is missing"
    assert answered[header.index("Phone of who asked")] == "+84912345678"


def test_a_row_of_another_commune_never_appears(cast, requests):
    header, *rows = _csv_rows(_export(cast, "commune", language="en"))
    assert "Mũi 1 ngày 05/09/2021" not in _asked(rows, header)
    header, *rows = _csv_rows(_export(cast, "province", language="en"))
    assert set(_asked(rows, header)) == {
        "Mũi 1 ngày 02/08/2021", "Mũi 2 ngày 30/08/2021", "Mũi 1 ngày 05/09/2021",
    }  # fmt: skip
    with pytest.raises(PermissionDenied):
        _export(cast, "commune", unit=cast.units.commune_b)
    with pytest.raises(PermissionDenied):
        _export(cast, "analyst")


def test_the_status_of_the_page_narrows_the_file(cast, requests):
    header, *rows = _csv_rows(_export(cast, "commune", language="en", status="open"))
    assert _asked(rows, header) == ["Mũi 2 ngày 30/08/2021"]


def test_an_xlsx_in_vietnamese_is_audited_naming_its_persons(cast, requests):
    job = _export(cast, "commune", "xlsx")
    sheet = load_workbook(job.file.path, read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 3
    assert rows[1][0] == cast.own_person.full_name
    read = AuditEvent.objects.get(object_type="export_job", action=AuditAction.VIEW)
    assert read.changes["list"] == "corrections"
    assert read.changes["persons"] == [str(cast.own_person.uuid)]
