"""The dashboards through HTTP, what keeping their counts current costs each dose, and a full
rebuild of the counts against one GROUP BY over the raw doses.

    make bench B=dashboards
    BENCH_PERSONS=100000 make bench B=dashboards   # the first run's dose histories: ~30 min

Persons (BENCH_PERSONS, default 2,000,000: about 5,000,000 doses) are reused or generated in
the province, with their campaign histories (bench/doses.py), reactions and voids
(campaign_extras), stock at every commune station, paper tallies of the last two weeks at
the first stations, targets seeded from the persons (targets_seed_from_persons) and the
people overdue counted (overdue_count, the daily run; its time is printed). Then:
1. a province officer and the officer of the province's most populous commune each sign in
   on gunicorn (gunicorn.conf.py, two sync workers, 127.0.0.1) and ask, in turns, the
   dashboard page and each chart's JSON and .xlsx, BENCH_REQUESTS times each: p50 / p95 per
   endpoint and user; `worst_p95_ms` is the worst of them (target: below 200 ms);
2. BENCH_DOSES paper doses of yesterday for random persons through the batch service, in
   rounds rolled back, in pairs as is and with the counts' bookkeeping switched off
   (RollupChanges' additions and rollups_apply made no-ops): `rollup_us_per_dose` is the
   median of the pairs' differences per accepted dose (the time spent inside the counts'
   code is printed too);
3. `rollups_rebuild()` of everything (`rebuild_s`: the four count tables, two of them from a
   GROUP BY over the raw doses, per day and per lot) against the per-day dose counts' GROUP
   BY alone, counted without being written (`groupby_s`).

Environment: DATABASE_URL, BENCH_PERSONS, BENCH_REQUESTS (default 30), BENCH_DOSES (default
2000), BENCH_ROUNDS (default 5), BENCH_GENERATE=0 (no dose histories generated: the doses
already there; what is missing of the rest is made all the same), BENCH_GENERATE=copy (the
histories of every COPY_EVERY-th commune's persons generated through the batch service, then
each person still without one given a copy of the history of a person of the same birth year
and sex, at their own commune's station, in one INSERT … SELECT: the dashboards read counts,
whose shape matters here, not how each dose was written; minutes instead of an hour or more
for the full size), BENCH_OVERDUE_UNIT (the code of the unit whose people overdue are
counted; default the province: the daily run takes about 2.6 ms a person).
"""

import contextlib
import datetime as dt
import logging
import os
import random
import time
from collections.abc import Iterator
from unittest import mock

import httpx
from _api import reference_load
from _common import (
    BENCH_PROVINCE,
    bench_line,
    bench_persons_wanted,
    django_ready,
    median,
    percentile,
)
from doses import doses_ensure
from search import gunicorn, persons_ensure

PROVINCE_USER, COMMUNE_USER = "bench_dash_tinh", "bench_dash_xa"
CHARTS = (
    "coverage", "doses", "lagging", "overdue", "stock", "reactions-product", "reactions-lot",
    "backlog",
)  # fmt: skip
TALLY_SITES, TALLY_DAYS = 20, 14
COPY_EVERY = 10
PAPER = "Nhập bù từ sổ tiêm giấy (benchmark)"


def histories_sampled() -> None:
    """Histories through the batch service for the persons of every COPY_EVERY-th commune."""
    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.places.models import AdminUnit, UnitLevel
    from sosuckhoe.places.selectors import province_by_code
    from sosuckhoe.places.services import commune_stations_ensure
    from sosuckhoe.vaccination.generator import histories_generate

    province = province_by_code(code=BENCH_PROVINCE)
    commune_stations_ensure(province=province)
    communes = AdminUnit.objects.subtree_of(province).filter(level=UnitLevel.COMMUNE)
    started = time.perf_counter()
    for commune in communes.order_by("path")[::COPY_EVERY]:
        histories_generate(actor=Actor.system("bench"), unit=commune, seed=2025)
    print(f"sampled histories: {time.perf_counter() - started:.0f} s", flush=True)


