"""The dose and reaction counts: changed in the transaction of each write (`RollupChanges`,
`rollups_apply`), or recomputed from the raw rows (`rollups_rebuild`). Four tables: doses per
day (DoseRollup), doses of all days (DoseTotal, the per-day keys without the day and the sex),
doses per lot (LotDoses) and reactions per day (ReactionRollup).

A write adds up its changes by key in Python, then sends them as one upsert per table,
`INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n` (SQLite ≥ 3.24, PostgreSQL),
its rows sorted by key: two transactions lock the rows they share in the same order and
cannot deadlock on them. Services call it last, just before their audit row, so that the
count rows stay locked for as short a time as possible.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple, cast

from django.db import connection, models, transaction
from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan, LessThan

from sosuckhoe.analytics.models import (
    DOSE_KEY,
    DOSE_TOTAL_KEY,
    LOT_KEY,
    REACTION_KEY,
    DoseRollup,
    DoseTotal,
    LotDoses,
    ReactionRollup,
)
from sosuckhoe.core.rows import planned_once
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.vaccination.age_bands import AGE_BANDS
from sosuckhoe.vaccination.models import Dose, Reaction

NO_GROUP = 0


class DoseKey(NamedTuple):
    unit_id: int
    day: dt.date
    product_id: int
    kind: str
    number: int
    age_band: str
    sex: str
    priority_group: int


class DoseTotalKey(NamedTuple):
    unit_id: int
    product_id: int
    kind: str
    number: int
    age_band: str
    priority_group: int

    @classmethod
    def of(cls, key: DoseKey) -> "DoseTotalKey":
        return cls(
            key.unit_id, key.product_id, key.kind, key.number, key.age_band, key.priority_group
        )


class LotKey(NamedTuple):
    unit_id: int
    lot_id: int


class ReactionKey(NamedTuple):
    unit_id: int
    day: dt.date
    product_id: int
    lot_id: int
    term_id: int
    serious: bool


def age_on(person: Person, day: dt.date) -> int:
    """Whole years on `day`; a birth year alone counts as its 1 January (as AgeBand does)."""
    born = person.birth_date
    if born is None:
        return day.year - person.birth_year
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int) -> str:
    """The band of an age: the first whose upper bound is above it (the last has none)."""
    return next(b.key for b in AGE_BANDS if b.max_age is None or age < b.max_age)


def priority_group_of(dose: Dose) -> int:
    """The code of the priority group of the registration the dose's booking came from.
    The services load the booking with its registration and group (no query here); a
    booking without them is read, a query or two."""
    booking = dose.booking  # None without a query when there is no booking
    registration = None if booking is None else booking.registration
    return NO_GROUP if registration is None else registration.priority_group.code


def dose_key(dose: Dose) -> DoseKey:
    """Where a dose counts; reads the person's row the services hold (no query)."""
    person = dose.person
    return DoseKey(
        unit_id=person.home_unit_id,
        day=dose.given_on,
        product_id=dose.product_id,
        kind=dose.kind,
        number=dose.number,
        age_band=age_band(age_on(person, dose.given_on)),
        sex=person.sex,
        priority_group=priority_group_of(dose),
    )


def reaction_keys(reaction: Reaction, term_ids: Iterable[int]) -> list[ReactionKey]:
    dose = reaction.dose
    return [
        ReactionKey(
            unit_id=dose.person.home_unit_id,
            day=dose.given_on,
            product_id=dose.product_id,
            lot_id=dose.lot_id,
            term_id=term_id,
            serious=reaction.serious,
        )
        for term_id in term_ids
    ]


