"""Recording doses through the REST API, with a province's persons and their campaign
histories in PostgreSQL, against a token-authenticated primary-key read served the same way.

    make bench B=doses
    BENCH_PERSONS=20000 make bench B=doses     # a quick try

Persons (BENCH_PERSONS, default 2,000,000) are reused from the table or generated; their dose
histories of the 2021–2022 campaign (about two doses a person) are generated through the
batch service for those who have none. A site officer of a commune station gets an API key,
the station a lot of Comirnaty with stock, and persons who may have a dose today are screened
(screening_record). Then, on two gunicorns with the same configuration (gunicorn.conf.py, two
sync workers) on 127.0.0.1:
1. the reference, bench/reference: `GET /api/persons/<id>/` behind the same token check
   (the key's hash, one query, through DRF), one primary-key SELECT — from 16 clients;
2. `POST /api/v1/doses/`, one dose a request, from 16 clients;
3. `POST /api/v1/doses/batch/` with 1,000 doses a request, from 2 clients (one per worker).
The reference and the one-dose requests run in BENCH_ROUNDS rounds (default 3), each the
reference's share then the doses' share, so that both meet the same machine; `ratio` is the
median of the rounds' doses/s over reference requests/s; `p99_ms` the one-dose requests'
p99, and `reference_p99_ms` the reference's, under the same 16 clients: the floor of any request's
tail on the machine (16 clients on two workers queue whatever the request does).

Environment: DATABASE_URL, BENCH_PERSONS, BENCH_REQUESTS (one-dose requests and reference
requests, default 4000), BENCH_BATCH_DOSES (default 20000), BENCH_CLIENTS (default 16),
BENCH_SECONDS (per phase, default 120), BENCH_ROUNDS, BENCH_GENERATE=0 (measure with the doses
already in the table: a generation stopped half way). API_THROTTLE_RATE is set high.
"""

import datetime as dt
import os
from decimal import Decimal

from _api import Answer, Client, concurrently, reference_load, send, staff_key, statuses
from _common import (
    BENCH_PROVINCE,
    bench_line,
    bench_persons_wanted,
    django_ready,
    median,
    percentile,
)
from search import gunicorn, persons_ensure

USERNAME = "bench_tram"
BATCH = 1000
BATCH_CLIENTS = 2


def doses_ensure() -> None:
    """Campaign histories for the persons who have none (about two doses each)."""
    import time

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.places.selectors import province_by_code
    from sosuckhoe.places.services import commune_stations_ensure
    from sosuckhoe.vaccination.generator import histories_generate
    from sosuckhoe.vaccination.models import Dose

    province = province_by_code(code=BENCH_PROVINCE)
    commune_stations_ensure(province=province)
    started = time.perf_counter()
    report = histories_generate(
        actor=Actor.system("bench"),
        unit=province,
        seed=2025,
        on_progress=lambda done: print(f"  {done:,} doses…", flush=True) if done else None,
    )
    if report.doses:
        elapsed = time.perf_counter() - started
        print(f"{report.doses:,} doses generated in {elapsed:.0f} s", flush=True)
    print(f"{Dose.objects.count():,} doses in the table", flush=True)


def site_ready(doses: int) -> tuple[object, object, str]:
    """The first commune station of the province, a lot of Comirnaty with `doses` in stock
    there, and the API key of one of its officers."""
    from django.utils import timezone

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.accounts.models import Role
    from sosuckhoe.places.models import Facility, FacilityKind
    from sosuckhoe.supply.models import Product
    from sosuckhoe.supply.services import lot_register, stock_receive

    actor = Actor.system("bench")
    site = (
        Facility.objects.filter(
            kind=FacilityKind.COMMUNE_STATION, unit__path__contains=f"/{BENCH_PROVINCE}/"
        )
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    assert site is not None
    lot = lot_register(
        actor=actor,
        product=Product.objects.get(key="comirnaty"),
        number=f"BENCH{timezone.localdate():%Y%m%d}",
        expiry_date=timezone.localdate() + dt.timedelta(days=365),
    )
    stock_receive(actor=actor, facility=site, lot=lot, doses=doses)
    return site, lot, staff_key(USERNAME, Role.SITE_STAFF, site.unit)


def persons_screened(site: object, count: int) -> list[tuple[str, str]]:
    """(person uuid, screening uuid) of `count` adults who may have Comirnaty today, screened
    eligible at the site."""
    from django.utils import timezone

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.people.models import Person
    from sosuckhoe.supply.models import Product
    from sosuckhoe.vaccination.models import Screening, ScreeningItem, ScreeningOutcome
    from sosuckhoe.vaccination.services import eligibility_check
    from sosuckhoe.vaccination.services.screening import Vitals, screening_record

    today, actor = timezone.localdate(), Actor.system("bench")
    comirnaty = Product.objects.get(key="comirnaty")
    # Those an earlier run of today screened here and did not vaccinate: a run can be repeated.
    chosen = [
        (str(person), str(screening))
        for person, screening in Screening.objects.filter(
            site=site, screened_on=today, outcome=ScreeningOutcome.ELIGIBLE
        )
        .exclude(person__doses__given_on=today)
        .values_list("person__uuid", "uuid")[:count]
    ]
    answers = dict.fromkeys(
        ScreeningItem.objects.filter(
            form__kind="adult", answer_type__startswith="yes_no"
        ).values_list("code", flat=True),
        False,
    )
    candidates = (
        Person.objects.filter(birth_year__lte=today.year - 20, merged_into__isnull=True)
        .exclude(doses__given_on=today)
        .exclude(screenings__screened_on=today)
        .order_by("?")
    )
    for person in candidates[: count * 3].iterator():
        if len(chosen) == count:
            break
        if eligibility_check(person=person, on=today, product=comirnaty).ok:
            screening = screening_record(
                actor=actor,
                person=person,
                site=site,  # type: ignore[arg-type]
                answers=answers,
                vitals=Vitals(temperature_c=Decimal("36.6")),
            )
            chosen.append((str(person.uuid), str(screening.uuid)))
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} persons may have a dose today, {count} wanted")
    return chosen