# Persons with and without a history numbered within their birth year and sex; the n-th
# without one copies the valid doses of the (n mod count)-th with one (an equi-join).
COPY_SQL = """
WITH done AS (
    SELECT p.id, p.birth_year, p.sex,
           row_number() OVER (PARTITION BY p.birth_year, p.sex ORDER BY p.id) AS k
    FROM people_person p
    WHERE EXISTS (SELECT 1 FROM vaccination_dose d WHERE d.person_id = p.id)
), buckets AS (
    SELECT birth_year, sex, count(*) AS n FROM done GROUP BY birth_year, sex
), todo AS (
    SELECT p.id, p.birth_year, p.sex, p.home_unit_id,
           (row_number() OVER (PARTITION BY p.birth_year, p.sex ORDER BY p.id) - 1)
           % buckets.n + 1 AS k
    FROM people_person p
    JOIN buckets ON buckets.birth_year = p.birth_year AND buckets.sex = p.sex
    WHERE p.merged_into_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM vaccination_dose d WHERE d.person_id = p.id)
)
INSERT INTO vaccination_dose (
    uuid, person_id, product_id, lot_id, site_id, given_at, given_on, kind, number,
    series_doses, rule_id, vaccinator_id, recorded_at, late_entry_reason,
    voided_by_name, void_kind, void_reason
)
SELECT gen_random_uuid(), todo.id, d.product_id, d.lot_id, station.id, d.given_at,
       d.given_on, d.kind, d.number, d.series_doses, d.rule_id, d.vaccinator_id, now(),
       d.late_entry_reason, '', '', ''
FROM todo
JOIN done ON done.birth_year = todo.birth_year AND done.sex = todo.sex AND done.k = todo.k
JOIN vaccination_dose d ON d.person_id = done.id AND d.voided_at IS NULL
JOIN places_facility station ON station.unit_id = todo.home_unit_id
                            AND station.kind = 'commune_station'
"""


