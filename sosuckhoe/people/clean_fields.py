"""Whether Django's `Model.clean_fields` would accept a new row as it is, told in a few
comparisons a field: a batch of thousands of persons runs `clean_fields` (a Python call per
field, validator and choice) only on a row this cannot vouch for, so that every refusal is
still Django's own, with its messages.

A field is vouched for only when its value has the exact type that its `to_python` returns
unchanged and passes each check `clean` makes (null, blank, choices, the validators read from
the field once a process); any other value, field or validator answers "not sure".
"""

import datetime as dt
import uuid
from collections.abc import Collection
from functools import cache
from typing import Any, NamedTuple

from django.core import validators
from django.db import models


class _FieldCheck(NamedTuple):
    name: str
    attname: str
    blank: bool
    # The value's type: exactly this one when `exact`, else an instance of it; None when no
    # value of the field is vouched for (relations, kinds no batch writes, other validators).
    kind: type | None
    exact: bool
    not_empty: bool
    choices: frozenset[Any] | None
    longest: int | None
    lowest: Any
    highest: Any


def fields_certainly_clean(obj: models.Model, exclude: Collection[str]) -> bool:
    """True only when `obj.clean_fields(exclude=exclude)` would raise nothing and change no
    value; False when it might do either (then call it)."""
    values = obj.__dict__
    for name, attname, blank, kind, exact, not_empty, choices, longest, lowest, highest in _checks(
        type(obj)
    ):
        if name in exclude:
            continue
        value = values[attname]
        if blank and (value is None or value == ""):
            continue  # clean_fields skips an empty value of a field that may be blank
        if kind is None or not (type(value) is kind if exact else isinstance(value, kind)):
            return False
        if (
            (not_empty and value == "")
            or (choices is not None and value not in choices)
            or (longest is not None and len(value) > longest)
            or (lowest is not None and value < lowest)
            or (highest is not None and value > highest)
        ):
            return False
    return True


@cache
def _checks(model: type[models.Model]) -> tuple[_FieldCheck, ...]:
    return tuple(_check_of(f) for f in model._meta.fields if not f.generated)


def _check_of(field: models.Field) -> _FieldCheck:
    kind, exact = _kind(field)
    limits = _limits(field.validators)
    if limits is None:
        kind = None
    longest, lowest, highest = limits or (None, None, None)
    return _FieldCheck(
        name=field.name,
        attname=field.attname,
        blank=field.blank,
        kind=kind,
        exact=exact,
        # None is refused by the type; "" (empty) is refused unless the field may be blank.
        not_empty=not field.blank,
        choices=_choice_keys(field),
        longest=longest,
        lowest=lowest,
        highest=highest,
    )


def _kind(field: models.Field) -> tuple[type | None, bool]:
    """The type of value that the field's to_python returns as it is, and whether only that
    exact type (a subclass, such as bool for int or datetime for date, is converted)."""
    if isinstance(field, models.CharField):
        return str, False
    if isinstance(field, models.DateTimeField):
        return None, True  # converts naive values and warns
    if isinstance(field, models.DateField):
        return dt.date, True
    if isinstance(field, models.IntegerField) and not isinstance(field, models.AutoField):
        return int, True
    if isinstance(field, models.UUIDField):
        return uuid.UUID, False
    return None, True  # relations (the caller's to check) and kinds no batch writes


def _choice_keys(field: models.Field) -> frozenset[Any] | None:
    """The keys a value must be one of, None when the field takes any (or, not editable,
    is not checked against them)."""
    if field.choices is None or not field.editable:
        return None
    keys: set[Any] = set()
    for key, label in field.choices:
        if isinstance(label, (list, tuple)):
            keys.update(inner for inner, _ in label)
        else:
            keys.add(key)
    return frozenset(keys)


def _limits(found: list[Any]) -> tuple[int | None, Any, Any] | None:
    """The field's validators as (longest, lowest, highest), None when one of them is of
    another kind or has a limit computed at each call."""
    longest, lowest, highest = None, None, None
    for validator in found:
        limit = getattr(validator, "limit_value", None)
        if callable(limit):
            return None
        if type(validator) is validators.MaxLengthValidator:
            longest = limit if longest is None else min(longest, limit)
        elif type(validator) is validators.MinValueValidator:
            lowest = limit if lowest is None else max(lowest, limit)
        elif type(validator) is validators.MaxValueValidator:
            highest = limit if highest is None else min(highest, limit)
        else:
            return None
    return longest, lowest, highest
