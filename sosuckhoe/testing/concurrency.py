"""Running work in several threads at once, each on its own database connection: the races
that only a real server shows (PostgreSQL; SQLite has one writer)."""

import threading
from collections.abc import Callable

from django.db import connection


def in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in `count` threads at once; each result, or the exception it met."""
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            results[i] = work(i)
        except Exception as error:  # the caller asserts on what each thread met
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
