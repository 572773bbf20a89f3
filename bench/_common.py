"""Helpers shared by the benchmarks: the database, Django, timing and the BENCH line.

Benchmarks are run by `make bench B=<name>`, never by `make test`; they need PostgreSQL.
"""

import io
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench"
BENCH_PROVINCE = "37"  # Ninh Bình (2025-07 edition), the demo province


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def database_ensure(url: str) -> None:
    """Create the benchmark's database when it does not exist yet (PostgreSQL only)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The benchmarks need PostgreSQL, not {parts.scheme!r}")
    name = parts.path.lstrip("/")
    # CREATE DATABASE cannot run in a transaction, hence autocommit on the maintenance db.
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", flush=True)


def django_ready() -> None:
    """Point Django at the benchmark's database (created when missing), migrate it and load
    the administrative units."""
    url = database_url()
    database_ensure(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosuckhoe.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_units", stdout=io.StringIO())


def bench_persons_wanted(default: int = 2_000_000) -> int:
    return int(os.environ.get("BENCH_PERSONS", default))


def timed(work: Callable[[], object]) -> float:
    """Seconds taken by `work()`."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually observed, never interpolated."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def bench_line(name: str, **figures: int | float) -> str:
    """The last line of a benchmark's output, the one a script or a reader picks up."""
    # Floats with two decimals (ratios, milliseconds), integers as they are (rates).
    parts = [
        f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}"
        for key, value in figures.items()
    ]
    return f"BENCH {name} " + " ".join(parts)
