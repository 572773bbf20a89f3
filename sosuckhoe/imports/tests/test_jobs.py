import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports import services
from sosuckhoe.imports.jobs import (
    import_files_purge,
    import_job_cancel,
    import_job_create,
    import_job_run,
    import_job_start,
)
from sosuckhoe.imports.models import ImportJob
from sosuckhoe.imports.tests.conftest import PERSON_HEADER
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import cccd_for

CHUNK = 4
ROWS = 14  # 4 chunks: 4 + 4 + 4 + 2
BAD = {3, 9}  # 0-based rows whose sex cannot be read


def _persons(count: int = ROWS) -> list[list]:
    rows = []
    for n in range(count):
        sex = "x" if n in BAD else "Nữ"
        number = cccd_for(birth_year=1990, sex="F", serial=5000 + n)
        rows.append([n + 1, f"Trần Thị Mai {'ABCDEFGHIJKLMNOP'[n]}", "03/02/1990", sex, number,
                     "0912000111", 13669])  # fmt: skip
    return rows


def _csv_upload(rows: list[list]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Danh sách người dân"])
    writer.writerow(PERSON_HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile("danh-sach.csv", buffer.getvalue().encode())


@pytest.fixture(autouse=True)
def _small_chunks(settings, tmp_path, monkeypatch):
    settings.IMPORT_DIR = tmp_path / "imports"
    monkeypatch.setattr(services, "CHUNK", CHUNK)


def _started(cast, rows=None, role="commune") -> ImportJob:
    actor = cast.actor(role)
    job = import_job_create(
        actor=actor, unit=cast.units.commune_a, list_kind="persons",
        upload=_csv_upload(_persons() if rows is None else rows),
    )  # fmt: skip
    return import_job_start(actor=actor, job=job, mapping=job.columns)


def _imported() -> list[str]:
    return sorted(Person.objects.filter(full_name__startswith="Trần Thị Mai").values_list(
        "id_number", flat=True))  # fmt: skip


def test_an_upload_finds_the_header_and_suggests_the_mapping(cast):
    job = import_job_create(
        actor=cast.actor("commune"), unit=cast.units.commune_a, list_kind="persons",
        upload=_csv_upload(_persons()),
    )  # fmt: skip
    assert (job.header_first, job.header_last) == (2, 2)
    assert job.header == [PERSON_HEADER]
    assert job.columns == {1: "full_name", 2: "birth_date", 3: "sex", 4: "id_number",
                           5: "phone", 6: "home_unit"}  # fmt: skip
    assert job.progress_total == ROWS
    assert job.confirmed_at is None
    assert not ImportJob.objects.recent(10).exists()  # not on the jobs page until started


def test_a_job_imports_each_row_once_and_counts_them(cast):
    job = import_job_run(job_id=_started(cast).pk)
    assert job.status == JobStatus.DONE
    assert job.counters == {"read": ROWS, "valid": ROWS - 2, "rejected": 2, "matched": 0,
                            "new": ROWS - 2, "records_new": 0, "records_matched": 0}  # fmt: skip
    assert len(_imported()) == ROWS - 2
    assert AuditEvent.objects.filter(object_type="person", actor_username="commune").count() == (
        ROWS - 2
    )
    assert sorted(job.rejections.values_list("row", flat=True)) == [3 + 3, 3 + 9]


def test_importing_the_same_file_again_matches_every_row_and_adds_nothing(cast):
    import_job_run(job_id=_started(cast).pk)
    again = import_job_run(job_id=_started(cast).pk)
    assert (again.rows_matched, again.rows_new) == (ROWS - 2, 0)
    assert len(_imported()) == ROWS - 2


def test_a_job_that_failed_after_two_chunks_resumes_and_imports_every_row_once(cast, monkeypatch):
    job = _started(cast)
    reports = []
    real = ImportJob.report_progress

    def crash_after_two(self, done):
        reports.append(done)
        if len(reports) == 2:
            raise RuntimeError("worker lost")  # after the second chunk committed
        real(self, done)

    monkeypatch.setattr(ImportJob, "report_progress", crash_after_two)
    with pytest.raises(RuntimeError):
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.last_row, job.rows_read) == (JobStatus.FAILED, 2 + 2 * CHUNK, 8)
    assert len(_imported()) == 2 * CHUNK - 1
    job = import_job_run(job_id=job.pk)
    assert job.status == JobStatus.DONE
    assert job.counters == {"read": ROWS, "valid": ROWS - 2, "rejected": 2, "matched": 0,
                            "new": ROWS - 2, "records_new": 0, "records_matched": 0}  # fmt: skip
    assert len(_imported()) == ROWS - 2
    assert job.rejections.count() == 2


def test_a_running_job_is_resumed_only_when_its_worker_stopped_beating(cast, settings):
    job = _started(cast)
    assert job.claim()
    assert import_job_run(job_id=job.pk).status == JobStatus.RUNNING  # its worker may be alive
    assert not _imported()
    settings.IMPORT_STALE_SECONDS = 0
    ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at.replace(year=2020))
    assert import_job_run(job_id=job.pk).status == JobStatus.DONE


def test_a_cancelled_job_stops_after_its_chunk_and_keeps_what_committed(
    cast, transactional_db, monkeypatch
):
    """Transactional: on PostgreSQL the job reads a cancel request on a connection of its own,
    which sees only what committed."""
    job = _started(cast)
    real = ImportJob.report_progress

    def cancel_first(self, done):
        ImportJob.objects.get(pk=self.pk).request_cancel()
        real(self, done)

    monkeypatch.setattr(ImportJob, "report_progress", cancel_first)
    job = import_job_run(job_id=job.pk)
    assert job.status == JobStatus.CANCELLED
    # Each part (one on SQLite, side by side on PostgreSQL) stopped after its chunk.
    assert job.rows_read == CHUNK * job.parts < ROWS
    assert len(_imported()) == job.rows_valid == job.rows_read - job.rows_rejected
    assert job.rejected_file  # the row refused in the first chunk