def main() -> None:
    django_ready()
    requests = int(os.environ.get("BENCH_REQUESTS", 4000))
    batch_doses = int(os.environ.get("BENCH_BATCH_DOSES", 20000))
    clients = int(os.environ.get("BENCH_CLIENTS", 16))
    budget_s = float(os.environ.get("BENCH_SECONDS", 120))
    rounds = int(os.environ.get("BENCH_ROUNDS", 3))
    reference_load()
    persons_ensure(bench_persons_wanted())
    if os.environ.get("BENCH_GENERATE", "1") != "0":
        doses_ensure()
    site, lot, key = site_ready(requests + batch_doses)
    print("screening the persons to vaccinate…", flush=True)
    persons = persons_screened(site, requests + batch_doses)
    from django.db import connection, connections
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM people_person")
        percent = min(100.0, 300.0 * requests / cursor.fetchone()[0])
        cursor.execute(
            "SELECT id FROM people_person TABLESAMPLE SYSTEM (%s) LIMIT %s", [percent, requests]
        )
        ids = [row[0] for row in cursor.fetchall()]
    connections.close_all()

    def dose(person: str, screening: str) -> dict[str, object]:
        return {
            "person": person,
            "product": "comirnaty",
            "lot": lot.number,  # type: ignore[attr-defined]
            "site": str(site.uuid),  # type: ignore[attr-defined]
            "given_at": timezone.now().isoformat(),
            "screening": screening,
        }

    def one(client: Client, item: tuple[str, str]) -> Answer:
        return send(client, "POST", "/api/v1/doses/", dose(*item))

    def reference(client: Client, pk: int) -> Answer:
        return send(client, "GET", f"/api/persons/{pk}/")

    singles, batched = persons[:requests], persons[requests:]
    chunks = [batched[i : i + BATCH] for i in range(0, len(batched), BATCH)]
    accepted = 0

    def batch(client: Client, chunk: list[tuple[str, str]]) -> Answer:
        nonlocal accepted
        reply = client.request(
            "POST", "/api/v1/doses/batch/", {"items": [dose(*item) for item in chunk]}
        )
        results = reply.json().get("results", []) if reply.status == 200 else []
        accepted += sum(1 for r in results if r.get("accepted"))
        return Answer(reply.ms, reply.status, "")

    ref_ready = f"/persons/{ids[0]}/"
    with (
        gunicorn("sosuckhoe.wsgi", "sosuckhoe.settings", "/healthz") as app,
        gunicorn("bench.reference.wsgi", "bench.reference.settings", ref_ready) as ref,
    ):
        ref_answers, dose_answers, ratios = [], [], []
        ref_s = dose_s = 0.0
        # In rounds, each the reference then one dose a request: the machine's mood changes
        # within minutes, and a ratio of two phases run minutes apart measured it.
        for part in range(rounds):
            ref_part, ref_part_s = concurrently(
                ref, key, clients, ids[part::rounds], reference, budget_s / rounds
            )
            dose_part, dose_part_s = concurrently(
                app, key, clients, singles[part::rounds], one, budget_s / rounds
            )
            ref_rate = sum(a.status == 200 for a in ref_part) / ref_part_s
            dose_rate = sum(a.status == 201 for a in dose_part) / dose_part_s
            print(f"round {part + 1}: reference {ref_rate:.0f}/s, one dose {dose_rate:.0f}/s")
            ratios.append(dose_rate / ref_rate)
            ref_answers += ref_part
            dose_answers += dose_part
            ref_s, dose_s = ref_s + ref_part_s, dose_s + dose_part_s
        batch_answers, batch_s = concurrently(app, key, BATCH_CLIENTS, chunks, batch, budget_s)
    ok = [a for a in dose_answers if a.status == 201]
    ref_ok = [a for a in ref_answers if a.status == 200]
    print(f"reference: {len(ref_answers)} requests in {ref_s:.1f} s ({statuses(ref_answers)})")
    print(f"one dose a request: {len(dose_answers)} in {dose_s:.1f} s ({statuses(dose_answers)})")
    print(f"batches: {len(batch_answers)} of {BATCH} in {batch_s:.1f} s, {accepted} accepted")
    doses_per_s, reference_per_s = len(ok) / dose_s, len(ref_ok) / ref_s
    print(
        bench_line(
            "doses",
            doses_per_s=round(doses_per_s),
            reference_per_s=round(reference_per_s),
            ratio=median(ratios),
            p99_ms=percentile([a.ms for a in dose_answers], 99),
            batch_doses_per_s=round(accepted / batch_s),
            reference_p99_ms=percentile([a.ms for a in ref_answers], 99),
        )
    )


if __name__ == "__main__":
    main()
