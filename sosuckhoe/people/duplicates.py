"""Finding the same person registered twice, over a whole population.

Candidate pairs come from blocking: persons are read from the database sorted by birth year
and sex (a merge needs both equal, so a pair never spans two such partitions), and within a
partition only persons sharing a block key are compared: the folded name, the phone, the
document's digits, the commune with the given name or with the family and middle names, the
birth day and month (in either order) with the family name's initial. Each pair is scored on
the name (with typos, rapidfuzz's optimal string alignment), the birth date (day and month
swapped, year only), the document (a lost leading zero, a CMND beside a CCCD), the phone and
the commune: a sum of match weights (log-odds, in bits) turned into a probability.

`compare` defines the score of one pair, in Python. The finder blocks and weighs a whole slice
of the population at once on numpy arrays (sorting codes, rapidfuzz's `cpdist` for names), then
compares the few pairs above the threshold again with `compare`; a test holds both to the same
weights. Nothing here reads the database: the rows come from the caller.
"""

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

# Persons sharing one block key are all compared with each other; a key that so many share
# says nothing (a phone typed on a whole list), and comparing them all would be quadratic.
MAX_BLOCK = 400
# A pair at or above this probability goes to the review queue.
REVIEW_THRESHOLD = 0.8
# The sum of weights at which a pair scores 0.5: the evidence has to outweigh how rarely two
# persons who share a block key are one person. Set with the threshold so that, on a
# generated population with 2 % duplicates (bench/duplicates.py), the queue keeps both recall
# and precision above 0.95: the score ranks pairs, it is not a calibrated probability.
PRIOR_BITS = 12.0
PARTITION_READ = 20_000  # rows per fetch of the finder's query

# Match weights in bits, log2(m/u) for each level of each comparison: m, how often the level is
# seen between two records of one person (lists carry the noises of NOISES in the generator
# about once in five records each); u, between two persons of one partition taken at random
# (a name shared by one in 500, a birthday by one in 365, a commune by one in 130, a phone by
# the members of a household, rarely of one sex and year).
WEIGHTS: dict[str, dict[str, float]] = {
    "name": {"exact": 9.0, "folded": 9.0, "typo": 7.0, "close": 3.0, "differs": -5.0},
    "birth": {"exact": 8.0, "swapped": 5.0, "year_only": 1.0, "differs": -8.0},
    "document": {
        "same": 15.0,
        "leading_zero": 12.0,
        "missing": 0.0,
        "other_kind": 0.0,
        "differs": -10.0,
    },
    "phone": {"same": 12.0, "missing": 0.0, "differs": -2.0},
    "commune": {"same": 6.5, "differs": -2.5},
    # Two records of different sex are never one person (and a merge refuses them).
    "sex": {"same": 0.0, "differs": -40.0},
}
# Levels shown as the same value, as nearly the same, or as a difference on the review page.
SAME_LEVELS = frozenset({"exact", "same"})
NEAR_LEVELS = frozenset(
    {"folded", "typo", "close", "swapped", "year_only", "leading_zero", "other_kind"}
)

COLUMNS = (
    "id",
    "full_name",
    "name_key",
    "birth_date",
    "birth_year",
    "sex",
    "id_kind",
    "id_number",
    "phone",
    "home_unit_id",
)


_ID, _FULL, _KEY, _BORN, _YEAR, _SEX, _KIND, _NUMBER, _PHONE, _UNIT = range(len(COLUMNS))


class Record(NamedTuple):
    """What the comparison reads of a person, in the order of COLUMNS."""

    id: int
    full_name: str
    name_key: str
    birth_date: dt.date | None
    birth_year: int
    sex: str
    id_kind: str
    id_number: str
    phone: str
    home_unit_id: int


@dataclass(frozen=True)
class Comparison:
    """A pair's level on each comparison, the total weight and its probability."""

    levels: dict[str, str]
    bits: float

    @property
    def score(self) -> float:
        return 1 / (1 + 2 ** (PRIOR_BITS - self.bits))


class ScoredPair(NamedTuple):
    a: int  # the lower id
    b: int
    comparison: Comparison


# Comparisons, one level each.


def name_level(a: Record, b: Record) -> str:
    if a.full_name == b.full_name:
        return "exact"
    if a.name_key == b.name_key:
        return "folded"
    distance = OSA.distance(a.name_key, b.name_key, score_cutoff=2)
    if distance == 1:
        return "typo"
    # Two edits in a short name make another name ("le an" and "le anh" are one edit).
    if distance == 2 and min(len(a.name_key), len(b.name_key)) >= 12:
        return "close"
    return "differs"


def birth_level(a: Record, b: Record) -> str:
    if a.birth_year != b.birth_year:
        return "differs"
    if a.birth_date is None or b.birth_date is None:
        return "year_only"
    if a.birth_date == b.birth_date:
        return "exact"
    x, y = a.birth_date, b.birth_date
    if (x.day, x.month) == (y.month, y.day):
        return "swapped"
    return "differs"


def document_digits(number: str) -> str:
    """A document number as a spreadsheet may have kept it: without its leading zeros."""
    return number.lstrip("0")


def document_level(a: Record, b: Record) -> str:
    if not a.id_number or not b.id_number:
        return "missing"
    if a.id_number == b.id_number:
        return "same"
    if document_digits(a.id_number) == document_digits(b.id_number):
        return "leading_zero"
    # A 9-digit CMND and the 12-digit CCCD that replaced it share no digits: no evidence.
    if a.id_kind != b.id_kind or len(a.id_number) != len(b.id_number):
        return "other_kind"
    return "differs"


def phone_level(a: Record, b: Record) -> str:
    if not a.phone or not b.phone:
        return "missing"
    return "same" if a.phone == b.phone else "differs"


def commune_level(a: Record, b: Record) -> str:
    return "same" if a.home_unit_id == b.home_unit_id else "differs"


def sex_level(a: Record, b: Record) -> str:
    return "same" if a.sex == b.sex else "differs"


LEVELS: dict[str, Callable[[Record, Record], str]] = {
    "name": name_level,
    "birth": birth_level,
    "document": document_level,
    "phone": phone_level,
    "commune": commune_level,
    "sex": sex_level,
}


def compare(a: Record, b: Record) -> Comparison:
    levels = {name: level(a, b) for name, level in LEVELS.items()}
    bits = sum(WEIGHTS[name][level] for name, level in levels.items())
    return Comparison(levels, bits)


def bits_for(score: float) -> float:
    """The total weight at which a pair reaches `score`."""
    return PRIOR_BITS - math.log2(1 / score - 1)


# Blocking.


def block_keys(record: Record) -> list[tuple[object, ...]]:
    """The keys under which a person is compared with the others of its partition (birth
    year and sex). Each noise a duplicate may carry leaves at least one of them whole."""
    words = record.name_key.split() or [""]
    family, given = words[0], words[-1]
    middle = " ".join(words[1:-1])
    keys: list[tuple[object, ...]] = [
        ("name", record.name_key),
        ("unit-given", record.home_unit_id, given),
        ("unit-family", record.home_unit_id, family, middle),
    ]
    if record.phone:
        keys.append(("phone", record.phone))
    if record.id_number:
        keys.append(("document", document_digits(record.id_number)))
    if record.birth_date:
        day, month = record.birth_date.day, record.birth_date.month
        keys.append(("day-month", min(day, month), max(day, month), family[:1]))
    return keys


