"""Many new rows at once: PostgreSQL's COPY where the database is PostgreSQL, batched INSERTs
elsewhere (SQLite, the embedded mode).

COPY sends the rows as one stream that the server parses itself, where an INSERT of many
rows has Django prepare every value and psycopg quote it into the statement text: for the
thousand doses, ledger lines and audit rows of a batch, the INSERTs cost more than judging the
doses (docs/performance.md). Both functions write the rows as given: no signals, no
`full_clean`, as `bulk_create`; the database's constraints still hold, and a violation raises
Django's IntegrityError as an INSERT would.
"""

import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState

from sosuckhoe.core.rows import planned_once

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Fields:
    """What `unsaved` and `bulk_insert` need of a model, worked out once a process: its
    constant defaults, the defaults it calls, each field's attribute by name (`person` ->
    `person_id`), and of its concrete fields in order the columns, the attributes, the values
    COPY takes as text and the automatic times."""

    constant: dict[str, Any]
    called: tuple[tuple[str, Callable[[], Any]], ...]
    attnames: dict[str, str]
    columns: tuple[str, ...]
    values_of: Callable[[dict[str, Any]], tuple[Any, ...]]
    as_text: tuple[tuple[int, Callable[[Any], str]], ...]
    stamped: tuple[models.Field, ...]


@cache
def _fields(model: type[models.Model]) -> _Fields:
    fields = model._meta.concrete_fields
    constant: dict[str, Any] = {}
    called: list[tuple[str, Callable[[], Any]]] = []
    for f in fields:
        if f.has_default() and callable(f.default):
            called.append((f.attname, f.default))
        else:
            constant[f.attname] = f.get_default()
    names = [f.attname for f in fields]
    # itemgetter of one name gives the value, not a tuple of it.
    values_of = operator.itemgetter(*names) if len(names) > 1 else lambda d: (d[names[0]],)
    return _Fields(
        constant=constant,
        called=tuple(called),
        attnames={f.name: f.attname for f in fields},
        columns=tuple(f.column for f in fields),
        values_of=values_of,
        as_text=tuple(
            (i, _COPY_TEXT[kind]) for i, f in enumerate(fields) if (kind := _copy_kind(f))
        ),
        stamped=tuple(
            f for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        ),
    )