@dataclass
class RollupChanges:
    """The changes of one write to the counts, added up by key. The totals of all days are
    the per-day changes added up without the day and the sex (`dose_totals`)."""

    doses: Counter[DoseKey] = field(default_factory=Counter)
    lots: Counter[LotKey] = field(default_factory=Counter)
    reactions: Counter[ReactionKey] = field(default_factory=Counter)

    def dose_added(self, dose: Dose) -> None:
        self._dose_counted(dose, 1)

    def dose_removed(self, dose: Dose) -> None:
        self._dose_counted(dose, -1)

    def _dose_counted(self, dose: Dose, change: int) -> None:
        key = dose_key(dose)
        self.doses[key] += change
        self.lots[LotKey(key.unit_id, dose.lot_id)] += change

    def dose_renumbered(self, dose: Dose, *, kind: str, number: int) -> None:
        """A dose numbered again: its count moves from its old kind and number to its new
        (its lot's count stays)."""
        key = dose_key(dose)
        self.doses[key._replace(kind=kind, number=number)] -= 1
        self.doses[key] += 1

    def dose_totals(self) -> Counter[DoseTotalKey]:
        totals: Counter[DoseTotalKey] = Counter()
        for key, change in self.doses.items():
            totals[DoseTotalKey.of(key)] += change
        return totals

    def reaction_added(self, reaction: Reaction, term_ids: Iterable[int]) -> None:
        self.reactions.update(reaction_keys(reaction, term_ids))

    def reaction_made_serious(self, reaction: Reaction, term_ids: Iterable[int]) -> None:
        """A common reaction become serious: its signs move to the serious counts."""
        keys = reaction_keys(reaction, term_ids)
        self.reactions.subtract(k._replace(serious=False) for k in keys)
        self.reactions.update(keys)


Statement = tuple[str, list[Any]]
# Past this many rows a table's upsert sends one array per column (PostgreSQL): Django's
# client-side binding quotes each parameter in Python (about 5 µs each, 9 a row), while a
# handful of rows is planned faster as VALUES.
ARRAYS_FROM_ROWS = 20


def rollups_apply(changes: RollupChanges) -> None:
    """Write the changes of one transaction, in the order of ROLLUP_TABLES: on PostgreSQL in
    one statement, elsewhere one per table that changes (and per Django's 999 parameters)."""
    statements = [
        *_upserts(DoseRollup, DOSE_KEY, "doses", changes.doses),
        *_upserts(DoseTotal, DOSE_TOTAL_KEY, "doses", changes.dose_totals()),
        *_upserts(LotDoses, LOT_KEY, "doses", changes.lots),
        *_upserts(ReactionRollup, REACTION_KEY, "reactions", changes.reactions),
    ]
    if connection.vendor == "postgresql" and len(statements) > 1:
        statements = [_as_one(statements)]
    with planned_once() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _as_one(statements: list[Statement]) -> Statement:
    """The upserts as one statement, all but the last as data-modifying WITH queries
    (PostgreSQL; each of another table): one round trip where a dose's counts took three."""
    *first, (last, _params) = statements
    queries = ", ".join(f"upsert{i} AS ({sql})" for i, (sql, _p) in enumerate(first))
    return f"WITH {queries} {last}", [p for _sql, params in statements for p in params]


def _fields(model: type[models.Model], names: Iterable[str]) -> list["models.Field[Any, Any]"]:
    return [cast("models.Field[Any, Any]", model._meta.get_field(n)) for n in names]


def _columns(model: type[models.Model], names: Iterable[str]) -> list[str]:
    return [connection.ops.quote_name(f.column) for f in _fields(model, names)]


@cache
def _upsert_of(model: type[models.Model], key: tuple[str, ...], count: str, vendor: str) -> str:
    """The upsert of a table's rows, `{rows}` left to fill: written once a table (a dose's
    counts wrote it anew for each of their three tables)."""
    table = connection.ops.quote_name(model._meta.db_table)
    keys, total = ", ".join(_columns(model, key)), _columns(model, [count])[0]
    return (
        f"INSERT INTO {table} ({keys}, {total}) {{rows}} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {total} = {table}.{total} + excluded.{total}"
    )


