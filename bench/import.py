"""Importing a list of doses (.csv and .xlsx, the same rows) into PostgreSQL holding a
province's persons, against, in the same run, the limit and a peer:
(a) raw COPY of the same dose rows, already clean, into the same table (what the import wrote,
    dumped, deleted and copied back): no parsing, no rules, no audit;
(b) django-import-export importing the same .csv with a plain ModelResource for Dose (the
    columns mapped to the fields by their headers, foreign keys by document, key, number and
    name, `import_id_fields` person + product + day so that a second import adds nothing), on a
    sample of BENCH_PEER_ROWS rows, its rate scaled by nothing (rows/s is per row).

    make bench B=import
    BENCH_ROWS=50000 BENCH_PERSONS=100000 make bench B=import     # a quick try

Each import runs in a child process, the `import_file FILE --kind doses --unit 37` command (the
one a person runs) timed once Django is set up, in the parts its default sets (IMPORT_WORKERS:
one a core, up to 4; printed as `workers`). Its peak memory is the child's VmHWM or, in parts,
the peak of the Pss of the child and its parts summed, sampled every 0.1 s: the memory of the
import, not of this script. Half the rows name persons already
in the table by their CCCD (their dose is added), half are new persons (registered, then their
dose). Between the runs the doses and the new persons are deleted, so that each run does the
same work.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_import: it
deletes doses), BENCH_PERSONS (default 2,000,000), BENCH_ROWS (default 1,000,000),
BENCH_PEER_ROWS (default 20,000), BENCH_PEER_SECONDS (default 600: the peer stops after the
part of 500 rows that crosses it, and its rate is that of the rows it imported: at 2,000,000
persons its resource scans the persons' table for every row), BENCH_MEMORY_ROWS (default
1,000,000; 0: skipped): rows of a file read and parsed a chunk at a time as the import does,
writing nothing, whose peak memory is printed as `parse_peak_mb` (the import of that many rows
takes hours on a small machine).
Targets: csv rate ≥ 25 % of COPY, ≥ 20× django-import-export, peak < 500 MB.
"""

import contextlib
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_import")

from _common import BENCH_PROVINCE, ROOT, bench_line, bench_persons_wanted, django_ready

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Xã/Phường", "Tên vắc xin",
          "Ngày tiêm", "Số lô", "Nơi tiêm"]  # fmt: skip
SITE = "Trạm Y tế Nhập liệu Thử"
LOT = "BENCH-IMPORT-1"
GIVEN = "01/06/2022"
_LETTERS = "ABCDEGHIKLMNOPQRSTUVXY"


def rows_wanted() -> int:
    return int(os.environ.get("BENCH_ROWS", 1_000_000))


def memory_rows_wanted() -> int:
    return int(os.environ.get("BENCH_MEMORY_ROWS", 1_000_000))


def peer_rows_wanted() -> int:
    return int(os.environ.get("BENCH_PEER_ROWS", 20_000))


def peer_seconds() -> float:
    return float(os.environ.get("BENCH_PEER_SECONDS", 600))


PEER_PART = 500  # rows the peer imports at a time, between looks at its budget


def supplies_ensure() -> tuple[object, object]:
    """Comirnaty and its schedule, a lot of it, and a site whose name no other site has."""
    from _api import reference_load

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind, UnitLevel
    from sosuckhoe.places.selectors import province_by_code
    from sosuckhoe.supply.models import Lot, Product
    from sosuckhoe.supply.services import lot_register

    reference_load()
    product = Product.objects.get(key="comirnaty")
    lot = Lot.objects.filter(product=product, number=LOT).first() or lot_register(
        actor=Actor.system("bench"), product=product, number=LOT,
        expiry_date=dt.date(2030, 1, 1),
    )  # fmt: skip
    province = province_by_code(code=BENCH_PROVINCE)
    commune = AdminUnit.objects.subtree_of(province).filter(level=UnitLevel.COMMUNE).first()
    Facility.objects.get_or_create(
        name=SITE, defaults={"kind": FacilityKind.COMMUNE_STATION, "unit": commune}
    )
    return product, lot


def _name(n: int) -> str:
    return "Phí Văn " + " ".join(_LETTERS[int(d)] for d in f"{n:07d}")


