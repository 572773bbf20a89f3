"""Vaccination histories drawn with the shape of Viet Nam's 2021–2022 COVID-19 campaign, for
the demo and the benchmarks.

Every dose goes through `doses_record_batch` (entered late from the paper records of the
time, using no stock), so the rules in force on its date judge it like any other; the draw
only aims at dates and vaccines the rules allow, asking the schedule engine when the next
dose is due. Shares are rough readings of the campaign's published figures: about 97 % of
adults had a first dose, nearly all of them a second, some two thirds a first booster, and
mostly the over-50s a second one (MoH reports, 2022).
"""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Exists, OuterRef
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.schedule import PriorDose, dose_assess
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.vaccination.models import Dose, ReactionOutcome, VoidKind
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.bookings import SlotSpec, session_create
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_void
from sosuckhoe.vaccination.services.reactions import reaction_record

CAMPAIGN_REASON = "Nhập từ sổ tiêm chủng chiến dịch 2021–2022"
TIMING = frozenset({"interval_too_short", "age_below_minimum", "too_soon_after_infection"})
# The vaccine of a first dose by when it was given: what the country had received by then.
FIRST_DOSE_MIX = (
    (dt.date(2021, 3, 8), {"vaxzevria": 100}),
    (dt.date(2021, 7, 1), {"vaxzevria": 40, "bbibp-corv": 30, "comirnaty": 15, "spikevax": 10,
                           "sputnik-v": 5}),
    (dt.date(2021, 10, 1), {"vaxzevria": 30, "bbibp-corv": 30, "comirnaty": 25, "spikevax": 8,
                            "abdala": 5, "hayat-vax": 2}),
)  # fmt: skip
BOOSTER_MIX = {"comirnaty": 50, "spikevax": 30, "vaxzevria": 20}
# Who got how many doses: (from age, share with a first dose, then each further dose).
UPTAKE = ((50, 0.98, (0.97, 0.75, 0.45)), (18, 0.97, (0.96, 0.65, 0.08)),
          (12, 0.92, (0.90, 0.0, 0.0)), (5, 0.70, (0.75, 0.0, 0.0)))  # fmt: skip
# When the first dose came, by age: (from age, earliest, latest).
FIRST_DOSE_WINDOW = ((65, dt.date(2021, 3, 8), dt.date(2021, 10, 31)),
                     (18, dt.date(2021, 7, 1), dt.date(2021, 12, 15)),
                     (12, dt.date(2021, 10, 15), dt.date(2022, 1, 31)),
                     (5, dt.date(2022, 4, 15), dt.date(2022, 8, 31)))  # fmt: skip
CHILD_PRODUCT = "comirnaty-paediatric"
CAMPAIGN_MIDDLE, CAMPAIGN_END = dt.date(2021, 10, 1), dt.date(2022, 12, 31)
BATCH = 1000
COMMON_SIGNS = ["C1", "C2", "C4", "C5", "C8"]
REPORTER = "Trạm Y tế (sổ theo dõi sau tiêm)"
VOID_REASON = "Nhập trùng từ sổ giấy"
TODAY_STOCK = {"comirnaty": 600, "spikevax": 300}


@dataclass
class HistoryReport:
    persons: int = 0
    doses: int = 0
    refused: dict[str, int] = field(default_factory=dict)


