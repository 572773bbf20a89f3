"""Latency of the console's person search over HTTP, with a province's worth of persons,
measured against a bare Django reference served the same way on the same machine.

    make bench B=search

Gunicorn (the project's gunicorn.conf.py, two sync workers) serves the app on a free port of
127.0.0.1; a province officer signs in and sends sequential `GET /persons/?q=…` with real CCCD
numbers, phones (0xxx form) and name prefixes sampled from the table, a different value per
request, and `GET /` (the home page, which does nothing but render). A second gunicorn with the
same configuration serves bench/reference: plain Django, no middleware, one view reading one
person by primary key as JSON. Every kind takes its turn in each round, so that all see the
same machine; the figures that travel between machines are the ratios to the reference's p50.
The persons left by `make bench B=persons` are reused; otherwise BENCH_PERSONS (default
2,000,000) are generated.

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
    django_ready,
    percentile,
)

USERNAME = "bench_tinh"
WARMUP = 10  # requests per kind before the clock starts: imports, caches, connections
SEARCHES = ("cccd", "phone", "name")
KINDS = ("ref", "home", *SEARCHES)


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
    """Search texts as staff would type them, and person ids, from random persons of the table."""
    from django.db import connection

    from sosuckhoe.people.models import Person
    from sosuckhoe.people.selectors import SearchQuery

    # Sample whole pages, about ten times the rows needed: a random sort of 2M rows is slow.
    percent = min(100.0, 1000.0 * count / max(1, Person.objects.count()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, id_number, phone, name_key FROM people_person TABLESAMPLE SYSTEM (%s) "
            "WHERE id_kind = 'cccd' AND phone <> '' ORDER BY random() LIMIT %s",
            [percent, 2 * count],
        )
        rows = cursor.fetchall()
    # About 2% of generated phones are in ranges that libphonenumber does not know, and so
    # are not taken for phones by the search: sampled, they would time a different query.
    phones = ["0" + phone.removeprefix("+84") for _, _, phone, _ in rows]
    phones = [text for text in phones if SearchQuery.parse(text).kind == "phone"]
    if len(phones) < count:
        raise SystemExit(f"only {len(phones)} persons sampled, {count} wanted: too few persons")
    names = []
    for index, (_, _, _, name_key) in enumerate(rows[:count]):
        family, middle, given = name_key.split(" ", 2)
        # Half "nguyen van h" (the first letter of the given name), half the broader "tran thi".
        names.append(f"{family} {middle} {given[0]}" if index % 2 else f"{family} {middle}")
    return {
        "ref": [str(row[0]) for row in rows[:count]],
        "home": [""] * count,
        "cccd": [row[1] for row in rows[:count]],
        "phone": phones[:count],
        "name": names,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(app: str, settings_module: str, ready_path: str) -> Iterator[str]:
    """`app` served on a free port of 127.0.0.1 by gunicorn.conf.py with two sync workers (or
    BENCH_WORKERS), as `make run` does; access lines go nowhere (a line per request would time
    the terminal). The reference and the application get the same number."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SOSUCKHOE_MODE": "embedded",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_WORKERS": os.environ.get("BENCH_WORKERS", "2"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--worker-class", "sync", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}{ready_path}", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"gunicorn did not come up for {app}")
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


def request_ms(clients: dict[str, httpx.Client], kind: str, value: str) -> tuple[float, bool]:
    """Milliseconds of one request of a kind, and whether a search found anybody."""
    if kind == "ref":
        client, path, params = clients["ref"], f"/persons/{value}/", {}
    elif kind == "home":
        client, path, params = clients["app"], "/", {}
    else:
        client, path, params = clients["app"], "/persons/", {"q": value}
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    # A redirect would be the sign-in page: a home page that was never served.
    if response.status_code != 200:
        raise SystemExit(f"GET {path} {params}: HTTP {response.status_code}")
    return elapsed, "<tbody>" in response.text


def measure(
    clients: dict[str, httpx.Client], values: dict[str, list[str]], budget_s: float
) -> dict[str, list[float]]:
    """Kinds take turns, one request each, so that none enjoys a cache warmed by its own run
    and all see the same load of the machine."""
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    found = dict.fromkeys(SEARCHES, 0)
    for kind in KINDS:
        for value in values[kind][:WARMUP]:
            request_ms(clients, kind, value)
    deadline = time.monotonic() + budget_s * len(KINDS)
    for index in range(WARMUP, len(values["cccd"])):
        if time.monotonic() > deadline:
            break
        for kind in KINDS:
            ms, hit = request_ms(clients, kind, values[kind][index])
            timings[kind].append(ms)
            if kind in found:
                found[kind] += hit
    for kind in KINDS:
        times = timings[kind]
        line = f"{kind}: {len(times)} requests, p50 {percentile(times, 50):.2f} ms, "
        line += f"p99 {percentile(times, 99):.2f} ms"
        if kind in found:
            line += f", {found[kind]} found someone"
        print(line, flush=True)
    return timings


def figures_of(timings: dict[str, list[float]]) -> dict[str, float]:
    """The BENCH line's figures: searches' p50 and p99, then the home page against the floor."""
    figures = {}
    for kind in SEARCHES:
        figures[f"{kind}_p50_ms"] = percentile(timings[kind], 50)
        figures[f"{kind}_p99_ms"] = percentile(timings[kind], 99)
    ref = percentile(timings["ref"], 50)
    figures["ref_p50_ms"] = ref
    figures["home_p50_ms"] = percentile(timings["home"], 50)
    figures["home_ratio"] = figures["home_p50_ms"] / ref
    figures["worst_p99_ratio"] = max(figures[f"{kind}_p99_ms"] for kind in SEARCHES) / ref
    return figures


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    django_ready()
    requests = int(os.environ.get("BENCH_REQUESTS", 300))
    budget_s = float(os.environ.get("BENCH_SECONDS", 60))
    persons_ensure(bench_persons_wanted())
    password = officer_ensure()
    values = samples(requests + WARMUP)
    from django.db import connections

    connections.close_all()  # the servers' workers need no competition from this process
    ref_ready = f"/persons/{values['ref'][0]}/"
    with (
        gunicorn("sosuckhoe.wsgi", "sosuckhoe.settings", "/healthz") as app_base,
        gunicorn("bench.reference.wsgi", "bench.reference.settings", ref_ready) as ref_base,
        httpx.Client(base_url=app_base, timeout=30) as app,
        httpx.Client(base_url=ref_base, timeout=30) as ref,
    ):
        sign_in(app, password)
        timings = measure({"app": app, "ref": ref}, values, budget_s)
    print(bench_line("search", **figures_of(timings)))


if __name__ == "__main__":
    main()
