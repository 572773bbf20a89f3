"""Latency of the console's person search over HTTP, with a province's worth of persons.

    make bench B=search

Gunicorn (sync workers) serves the app on a free port of 127.0.0.1; a province officer signs
in and sends sequential `GET /persons/?q=…` with real CCCD numbers, phones (0xxx form) and
name prefixes sampled from the table, a different value per request. The persons left by
`make bench B=persons` are reused; otherwise BENCH_PERSONS (default 2,000,000) are generated.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench),
BENCH_PERSONS, BENCH_REQUESTS (per kind, default 300), BENCH_SECONDS (per kind, default 60).
"""

import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from _common import (
    BENCH_PROVINCE,
    ROOT,
    bench_line,
    bench_persons_wanted,
    database_ensure,
    database_url,
    django_ready,
    percentile,
)

USERNAME = "bench_tinh"
WARMUP = 10  # requests per kind before the clock starts: imports, caches, connections
KINDS = ("cccd", "phone", "name")


def persons_ensure(wanted: int) -> None:
    """Generate the population unless the table already holds as many persons."""
    from django.db import connection

    from sosuckhoe.people.generator import population_generate
    from sosuckhoe.people.models import Person
    from sosuckhoe.places.selectors import province_by_code

    have = Person.objects.count()
    if have < wanted:
        print(f"{have:,} persons in the table; generating {wanted:,}…", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE people_person, people_household CASCADE")
        population_generate(unit=province_by_code(code=BENCH_PROVINCE), persons=wanted, seed=2025)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")


def officer_ensure() -> str:
    """A province officer of the bench province with a fresh password, which is returned."""
    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.accounts.models import Role, StaffUser
    from sosuckhoe.accounts.services import staff_create
    from sosuckhoe.places.selectors import province_by_code

    password = secrets.token_urlsafe(16)
    user = StaffUser.objects.filter(username=USERNAME).first()
    if user is None:
        staff_create(
            actor=Actor.system("bench"),
            username=USERNAME,
            password=password,
            role=Role.PROVINCE,
            unit=province_by_code(code=BENCH_PROVINCE),
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    return password


def samples(count: int) -> dict[str, list[str]]:
    """Search texts as staff would type them, from random persons of the table."""
    from django.db import connection

    from sosuckhoe.people.models import Person
    from sosuckhoe.people.selectors import SearchQuery

    # Sample whole pages, about ten times the rows needed: a random sort of 2M rows is slow.
    percent = min(100.0, 1000.0 * count / max(1, Person.objects.count()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, name_key FROM people_person TABLESAMPLE SYSTEM (%s) "
            "WHERE id_kind = 'cccd' AND phone <> '' ORDER BY random() LIMIT %s",
            [percent, 2 * count],
        )
        rows = cursor.fetchall()
    # About 2% of generated phones are in ranges that libphonenumber does not know, and so
    # are not taken for phones by the search: sampled, they would time a different query.
    phones = ["0" + phone.removeprefix("+84") for _, phone, _ in rows]
    phones = [text for text in phones if SearchQuery.parse(text).kind == "phone"]
    if len(phones) < count:
        raise SystemExit(f"only {len(phones)} persons sampled, {count} wanted: too few persons")
    names = []
    for index, (_, _, name_key) in enumerate(rows[:count]):
        family, middle, given = name_key.split(" ", 2)
        # Half "nguyen van h" (the first letter of the given name), half the broader "tran thi".
        names.append(f"{family} {middle} {given[0]}" if index % 2 else f"{family} {middle}")
    return {"cccd": [row[0] for row in rows[:count]], "phone": phones[:count], "name": names}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(port: int) -> Iterator[str]:
    """The app served on 127.0.0.1:port by two sync workers, as `make run` does."""
    env = {**os.environ, "SOSUCKHOE_MODE": "embedded", "ALLOWED_HOSTS": "127.0.0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sosuckhoe.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--worker-class", "sync", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("gunicorn did not come up")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def sign_in(client: httpx.Client, password: str) -> None:
    client.get("/login/").raise_for_status()
    response = client.post(
        "/login/",
        data={
            "username": USERNAME,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: HTTP {response.status_code}")


def search_ms(client: httpx.Client, text: str) -> tuple[float, bool]:
    """Milliseconds of one search, and whether it found anybody."""
    started = time.perf_counter()
    response = client.get("/persons/", params={"q": text})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET /persons/?q={text}: HTTP {response.status_code}")
    return elapsed, "<tbody>" in response.text


def measure(client: httpx.Client, texts: dict[str, list[str]], budget_s: float) -> dict:
    """Kinds take turns, one request each, so that none enjoys a cache warmed by its own run."""
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    found = dict.fromkeys(KINDS, 0)
    for kind in KINDS:
        for text in texts[kind][:WARMUP]:
            search_ms(client, text)
    deadline = time.monotonic() + budget_s * len(KINDS)
    for index in range(WARMUP, len(texts["cccd"])):
        if time.monotonic() > deadline:
            break
        for kind in KINDS:
            ms, hit = search_ms(client, texts[kind][index])
            timings[kind].append(ms)
            found[kind] += hit
    for kind in KINDS:
        print(f"{kind}: {len(timings[kind])} requests, {found[kind]} found someone", flush=True)
    return timings


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    url = database_url()
    database_ensure(url)
    django_ready(url)
    requests = int(os.environ.get("BENCH_REQUESTS", 300))
    budget_s = float(os.environ.get("BENCH_SECONDS", 60))
    persons_ensure(bench_persons_wanted())
    password = officer_ensure()
    texts = samples(requests + WARMUP)
    from django.db import connections

    connections.close_all()  # the server's workers need no competition from this process
    with gunicorn(free_port()) as base, httpx.Client(base_url=base, timeout=30) as client:
        sign_in(client, password)
        timings = measure(client, texts, budget_s)
    figures = {}
    for kind in KINDS:
        figures[f"{kind}_p50_ms"] = percentile(timings[kind], 50)
        figures[f"{kind}_p99_ms"] = percentile(timings[kind], 99)
    print(bench_line("search", **figures))


if __name__ == "__main__":
    main()
