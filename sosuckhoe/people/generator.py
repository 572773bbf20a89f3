"""A synthetic but realistic population of a real province, for demos, tests and benchmarks.

Persons live in households spread over the province's real communes; ages follow Vietnam's
age pyramid; names, middle names and phone networks follow their published frequencies
(see data/README.md); CCCD numbers are valid for the person's sex and birth year.
"""

import csv
import datetime as dt
import itertools
import random
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from sosuckhoe.core.bulk import copy_rows
from sosuckhoe.core.ids import new_uuid
from sosuckhoe.core.text import fold
from sosuckhoe.people.identity import cccd_century_digit, normalize_phone
from sosuckhoe.people.models import Household, Person
from sosuckhoe.places.models import AdminUnit, UnitLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
CHILD_AGE = 14  # below this a child has no CCCD of its own and a guardian in the record
# Household sizes; Vietnam's 2019 census gives 3.5 persons per household on average.
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
HOUSEHOLD_SIZE_WEIGHTS = (9, 18, 22, 27, 14, 7, 3)
PHONE_SHARE_ADULT = 0.9  # adults with a phone of their own
# Occupation groups of adults (VSCO level 1): mostly farming, crafts, services in a rural
# province. Rough proportions, not a published table.
OCCUPATION_WEIGHTS = {
    "6": 30,
    "9": 18,
    "7": 14,
    "5": 14,
    "8": 8,
    "3": 5,
    "2": 6,
    "4": 3,
    "1": 1,
    "0": 1,
}


MAX_AGE = 100


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Weighted:
    """Values with cumulative weights, for fast repeated draws."""

    values: tuple[str, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, pairs: list[tuple[str, float]]) -> "Weighted":
        values = tuple(v for v, _ in pairs)
        return cls(values, tuple(itertools.accumulate(w for _, w in pairs)))

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.values, cum_weights=self.cum_weights, k=k)


@dataclass(frozen=True)
class Tables:
    family: Weighted
    middle: dict[str, Weighted]
    given: dict[str, Weighted]
    ages: dict[str, Weighted]
    phone_prefixes: Weighted  # 4-digit blocks, e.g. 0912
    network_of_block: dict[str, str]


@cache
def tables() -> Tables:
    by_sex: dict[str, dict[str, list[tuple[str, float]]]] = {"middle": {}, "given": {}}
    for kind in by_sex:
        for row in _read(f"{kind}_names.csv"):
            by_sex[kind].setdefault(row["sex"], []).append((row["name"], float(row["weight"])))
    ages: dict[str, list[tuple[str, float]]] = {"M": [], "F": []}
    for row in _read("age_pyramid.csv"):
        # Ages inside a 5-year group are taken as equally likely; 85+ is spread over 85-100.
        years = range(int(row["age_from"]), int(row["age_to"]) + 1)
        for sex, column in (("M", "male"), ("F", "female")):
            ages[sex] += [(str(a), float(row[column]) / len(years)) for a in years]
    prefixes = []
    networks: dict[str, str] = {}
    for row in _read("mobile_networks.csv"):
        share = float(row["market_share_percent"] or 0.3)  # networks with no published share
        blocks = _numbering_blocks(row["prefixes"].split())
        prefixes += [(block, share / len(blocks)) for block in blocks]
        networks |= blocks
    return Tables(
        family=Weighted.of(
            [(r["name"], float(r["share_percent"])) for r in _read("family_names.csv")]
        ),
        middle={s: Weighted.of(v) for s, v in by_sex["middle"].items()},
        given={s: Weighted.of(v) for s, v in by_sex["given"].items()},
        ages={s: Weighted.of(v) for s, v in ages.items()},
        phone_prefixes=Weighted.of(prefixes),
        network_of_block=networks,
    )


def _numbering_blocks(prefixes: list[str]) -> dict[str, str]:
    """The 4-digit blocks of the 3-digit prefixes that are in service, with their network as
    sign-up stores it: a prefix is often only partly allocated (089 has 0896-0899 only), and
    a number outside would not be a phone."""
    blocks = {}
    for block in (f"{prefix}{d}" for prefix in prefixes for d in range(10)):
        try:
            blocks[block] = normalize_phone(f"{block}123456")[1]
        except ValidationError:
            continue
    return blocks