def test_a_waiting_job_is_cancelled_by_a_manager_of_its_unit_only(cast):
    job = _started(cast)
    with pytest.raises(PermissionDenied):
        import_job_cancel(actor=cast.actor("province_other"), job=job)
    assert import_job_cancel(actor=cast.actor("province"), job=job).status == JobStatus.CANCELLED
    assert import_job_run(job_id=job.pk).status == JobStatus.CANCELLED
    assert not _imported()


def test_the_rejected_rows_come_back_in_the_layout_with_the_reasons_in_vietnamese(cast):
    job = import_job_run(job_id=_started(cast).pk)
    sheet = load_workbook(job.rejected_file.path, read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    with translation.override("vi"):  # in the catalogue: "Lỗi", "Hãy ghi giới tính …"
        assert rows[0] == [*PERSON_HEADER, gettext("Errors")]
        reason = "D: " + gettext("Write the sex as Nam or Nữ (or 1 for men, 0 for women).")
    expected = [[str(v) for v in _persons()[n]] for n in sorted(BAD)]
    assert [r[:-1] for r in rows[1:]] == expected
    assert [r[-1] for r in rows[1:]] == [reason] * 2


def test_a_fixed_rejected_file_imports_the_rest(cast):
    job = import_job_run(job_id=_started(cast).pk)
    book = load_workbook(job.rejected_file.path)
    for row in book.active.iter_rows(min_row=2):
        row[3].value = "Nữ"
    fixed = io.BytesIO()
    book.save(fixed)
    upload = SimpleUploadedFile("sua.xlsx", fixed.getvalue())
    actor = cast.actor("commune")
    second = import_job_create(actor=actor, unit=cast.units.commune_a, list_kind="persons",
                               upload=upload)  # fmt: skip
    second = import_job_run(job_id=import_job_start(actor=actor, job=second,
                                                    mapping=second.columns).pk)  # fmt: skip
    assert (second.rows_new, second.rows_rejected) == (2, 0)
    assert len(_imported()) == ROWS


def test_staff_import_into_their_own_subtree_only(cast):
    with pytest.raises(PermissionDenied):
        import_job_create(actor=cast.actor("commune_other"), unit=cast.units.commune_a,
                          list_kind="persons", upload=_csv_upload(_persons()))  # fmt: skip
    assert not ImportJob.objects.exists()


def test_a_commune_officer_importing_rows_of_another_commune_is_refused_row_by_row(cast):
    rows = _persons(2)
    rows[1][6] = 13670  # commune B: not theirs
    job = import_job_run(job_id=_started(cast, rows=rows).pk)
    assert (job.rows_new, job.rows_rejected) == (1, 1)


def test_a_mapping_that_lacks_a_needed_field_or_names_one_twice_is_refused(cast):
    actor = cast.actor("commune")
    job = import_job_create(actor=actor, unit=cast.units.commune_a, list_kind="persons",
                            upload=_csv_upload(_persons()))  # fmt: skip
    with pytest.raises(ValidationError):
        import_job_start(actor=actor, job=job, mapping={1: "full_name", 3: "sex"})
    with pytest.raises(ValidationError):
        import_job_start(actor=actor, job=job, mapping=job.columns | {0: "full_name"})
    job.refresh_from_db()
    assert job.confirmed_at is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("danh-sach.pdf", b"%PDF-1.4"),
        ("danh-sach.xlsx", b"PK\x03\x04 not a zip at all"),
        ("danh-sach.csv", b"\x00\x01\x02binary"),
    ],
)
def test_a_file_of_another_type_or_damaged_is_refused_and_not_kept(cast, settings, name, content):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as error:
        import_job_create(actor=cast.actor("commune"), unit=cast.units.commune_a,
                          list_kind="persons", upload=upload)  # fmt: skip
    assert "file" in error.value.message_dict
    assert not list(settings.IMPORT_DIR.rglob("*.*"))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(cast, settings, tmp_path):
    book = Workbook()
    book.active.append(PERSON_HEADER)
    for _ in range(3000):
        book.active.append(["x" * 50] * 7)  # compresses very well
    path = tmp_path / "bomb.xlsx"
    book.save(path)
    settings.IMPORT_MAX_UNPACKED_BYTES = 200_000
    upload = SimpleUploadedFile("bomb.xlsx", path.read_bytes())
    assert upload.size < settings.IMPORT_MAX_UNPACKED_BYTES
    with pytest.raises(ValidationError) as error:
        import_job_create(actor=cast.actor("commune"), unit=cast.units.commune_a,
                          list_kind="persons", upload=upload)  # fmt: skip
    assert "MB" in str(error.value)


def test_a_file_over_the_size_limit_is_refused(cast, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        import_job_create(actor=cast.actor("commune"), unit=cast.units.commune_a,
                          list_kind="persons", upload=_csv_upload(_persons()))  # fmt: skip


def test_files_are_deleted_once_the_retention_has_passed(cast, settings):
    job = import_job_run(job_id=_started(cast).pk)
    paths = [job.file.path, job.rejected_file.path]
    assert import_files_purge() == 0
    settings.IMPORT_RETENTION_HOURS = 0
    assert import_files_purge() == 1
    job.refresh_from_db()
    assert not any(Path(p).exists() for p in paths)
    assert (job.file.name, job.rejections.count(), job.rows_new) == ("", 0, ROWS - 2)