def candidate_pairs(records: list[Record]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records sharing a block key; keys shared by more than MAX_BLOCK
    records are left out. One partition, in Python: the finder's reference."""
    blocks: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in block_keys(record):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            pairs.update(itertools.combinations(members, 2))
    return pairs


# Many records at once: the same blocking and weights on numpy arrays, so that a population
# of millions is compared in C loops. `compare` stays the definition: the pairs found here are
# compared again one by one (a few thousand), and a test holds both to the same weights.


def _codes(values: list) -> np.ndarray:
    """Each value as an integer, equal values equal, numbered in the order first seen (a
    dict in C: strings keep their hash, so this is quicker than sorting them)."""
    number = {value: n for n, value in enumerate(dict.fromkeys(values))}
    return np.fromiter(map(number.__getitem__, values), dtype=np.int64, count=len(values))


def _combined(*codes: np.ndarray) -> np.ndarray:
    """One code per combination of codes (a mixed-radix number); -1 where any code is -1."""
    combined = np.zeros(len(codes[0]), np.int64)
    missing = np.zeros(len(codes[0]), bool)
    for code in codes:
        combined = combined * (int(code.max(initial=0)) + 1) + np.maximum(code, 0)
        missing |= code < 0
    return np.where(missing, -1, combined)


def _unless(empty: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return np.where(empty, -1, codes)


@dataclass
class Columns:
    """The records of a population as arrays of codes, one value per record."""

    records: Sequence[tuple]  # records, or rows in the order of COLUMNS
    names: list[str]
    full: np.ndarray
    name: np.ndarray
    name_length: np.ndarray
    given: np.ndarray
    family_middle: np.ndarray
    initial: np.ndarray
    year: np.ndarray
    sex: np.ndarray
    unit: np.ndarray
    day: np.ndarray  # 0 without a date
    month: np.ndarray
    phone: np.ndarray  # -1 without a phone
    number: np.ndarray  # -1 without a document
    digits: np.ndarray
    kind: np.ndarray
    number_length: np.ndarray

    @classmethod
    def of(cls, records: Sequence[tuple]) -> "Columns":
        """From records, or rows in the order of COLUMNS (one at least)."""
        names = [r[_KEY] for r in records]
        distinct = dict.fromkeys(names)
        name = _codes(names)  # numbered in the order of `distinct`
        # Names repeat: each distinct one is split once.
        words = [n.split() or [""] for n in distinct]
        born = [r[_BORN] for r in records]
        phones = [r[_PHONE] for r in records]
        numbers = [r[_NUMBER] for r in records]
        return cls(
            records=records,
            names=names,
            full=_codes([r[_FULL] for r in records]),
            name=name,
            name_length=np.array([len(n) for n in names], np.int64),
            given=_codes([w[-1] for w in words])[name],
            family_middle=_codes([f"{w[0]}|{' '.join(w[1:-1])}" for w in words])[name],
            initial=_codes([w[0][:1] for w in words])[name],
            year=np.array([r[_YEAR] for r in records], np.int64),
            sex=_codes([r[_SEX] for r in records]),
            unit=_codes([r[_UNIT] for r in records]),
            day=np.array([d.day if d else 0 for d in born], np.int64),
            month=np.array([d.month if d else 0 for d in born], np.int64),
            phone=_unless(np.array([not p for p in phones], bool), _codes(phones)),
            number=_unless(np.array([not n for n in numbers], bool), _codes(numbers)),
            digits=_codes([document_digits(n) for n in numbers]),
            kind=_codes([r[_KIND] for r in records]),
            number_length=np.array([len(n) for n in numbers], np.int64),
        )

    def block_keys(self) -> list[np.ndarray]:
        """The codes of each kind of block key, as `block_keys` gives them, within the
        partition of a year of birth and a sex."""
        partition = _combined(self.year - self.year.min(initial=0), self.sex)
        low, high = np.minimum(self.day, self.month), np.maximum(self.day, self.month)
        day_month = np.where(self.day > 0, low * 32 + high, -1)
        return [
            _combined(partition, self.name),
            _combined(partition, self.unit, self.given),
            _combined(partition, self.unit, self.family_middle),
            _combined(partition, self.phone),
            _combined(partition, np.where(self.number < 0, -1, self.digits)),
            _combined(partition, day_month, self.initial),
        ]


_TRIANGLES: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _triangle(size: int) -> tuple[np.ndarray, np.ndarray]:
    if size not in _TRIANGLES:
        _TRIANGLES[size] = np.triu_indices(size, 1)
    return _TRIANGLES[size]


def _block_pairs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of the records sharing a code (not -1), in blocks of 2 to MAX_BLOCK."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)])
    keep = (sizes > 1) & (sizes <= MAX_BLOCK) & (ordered[starts] >= 0)
    firsts, seconds = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for size in np.unique(sizes[keep]):
        block_starts = starts[keep & (sizes == size)]
        upper, lower = _triangle(int(size))
        firsts.append(order[(block_starts[:, None] + upper[None, :]).ravel()])
        seconds.append(order[(block_starts[:, None] + lower[None, :]).ravel()])
    return np.concatenate(firsts), np.concatenate(seconds)


def candidate_pairs_many(columns: Columns) -> tuple[np.ndarray, np.ndarray]:
    """The index pairs (i < j) sharing any block key, each once."""
    found = [_block_pairs(codes) for codes in columns.block_keys()]
    first = np.concatenate([f for f, _ in found])
    second = np.concatenate([s for _, s in found])
    size = len(columns.records)
    unique = np.unique(np.minimum(first, second) * size + np.maximum(first, second))
    return unique // size, unique % size


def _level_weights(name: str, levels: list[str], chosen: list[np.ndarray]) -> np.ndarray:
    """The weight of each pair: the level of the first condition that holds, in order."""
    return np.select(chosen, [WEIGHTS[name][level] for level in levels], default=0.0)


def bits_many(columns: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """`compare(...).bits` of each pair (records i[k], j[k]), computed on arrays."""
    c = columns
    every = np.ones(len(i), bool)
    missing_phone = (c.phone[i] < 0) | (c.phone[j] < 0)
    phone = _level_weights(
        "phone", ["missing", "same", "differs"], [missing_phone, c.phone[i] == c.phone[j], every]
    )
    commune = _level_weights("commune", ["same", "differs"], [c.unit[i] == c.unit[j], every])
    sex = _level_weights("sex", ["same", "differs"], [c.sex[i] == c.sex[j], every])
    return (
        _name_bits(c, i, j) + _birth_bits(c, i, j) + _document_bits(c, i, j) + phone + commune + sex
    )


def _name_bits(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    folded = c.name[i] == c.name[j]
    distance = np.full(len(i), 3, dtype=np.int64)
    rest = np.flatnonzero(~folded)
    if len(rest):
        distance[rest] = process.cpdist(
            [c.names[k] for k in i[rest]],
            [c.names[k] for k in j[rest]],
            scorer=OSA.distance,
            score_cutoff=2,
        )
    close = (distance == 2) & (np.minimum(c.name_length[i], c.name_length[j]) >= 12)
    return _level_weights(
        "name",
        ["exact", "folded", "typo", "close", "differs"],
        [c.full[i] == c.full[j], folded, distance == 1, close, np.ones(len(i), bool)],
    )


def _birth_bits(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    other_year = c.year[i] != c.year[j]
    year_only = (c.day[i] == 0) | (c.day[j] == 0)
    exact = (c.day[i] == c.day[j]) & (c.month[i] == c.month[j])
    swapped = (c.day[i] == c.month[j]) & (c.month[i] == c.day[j])
    return _level_weights(
        "birth",
        ["differs", "year_only", "exact", "swapped", "differs"],
        [other_year, year_only, exact, swapped, np.ones(len(i), bool)],
    )


def _document_bits(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    other_kind = (c.kind[i] != c.kind[j]) | (c.number_length[i] != c.number_length[j])
    return _level_weights(
        "document",
        ["missing", "same", "leading_zero", "other_kind", "differs"],
        [
            (c.number[i] < 0) | (c.number[j] < 0),
            c.number[i] == c.number[j],
            c.digits[i] == c.digits[j],
            other_kind,
            np.ones(len(i), bool),
        ],
    )


def scored_pairs(
    records: Sequence[tuple], candidates: Iterable[tuple[int, int]], *, threshold: float
) -> Iterator[ScoredPair]:
    """The candidate pairs whose score reaches `threshold`."""
    floor = bits_for(threshold)
    for i, j in candidates:
        a, b = Record(*records[i]), Record(*records[j])
        comparison = compare(a, b)
        if comparison.bits >= floor:
            low, high = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            yield ScoredPair(low, high, comparison)


@dataclass
class FindResult:
    persons: int
    compared: int
    pairs: list[ScoredPair]


def pairs_find(
    rows: Iterable[tuple],
    *,
    threshold: float = REVIEW_THRESHOLD,
    on_progress: Callable[[int], None] | None = None,
    every: int = 200_000,
) -> FindResult:
    """The pairs above `threshold` among rows (COLUMNS) sorted by birth year and sex: the
    records read a slice of partitions at a time, compared on arrays."""
    result = FindResult(0, 0, [])
    for records in _slices(rows, every):
        columns = Columns.of(records)
        i, j = candidate_pairs_many(columns)
        result.compared += len(i)
        above = np.flatnonzero(bits_many(columns, i, j) >= bits_for(threshold) - 1e-9)
        candidates = zip(i[above].tolist(), j[above].tolist(), strict=True)
        result.pairs += scored_pairs(records, candidates, threshold=threshold)
        result.persons += len(records)
        if on_progress:
            on_progress(result.persons)
    return result


def _slices(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    """Rows sorted by birth year and sex, as lists of about `size` rows that end with a
    partition (a pair never spans two partitions, nor two slices)."""
    gathered: list[tuple] = []
    last = None
    for row in rows:
        partition = (row[_YEAR], row[_SEX])
        if len(gathered) >= size and partition != last:
            yield gathered
            gathered = []
        gathered.append(row)
        last = partition
    if gathered:
        yield gathered