def _upserts(
    model: type[models.Model], key: tuple[str, ...], count: str, changes: Counter[Any]
) -> list[Statement]:
    """The upserts of a table's changes, its rows sorted by key; none when nothing changes."""
    rows = [(*k, n) for k, n in sorted(changes.items()) if n]
    if not rows:
        return []
    upsert = _upsert_of(model, key, count, connection.vendor)
    if connection.vendor == "postgresql" and len(rows) > ARRAYS_FROM_ROWS:
        return [_as_arrays(upsert, _fields(model, [*key, count]), rows)]
    return _as_values(upsert, rows)


def _as_arrays(upsert: str, fields: list["models.Field[Any, Any]"], rows: list[Any]) -> Statement:
    """The rows as one array per column, unnested in their order (PostgreSQL)."""
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    columns = [list(column) for column in zip(*rows, strict=True)]
    return upsert.format(rows=f"SELECT * FROM unnest({arrays})"), columns


def _as_values(upsert: str, rows: list[Any]) -> list[Statement]:
    """The rows as VALUES, in as many statements as the database's parameter limit needs."""
    limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
    size = len(rows) if limit is None else max(1, limit // len(rows[0]))
    row_sql = f"({', '.join(['%s'] * len(rows[0]))})"
    parts = (rows[start : start + size] for start in range(0, len(rows), size))
    return [
        (
            upsert.format(rows=f"VALUES {', '.join([row_sql] * len(part))}"),
            [value for row in part for value in row],
        )
        for part in parts
    ]


def rollups_person_changed(*, before: Person, after: Person) -> None:
    """A person's commune, birth or sex changed (a move, a correction): the counts of their
    doses and reactions move to their new keys. For the person's update, in its
    transaction, with the person locked."""
    counted = ("home_unit_id", "birth_date", "birth_year", "sex")
    if all(getattr(before, f) == getattr(after, f) for f in counted):
        return
    changes = RollupChanges()
    _doses_moved(changes, before, after)
    if before.home_unit_id != after.home_unit_id:
        _reactions_moved(changes, before, after)
    rollups_apply(changes)


def _doses_moved(changes: RollupChanges, before: Person, after: Person) -> None:
    """Each valid dose counted -1 with the person as they were, +1 as they are."""
    doses = Dose.objects.valid().filter(person_id=after.pk)
    for dose in doses.select_related("booking__registration__priority_group"):
        dose.person = before
        changes.dose_removed(dose)
        dose.person = after
        changes.dose_added(dose)


def _reactions_moved(changes: RollupChanges, before: Person, after: Person) -> None:
    """Each sign of each reaction from the old commune to the new."""
    signs = Reaction.terms.through.objects.filter(reaction__dose__person_id=after.pk)
    for sign in signs.select_related("reaction__dose"):
        reaction = sign.reaction
        reaction.dose.person = before
        changes.reactions.subtract(reaction_keys(reaction, [sign.aefiterm_id]))
        reaction.dose.person = after
        changes.reactions.update(reaction_keys(reaction, [sign.aefiterm_id]))


# --- Rebuild ------------------------------------------------------------------------------


def _age_sql(day: str, born_on: str, born_in: str) -> Any:
    """age_on in SQL: whole years on the dose's day, less one before the birthday; a birth
    year alone as its 1 January (no birth date: the comparison is NULL, not true)."""
    birthday_ahead = Case(
        When(GreaterThan(_month_day(born_on), _month_day(day)), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    born = Coalesce(ExtractYear(born_on), F(born_in), output_field=IntegerField())
    return ExpressionWrapper(ExtractYear(day) - born - birthday_ahead, output_field=IntegerField())


def _month_day(date: str) -> Any:
    return ExtractMonth(date) * 100 + ExtractDay(date)


def _age_band_sql(age: Any) -> Case:
    """age_band in SQL: the first band whose upper bound is above the age."""
    return Case(
        *[
            When(LessThan(age, b.max_age), then=Value(b.key))
            for b in AGE_BANDS
            if b.max_age is not None
        ],
        default=Value(AGE_BANDS[-1].key),
    )


def _dose_groups(units: list[int] | None) -> models.QuerySet[Any]:
    """The dose counts as one GROUP BY over the valid doses."""
    doses = Dose.objects.valid()
    if units is not None:
        doses = doses.filter(person__home_unit_id__in=units)
    return (
        doses.values(
            k_unit=F("person__home_unit_id"),
            k_day=F("given_on"),
            k_product=F("product_id"),
            k_kind=F("kind"),
            k_number=F("number"),
            k_age_band=_age_band_sql(
                _age_sql("given_on", "person__birth_date", "person__birth_year")
            ),
            k_sex=F("person__sex"),
            k_group=Coalesce(
                "booking__registration__priority_group__code",
                Value(NO_GROUP),
                output_field=IntegerField(),
            ),
        )
        .annotate(k_doses=Count("id"))
        .order_by()
    )


def _dose_total_groups(units: list[int] | None) -> models.QuerySet[Any]:
    """The totals of all days as one GROUP BY over the per-day counts, rebuilt first."""
    rows = DoseRollup.objects.all()
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    return rows.values(*DOSE_TOTAL_KEY).annotate(k_doses=Sum("doses")).order_by()


def _lot_groups(units: list[int] | None) -> models.QuerySet[Any]:
    """The doses per lot as one GROUP BY over the valid doses."""
    doses = Dose.objects.valid()
    if units is not None:
        doses = doses.filter(person__home_unit_id__in=units)
    return (
        doses.values(k_unit=F("person__home_unit_id"), k_lot=F("lot_id"))
        .annotate(k_doses=Count("id"))
        .order_by()
    )


def _reaction_groups(units: list[int] | None) -> models.QuerySet[Any]:
    """The reaction counts as one GROUP BY over the reactions' signs."""
    signs = Reaction.terms.through.objects.all()
    if units is not None:
        signs = signs.filter(reaction__dose__person__home_unit_id__in=units)
    return (
        signs.values(
            k_unit=F("reaction__dose__person__home_unit_id"),
            k_day=F("reaction__dose__given_on"),
            k_product=F("reaction__dose__product_id"),
            k_lot=F("reaction__dose__lot_id"),
            k_term=F("aefiterm_id"),
            k_serious=F("reaction__serious"),
        )
        .annotate(k_reactions=Count("id"))
        .order_by()
    )


def _insert_select(
    model: type[models.Model], names: tuple[str, ...], query: models.QuerySet[Any]
) -> int:
    """INSERT … SELECT: the counts computed and written by the database alone."""
    sql, params = query.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(_columns(model, names))}) {sql}", params)
        return cursor.rowcount


@dataclass(frozen=True)
class Rebuilt:
    dose_rows: int
    total_rows: int
    lot_rows: int
    reaction_rows: int


# The count tables in the order every write changes them and the rebuild locks them: two
# transactions wait for each other's tables in one order, never in a circle.
ROLLUP_TABLES: tuple[type[models.Model], ...] = (DoseRollup, DoseTotal, LotDoses, ReactionRollup)


@transaction.atomic
def rollups_rebuild(*, unit: AdminUnit | None = None) -> Rebuilt:
    """Recompute the counts from the raw rows: all of them, or those of the communes in
    `unit`'s subtree. The writers of doses wait until it commits (PostgreSQL: the tables
    locked against writes); a dose written meanwhile counts once, by its own upsert after."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in ROLLUP_TABLES:
                cursor.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")
    units = None if unit is None else unit.subtree_ids
    for model in ROLLUP_TABLES:
        rows = model._default_manager.all()
        (rows if units is None else rows.filter(unit_id__in=units)).delete()
    return Rebuilt(
        dose_rows=_insert_select(DoseRollup, (*DOSE_KEY, "doses"), _dose_groups(units)),
        total_rows=_insert_select(DoseTotal, (*DOSE_TOTAL_KEY, "doses"), _dose_total_groups(units)),
        lot_rows=_insert_select(LotDoses, (*LOT_KEY, "doses"), _lot_groups(units)),
        reaction_rows=_insert_select(
            ReactionRollup, (*REACTION_KEY, "reactions"), _reaction_groups(units)
        ),
    )
