"""Bulk lodging on several cores: the checks of each batch that need no database (parse,
validate, value, duty, screening of the parties) made in worker processes, and everything
else (licences, scoring, lanes, storing) in the command's own process, the one writer of the
database, batch after batch in input order.

The workers are forked from the command once it has built its runtime, so they start with the
reference data, tariff and screening index it holds instead of building their own; each keeps
them current as the command does (``Runtime.sync`` at each batch).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult, Pool

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.entrypoints.cli.bulk import InputLine, Prepared, prepare_lines

# What a worker works with, set by the command before it forks its workers: a forked worker
# inherits it as it stands, without pickling a runtime.
_forked: tuple[Runtime, Principal] | None = None


def _start_worker() -> None:
    assert _forked is not None
    # The pooled connections belong to the command; the worker opens its own.
    _forked[0].engine.dispose(close=False)


def _prepare_batch(lines: list[InputLine]) -> Prepared:
    assert _forked is not None
    runtime, actor = _forked
    runtime.sync()
    return prepare_lines(runtime, actor, lines, checked=True)


class Preparer:
    """Prepares batches of lines on a pool of worker processes and hands them back in input
    order, with a few batches in flight (so memory stays flat in input size)."""

    def __init__(self, pool: Pool, workers: int):
        self._pool = pool
        self._in_flight = 2 * workers

    def batches(
        self, batches: Iterable[tuple[list[InputLine], int]]
    ) -> Iterator[tuple[Prepared, int]]:
        """Each batch prepared, with the offset the input reached at its end."""
        pending: deque[tuple[AsyncResult[Prepared], int]] = deque()
        for lines, offset in batches:
            pending.append((self._pool.apply_async(_prepare_batch, (lines,)), offset))
            if len(pending) >= self._in_flight:
                result, reached = pending.popleft()
                yield result.get(), reached
        while pending:
            result, reached = pending.popleft()
            yield result.get(), reached


@contextmanager
def preparer(runtime: Runtime, actor: Principal, workers: int) -> Iterator[Preparer | None]:
    """A ``Preparer`` on ``workers`` processes (None for one: all is done in this process).
    Start it before any thread of the command (a progress bar) so that the fork copies no
    lock a thread holds."""
    global _forked
    if workers <= 1:
        yield None
        return
    _forked = (runtime, actor)
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_start_worker)
    try:
        yield Preparer(pool, workers)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _forked = None
