"""Booking through the REST API under contention: 20,000 attempts for 1,000 slots of 10
places from 64 concurrent clients, then what the database holds.

    make bench B=booking
    BENCH_PERSONS=20000 make bench B=booking   # a quick try

Ten commune stations of the province get a session of Comirnaty on each of ten coming days
(days no earlier run used), each of ten one-hour slots of capacity 10: 1,000 slots, 10,000
places. A province officer's API key sends `POST /api/v1/bookings/` {person, slot}: 16,000
persons once each at a random slot, and 4,000 of them a second time at another slot of the
same session (a double click, a second tab); the persons are adults the schedule lets have
Comirnaty on those days (eligibility_check), so that attempts meet capacity. Attempts are
shuffled and shared by 64 client threads (bench/_api.py), each waiting for its answer before
the next, against gunicorn (gunicorn.conf.py) on 127.0.0.1. Then the database is counted:
slots holding more bookings than their capacity, and persons holding two open bookings of one
session (both must be 0).
For scale, the same clients then send as many requests to the reference of the doses
benchmark (bench/reference: the same token check and one primary-key SELECT, served by the
same gunicorn configuration): `reference_per_s`, `ratio` = attempts/s over it, and
`reference_p99_ms`, the tail of a request that does nothing under the same 64 clients.

Environment: DATABASE_URL, BENCH_PERSONS (reused or generated, default 2,000,000),
BENCH_ATTEMPTS (default 20000), BENCH_CLIENTS (default 64), BENCH_SECONDS (default 300).
"""

import datetime as dt
import os
import random

from _api import Answer, Client, concurrently, reference_load, send, staff_key, statuses
from _common import (
    BENCH_PROVINCE,
    bench_line,
    bench_persons_wanted,
    django_ready,
    percentile,
)
from search import gunicorn, persons_ensure

USERNAME = "bench_tinh_api"
SITES, DAYS, SLOTS, CAPACITY = 10, 10, 10, 10
OPEN = ("booked", "checked_in")


def sessions_create() -> tuple[list[list[str]], list[int], dt.date]:
    """The slots' uuids, session by session, the sessions' ids and their first day."""
    from django.utils import timezone

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.places.models import Facility, FacilityKind
    from sosuckhoe.places.selectors import province_by_code
    from sosuckhoe.places.services import commune_stations_ensure
    from sosuckhoe.supply.models import Product
    from sosuckhoe.vaccination.models import VaccinationSession
    from sosuckhoe.vaccination.services.bookings import SlotSpec, session_create

    commune_stations_ensure(province=province_by_code(code=BENCH_PROVINCE))
    sites = list(
        Facility.objects.filter(
            kind=FacilityKind.COMMUNE_STATION, unit__path__contains=f"/{BENCH_PROVINCE}/"
        )
        .select_related("unit")
        .order_by("unit__path")[:SITES]
    )
    product = Product.objects.get(key="comirnaty")
    used = VaccinationSession.objects.filter(site__in=sites, product=product)
    last = max(used.values_list("date", flat=True), default=timezone.localdate())
    slots = [SlotSpec(dt.time(7 + h), dt.time(8 + h), CAPACITY) for h in range(SLOTS)]
    actor, sessions = Actor.system("bench"), []
    for site in sites:
        for day in range(1, DAYS + 1):
            sessions.append(
                session_create(
                    actor=actor,
                    site=site,
                    date=last + dt.timedelta(days=day),
                    product=product,
                    slots=slots,
                )
            )
    by_session = [
        [str(s.uuid) for s in session.slots.order_by("starts_at")] for session in sessions
    ]
    return by_session, [s.pk for s in sessions], last + dt.timedelta(days=1)


def bookable(wanted: int, on: dt.date) -> list[str]:
    """Uuids of persons the rules let have Comirnaty on `on`: the attempts then meet the
    slots' capacity, not the schedule's refusals."""
    from django.db import connection
    from django.utils import timezone

    from sosuckhoe.people.models import Person
    from sosuckhoe.supply.models import Product
    from sosuckhoe.vaccination.services import eligibility_check

    comirnaty = Product.objects.get(key="comirnaty")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM people_person TABLESAMPLE SYSTEM (%s) "
            "WHERE merged_into_id IS NULL AND birth_year <= %s ORDER BY random() LIMIT %s",
            [min(100.0, 600.0 * wanted / max(1, _persons())), on.year - 18, 3 * wanted],
        )
        ids = [row[0] for row in cursor.fetchall()]
    persons = []
    # Not those an earlier run booked: one open booking at a time.
    free = Person.objects.filter(pk__in=ids).exclude(
        bookings__status__in=OPEN, bookings__session__date__gte=timezone.localdate()
    )
    for person in free.iterator():
        if len(persons) == wanted:
            break
        if eligibility_check(person=person, on=on, product=comirnaty).ok:
            persons.append(str(person.uuid))
    if len(persons) < wanted:
        raise SystemExit(f"only {len(persons)} persons may book, {wanted} wanted")
    return persons


