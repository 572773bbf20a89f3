"""A real worker process killed in the middle of a file (SIGKILL: no exception handler, no
rollback by Python, its connection cut), then a new one started: the import resumes after the
last committed chunk and every row is written exactly once. PostgreSQL only: the worker is
another process, which must see what this one committed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports.jobs import import_job_create, import_job_start
from sosuckhoe.imports.models import ImportJob
from sosuckhoe.imports.tests.conftest import SITE_NAME
from sosuckhoe.imports.tests.test_import_records import supplies  # noqa: F401
from sosuckhoe.people.models import Person
from sosuckhoe.testing.factories import cccd_for
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.tests.conftest import reference, reference_rows  # noqa: F401

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second process"),
    pytest.mark.usefixtures("transactional_db"),
]

ROOT = Path(django_settings.BASE_DIR)
ROWS = 1200
CHUNK_ROWS = 100
STALE_SECONDS = 2
_LETTERS = "ABCDEGHIKLMNOPQRSTUVXY"


def _name(n: int) -> str:
    """A name without digits, one per row."""
    return "Đinh Thị " + " ".join(_LETTERS[int(d)] for d in f"{n:04d}")


def _file() -> SimpleUploadedFile:
    lines = [["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Xã/Phường", "Tên vắc xin",
              "Ngày tiêm", "Số lô", "Nơi tiêm"]]  # fmt: skip
    for n in range(ROWS):
        number = cccd_for(birth_year=1975, sex="F", serial=10_000 + n)
        lines.append([_name(n), "05/06/1975", "Nữ", number, "13669", "Comirnaty", "01/09/2021",
                      "FK1234", SITE_NAME])  # fmt: skip
    text = "\n".join(",".join(str(v) for v in line) for line in lines)  # nothing to quote
    return SimpleUploadedFile("ca-tiem.csv", text.encode())


def _worker(job_id: int) -> subprocess.Popen:
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    env = os.environ | {
        "DATABASE_URL": url,
        "IMPORT_DIR": str(django_settings.IMPORT_DIR),
        "IMPORT_STALE_SECONDS": str(STALE_SECONDS),
        "IMPORT_WORKERS": "2",  # in two parts, each a process of the worker's
    }
    command = [sys.executable, "manage.py", "import_job_run", str(job_id),
               "--chunk-rows", str(CHUNK_ROWS)]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def _wait_for_chunks(job: ImportJob, worker: subprocess.Popen, chunks: int) -> int:
    """The job's last committed row once `chunks` chunks committed (polled)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db(fields=["last_row"])
        if job.last_row >= 1 + chunks * CHUNK_ROWS:
            return job.last_row
        assert worker.poll() is None, "the worker ended before it could be killed"
        time.sleep(0.05)
    raise AssertionError("no chunk committed in time")


def test_a_worker_killed_mid_file_is_resumed_by_another_and_each_row_is_written_once(
    cast,
    settings,
    tmp_path,
    supplies,  # noqa: F811
):
    settings.IMPORT_DIR = tmp_path / "imports"
    actor = cast.actor("commune")
    job = import_job_create(actor=actor, unit=cast.units.commune_a, list_kind="doses",
                            upload=_file())  # fmt: skip
    job = import_job_start(actor=actor, job=job, mapping=job.columns)

    first = _worker(job.pk)
    killed_at = _wait_for_chunks(job, first, chunks=2)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    job.refresh_from_db()
    assert (job.status, job.parts) == (JobStatus.RUNNING, 2)  # as the dead worker left it
    assert killed_at <= job.last_row < 1 + ROWS
    assert Dose.objects.count() == job.records_new  # the chunks under way left nothing

    time.sleep(STALE_SECONDS + 0.5)  # its lease runs out
    written = job.records_new
    job.refresh_from_db()
    assert Dose.objects.count() == job.records_new == written  # its parts died with it
    second = _worker(job.pk)
    out, _err = second.communicate(timeout=300)
    assert second.returncode == 0, out
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.rows_read, job.rows_rejected, job.rows_new, job.records_new) == (ROWS, 0, ROWS,
                                                                                ROWS)  # fmt: skip
    assert Person.objects.filter(full_name__startswith="Đinh Thị").count() == ROWS
    per_person = Dose.objects.values_list("person__full_name", flat=True)
    assert sorted(per_person) == sorted(_name(n) for n in range(ROWS))