@dataclass
class Area:
    """Where the population lives and where its members were born (for CCCD codes)."""

    communes: list[AdminUnit]
    birth_codes: Weighted
    insurance_province: str

    @classmethod
    def of(cls, unit: AdminUnit) -> "Area":
        communes = list(AdminUnit.objects.subtree_of(unit).filter(level=UnitLevel.COMMUNE))
        if not communes:
            raise ValueError(f"{unit} has no communes")
        province = (
            unit
            if unit.level == UnitLevel.PROVINCE
            else unit.ancestors().filter(level=UnitLevel.PROVINCE).get()
        )
        home_codes = _birth_codes_of(province)
        # Most people were born in the province; one in ten elsewhere in the country.
        others = [c for c in _all_birth_codes() if c not in home_codes]
        pairs = [(c, 90 / len(home_codes)) for c in home_codes] + [
            (c, 10 / len(others)) for c in others
        ]
        return cls(communes, Weighted.of(pairs), home_codes[0][1:])


@cache
def _all_birth_codes() -> tuple[str, ...]:
    return tuple(r["cccd_code"] for r in _read("cccd_birth_province_codes.csv"))


# The provinces merged into each province on 1 July 2025 (Resolution 202/2025/QH15), by the
# 2-level code: their pre-2025 codes are the birth codes of the people living there now.
# Only the first user's province is listed; elsewhere the province's own code is used.
MERGED_2025 = {"37": ("037", "036", "035")}


def _birth_codes_of(province: AdminUnit) -> list[str]:
    if province.edition == "2025-07" and province.code in MERGED_2025:
        return list(MERGED_2025[province.code])
    return [f"0{province.code}"]


@dataclass
class Numbering:
    """Ids and document numbers handed out without collisions within one run."""

    next_person_id: int
    next_household_id: int
    # Numbers already handed out per series, so that a later run continues the same walk.
    counters: dict[str, int] = field(default_factory=dict)
    # Numbers held by persons the series did not make (entered by staff, imported) that lie
    # ahead on its walk: skipped, so that a run never hands out a number already held.
    taken: set[str] = field(default_factory=set)

    def serial(self, key: str, digits: int, *, prefix: str = "") -> str:
        """The next number of a series, `prefix` and `digits` digits, never repeated within the
        series and never one already held."""
        while True:
            n = self.counters.get(key, 0)
            self.counters[key] = n + 1
            number = prefix + _series_member(key, n, digits)
            if number not in self.taken:
                return number


# 7,919 is prime to 10^k, so n -> n*7919 + start walks all 10^k numbers once, in an order that
# looks random; the start depends on the series only.
STEP = 7919


def _series_member(key: str, n: int, digits: int) -> str:
    return f"{(n * STEP + zlib.crc32(key.encode())) % 10**digits:0{digits}d}"


def _series_index(key: str, member: str, digits: int) -> int:
    """Where `member` lies on the walk of series `key`: the n that _series_member maps to it."""
    return ((int(member) - zlib.crc32(key.encode())) * _step_inverse(digits)) % 10**digits


@cache
def _step_inverse(digits: int) -> int:
    return pow(STEP, -1, 10**digits)


PERSON_COLUMNS = (
    "id", "uuid", "full_name", "name_key", "birth_date", "birth_year", "sex", "id_kind",
    "id_number", "phone", "phone_network", "home_unit_id", "address_line", "insurance_number",
    "ethnicity", "occupation", "household_id", "guardian_id", "merged_into_id", "created_at",
    "updated_at",
)  # fmt: skip
HOUSEHOLD_COLUMNS = ("id", "uuid", "home_unit_id", "address_line", "created_at")