def attempts(persons: list[str], count: int, by_session: list[list[str]]) -> list[tuple[str, str]]:
    """(person uuid, slot uuid): each person's first try, then the rest of `count` second
    tries of some of them at another slot of the same session."""
    firsts = len(persons)
    rng = random.Random(2025)
    tries = []
    for person in persons:
        session = rng.randrange(len(by_session))
        tries.append((person, session, rng.choice(by_session[session])))
    again = [
        (person, rng.choice(by_session[session]))
        for person, session, _slot in rng.sample(tries, count - firsts)
    ]
    work = [(person, slot) for person, _session, slot in tries] + again
    rng.shuffle(work)
    return work


def reference_ids(count: int) -> list[int]:
    """Ids of `count` persons sampled from the table, for the reference's reads."""
    from django.db import connection

    with connection.cursor() as cursor:
        percent = min(100.0, 300.0 * count / max(1, _persons()))
        cursor.execute(
            "SELECT id FROM people_person TABLESAMPLE SYSTEM (%s) LIMIT %s", [percent, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _persons() -> int:
    from sosuckhoe.people.models import Person

    return Person.objects.count()


def counted(sessions: list[int]) -> tuple[int, int, int]:
    """Bookings held, slots over capacity, persons with two open bookings of one session."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM vaccination_booking WHERE session_id = ANY(%s) "
            "AND status = ANY(%s)",
            [sessions, list(OPEN)],
        )
        held = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT s.id FROM vaccination_sessionslot s "
            "JOIN vaccination_booking b ON b.slot_id = s.id AND b.status = ANY(%s) "
            "WHERE s.session_id = ANY(%s) GROUP BY s.id, s.capacity "
            "HAVING count(*) > s.capacity) AS over",
            [list(OPEN), sessions],
        )
        overbooked = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT session_id, person_id FROM vaccination_booking "
            "WHERE session_id = ANY(%s) AND status = ANY(%s) GROUP BY 1, 2 "
            "HAVING count(*) > 1) AS twice",
            [sessions, list(OPEN)],
        )
        return held, overbooked, cursor.fetchone()[0]


def main() -> None:
    django_ready()
    count = int(os.environ.get("BENCH_ATTEMPTS", 20000))
    clients = int(os.environ.get("BENCH_CLIENTS", 64))
    budget_s = float(os.environ.get("BENCH_SECONDS", 300))
    reference_load()
    persons_ensure(bench_persons_wanted())
    from sosuckhoe.accounts.models import Role
    from sosuckhoe.places.selectors import province_by_code

    key = staff_key(USERNAME, Role.PROVINCE, province_by_code(code=BENCH_PROVINCE))
    by_session, sessions, first_day = sessions_create()
    work = attempts(bookable(count * 4 // 5, first_day), count, by_session)
    ids = reference_ids(count)
    from django.db import connections

    connections.close_all()

    def book(client: Client, attempt: tuple[str, str]) -> Answer:
        person, slot = attempt
        body = {"person": person, "slot": slot}
        return send(client, "POST", "/api/v1/bookings/", body)

    def reference(client: Client, pk: int) -> Answer:
        return send(client, "GET", f"/api/persons/{pk}/")

    with (
        gunicorn("sosuckhoe.wsgi", "sosuckhoe.settings", "/healthz") as app,
        gunicorn("bench.reference.wsgi", "bench.reference.settings", f"/persons/{ids[0]}/") as ref,
    ):
        answers, seconds = concurrently(app, key, clients, work, book, budget_s)
        ref_answers, ref_s = concurrently(ref, key, clients, ids, reference, budget_s)
    held, overbooked, double_booked = counted(sessions)
    attempts_per_s, reference_per_s = len(answers) / seconds, len(ref_answers) / ref_s
    print(f"{len(answers)} attempts in {seconds:.1f} s: {statuses(answers)}")
    print(f"{held} bookings held for {len(sessions) * SLOTS * CAPACITY} places")
    print(f"reference: {len(ref_answers)} requests in {ref_s:.1f} s ({statuses(ref_answers)})")
    print(
        bench_line(
            "booking",
            attempts_per_s=round(attempts_per_s),
            p99_ms=percentile([a.ms for a in answers], 99),
            overbooked=overbooked,
            double_booked=double_booked,
            reference_per_s=round(reference_per_s),
            ratio=attempts_per_s / reference_per_s,
            reference_p99_ms=percentile([a.ms for a in ref_answers], 99),
        )
    )


if __name__ == "__main__":
    main()
