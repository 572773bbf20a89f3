"""An import in parts that run side by side, one process each, on PostgreSQL.

One process judging a chunk leaves the machine's other cores idle, and the database idle
while it judges: two parts imported 20,000 rows in 9.6 s where one took 17 (docs/
performance.md). Every part reads the whole sheet and parses only its own rows:
- every row of one identity document falls in one part (by the document's digits, its
  leading zeros dropped, as a number cell drops them), so that no two parts register, lock or
  give doses to the same person, and a person's rows are judged in the order of the file;
- a row without a document falls in the part of its window of CHUNK sheet rows.
Each part commits its chunks as a single import does (`import_file`: services.file_import;
a job: jobs.import_job_run, where each part resumes after its own last committed row). A
chunk's new persons' possible duplicates are looked for once the chunk has committed, so that
a person registered by one part is compared with those of the others: of two chunks, the one
that commits later looks after the other has committed, and finds its persons.
"""

import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import traceback
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, connections

from sosuckhoe.core.text import compact_code
from sosuckhoe.imports.cells import text
from sosuckhoe.imports.readers import Cell

if TYPE_CHECKING:
    from sosuckhoe.imports.services import Judge

logger = logging.getLogger(__name__)

CHUNK = 1000  # sheet rows a window (rows without a document)


def parts_possible(workers: int) -> int:
    """How many of `workers` parts may write at once: one where the database lets one writer
    at a time (SQLite), or where the caller's transaction would not be seen by the parts'
    connections."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return workers


class ImportPartFailed(Exception):
    """A part stopped on an error; the chunks it committed stay."""


@dataclass(frozen=True)
class Part:
    """The rows of part `index` of `count`: see the module."""

    index: int
    count: int
    id_column: int | None  # the column of the document's number

    def owns(self, number: int, row: Sequence[Cell]) -> bool:
        if self.count == 1:
            return True
        key = self._document_key(row)
        share = zlib.crc32(key.encode()) if key else number // CHUNK
        return share % self.count == self.index

    def _document_key(self, row: Sequence[Cell]) -> str:
        column = self.id_column
        if column is None or column >= len(row):
            return ""
        return compact_code(text(row[column])).lstrip("0")


def parts_run(
    *,
    count: int,
    run_part: Callable[[Part, Callable[[int], None]], Any],
    id_column: int | None,
    on_progress: Callable[[int], None] | None = None,
    passthrough: tuple[type[Exception], ...] = (),
) -> list[Any]:
    """Run `run_part(part, report_row)` for each of `count` parts in a process of its own
    (forked: each inherits what this one loaded; each dies with this one), and gather what
    each returns (its summary). `on_progress(sheet row)`: the row every part has passed.
    Once every part has ended, a failure is raised: the exception of a part when it is one
    of `passthrough` (a cancel, say), else ImportPartFailed."""
    # A connection is not to be shared with a child: each opens its own (_part_main).
    connections.close_all()
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    processes = [
        context.Process(target=_part_main, args=(run_part, Part(i, count, id_column), messages))
        for i in range(count)
    ]
    for process in processes:
        process.start()
    reached = [0] * count
    outcomes: list[Any] = [None] * count
    failures: list[tuple[Exception | None, str]] = []
    ended: set[int] = set()
    while len(ended) < count:
        try:
            kind, index, value = messages.get(timeout=1)
        except queue.Empty:
            # A part killed (out of memory, by an operator) says nothing: it has ended.
            for i, process in enumerate(processes):
                if i not in ended and process.exitcode is not None and messages.empty():
                    ended.add(i)
                    failures.append((None, f"part {i + 1} of {count} ended: {process.exitcode}"))
            continue
        if kind == "row":
            reached[index] = value
            if on_progress:
                on_progress(min(reached))
            continue
        ended.add(index)
        if kind == "failed":
            failures.append(value)
        else:
            outcomes[index] = value
    for process in processes:
        process.join()
    for error, _trace in failures:
        if isinstance(error, passthrough):
            raise error
    for _error, trace in failures:
        logger.error("an import part failed:\n%s", trace)
    if failures:
        # What a job's page shows: each part's error, its traceback in the log.
        raise ImportPartFailed("; ".join(trace.strip().splitlines()[-1] for _e, trace in failures))
    return outcomes


def _part_main(run_part: Callable[..., Any], part: Part, messages: Any) -> None:
    _die_with_parent()
    _connections_forgotten()
    try:
        result = run_part(part, lambda row: messages.put(("row", part.index, row)))
    except Exception as error:
        messages.put(("failed", part.index, _failure(error)))
        raise
    finally:
        connections.close_all()
    messages.put(("done", part.index, result))


# The parent's connections as this process inherited them: see _connections_forgotten.
_INHERITED: list[Any] = []


def _connections_forgotten() -> None:
    """Leave the parent's connections alone: closing or freeing one here would end the
    parent's session (libpq says goodbye on the socket both processes hold). Each is kept
    referenced, as the process exits without freeing anything; Django opens its own. The
    parent closes its connections before forking, but one it holds in another context (the
    browser tests' event loop) it cannot reach."""
    for inherited in connections.all(initialized_only=True):
        if inherited.connection is not None:
            _INHERITED.append(inherited.connection)
            inherited.connection = None


def _failure(error: Exception) -> tuple[Exception | None, str]:
    """What the parent is told of a part's error: the exception, when it can be sent, and
    its traceback."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return None, traceback.format_exc()
    return error, traceback.format_exc()


def _die_with_parent() -> None:
    """A part killed with its parent (Linux's PR_SET_PDEATHSIG): a worker killed half way
    leaves no part writing on, which the worker that resumes the job would have to wait out."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def judged_in_parts(
    judge: "Judge",
    *,
    count: int,
    run_part: Callable[[Part, Callable[[int], None]], Any],
    on_progress: Callable[[int], None] | None = None,
    passthrough: tuple[type[Exception], ...] = (),
) -> list[Any]:
    """What `run_part` returns for each part, run by parts_run with `judge`'s rows (its
    document column); `run_part` queues the possible duplicates of each chunk's new persons
    once it has committed (`judge.candidates_queue`)."""
    judge.candidates_after_commit = True
    return parts_run(
        count=count,
        run_part=run_part,
        id_column=judge.parser.index_of.get("id_number"),
        on_progress=on_progress,
        passthrough=passthrough,
    )
