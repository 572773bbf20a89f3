"""How fast `population_generate` fills an empty, fully indexed persons table, against a raw
`COPY ... FROM STDIN` of the very same rows into the same table.

    make bench B=persons                      # 2,000,000 persons
    BENCH_PERSONS=200000 make bench B=persons # a quick try

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench, created if
missing), BENCH_PERSONS, BENCH_GENERATE_RUNS (default 3), BENCH_COPY_RUNS (default 3).
The table is left holding the generated persons, for `make bench B=search`.
"""

import os
import tempfile
from pathlib import Path
from typing import IO

from _common import (
    bench_line,
    bench_persons_wanted,
    django_ready,
    median,
    timed,
)

COPY_CHUNK = 1 << 20


def tables_empty(*, households_too: bool) -> None:
    from django.db import connection

    tables = "people_person, people_household" if households_too else "people_person"
    with connection.cursor() as cursor:
        # CASCADE: rows of other apps that point at persons go too; this is a bench database.
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        # Start each measurement with no dirty pages of the previous one left to write.
        cursor.execute("CHECKPOINT")


def generate_once(persons: int, seed: int) -> float:
    from sosuckhoe.people.generator import population_generate
    from sosuckhoe.places.selectors import province_by_code

    province = province_by_code(code="37")
    tables_empty(households_too=True)
    return timed(lambda: population_generate(unit=province, persons=persons, seed=seed))


def persons_dump(into: IO[bytes]) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.copy("COPY people_person TO STDOUT") as copy:
        for block in copy:
            into.write(block)
    into.flush()


def copy_once(dump: Path) -> float:
    from django.db import connection, transaction

    tables_empty(households_too=False)

    def load() -> None:
        # One transaction like the generator's, so the deferred foreign keys are checked at
        # commit in both measurements.
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.copy("COPY people_person FROM STDIN") as copy,
            dump.open("rb") as f,
        ):
            while block := f.read(COPY_CHUNK):
                copy.write(block)

    return timed(load)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
        cursor.execute("ANALYZE people_household")


def main() -> None:
    django_ready()
    persons = bench_persons_wanted()
    generate_runs = int(os.environ.get("BENCH_GENERATE_RUNS", 3))
    copy_runs = int(os.environ.get("BENCH_COPY_RUNS", 3))

    generate_rates = []
    for run in range(generate_runs):
        seconds = generate_once(persons, seed=2025 + run)
        generate_rates.append(persons / seconds)
        print(
            f"generate run {run + 1}: {seconds:.1f} s, {persons / seconds:,.0f} rows/s", flush=True
        )

    copy_rates = []
    with tempfile.TemporaryDirectory(prefix="bench-persons-") as tmp:
        dump = Path(tmp) / "people_person.copy"
        with dump.open("wb") as f:
            persons_dump(f)
        print(f"dumped {persons:,} rows ({dump.stat().st_size / 1e6:,.0f} MB)", flush=True)
        for run in range(copy_runs):
            seconds = copy_once(dump)
            copy_rates.append(persons / seconds)
            print(
                f"copy run {run + 1}: {seconds:.1f} s, {persons / seconds:,.0f} rows/s", flush=True
            )
    analyze()

    rows_per_s, copy_rows_per_s = median(generate_rates), median(copy_rates)
    print(
        f"median of {generate_runs} generation runs and {copy_runs} COPY runs, "
        f"{persons:,} persons each"
    )
    print(
        bench_line(
            "persons",
            rows_per_s=round(rows_per_s),
            copy_rows_per_s=round(copy_rows_per_s),
            ratio=rows_per_s / copy_rows_per_s,
        )
    )


if __name__ == "__main__":
    main()