class Draw:
    """The doses of one person, as the campaign would have given them."""

    def __init__(self, rng: random.Random, products: dict[str, Product]) -> None:
        self.rng, self.products = rng, products

    def _pick(self, mix: dict[str, int]) -> str:
        return self.rng.choices(tuple(mix), tuple(mix.values()))[0]

    def _first(self, age: int) -> tuple[str, dt.date] | None:
        for since, earliest, latest in FIRST_DOSE_WINDOW:
            if age >= since:
                day = earliest + dt.timedelta(self.rng.randrange((latest - earliest).days))
                if age < 12:
                    return CHILD_PRODUCT, day
                mix = [m for start, m in FIRST_DOSE_MIX if start <= day][-1]
                return (self._pick(mix) if age >= 18 else "comirnaty"), day
        return None

    def doses(self, birth: dt.date, age: int) -> list[tuple[str, dt.date]]:
        """(product key, day) of each dose, the schedule engine saying when each is due."""
        plan = next((p for p in UPTAKE if age >= p[0]), None)
        first = self._first(age)
        if plan is None or first is None or self.rng.random() >= plan[1]:
            return []
        key, day = first
        history = [PriorDose(key, day, *self._numbered(key, day, birth, []))]
        for share in plan[2]:
            if self.rng.random() >= share:
                break
            previous = history[-1]
            series_done = self._numbered(key, CAMPAIGN_END, birth, history)[0] != "primary"
            key = self._pick(BOOSTER_MIX) if series_done and age >= 18 else previous.product_key
            found = self._due(key, previous.given_on, birth, history)
            if found is None:
                break
            history.append(found)
        return [(d.product_key, d.given_on) for d in history]

    def _numbered(
        self, key: str, day: dt.date, birth: dt.date, history: list[PriorDose]
    ) -> tuple[str, int]:
        a = dose_assess(product=self.products[key], given_on=day, birth=birth, history=history)
        return a.kind, a.number

    def _due(
        self, key: str, since: dt.date, birth: dt.date, history: list[PriorDose]
    ) -> PriorDose | None:
        """The dose of `key` a few weeks after the engine says it is due, if it may be."""
        day = since + dt.timedelta(days=14)
        for _attempt in range(8):
            a = dose_assess(product=self.products[key], given_on=day, birth=birth, history=history)
            if a.allowed:
                return PriorDose(key, day, a.kind, a.number)
            if a.refusal_codes == ["series_complete"]:
                # No rule allows a further dose yet (boosters came in December 2021): wait.
                day += dt.timedelta(days=self.rng.randrange(30, 60))
            elif set(a.refusal_codes) <= TIMING and a.due is not None:
                day = a.due + dt.timedelta(days=self.rng.choice((0, 0, 3, 7, 14, 21, 35)))
            else:
                return None
            if day > CAMPAIGN_END:
                return None
        return None


def campaign_lots(*, actor: Actor, products: dict[str, Product]) -> dict[tuple[str, str], Lot]:
    """A lot of each product for each quarter of the campaign, usable through it."""
    lots = {}
    for key, product in products.items():
        for year in (2021, 2022):
            for quarter in range(1, 5):
                number = f"{key[:3].upper()}{year % 100}Q{quarter}"
                expiry = dt.date(year + 1, 3 * quarter, 1)
                lots[(key, f"{year}Q{quarter}")] = lot_register(
                    actor=actor, product=product, number=number, expiry_date=expiry
                )
    return lots


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _persons(unit: AdminUnit, chunk: int) -> Iterator[list[tuple[int, UUID, dt.date | None, int]]]:
    """The unit's persons with no dose on record, a chunk at a time, by id."""
    units = AdminUnit.objects.subtree_of(unit).values("pk")
    rows = Person.objects.filter(home_unit__in=units, merged_into__isnull=True).exclude(
        Exists(Dose.objects.filter(person=OuterRef("pk")))
    )
    last = 0
    while True:
        page = list(
            rows.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "uuid", "birth_date", "home_unit_id")[:chunk]
        )
        if not page:
            return
        yield page
        last = page[-1][0]


def histories_generate(
    *,
    actor: Actor,
    unit: AdminUnit,
    seed: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> HistoryReport:
    """Dose histories for the persons of `unit` who have none, recorded by the batch service
    at their commune's health station."""
    rng = random.Random(seed)
    products = {p.key: p for p in Product.objects.all()}
    draw = Draw(rng, products)
    lots = campaign_lots(actor=actor, products=products)
    stations = {
        f.unit_id: f
        for f in Facility.objects.filter(kind=FacilityKind.COMMUNE_STATION).select_related("unit")
    }
    report = HistoryReport()
    tz = timezone.get_current_timezone()
    items: list[DoseItem] = []
    for page in _persons(unit, BATCH):
        for _pk, uuid, birth, unit_id in page:
            site = stations.get(unit_id)
            if site is None or birth is None:
                continue
            report.persons += 1
            for key, day in draw.doses(birth, (CAMPAIGN_MIDDLE - birth).days // 365):
                at = dt.datetime.combine(day, dt.time(rng.randrange(7, 17), rng.randrange(60)))
                items.append(
                    DoseItem(
                        person=uuid,
                        product=products[key],
                        lot=lots[(key, _quarter(day))],
                        site=site,
                        given_at=at.replace(tzinfo=tz),
                        late_entry_reason=CAMPAIGN_REASON,
                    )
                )
        while len(items) >= BATCH:
            _record(actor, items[:BATCH], report)
            del items[:BATCH]
        if on_progress:
            on_progress(report.doses)
    if items:
        _record(actor, items, report)
    return report


def _record(actor: Actor, items: list[DoseItem], report: HistoryReport) -> None:
    for result in doses_record_batch(actor=actor, items=items, use_stock=False):
        if result.accepted:
            report.doses += 1
        else:
            assert result.error is not None
            code = refusal_codes(result.error)[0]
            report.refused[code] = report.refused.get(code, 0) + 1


def campaign_extras(*, actor: Actor, unit: AdminUnit, seed: int | None = None) -> tuple[int, int]:
    """Reactions after about one dose in a hundred (mostly common, a few serious) and a few
    doses voided, among the campaign's doses of the unit: (reactions, voids)."""
    rng = random.Random(seed)
    doses = Dose.objects.filter(
        person__home_unit__path__startswith=unit.path, late_entry_reason=CAMPAIGN_REASON
    ).select_related("person__home_unit", "site__unit", "product", "lot")
    count = doses.count()
    sample = list(doses.order_by("?")[: count // 100 + count // 2000])
    reactions = sample[: count // 100]
    for dose in reactions:
        serious = rng.random() < 0.002
        terms = ["S1", "W7"] if serious else rng.sample(COMMON_SIGNS, rng.choice((1, 1, 2)))
        reaction_record(
            actor=actor,
            dose=dose,
            onset_at=dose.given_at + dt.timedelta(minutes=rng.randrange(10, 600)),
            terms=terms,
            outcome=ReactionOutcome.RECOVERED,
            reporter_name=REPORTER,
        )
    voided = sample[count // 100 :]
    for dose in voided:
        dose_void(actor=actor, dose=dose, kind=rng.choice(VoidKind.values), reason=VOID_REASON)
    return len(reactions), len(voided)


def campaign_stock_and_sessions(
    *, actor: Actor, unit: AdminUnit, sites: int = 10, days: int = 7
) -> tuple[int, int]:
    """Lots of the vaccines in use today with stock at every commune station of the unit,
    and sessions for the coming week at the first `sites` of them: (receipts, sessions)."""
    today = timezone.localdate()
    stations = list(
        Facility.objects.filter(kind=FacilityKind.COMMUNE_STATION, unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("unit__path")
    )
    products = {p.key: p for p in Product.objects.filter(key__in=TODAY_STOCK)}
    lots = {
        key: lot_register(
            actor=actor,
            product=products[key],
            number=f"{key[:3].upper()}{today:%y%m}",
            expiry_date=today + dt.timedelta(days=365),
        )
        for key in TODAY_STOCK
    }
    receipts = 0
    for station in stations:
        for key, doses in TODAY_STOCK.items():
            stock_receive(
                actor=actor, facility=station, lot=lots[key], doses=doses, reference="demo"
            )
            receipts += 1
    slots = [SlotSpec(dt.time(h), dt.time(h + 1), 20) for h in (7, 8, 9, 10, 14, 15)]
    sessions = 0
    for station in stations[:sites]:
        for ahead in range(1, days + 1):
            session_create(
                actor=actor,
                site=station,
                date=today + dt.timedelta(days=ahead),
                product=products["comirnaty"],
                slots=slots,
            )
            sessions += 1
    return receipts, sessions


@dataclass
class CampaignReport:
    histories: HistoryReport
    reactions: int
    voids: int
    receipts: int
    sessions: int


def campaign_generate(
    *,
    actor: Actor,
    unit: AdminUnit,
    seed: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CampaignReport:
    """The whole vaccination picture of a unit: dose histories, reactions and voids, today's
    stock at its commune stations and sessions for the coming week."""
    histories = histories_generate(actor=actor, unit=unit, seed=seed, on_progress=on_progress)
    reactions, voids = campaign_extras(actor=actor, unit=unit, seed=seed)
    receipts, sessions = campaign_stock_and_sessions(actor=actor, unit=unit)
    return CampaignReport(histories, reactions, voids, receipts, sessions)
