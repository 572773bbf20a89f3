"""Model instances read by a hand-written SELECT, for the few reads that every request of a
hot path makes (the API key, the dose's person, site and lot).

Django compiles a queryset anew on every call: for a primary-key read with one joined table,
about 0.5 ms of Python where the statement itself takes 0.1 ms (docs/performance.md). A
statement written once costs nothing to compile; what this module adds is what Django's own
iterator does with the row: each column converted by the backend and the field (SQLite's text
dates, a JSON field's text) and the instance built by `Model.from_db`, so that the instances
are the ones a queryset would give.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=models.Model)


@cache
def select_list(model: type[models.Model], alias: str) -> str:
    """The model's concrete columns under a table alias, in the order `instance` reads them."""
    quote = connections[model._default_manager.db].ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def width(model: type[models.Model]) -> int:
    """How many columns of a row `select_list` gives the model."""
    return len(model._meta.concrete_fields)


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


@cache
def _converters(model: type[models.Model], vendor: str) -> tuple[tuple[int, Any, tuple], ...]:
    """(column index, Col, its functions) for the columns that need converting, as Django's
    compiler finds them: the backend's first, then the field's own."""
    connection = connections[model._default_manager.db]
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        functions = (*connection.ops.get_db_converters(col), *col.get_db_converters(connection))
        if functions:
            found.append((index, col, functions))
    return tuple(found)


def instance(model: type[M], row: Sequence[Any], start: int = 0) -> M:
    """The instance of `model` whose columns begin at `row[start]`, as read from the database."""
    using = model._default_manager.db
    connection: BaseDatabaseWrapper = connections[using]
    values = list(row[start : start + width(model)])
    for index, col, functions in _converters(model, connection.vendor):
        for function in functions:
            values[index] = function(values[index], col, connection)
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(using, _attnames(model), values)
    # What from_db does, without the descriptor call per field of Model.__init__: a sixth
    # of the cost, for the thousand persons a batch of doses locks.
    obj = model.__new__(model)
    obj.__dict__.update(zip(_attnames(model), values, strict=True))
    obj._state = ModelState()
    obj._state.adding, obj._state.db = False, using
    return obj


def instances(row: Sequence[Any], *models_in_row: type[models.Model]) -> list[Any]:
    """The instances of the models whose columns follow each other in `row`, in that order
    (a SELECT of their `select_list`s); the caller links them as select_related would."""
    found, start = [], 0
    for model in models_in_row:
        found.append(instance(model, row, start))
        start += width(model)
    return found


class _LoggedAsWritten(CursorDebugWrapper):
    """A logged cursor that logs its statements as written: Django's log asks the cursor for
    the statement it sent, which a prepared statement does not keep."""

    def debug_sql(
        self,
        sql: Any = None,
        params: Any = None,
        use_last_executed_query: bool = False,
        many: bool = False,
    ) -> Any:
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


@contextmanager
def planned_once(using: str = DEFAULT_DB_ALIAS, *, generic: bool = True) -> Iterator[CursorWrapper]:
    """A cursor for statements written once, which PostgreSQL then plans once a connection.

    Django binds parameters on the client, so PostgreSQL plans every statement it receives:
    for the person's facts (four branches, two subqueries) planning cost several times running
    them. On PostgreSQL this cursor binds on the server, and psycopg prepares each statement
    on its first run on a connection (`prepare_threshold` in the settings, with one generic
    plan kept); elsewhere it is Django's own cursor.

    `generic=False` is for a batch's statements: bound on the server but planned for their
    values at each run. Their planning is small beside their work, and a plan kept for the
    connection is made for the tables as they were at its first run: made while an import
    into a new database began, it scanned the whole doses' table for each chunk after."""
    connection = connections[using]
    with connection.cursor() as cursor:  # Django's checks of the connection, as for any cursor
        if connection.vendor != "postgresql":
            yield cursor
            return
        wrapper = _LoggedAsWritten if isinstance(cursor, CursorDebugWrapper) else CursorWrapper
        server_side = _server_cursor_class(generic)
        with wrapper(server_side(cursor.cursor.connection), connection) as planned:
            yield planned


@cache
def _server_cursor_class(generic: bool) -> type:
    """psycopg's cursor, or one that never prepares (an unnamed statement: a custom plan)."""
    import psycopg

    if generic:
        return psycopg.Cursor

    class PlannedEachRun(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, **options, prepare=False)

    return PlannedEachRun


def one(sql: str, params: Sequence[Any], *models_in_row: type[models.Model]) -> list[Any] | None:
    """The instances of the row a hand-written statement gives (the first), or None."""
    with planned_once(models_in_row[0]._default_manager.db) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else instances(row, *models_in_row)


def param(model: type[models.Model], field_name: str, value: Any) -> Any:
    """A value as a parameter of a hand-written statement on the field (a UUID is text on
    SQLite), as the ORM prepares it."""
    connection = connections[model._default_manager.db]
    field = cast(models.Field, model._meta.get_field(field_name))  # a column, not a reverse
    return field.get_db_prep_value(value, connection)


@cache
def _first_sql(model: type[models.Model], column: str) -> str:
    table = connections[model._default_manager.db].ops.quote_name(model._meta.db_table)
    return f"SELECT {select_list(model, 't')} FROM {table} t WHERE t.{column} = %s"


def first(model: type[M], field_name: str, value: Any) -> M | None:
    """The row whose `field_name` (a unique column) holds `value`, or None, as
    `model.objects.filter(**{field_name: value}).first()` finds it: for a model whose default
    manager adds no condition. A value that is not of the field's kind raises the field's
    ValidationError, as the queryset does."""
    field = cast(models.Field, model._meta.get_field(field_name))
    found = one(_first_sql(model, field.column), [param(model, field_name, value)], model)
    return None if found is None else found[0]