def histories_copied() -> None:
    """Each person without a history given a copy of one (COPY_SQL), then the counts rebuilt."""
    from django.db import connection, transaction

    from sosuckhoe.analytics.services import rollups_rebuild

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COPY_SQL)
        copied = cursor.rowcount
    print(f"copied histories: {copied:,} doses in {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip
    rollups_rebuild()


def extras_ensure() -> None:
    """Reactions, voids and stock of the campaign, tallies of the last two weeks and targets,
    once: a rerun finds them."""
    from django.utils import timezone

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.analytics.models import OverdueCount, TargetPopulation
    from sosuckhoe.analytics.overdue import overdue_count
    from sosuckhoe.analytics.targets import targets_seed_from_persons
    from sosuckhoe.places.models import Facility, FacilityKind
    from sosuckhoe.places.selectors import province_by_code, unit_by_code
    from sosuckhoe.supply.models import Product
    from sosuckhoe.vaccination.generator import campaign_extras, campaign_stock_and_sessions
    from sosuckhoe.vaccination.models import DailyTally, Reaction
    from sosuckhoe.vaccination.services.tally import tally_enter

    actor, province = Actor.system("bench"), province_by_code(code=BENCH_PROVINCE)
    if not Reaction.objects.exists():
        print("reactions, voids, stock…", flush=True)
        campaign_extras(actor=actor, unit=province, seed=2025)
        campaign_stock_and_sessions(actor=actor, unit=province)
    today = timezone.localdate()
    if not DailyTally.objects.filter(day=today).exists():
        sites = Facility.objects.filter(
            kind=FacilityKind.COMMUNE_STATION, unit__path__startswith=province.path
        ).order_by("unit__path")[:TALLY_SITES]
        product = Product.objects.get(key="comirnaty")
        rng = random.Random(2025)
        for site in sites:
            for days_ago in range(TALLY_DAYS):
                day = today - dt.timedelta(days=days_ago)
                tally_enter(
                    actor=actor, site=site, day=day, product=product, doses=rng.randint(20, 80)
                )
    if not TargetPopulation.objects.exists():
        targets_seed_from_persons(actor=actor, unit=province, on=today)
    if not OverdueCount.objects.filter(counted_on=today).exists():
        started = time.perf_counter()
        code = os.environ.get("BENCH_OVERDUE_UNIT")
        counted = province if code is None else unit_by_code(code=code)
        overdue = overdue_count(actor=actor, unit=counted, on=today)
        print(f"overdue_count: {overdue:,} people overdue, {time.perf_counter() - started:.0f} s "
              "(the daily run)", flush=True)  # fmt: skip


def users_ensure() -> dict[str, str]:
    """The province officer and the officer of its most populous commune: their passwords."""
    import secrets

    from django.db.models import Count

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.accounts.models import Role, StaffUser
    from sosuckhoe.accounts.services import staff_create
    from sosuckhoe.people.models import Person
    from sosuckhoe.places.models import AdminUnit
    from sosuckhoe.places.selectors import province_by_code

    province = province_by_code(code=BENCH_PROVINCE)
    biggest = (
        Person.objects.filter(home_unit__path__startswith=province.path)
        .values("home_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert biggest is not None
    commune = AdminUnit.objects.get(pk=biggest["home_unit"])
    print(f"commune officer of {commune.name} ({biggest['n']:,} persons)", flush=True)
    passwords = {}
    for username, role, unit in (
        (PROVINCE_USER, Role.PROVINCE, province),
        (COMMUNE_USER, Role.COMMUNE, commune),
    ):
        password = secrets.token_urlsafe(16)
        user = StaffUser.objects.filter(username=username).first()
        if user is None:
            staff_create(actor=Actor.system("bench"), username=username, password=password,
                         role=role, unit=unit)  # fmt: skip
        else:
            user.set_password(password)
            user.unit = unit
            user.save(update_fields=["password", "unit"])
        passwords[username] = password
    return passwords


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    client.get("/login/").raise_for_status()
    response = client.post(
        "/login/",
        data={"username": username, "password": password,
              "csrfmiddlewaretoken": client.cookies["csrftoken"]},
    )  # fmt: skip
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {username} failed: HTTP {response.status_code}")


def endpoints() -> list[str]:
    paths = ["/dashboard/"]
    for chart in CHARTS:
        paths += [f"/dashboard/{chart}.json", f"/dashboard/{chart}.xlsx"]
    return paths


def get_ms(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status_code}")
    return elapsed


def measure_http(passwords: dict[str, str], requests: int) -> float:
    """p50 / p95 of every endpoint for each user, asked in turns; the worst p95."""
    timings: dict[tuple[str, str], list[float]] = {}
    with (
        gunicorn("sosuckhoe.wsgi", "sosuckhoe.settings", "/healthz") as base,
        httpx.Client(base_url=base, timeout=60) as province,
        httpx.Client(base_url=base, timeout=60) as commune,
    ):
        sign_in(province, PROVINCE_USER, passwords[PROVINCE_USER])
        sign_in(commune, COMMUNE_USER, passwords[COMMUNE_USER])
        clients = {"province": province, "commune": commune}
        for client in clients.values():  # warm-up: each worker's caches
            for path in endpoints():
                get_ms(client, path)
                get_ms(client, path)
        for _round in range(requests):
            for path in endpoints():
                for who, client in clients.items():
                    timings.setdefault((who, path), []).append(get_ms(client, path))
    worst = 0.0
    for (who, path), times in timings.items():
        p50, p95 = percentile(times, 50), percentile(times, 95)
        worst = max(worst, p95)
        print(f"{who:8} {path:36} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
    return worst


@contextlib.contextmanager
def rollups_off() -> Iterator[None]:
    """The counts' bookkeeping of a dose made a no-op: recording as if there were none."""
    from sosuckhoe.analytics import services as analytics
    from sosuckhoe.vaccination.services import batch, doses

    nothing = lambda *args, **kwargs: None  # noqa: E731
    with (
        mock.patch.object(batch, "rollups_apply", nothing),
        mock.patch.object(doses, "rollups_apply", nothing),
        mock.patch.object(analytics.RollupChanges, "dose_added", nothing),
        mock.patch.object(analytics.RollupChanges, "dose_renumbered", nothing),
    ):
        yield


@contextlib.contextmanager
def rollups_timed(spent: list[float]) -> Iterator[None]:
    """The counts' bookkeeping of a batch timed: its seconds added up in `spent`."""
    from sosuckhoe.analytics import services as analytics
    from sosuckhoe.vaccination.services import batch

    def timed(work):  # type: ignore[no-untyped-def]
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return work(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - started)

        return run

    with (
        mock.patch.object(batch, "rollups_apply", timed(batch.rollups_apply)),
        mock.patch.object(
            analytics.RollupChanges, "dose_added", timed(analytics.RollupChanges.dose_added)
        ),
    ):
        yield


def rollup_cost_us(count: int, rounds: int) -> float:
    """µs per accepted dose that keeping the counts adds: the median of the differences of
    rounds run in pairs, with and without (in turns first), so that the machine's load,
    which drifts over minutes, weighs on both rounds of a pair alike."""
    from django.db import transaction
    from django.utils import timezone

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.people.models import Person
    from sosuckhoe.places.models import Facility, FacilityKind
    from sosuckhoe.supply.models import Lot
    from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch

    site = (
        Facility.objects.filter(
            kind=FacilityKind.COMMUNE_STATION, unit__path__contains=f"/{BENCH_PROVINCE}/"
        )
        .order_by("unit__path")
        .first()
    )
    lot = Lot.objects.filter(product__key="comirnaty").order_by("-expiry_date").first()
    assert site is not None
    assert lot is not None
    persons = list(
        Person.objects.filter(home_unit__path__contains=f"/{BENCH_PROVINCE}/",
                              birth_year__lte=timezone.localdate().year - 20)
        .order_by("?").values_list("uuid", flat=True)[:count]
    )  # fmt: skip
    # Yesterday's, from paper: a dose of today would use the site's stock.
    yesterday = timezone.now() - dt.timedelta(days=1)
    items = [
        DoseItem(person=uuid, product="comirnaty", lot=lot.number, site=site.uuid,
                 given_at=yesterday, late_entry_reason=PAPER)
        for uuid in persons
    ]  # fmt: skip
    actor = Actor.system("bench")

    accepted = count

    def round_us() -> float:
        nonlocal accepted
        with transaction.atomic():
            started = time.perf_counter()
            results = doses_record_batch(actor=actor, items=items, use_stock=False)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        accepted = sum(1 for r in results if r.accepted)
        if not accepted:
            raise SystemExit("no dose accepted: no person may have one today")
        return elapsed * 1e6 / accepted

    def without_us() -> float:
        with rollups_off():
            return round_us()

    with_counts, without, inside = [], [], []
    round_us()  # warm-up
    for pair in range(rounds):
        if pair % 2:
            without.append(without_us())
        spent: list[float] = []
        with rollups_timed(spent):
            with_counts.append(round_us())
        inside.append(sum(spent) * 1e6 / accepted)
        if not pair % 2:
            without.append(without_us())
    print(f"recording: {median(with_counts):.0f} µs a dose with the counts, "
          f"{median(without):.0f} µs without; {median(inside):.0f} µs a dose inside the "
          "counts' code (RollupChanges.dose_added, rollups_apply)", flush=True)  # fmt: skip
    return median([w - o for w, o in zip(with_counts, without, strict=True)])


def rebuild_against_groupby() -> tuple[float, float]:
    """Seconds of a full rebuild, and of its dose GROUP BY alone, counted and not written."""
    from django.db import connection

    from sosuckhoe.analytics.services import _dose_groups, rollups_rebuild

    sql, params = _dose_groups(None).query.sql_with_params()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS groups", params)
        groups = cursor.fetchone()[0]
    groupby_s = time.perf_counter() - started
    started = time.perf_counter()
    rebuilt = rollups_rebuild()
    rebuild_s = time.perf_counter() - started
    print(f"rebuild: {rebuilt.dose_rows:,} dose rows ({groups:,} groups), "
          f"{rebuilt.total_rows:,} rows of all days, {rebuilt.lot_rows:,} lot rows, "
          f"{rebuilt.reaction_rows:,} reaction rows", flush=True)  # fmt: skip
    return rebuild_s, groupby_s


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    django_ready()
    requests = int(os.environ.get("BENCH_REQUESTS", 30))
    doses = int(os.environ.get("BENCH_DOSES", 2000))
    rounds = int(os.environ.get("BENCH_ROUNDS", 5))
    reference_load()
    persons_ensure(bench_persons_wanted())
    generate = os.environ.get("BENCH_GENERATE", "1")
    if generate == "copy":
        histories_sampled()
        histories_copied()
    elif generate != "0":
        doses_ensure()
    extras_ensure()
    from django.db import connection, connections

    from sosuckhoe.vaccination.models import Dose

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{Dose.objects.count():,} doses", flush=True)
    passwords = users_ensure()
    connections.close_all()
    worst_p95 = measure_http(passwords, requests)
    us_per_dose = rollup_cost_us(doses, rounds)
    rebuild_s, groupby_s = rebuild_against_groupby()
    print(
        bench_line(
            "dashboards",
            worst_p95_ms=worst_p95,
            rollup_us_per_dose=round(us_per_dose),
            rebuild_s=rebuild_s,
            groupby_s=groupby_s,
        )
    )


if __name__ == "__main__":
    main()
