"""The counts kept by each write equal a rebuild from scratch, and the raw rows, after a
random sequence of doses recorded (one at a time and in batches, today and from paper),
voided, entered before others (which renumbers them), reactions and outcomes that make them
serious."""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.analytics import services as analytics_services
from sosuckhoe.analytics.services import ARRAYS_FROM_ROWS, rollups_rebuild
from sosuckhoe.analytics.tests.truth import tables, truths
from sosuckhoe.people.models import Person, Sex
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Lot
from sosuckhoe.testing.doses import PAPER
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import (
    Dose,
    PriorityGroup,
    Reaction,
    ReactionOutcome,
    VoidKind,
)
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.bookings import booking_check_in, booking_create
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.reactions import reaction_outcome_set, reaction_record
from sosuckhoe.vaccination.services.registrations import registration_approve, registration_create

STEPS = 60
# Birth data around the bands' bounds (a birthday near today, a leap day, a year alone).
BIRTHS = [
    (dt.date(1950, 3, 2), None),
    (dt.date(1961, 11, 20), None),
    (dt.date(1976, 2, 29), None),
    (dt.date(1990, 7, 14), None),
    (dt.date(2008, 2, 29), None),
    (dt.date(2010, 5, 5), None),
    (None, 1970),
    (None, 1962),
    (dt.date(1985, 12, 30), None),
    (dt.date(2001, 1, 1), None),
]


@dataclass
class World:
    actor: Actor
    persons: list[Person]
    lots: list[Lot]
    sites: list[Facility]
    done: Counter[str] = field(default_factory=Counter)

    def attempt(self, name: str, work: Callable[[], object]) -> None:
        try:
            work()
        except ValidationError:
            return
        self.done[name] += 1


def _today(world: World, rng: random.Random) -> None:
    # Half of them for the persons booked in a priority group, checked in today.
    lot, person = rng.choice(world.lots), rng.choice(world.persons[: rng.choice((3, 10))])
    world.attempt(
        "today",
        lambda: dose_record(
            actor=world.actor,
            person=person,
            product=lot.product,
            lot=lot,
            site=world.sites[0],
        ),
    )


def _paper(world: World, rng: random.Random) -> None:
    lot, person = rng.choice(world.lots), rng.choice(world.persons)
    world.attempt(
        "paper",
        lambda: dose_record(
            actor=world.actor,
            person=person,
            product=lot.product,
            lot=lot,
            site=rng.choice(world.sites),
            given_at=timezone.now() - dt.timedelta(days=rng.randint(1, 500)),
            late_entry_reason=PAPER,
            use_stock=False,
        ),
    )


def _item(world: World, rng: random.Random, given_at: dt.datetime, site: Facility) -> DoseItem:
    lot = rng.choice(world.lots)
    return DoseItem(
        person=rng.choice(world.persons).uuid,
        product=lot.product.key,
        lot=lot.number,
        site=site.uuid,
        given_at=given_at,
        late_entry_reason=PAPER,
    )


def _batch(world: World, rng: random.Random) -> None:
    today = rng.random() < 0.4
    items = [
        _item(
            world,
            rng,
            timezone.now() if today else timezone.now() - dt.timedelta(days=rng.randint(1, 500)),
            world.sites[0] if today else rng.choice(world.sites),
        )
        for _ in range(rng.randint(2, 6))
    ]
    results = doses_record_batch(actor=world.actor, items=items, use_stock=today)
    world.done["batch"] += sum(r.accepted for r in results)


def _void(world: World, rng: random.Random) -> None:
    doses = list(Dose.objects.valid().order_by("pk"))
    if doses:
        dose, kind = rng.choice(doses), rng.choice(VoidKind.values)
        world.attempt(
            "void",
            lambda: dose_void(actor=world.actor, dose=dose, kind=kind, reason="Nhập nhầm"),
        )


def _reaction(world: World, rng: random.Random) -> None:
    doses = list(Dose.objects.valid().order_by("pk"))
    if doses:
        dose, terms = (
            rng.choice(doses),
            rng.sample(["C1", "C2", "C5", "W2", "S2"], rng.randint(1, 2)),
        )
        world.attempt(
            "reaction",
            lambda: reaction_record(
                actor=world.actor, dose=dose, onset_at=timezone.now(), terms=terms
            ),
        )


def _outcome(world: World, rng: random.Random) -> None:
    reactions = list(Reaction.objects.filter(serious=False).order_by("pk"))
    if reactions:
        reaction = rng.choice(reactions)
        outcome = rng.choice(
            [ReactionOutcome.RECOVERED, ReactionOutcome.DIED, ReactionOutcome.SEQUELAE]
        )
        world.attempt(
            "serious"
            if not reaction.serious and outcome != ReactionOutcome.RECOVERED
            else "outcome",
            lambda: reaction_outcome_set(actor=world.actor, reaction=reaction, outcome=outcome),
        )


OPERATIONS = (_today, _today, _paper, _paper, _batch, _void, _reaction, _reaction, _outcome)


def _persons(cast) -> list[Person]:  # type: ignore[no-untyped-def]
    units = (cast.units.commune_a, cast.units.commune_b)
    return [
        PersonFactory(
            home_unit=units[i % 2],
            sex=(Sex.MALE, Sex.FEMALE)[i // 2 % 2],
            birth_date=born,
            birth_year=year or born.year,
        )
        for i, (born, year) in enumerate(BIRTHS)
    ]


def _booked(cast, persons, slot) -> None:  # type: ignore[no-untyped-def]
    """Some persons come through a registration of a priority group, booked and checked in."""
    officer = cast.actor("province")
    for person, code in zip(persons, (9, 9, 3), strict=False):
        registration = registration_create(
            actor=officer, person=person, priority_group=PriorityGroup.objects.get(code=code)
        )
        registration_approve(actor=officer, registration=registration)
        booking = booking_create(actor=officer, person=person, slot=slot, registration=registration)
        booking_check_in(actor=officer, booking=booking)


# The last seed sends every upsert as arrays (PostgreSQL's path for many rows).
@pytest.mark.parametrize(
    ("seed", "arrays_from_rows"), [(1, ARRAYS_FROM_ROWS), (2, ARRAYS_FROM_ROWS), (3, 0)]
)
def test_the_counts_kept_by_each_write_equal_a_rebuild_and_the_raw_rows(
    seed, arrays_from_rows, cast, site, site_b, stock, screened, make_session, monkeypatch
):
    monkeypatch.setattr(analytics_services, "ARRAYS_FROM_ROWS", arrays_from_rows)
    rng = random.Random(seed)
    persons = _persons(cast)
    lots = [stock("comirnaty", doses=300), stock("vaxzevria", doses=300)]
    _booked(cast, persons[:3], make_session(10).slots.get())
    for person in persons:
        if person.birth_year <= 2008:  # the child of 2010 has paper doses only (another form)
            screened(person)
    world = World(actor=cast.actor("province"), persons=persons, lots=lots, sites=[site, site_b])
    for _ in range(STEPS):
        rng.choice(OPERATIONS)(world, rng)

    kept = tables()
    assert kept == truths()
    rollups_rebuild()
    assert tables() == kept
    # Every kind of write happened, so that the equality says something of each.
    renumbered = [
        e for e in AuditEvent.objects.filter(object_type="dose") if e.changes.get("renumbered")
    ]
    assert renumbered
    assert {"today", "paper", "batch", "void", "reaction", "serious"} <= set(world.done), world.done
    assert Dose.objects.filter(booking__registration__isnull=False).exists()