def rows_make(count: int) -> list[list[str]]:
    """Half the rows: adults of the table by their CCCD; the rest new persons."""
    from sosuckhoe.people.models import IdKind, Person
    from sosuckhoe.places.models import AdminUnit, UnitLevel
    from sosuckhoe.places.selectors import province_by_code
    from sosuckhoe.testing.factories import cccd_for

    known = (
        Person.objects.filter(id_kind=IdKind.CCCD, birth_year__lte=2004, merged_into=None)
        .order_by("pk")
        .values_list("full_name", "birth_date", "birth_year", "sex", "id_number",
                     "home_unit__code")[: count // 2]
    )  # fmt: skip
    rows = []
    for name, birth, year, sex, number, commune in known.iterator(chunk_size=5000):
        born = birth.strftime("%d/%m/%Y") if birth else str(year)
        rows.append([name, born, "Nam" if sex == "M" else "Nữ", number, commune])
    province = province_by_code(code=BENCH_PROVINCE)
    communes = list(
        AdminUnit.objects.subtree_of(province)
        .filter(level=UnitLevel.COMMUNE)
        .values_list("code", flat=True)
    )
    for n in range(count - len(rows)):
        year = 1950 + n // 1_000_000
        number = cccd_for(birth_year=year, sex="M", province="001", serial=n % 1_000_000)
        rows.append([_name(n), f"15/03/{year}", "Nam", number, communes[n % len(communes)]])
    return [[*row, "Comirnaty", GIVEN, LOT, SITE] for row in rows]


def files_write(rows: list[list[str]], folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    csv_path, xlsx_path = folder / "mui-tiem.csv", folder / "mui-tiem.xlsx"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(xlsx_path)
    return csv_path, xlsx_path


# The peak resident memory of the child's own image: VmHWM, kept per address space. Its
# rusage (ru_maxrss, os.wait4) would not do: it counts the pages the child shared with this
# process between fork and exec, i.e. this process's size (the rows it generated).
_PEAK = """
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
"""

# The child: Django set up, then the command timed on its own (a process's start, which
# compiles every module when PYTHONDONTWRITEBYTECODE is set, is not the import's time).
CHILD = """
import io, json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosuckhoe.settings")
import django
django.setup()
from django.core.management import CommandError, call_command
out = io.StringIO()
started = time.perf_counter()
try:
    call_command("import_file", sys.argv[1], "--kind", "doses", "--unit", sys.argv[2], stdout=out)
except CommandError as error:
    if error.returncode != 1:  # 1: some rows refused
        raise
seconds = time.perf_counter() - started
summary = json.loads(out.getvalue())
"""
CHILD += (
    _PEAK
    + """
from django.conf import settings
print(json.dumps({"seconds": seconds, "summary": summary, "peak_kb": peak,
                  "workers": settings.IMPORT_WORKERS}))
"""
)


def import_run(path: Path) -> tuple[float, float, dict, int]:
    """Seconds, peak MB and the JSON summary of `import_file` in a child process: the peak
    of the child alone (VmHWM) or, the import in parts, of it and its parts (TreePeak)."""
    answer = _child(CHILD, path)
    peak_kb = max(answer["peak_kb"], answer["tree_peak_kb"])
    return answer["seconds"], peak_kb / 1024, answer["summary"], answer["workers"]


def _child(script: str, path: Path) -> dict:
    """What a child running `script` on `path` printed (JSON), with `tree_peak_kb`: the peak
    of the memory of it and its own children (an import in parts), sampled."""
    command = [sys.executable, "-c", script, str(path), BENCH_PROVINCE]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        peak = TreePeak(child.pid)
        peak.start()
        out, err = child.communicate()
        peak.stop()
    if child.returncode != 0:
        raise SystemExit(f"{path.name}: {err[-2000:]}")
    return json.loads(out) | {"tree_peak_kb": peak.kb}


class TreePeak(threading.Thread):
    """The peak, sampled every 0.1 s, of the proportional set size (Pss) of a process and
    its descendants summed: the parts of an import, forked, share the pages of what their
    parent loaded, which the sum of their resident sizes would count once a part."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.kb, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.1):
            self.kb = max(self.kb, sum(_pss_kb(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # ended meanwhile
                pending += [int(p) for p in task.read_text().split()]
    return found


def _pss_kb(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:  # ended meanwhile
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("Pss:")), 0)


# Reading and parsing alone, every row of a file a chunk at a time as the import does, with
# nothing written: the memory of a million rows, where the import itself cannot run in time.
PARSE_CHILD = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosuckhoe.settings")
import django
django.setup()
from pathlib import Path
from sosuckhoe.imports.readers import open_sheets
from sosuckhoe.imports.references import References
from sosuckhoe.imports.rows import RowParser
from sosuckhoe.imports.services import best_sheet, chunks, header_text, mapping_of
from sosuckhoe.places.selectors import unit_by_code
unit = unit_by_code(code=sys.argv[2])
started, rows = time.perf_counter(), 0
with open_sheets(Path(sys.argv[1])) as found:
    sheet, layout = best_sheet(found)
    header = header_text(sheet.head()[layout.first_row - 1 : layout.last_row])
    mapping, _saved = mapping_of(header, layout, kind="doses", unit=unit)
    parser = RowParser(mapping=mapping, refs=References.load(scope=unit, doses=True),
                       default_unit=None)
    for chunk in chunks(sheet, parser, after=layout.last_row):
        rows += len([row for row in chunk.rows if row.valid])
seconds = time.perf_counter() - started
"""
PARSE_CHILD += (
    _PEAK
    + """
print(json.dumps({"seconds": seconds, "valid": rows, "peak_kb": peak}))
"""
)


def parse_run(path: Path) -> tuple[float, float, int]:
    """Seconds, peak resident MB and valid rows of reading and parsing `path` in a child."""
    answer = _child(PARSE_CHILD, path)
    return answer["seconds"], answer["peak_kb"] / 1024, answer["valid"]


def memory_check(rows: int, folder: Path) -> float:
    """The peak of reading and parsing `rows` rows (.csv and .xlsx); 0 when not asked."""
    if not rows:
        return 0.0
    started = time.perf_counter()
    made = rows_make(rows)
    folder.mkdir()
    csv_path, xlsx_path = files_write(made, folder)
    del made
    print(f"{rows:,} rows for the memory check written in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    peaks = []
    for path in (csv_path, xlsx_path):
        seconds, peak, valid = parse_run(path)
        print(f"  read and parsed {path.suffix}: {valid:,} valid rows in {seconds:.0f} s, "
              f"peak {peak:.0f} MB", flush=True)  # fmt: skip
        peaks.append(peak)
        path.unlink()
    return max(peaks)


def doses_dump(lot: object, target: Path) -> int:
    """The doses the import wrote, as COPY writes them: the clean rows of the limit."""
    from django.db import connection

    query = "COPY (SELECT * FROM vaccination_dose WHERE lot_id = %s) TO STDOUT"
    with connection.cursor() as cursor:
        with target.open("wb") as f, cursor.copy(query, [lot.pk]) as copy:
            for block in copy:
                f.write(block)
        cursor.execute("SELECT count(*) FROM vaccination_dose WHERE lot_id = %s", [lot.pk])
        return cursor.fetchone()[0]


def copy_run(source: Path) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        source.open("rb") as f,
        cursor.copy("COPY vaccination_dose FROM STDIN") as copy,
    ):
        while block := f.read(1 << 20):
            copy.write(block)
    return time.perf_counter() - started


def doses_delete(lot: object, *, persons_after: int | None = None) -> None:
    """The bench's doses (their analytics' counts stay: each run adds the same), and the
    persons the import registered (ids above `persons_after`); then the two tables vacuumed,
    so that each phase meets them as the first did (the dead rows of the runs before, left
    to autovacuum, slowed the imports and COPYs of a database used again)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM vaccination_dose WHERE lot_id = %s", [lot.pk])
        if persons_after is not None:
            cursor.execute("DELETE FROM people_person WHERE id > %s", [persons_after])
        cursor.execute("VACUUM ANALYZE vaccination_dose, people_person")


def peer_run(csv_path: Path, count: int) -> float:
    """django-import-export, a plain resource, on the first `count` rows; rows/s."""
    import tablib
    from import_export import fields, resources, widgets

    from sosuckhoe.people.models import Person
    from sosuckhoe.places.models import Facility
    from sosuckhoe.supply.models import Lot, Product
    from sosuckhoe.vaccination.models import Dose

    class DoseResource(resources.ModelResource):
        person = fields.Field("person", "Số CCCD", widgets.ForeignKeyWidget(Person, "id_number"))
        product = fields.Field("product", "Tên vắc xin",
                               widgets.ForeignKeyWidget(Product, "key__iexact"))  # fmt: skip
        lot = fields.Field("lot", "Số lô", widgets.ForeignKeyWidget(Lot, "number"))
        site = fields.Field("site", "Nơi tiêm", widgets.ForeignKeyWidget(Facility, "name"))
        given_on = fields.Field("given_on", "Ngày tiêm", widgets.DateWidget("%d/%m/%Y"))

        class Meta:
            model = Dose
            fields = ("person", "product", "lot", "site", "given_on")
            import_id_fields = ("person", "product", "given_on")

        def before_save_instance(self, instance, row, **kwargs):
            # What the form would fill in: the time from the day, the dose's place in the
            # series (no rule checked: a plain resource).
            instance.given_at = dt.datetime.combine(instance.given_on, dt.time(12), dt.UTC)
            instance.kind, instance.number, instance.series_doses = "primary", 1, 2

    with csv_path.open(encoding="utf-8") as f:
        sample = "".join(line for _n, line in zip(range(count + 1), f, strict=False))
    data = tablib.Dataset().load(io.StringIO(sample).read(), format="csv")
    resource, done, elapsed = DoseResource(), 0, 0.0
    # In parts, so that a peer slower than its budget still gives its rate on the rows done.
    while done < len(data) and elapsed < peer_seconds():
        part = tablib.Dataset(*data[done : done + PEER_PART], headers=data.headers)
        started = time.perf_counter()
        result = resource.import_data(part, dry_run=False, raise_errors=False)
        elapsed += time.perf_counter() - started
        done += len(part)
        print(f"  django-import-export: {done:,} rows in {elapsed:.0f} s, "
              f"last part {result.totals}", flush=True)  # fmt: skip
    return done / elapsed


def main() -> None:
    from search import persons_ensure

    django_ready()
    from sosuckhoe.people.models import Person

    persons_ensure(bench_persons_wanted())
    _product, lot = supplies_ensure()
    doses_delete(lot)
    count = rows_wanted()
    last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        rows = rows_make(count)
        csv_path, xlsx_path = files_write(rows, Path(folder))
        del rows
        print(f"{count:,} rows written to .csv and .xlsx in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip

        csv_s, csv_mb, summary, workers = import_run(csv_path)
        print(f"  csv: {csv_s:.1f} s, peak {csv_mb:.0f} MB, {summary['rows']} "
              f"{summary['records']}", flush=True)  # fmt: skip
        dumped = doses_dump(lot, Path(folder) / "doses.copy")
        doses_delete(lot)
        copy_s = copy_run(Path(folder) / "doses.copy")
        print(f"  COPY of the {dumped:,} doses written: {copy_s:.1f} s", flush=True)
        doses_delete(lot, persons_after=last_person)

        xlsx_s, xlsx_mb, summary, _workers = import_run(xlsx_path)
        print(f"  xlsx: {xlsx_s:.1f} s, peak {xlsx_mb:.0f} MB, {summary['rows']} "
              f"{summary['records']}", flush=True)  # fmt: skip
        doses_delete(lot, persons_after=last_person)

        peer = min(peer_rows_wanted(), count // 2)  # the rows of registered persons
        peer_rate = peer_run(csv_path, peer)
        doses_delete(lot)
        parse_peak = memory_check(memory_rows_wanted(), Path(folder) / "memory")

    csv_rate, copy_rate = count / csv_s, dumped / copy_s
    print(bench_line(
        "import",
        csv_rows_per_s=round(csv_rate),
        xlsx_rows_per_s=round(count / xlsx_s),
        copy_rows_per_s=round(copy_rate),
        ratio=csv_rate / copy_rate,
        peer_rows_per_s=round(peer_rate),
        peer_speedup=csv_rate / peer_rate,
        peak_mb=round(max(csv_mb, xlsx_mb)),
        parse_peak_mb=round(parse_peak),
        workers=workers,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
