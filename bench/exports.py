"""Exporting a province's persons (.csv and .xlsx) from PostgreSQL, through the export job (the
scoped query read in chunks, the streaming writers, the audit), against, in the same run, the
limit and a peer:
(a) raw `COPY (SELECT the same columns, joined to the commune) TO STDOUT WITH CSV`: no Python,
    no scope, no labels, no audit;
(b) django-import-export exporting the same persons with a plain ModelResource (the same
    columns) to .csv, on a sample of BENCH_PEER_ROWS persons (rows/s is per row).

    make bench B=exports
    BENCH_PERSONS=50000 make bench B=exports     # a quick try

Each export runs in a child process (the job created for a province officer, then
`export_job_run`, as a worker runs it), whose peak resident memory is read from its own
rusage (`os.wait4`): the memory of the export, not of this script. The peer runs in a child
too, so that its memory is its own.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench), BENCH_PERSONS
(default 2,000,000), BENCH_PEER_ROWS (default 50,000).
Targets: csv rate ≥ 25 % of COPY, memory flat in the number of rows (peak < 300 MB).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BENCH_PROVINCE, ROOT, bench_line, bench_persons_wanted, django_ready

USERNAME = "bench_xuat"

# The child: Django set up, then the export timed on its own (a process's start is not the
# export's time).
CHILD = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosuckhoe.settings")
import django
django.setup()
from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.imports.exports import Filters
from sosuckhoe.imports.exports_jobs import export_job_create, export_job_run
from sosuckhoe.imports import tasks
tasks.run_export_job.delay = lambda job_id: None  # run here, not on a worker
tasks.purge_export_files.delay = lambda: None
user = StaffUser.objects.select_related("unit").get(username=sys.argv[1])
started = time.perf_counter()
job = export_job_create(actor=Actor(user=user), list_kind="persons", export_format=sys.argv[2],
                        filters=Filters(unit=user.unit), language="vi")
job = export_job_run(job_id=job.pk)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": job.rows_written, "status": job.status,
                  "bytes": os.path.getsize(job.file.path)}))
job.file.delete(save=False)
"""

PEER = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosuckhoe.settings")
import django
django.setup()
from import_export import fields, resources
from sosuckhoe.people.models import Person

class PersonResource(resources.ModelResource):
    commune = fields.Field("home_unit__code", "Mã xã")

    class Meta:
        model = Person
        fields = ("full_name", "birth_date", "birth_year", "sex", "id_kind", "id_number",
                  "phone", "insurance_number", "address_line", "ethnicity", "occupation",
                  "commune")

queryset = Person.objects.select_related("home_unit").order_by("name_key", "id")[: int(sys.argv[1])]
started = time.perf_counter()
data = PersonResource().export(queryset)
with open(sys.argv[2], "w", encoding="utf-8-sig") as f:
    f.write(data.csv)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": len(data)}))
"""


def officer_ensure() -> None:
    """A province officer of the bench province, whose scope the exports read."""
    from sosuckhoe.accounts.models import Role, StaffUser
    from sosuckhoe.places.selectors import province_by_code

    if not StaffUser.objects.filter(username=USERNAME).exists():
        StaffUser.objects.create(
            username=USERNAME, role=Role.PROVINCE, unit=province_by_code(code=BENCH_PROVINCE)
        )


def child_run(code: str, *args: str) -> tuple[dict, float]:
    """The child's JSON answer and its peak resident MB."""
    command = [sys.executable, "-c", code, *args]
    with tempfile.TemporaryFile(mode="w+") as out:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, text=True)
        _pid, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"the child {args} failed")
        out.seek(0)
        answer = json.loads(out.read().strip().splitlines()[-1])
    return answer, usage.ru_maxrss / 1024


COPY_QUERY = """
COPY (
  SELECT p.full_name, p.birth_date, p.birth_year, p.sex, p.id_kind, p.id_number, p.phone,
         u.code, u.name, p.insurance_number, p.address_line, p.ethnicity, p.occupation
  FROM people_person p JOIN places_adminunit u ON u.id = p.home_unit_id
  WHERE u.path LIKE %s AND p.merged_into_id IS NULL
  ORDER BY p.name_key, p.id
) TO STDOUT WITH CSV HEADER
"""


def copy_run(target: Path) -> tuple[float, int]:
    """Seconds of the COPY of the same persons, and its rows."""
    from django.db import connection

    from sosuckhoe.places.selectors import province_by_code

    prefix = province_by_code(code=BENCH_PROVINCE).path + "%"
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        target.open("wb") as f,
        cursor.copy(COPY_QUERY, [prefix]) as copy,
    ):
        for block in copy:
            f.write(block)
    seconds = time.perf_counter() - started
    with target.open("rb") as f:
        rows = sum(1 for _line in f) - 1
    return seconds, rows


def main() -> None:
    from search import persons_ensure

    django_ready()
    persons_ensure(bench_persons_wanted())
    officer_ensure()
    with tempfile.TemporaryDirectory() as folder:
        copy_s, copy_rows = copy_run(Path(folder) / "persons.copy.csv")
        print(f"  COPY: {copy_rows:,} rows in {copy_s:.1f} s", flush=True)
        csv, csv_mb = child_run(CHILD, USERNAME, "csv")
        print(f"  csv: {csv}, peak {csv_mb:.0f} MB", flush=True)
        xlsx, xlsx_mb = child_run(CHILD, USERNAME, "xlsx")
        print(f"  xlsx: {xlsx}, peak {xlsx_mb:.0f} MB", flush=True)
        peer_rows = min(int(os.environ.get("BENCH_PEER_ROWS", 50_000)), copy_rows)
        peer, peer_mb = child_run(PEER, str(peer_rows), str(Path(folder) / "peer.csv"))
        print(f"  django-import-export: {peer}, peak {peer_mb:.0f} MB", flush=True)

    csv_rate, copy_rate = csv["rows"] / csv["seconds"], copy_rows / copy_s
    peer_rate = peer["rows"] / peer["seconds"]
    print(bench_line(
        "exports",
        rows=csv["rows"],
        csv_rows_per_s=round(csv_rate),
        xlsx_rows_per_s=round(xlsx["rows"] / xlsx["seconds"]),
        copy_rows_per_s=round(copy_rate),
        ratio=csv_rate / copy_rate,
        peer_rows_per_s=round(peer_rate),
        peer_speedup=csv_rate / peer_rate,
        csv_peak_mb=round(csv_mb),
        xlsx_peak_mb=round(xlsx_mb),
        peer_peak_mb=round(peer_mb),
        peer_rows=peer["rows"],
    ))  # fmt: skip


if __name__ == "__main__":
    main()