def unsaved(model: type[M], related: dict[str, models.Model | None], **values: Any) -> M:
    """A new instance of `model` that a batch inserts with bulk_insert: `values` by attribute
    name (`person_id`, not `person`), `related` the rows its foreign keys name, kept as if
    read with select_related. A sixth of what `model(**fields)` costs (Django sets every
    field through its descriptor): for the thousands of doses, ledger lines and audit rows
    of a batch, a tenth of its time. No pre_init/post_init signals: only for models that
    have no receivers of them (none of the project's do)."""
    fields = _fields(model)
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(fields.constant)
    for attname, default in fields.called:
        if attname not in values:
            state[attname] = default()
    state.update(values)
    for name, row in related.items():
        state[fields.attnames[name]] = None if row is None else row.pk
    obj._state = ModelState()
    obj._state.fields_cache.update(related)
    return obj


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterator[tuple]) -> None:
    """Insert rows of values for `columns` (raw values, ids included)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            statement = f"COPY {table} ({quoted}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        by_column = {f.column: f for f in model._meta.concrete_fields}
        fields = [by_column[c] for c in columns]
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        while batch := list(itertools.islice(rows, 5000)):
            prepared = [
                [
                    f.get_db_prep_save(v, connection) if v is not None else None
                    for f, v in zip(fields, row, strict=True)
                ]
                for row in batch
            ]
            cursor.executemany(sql, prepared)


def bulk_insert(model: type[M], objs: Iterable[M]) -> list[M]:
    """Insert new instances, as `bulk_create` does; on PostgreSQL the ids of a model with an
    automatic primary key are taken from its sequence in one query, and the rows sent by COPY."""
    objs = list(objs)
    if not objs or connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    if meta.auto_field is not None:
        _ids_assign(model, objs)
    fields = _fields(model)
    # The rows of one call are written at one moment: their automatic times are that moment's
    # (pre_save of the first row), not a clock read per field and row.
    for f in fields.stamped:
        moment = f.pre_save(objs[0], add=True)
        for obj in objs:
            obj.__dict__[f.attname] = moment

    def row(obj: M) -> tuple[Any, ...]:
        values = fields.values_of(obj.__dict__)
        if not fields.as_text:
            return values
        written = list(values)
        for i, as_text in fields.as_text:
            if written[i] is not None:
                written[i] = as_text(written[i])
        return tuple(written)

    copy_rows(model, fields.columns, (row(obj) for obj in objs))
    alias = connection.alias  # a lookup through Django's proxy of the connection, once
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    return objs


# Values that COPY takes as the text the server parses, written here: psycopg's dumpers of
# times (6 µs a value), uuids and days (2 µs) and JSON (10 µs) cost more than the text.
# JSON as psycopg's Jsonb writes it (json.dumps, ASCII).
_COPY_TEXT: dict[str, Callable[[Any], str]] = {
    "json": json.dumps,
    # A batch repeats its times (the moment of its rows, the day of a list's doses).
    "time": lru_cache(maxsize=1024)(datetime.isoformat),
    # The 32 hex digits, which PostgreSQL reads as it reads the hyphenated form (a third of
    # the cost of str()).
    "uuid": operator.attrgetter("hex"),
    "day": date.isoformat,
}


def _copy_kind(field: models.Field) -> str | None:
    if isinstance(field, models.JSONField):
        return "json"
    if isinstance(field, models.DateTimeField):
        return "time"
    if isinstance(field, models.UUIDField):
        return "uuid"
    if isinstance(field, models.DateField):  # after DateTimeField, its subclass
        return "day"
    return None


def _ids_assign(model: type[models.Model], objs: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [_sequence(model), len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


@cache
def _sequence(model: type[models.Model]) -> str:
    """The sequence of the model's key, asked once a process: asked in the statement that
    draws the keys, PostgreSQL looked it up again for each key (4.5 ms a thousand keys)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        return cursor.fetchone()[0]


@cache
def _insert_sql(model: type[models.Model], count: int, vendor: str) -> tuple[str, bool]:
    """The INSERT of `count` rows of the model (its automatic key left to the database and
    returned), and whether it returns the keys."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [f.column for f in _inserted(model)]
    row = f"({', '.join(['%s'] * len(columns))})"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        f" VALUES {', '.join([row] * count)}"
    )
    returning = meta.auto_field is not None
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, returning


@cache
def _inserted(model: type[models.Model]) -> tuple[models.Field, ...]:
    auto = model._meta.auto_field
    return tuple(f for f in model._meta.concrete_fields if f is not auto)


def insert_few(model: type[M], objs: Sequence[M]) -> None:
    """Insert a few new instances (one dose, its ledger line, their audit rows) with one
    INSERT written once a model and count, their automatic keys returned; values prepared as
    `save` prepares them (automatic times, each field's conversion). `save` compiles its
    INSERT anew on every call: about 0.4 ms of Python a row where the statement costs 0.1.
    No signals, as `bulk_create`: only for models with no receivers of `pre_save`/`post_save`
    (none of the project's have)."""
    if not objs:
        return
    # The connection itself, not the `connection` proxy: each field's conversion asks it for
    # its operations, and every attribute of the proxy is a lookup of the thread's connection.
    db = connections[DEFAULT_DB_ALIAS]
    sql, returning = _insert_sql(model, len(objs), db.vendor)
    fields = _inserted(model)
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), db)
        for obj in objs
        for field in fields
    ]
    with planned_once(db.alias) as cursor:
        cursor.execute(sql, params)
        if returning:
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias
