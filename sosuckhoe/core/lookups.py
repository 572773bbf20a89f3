"""`field__any=ids`: the rows whose integer key is one of many ids, as `__in` would find them,
without `__in`'s price for a long list. Django prepares and resolves each of an `__in` list's
values on its own (about 20 µs a person in a batch of 500 certificates, more than reading
their rows); here the list is one parameter, an array, on PostgreSQL (`= ANY(%s)`), and one
placeholder per id elsewhere. Give the ids as a set (or a dict, a range): a list or a tuple
is walked by Django value by value before any lookup sees it, which costs what `__in` did."""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler


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
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        if not self.rhs:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


def lookups_register() -> None:
    """On integer columns and foreign keys (`person_id__any`, `person__any`)."""
    for field in (models.IntegerField, models.ForeignKey):
        field.register_lookup(AnyOf)
