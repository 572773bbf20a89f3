"""Reads of the unit tree kept in Django's cache across requests.

Every request of a member of staff needs their unit, and every scoped read the ids of the
unit's subtree; the tree changes only when a list of units is loaded. `units_load` then moves
the tree's version, and whatever was kept under another version is read again. A unit keeps its
path for good and the loader only adds units, so an entry that is late (the embedded cache is
each process's own and misses a load made by another process until the entry expires) shows a
member of staff less, never more.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

TIMEOUT_SECONDS = 5 * 60
_VERSION_KEY = "places:tree"


def tree_cached(key: str, read: Callable[[], T]) -> T:
    """The value kept under `key` for the tree's version, else `read()`'s, then kept."""
    found = cache.get_many([_VERSION_KEY, key])  # one round trip on Redis
    version = found.get(_VERSION_KEY)
    if key in found and found[key][0] == version:
        value: T = found[key][1]
        return value
    value = read()
    cache.set(key, (version, value), TIMEOUT_SECONDS)
    return value


def tree_changed() -> None:
    """Make whatever was kept of the tree stale: units were added or changed."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
