"""`field__any=ids`: the rows whose integer key is one of many ids, as `__in` would find them,
without `__in`'s price for a long list. Django prepares and resolves each of an `__in` list's
values on its own (about 20 µs a person in a batch of 500 certificates, more than reading
their rows); here the list is one parameter on PostgreSQL, an array written as text
(`= ANY(%s::bigint[])`, `core.pg.int_array`), and one placeholder per id elsewhere. Give
the ids as a set (or a dict, a range): a list or a tuple is walked by Django value by value
before any lookup sees it, which costs what `__in` did."""

from collections.abc import Collection, Iterable, Sequence
from typing import Any
from uuid import UUID

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler

from sosuckhoe.core.pg import int_array, uuid_array


def any_of(column: str, ids: Sequence[int], vendor: str) -> tuple[str, list[Any]]:
    """`column` is one of `ids`: the condition and its parameters, for the lookup and for a
    hand-written statement alike."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [int_array(ids)]
    return _one_of(column, list(ids))


def any_uuid_of(column: str, uuids: Collection[UUID], vendor: str) -> tuple[str, list[Any]]:
    """`column`, a UUIDField's, is one of `uuids`: as any_of, the array of their text on
    PostgreSQL, their hex elsewhere (as Django keeps a UUID where the database has no type
    of its own)."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s::uuid[])", [uuid_array(uuids)]
    return _one_of(column, [uuid.hex for uuid in uuids])


def _one_of(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """One placeholder a value, where there are no arrays."""
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        ids: Iterable[Any] = self.rhs
        return [int(pk) for pk in ids]

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        condition, params = any_of(lhs, self.rhs, connection.vendor)
        return condition, [*lhs_params, *params]


def lookups_register() -> None:
    """On integer columns and foreign keys (`person_id__any`, `person__any`)."""
    for field in (models.IntegerField, models.ForeignKey):
        field.register_lookup(AnyOf)