class Generator:
    def __init__(self, *, area: Area, numbering: Numbering, seed: int | None, today: dt.date):
        self.area, self.numbering, self.today = area, numbering, today
        self.rng = random.Random(seed)
        self.t = tables()
        self.now = timezone.now()
        self.fold = cache(fold)
        # For each age: the last birth date that gives it today, and how many days give it.
        birthdays = [today - relativedelta(years=age) for age in range(MAX_AGE + 2)]
        self.birthdays = {
            age: (birthdays[age], (birthdays[age] - birthdays[age + 1]).days)
            for age in range(MAX_AGE + 1)
        }

    @staticmethod
    def _uuid() -> uuid.UUID:
        # Not from the seeded generator: two runs with one seed must not share identifiers.
        return new_uuid()

    def _phone(self) -> tuple[str, str]:
        block = self.t.phone_prefixes.draw(self.rng)[0]
        return f"+84{block[1:]}{self.rng.randrange(1_000_000):06d}", self.t.network_of_block[block]

    def _birth(self, age: int) -> dt.date:
        """A birth date at which the person is exactly `age` years old today."""
        latest, span = self.birthdays[age]
        return latest - dt.timedelta(days=self.rng.randrange(span))

    def _document(self, sex: str, born: dt.date, age: int) -> tuple[str, str]:
        if age < CHILD_AGE:
            return "none", ""
        if age >= 60 and self.rng.random() < 0.03:
            return "cmnd", self.numbering.serial("cmnd", 9)
        prefix = (
            self.area.birth_codes.draw(self.rng)[0]
            + cccd_century_digit(birth_year=born.year, sex=sex)
            + f"{born.year % 100:02d}"
        )
        return "cccd", self.numbering.serial(prefix, 6, prefix=prefix)

    def _insurance(self, age: int) -> str:
        if self.rng.random() < 0.08:
            return ""
        kind = "TE1" if age < 6 else "HS4" if age < 18 else "HT2" if age >= 60 else "GD4"
        return f"{kind}{self.area.insurance_province}{self.rng.randrange(10**10):010d}"

    def _adult_age(self, sex: str, minimum: int) -> int:
        while (age := int(self.t.ages[sex].draw(self.rng)[0])) < minimum:
            pass
        return age

    def household_members(self, size: int) -> list[tuple[str, int]]:
        """Sex and age of each member: the head, a spouse, then children or a grandparent."""
        head_sex = "M" if self.rng.random() < 0.75 else "F"
        head_age = self._adult_age(head_sex, 18 if size <= 2 else 24)
        members = [(head_sex, head_age)]
        if size > 1:
            spouse_age = min(MAX_AGE, max(18, head_age + self.rng.randint(-6, 3)))
            members.append(("F" if head_sex == "M" else "M", spouse_age))
        for _ in range(size - len(members)):
            sex = self.rng.choice("MF")
            if head_age > 45 and self.rng.random() < 0.25:
                members.append((sex, min(MAX_AGE, head_age + self.rng.randint(20, 30))))
            else:
                members.append((sex, self.rng.randint(max(0, head_age - 42), head_age - 18)))
        return members

    def households(self, persons: int) -> Iterator[tuple[tuple, list[tuple]]]:
        """Household rows with their person rows, until `persons` persons are made."""
        made = 0
        while made < persons:
            size = min(persons - made, self.rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_SIZE_WEIGHTS)[0])
            yield self._household(size)
            made += size

    def _household(self, size: int) -> tuple[tuple, list[tuple]]:
        n = self.numbering
        commune = self.rng.choice(self.area.communes)
        hamlet = "Tổ dân phố" if commune.type_name == "Phường" else "Thôn"
        address = f"{hamlet} {self.rng.randint(1, 25)}"
        household = (n.next_household_id, self._uuid(), commune.pk, address, self.now)
        n.next_household_id += 1
        family = self.t.family.draw(self.rng)[0]
        family_phone, family_network = self._phone()
        rows: list[tuple] = []
        guardian_id = None
        for index, (sex, age) in enumerate(self.household_members(size)):
            # The spouse keeps their own family name; children take the head's.
            surname = self.t.family.draw(self.rng)[0] if index == 1 else family
            middle, given = (
                self.t.middle[sex].draw(self.rng)[0],
                self.t.given[sex].draw(self.rng)[0],
            )
            name = f"{surname} {middle} {given}"
            born = self._birth(age)
            kind, number = self._document(sex, born, age)
            if age < CHILD_AGE:
                phone, network = family_phone, family_network
            elif index == 0 or self.rng.random() < PHONE_SHARE_ADULT:
                phone, network = (family_phone, family_network) if index == 0 else self._phone()
            else:
                phone, network = "", ""
            occupation = (
                self.rng.choices(tuple(OCCUPATION_WEIGHTS), tuple(OCCUPATION_WEIGHTS.values()))[0]
                if 18 <= age < 65
                else ""
            )
            person_id = n.next_person_id
            n.next_person_id += 1
            rows.append((
                person_id, self._uuid(), name, self.fold(name), born, born.year, sex, kind, number,
                phone, network, commune.pk, address, self._insurance(age),
                "01" if self.rng.random() < 0.97 else "06", occupation, household[0],
                guardian_id if age < CHILD_AGE else None, None, self.now, self.now,
            ))  # fmt: skip
            if index == 0:
                guardian_id = person_id
        return household, rows


def _reset_sequences() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Household, Person):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )


def _numbering() -> Numbering:
    """Ids after the last ones, and the document series where earlier runs left them."""
    counters = _document_counters()
    return Numbering(_next_id(Person), _next_id(Household), counters, _in_the_way(counters))


def _in_the_way(counters: dict[str, int]) -> set[str]:
    """The documents held that the series have not handed out but will reach: a CCCD or CMND
    entered by staff or imported (or made by a test) whose number is on a series' walk at or
    after where it stands. Read once a run; the set holds only those."""
    ahead = set()
    documents = Person.objects.filter(id_kind__in=("cccd", "cmnd")).values_list(
        "id_kind", "id_number"
    )
    for kind, number in documents.iterator(chunk_size=20_000):
        key, member, digits = ("cmnd", number, 9) if kind == "cmnd" else (number[:6], number[6:], 6)
        if len(member) != digits or not member.isdigit():
            continue
        if _series_index(key, member, digits) >= counters.get(key, 0):
            ahead.add(number)
    return ahead


def _document_counters() -> dict[str, int]:
    """How many numbers each series already has: CCCDs by 6-digit prefix, and CMNDs."""
    rows = (
        Person.objects.filter(id_kind="cccd")
        .annotate(prefix=Substr("id_number", 1, 6))
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    return dict(rows) | {"cmnd": Person.objects.filter(id_kind="cmnd").count()}


def _next_id(model: type[Household] | type[Person]) -> int:
    last = model.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


@dataclass
class GenerationResult:
    persons: int
    households: int


def population_generate(
    *,
    unit: AdminUnit,
    persons: int,
    seed: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> GenerationResult:
    """Generate `persons` persons living in `unit` in one transaction: all or nothing."""
    area = Area.of(unit)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Ids are handed out here, not by the sequences: keep other writers out meanwhile.
                cursor.execute(
                    "LOCK TABLE people_household, people_person IN SHARE ROW EXCLUSIVE MODE"
                )
        numbering = _numbering()
        generator = Generator(area=area, numbering=numbering, seed=seed, today=timezone.localdate())
        households: list[tuple] = []
        written = 0

        def person_rows() -> Iterator[tuple]:
            nonlocal written
            for household, rows in generator.households(persons):
                households.append(household)
                yield from rows
                written += len(rows)
                if on_progress and written % 50_000 < len(rows):
                    on_progress(written)

        # Persons go first so households are known as they stream; Django's foreign keys are
        # DEFERRABLE INITIALLY DEFERRED, so they are checked at commit.
        copy_rows(Person, PERSON_COLUMNS, person_rows())
        copy_rows(Household, HOUSEHOLD_COLUMNS, iter(households))
        _reset_sequences()
    return GenerationResult(persons=written, households=len(households))


# Duplicates: the same person registered a second time, by another list, with the noise such
# lists carry. The truth is returned, for tests and the duplicate finder's benchmark.

# How many noises a duplicate carries, and how likely each count is.
NOISE_COUNTS = (1, 2, 3)
NOISE_COUNT_WEIGHTS = (55, 35, 10)
NOISES = (
    "diacritics",  # typed without diacritics
    "typo",  # one letter wrong, missing, added or two swapped
    "swapped",  # day and month swapped (a date read the American way)
    "year_only",  # a list that gives the year of birth alone
    "family_phone",  # the phone of another member of the household
    "cmnd",  # the old CMND where the first record has the CCCD
    "leading_zero",  # the CCCD with its leading zero lost by a spreadsheet
    "commune",  # registered where they study or work, not at home
)
_LETTERS = "abcdeghiklmnopqrstuvxy"


@dataclass(frozen=True)
class InjectedDuplicate:
    original_id: int
    duplicate_id: int
    noises: tuple[str, ...]


class DuplicateMaker:
    """A second record of a person, with noise; its document kept only when a noise names it
    (a list without document numbers otherwise: one number has one holder)."""

    def __init__(self, *, rng: random.Random, area: Area, numbering: Numbering) -> None:
        self.rng, self.area, self.numbering = rng, area, numbering

    def applicable(self, row: dict, family_phones: list[str]) -> list[str]:
        born = row["birth_date"]
        possible = {
            "diacritics": fold(row["full_name"]) != row["full_name"].lower(),
            "typo": True,
            "swapped": born is not None and born.day <= 12 and born.day != born.month,
            "year_only": born is not None,
            "family_phone": bool(row["phone"]) and bool(family_phones),
            "cmnd": row["id_kind"] == "cccd",
            "leading_zero": row["id_kind"] == "cccd" and row["id_number"].startswith("0"),
            "commune": len(self.area.communes) > 1,
        }
        return [noise for noise in NOISES if possible[noise]]

    def noisy(self, row: dict, family_phones: list[str]) -> tuple[dict, tuple[str, ...]]:
        possible = self.applicable(row, family_phones)
        k = self.rng.choices(NOISE_COUNTS, NOISE_COUNT_WEIGHTS)[0]
        noises = tuple(self.rng.sample(possible, min(k, len(possible))))
        if "cmnd" in noises and "leading_zero" in noises:
            noises = tuple(n for n in noises if n != "leading_zero")
        copy = dict(row, id_kind="none", id_number="", insurance_number="")
        copy.update(household_id=None, guardian_id=None)
        for noise in noises:
            getattr(self, f"_{noise}")(copy, row, family_phones)
        copy["name_key"] = fold(copy["full_name"])
        return copy, noises

    def _diacritics(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        copy["full_name"] = " ".join(w.capitalize() for w in fold(copy["full_name"]).split())

    def _typo(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        words = copy["full_name"].split()
        w = self.rng.randrange(len(words))
        word = words[w]
        at = self.rng.randrange(1, len(word)) if len(word) > 1 else 0
        letter = self.rng.choice(_LETTERS)
        edits = {
            "substitute": word[:at] + letter + word[at + 1 :],
            "delete": word[:at] + word[at + 1 :] if len(word) > 1 else word + letter,
            "insert": word[:at] + letter + word[at:],
            "transpose": word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
            if at > 0
            else word + letter,
        }
        typed = edits[self.rng.choice(tuple(edits))]
        # A typo that gives back the same folded name is no typo: add a letter instead.
        if fold(typed) == fold(word):
            typed = word + letter
        words[w] = typed
        copy["full_name"] = " ".join(words)

    def _swapped(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        born = row["birth_date"]
        if copy["birth_date"] is not None:
            copy["birth_date"] = dt.date(born.year, born.day, born.month)

    def _year_only(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        copy["birth_date"] = None

    def _family_phone(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        copy["phone"] = self.rng.choice(family_phones)

    def _cmnd(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        copy["id_kind"], copy["id_number"] = "cmnd", self.numbering.serial("cmnd", 9)

    def _leading_zero(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        copy["id_kind"], copy["id_number"] = "cccd", row["id_number"][1:]

    def _commune(self, copy: dict, row: dict, family_phones: list[str]) -> None:
        others = [c.pk for c in self.area.communes if c.pk != row["home_unit_id"]]
        copy["home_unit_id"] = self.rng.choice(others)


def _household_phones(household_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    phones: dict[int, list[tuple[int, str]]] = {}
    members = Person.objects.filter(household_id__in=household_ids).exclude(phone="")
    for household_id, person_id, phone in members.values_list("household_id", "id", "phone"):
        phones.setdefault(household_id, []).append((person_id, phone))
    return phones


def duplicates_inject(
    *, unit: AdminUnit, share: float, seed: int | None = None
) -> list[InjectedDuplicate]:
    """Register `share` of the persons of `unit` a second time, with noise; the pairs made.
    Written as the generator writes (COPY, no validation): a CCCD that lost its leading zero
    is what a careless import stores."""
    area = Area.of(unit)
    rng = random.Random(seed)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE people_person IN SHARE ROW EXCLUSIVE MODE")
        ids = list(
            Person.objects.active()
            .in_unit_subtree(unit)
            .order_by("id")
            .values_list("id", flat=True)
        )
        chosen = sorted(rng.sample(ids, round(share * len(ids))))
        originals = [
            dict(zip(PERSON_COLUMNS, row, strict=True))
            for row in Person.objects.filter(id__in=chosen)
            .order_by("id")
            .values_list(*PERSON_COLUMNS)
        ]
        phones = _household_phones({r["household_id"] for r in originals if r["household_id"]})
        numbering = _numbering()
        maker = DuplicateMaker(rng=rng, area=area, numbering=numbering)
        now = timezone.now()
        rows, truth = [], []
        for row in originals:
            family = [
                phone
                for person_id, phone in phones.get(row["household_id"], [])
                if person_id != row["id"] and phone != row["phone"]
            ]
            copy, noises = maker.noisy(row, family)
            copy.update(id=numbering.next_person_id, uuid=new_uuid(), created_at=now)
            copy.update(updated_at=now)
            numbering.next_person_id += 1
            rows.append(tuple(copy[c] for c in PERSON_COLUMNS))
            truth.append(InjectedDuplicate(row["id"], copy["id"], noises))
        copy_rows(Person, PERSON_COLUMNS, iter(rows))
        _reset_sequences()
    return truth
