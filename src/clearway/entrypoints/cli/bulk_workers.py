"""Bulk lodging on several cores: each batch of a file lodged whole (parse, checks, screening,
scoring, lane, storing) in one of N worker processes, several batches at once, each in its own
transaction as any writer of the database; the command answers every line in input order.

The workers are forked from the command once it has built its runtime, so they start with the
reference data, tariff, screening index and model it holds instead of building their own; each
keeps them current as the command would (``Runtime.sync`` at each batch) and takes its own
place in the shared lane window, as a server's workers do. What one worker stores, the others
see from their next batch: the trader history, the lane window, licence balances, quotas.

Only what the command needs to answer comes back from a worker: a line's outcome, or its
refusal.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing.pool import AsyncResult, Pool

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.identifiers import new_id
from clearway.entrypoints.cli.bulk import (
    InputLine,
    LineLodged,
    LineRefused,
    lodge_prepared,
    prepare_lines,
)

Answers = list[LineLodged | LineRefused]
"""A batch's answers, a line each, in input order."""

# What a worker works with, set by the command before it forks its workers: a forked worker
# inherits it as it stands, without pickling a runtime.
_forked: tuple[Runtime, Principal] | None = None


def _start_worker() -> None:
    assert _forked is not None
    runtime = _forked[0]
    # The pooled connections belong to the command; the worker opens its own.
    runtime.engine.dispose(close=False)
    # A writer of its own in the shared lane window: it counts the others' decisions.
    runtime.context.risk.writer = new_id()


def _lodge_batch(lines: list[InputLine]) -> Answers:
    assert _forked is not None
    runtime, actor = _forked
    answers: Answers = []

    def refused(line: LineRefused) -> None:
        # A schema error's own object does not cross processes; its violations do.
        answers.append(replace(line, parse_error=None))

    lodge_prepared(runtime, prepare_lines(runtime, actor, lines), refused, answers.append)
    return answers


class Workers:
    """Lodges batches on a pool of worker processes and hands their answers back in input
    order, with a few batches in flight (so memory stays flat in input size)."""

    def __init__(self, pool: Pool, workers: int):
        self._pool = pool
        self._in_flight = 2 * workers

    def lodge(
        self, batches: Iterable[tuple[list[InputLine], int]]
    ) -> Iterator[tuple[Answers, int]]:
        """Each batch's answers, with the offset the input reached at its end."""
        pending: deque[tuple[AsyncResult[Answers], int]] = deque()
        for lines, offset in batches:
            pending.append((self._pool.apply_async(_lodge_batch, (lines,)), offset))
            if len(pending) >= self._in_flight:
                result, reached = pending.popleft()
                yield result.get(), reached
        while pending:
            result, reached = pending.popleft()
            yield result.get(), reached


@contextmanager
def bulk_workers(runtime: Runtime, actor: Principal, workers: int) -> Iterator[Workers | None]:
    """``Workers`` on ``workers`` processes (None for one: all is done in this process).
    Start them before any thread of the command (a progress bar) so that the fork copies no
    lock a thread holds."""
    global _forked
    if workers <= 1:
        yield None
        return
    _forked = (runtime, actor)
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_start_worker)
    try:
        yield Workers(pool, workers)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _forked = None
