"""The products and schedule rules, kept in each process between calls of the schedule engine.

Every dose recorded, every person page and every eligibility check judge doses against all the
rules; they change only when the reference loader changes them. Unlike the unit tree
(places/cache.py), the value is kept in the process itself, as model instances: unpickling
them from the cache on each call would cost about what reading them costs. Only the version
lives in Django's cache, which `supply_reference_load` moves when it changed something, so
that every process (through Redis when `REDIS_URL` is set) reads the rules again. A process
also reads them again after TIMEOUT_SECONDS, which bounds how late the embedded cache, each
process's own, learns of a load made by another process.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

TIMEOUT_SECONDS = 5 * 60
_VERSION_KEY = "supply:reference"
# key -> (version, monotonic deadline, value)
_kept: dict[str, tuple[str, float, Any]] = {}
# The version a batch holds to (reference_pinned), else None: read the cache each time.
_pinned: ContextVar[str | None] = ContextVar("supply_reference_pinned", default=None)


@contextmanager
def reference_pinned() -> Iterator[None]:
    """Within, the version is the one read on entering: a batch judges its thousand doses by
    the rules of one moment, with one read of the version instead of one a dose (a round
    trip to Redis each when REDIS_URL is set)."""
    token = _pinned.set(_version())
    try:
        yield
    finally:
        _pinned.reset(token)


def _version() -> str:
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    version = cache.get(_VERSION_KEY)
    if version is None:  # never set, or the cache was emptied: start a version now
        cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_VERSION_KEY)
    return str(version)


def reference_cached(key: str, read: Callable[[], T]) -> T:
    """The value kept under `key` for the current version of the reference data, else
    `read()`'s, then kept."""
    version, now = _version(), time.monotonic()
    kept = _kept.get(key)
    if kept is not None and kept[0] == version and now < kept[1]:
        value: T = kept[2]
        return value
    value = read()
    _kept[key] = (version, now + TIMEOUT_SECONDS, value)
    return value


def _move() -> None:
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def reference_changed() -> None:
    """Make what was kept of the products and rules stale: at once, so that the writing
    transaction reads its own rows, and again at its commit, so that a reader that kept the
    old rows meanwhile does not keep them."""
    _move()
    transaction.on_commit(_move)
