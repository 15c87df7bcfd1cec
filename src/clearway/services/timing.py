"""How long each stage of clearance takes, told to whoever watches (the metrics, a benchmark).

The services layer does not know how timings are exported: an entrypoint adds an observer, a
callable taking ``(stage, seconds, declarations)``, and the stages time themselves with
``timed``. With no observer, ``timed`` does nothing at all, not even read the clock.

A batch is timed as a whole: a ``timed`` block inside another (the batch being lodged) adds its
seconds and declarations to the batch's tally for its stage, and the observers hear of each
stage once, when the outermost block ends. A batch of a thousand declarations thus makes one
observation per stage, not a thousand; a stage's mean time per declaration is its seconds
divided by its declarations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar, Token
from time import perf_counter
from types import TracebackType

Observer = Callable[[str, float, int], None]

log = logging.getLogger(__name__)

# Replaced whole, never changed in place, so that a lodging thread reads a consistent tuple.
_observers: tuple[Observer, ...] = ()
# The open batch's tally, stage -> [seconds, declarations]; None outside a batch.
_tally: ContextVar[dict[str, list[float]] | None] = ContextVar("stage_tally", default=None)


def add_observer(observer: Observer) -> None:
    global _observers
    _observers = (*_observers, observer)


def remove_observer(observer: Observer) -> None:
    """Stop telling ``observer`` (one registration of it); nothing if it was not added."""
    global _observers
    kept = list(_observers)
    if observer in kept:
        kept.remove(observer)
    _observers = tuple(kept)


class timed:  # lower case: it reads as a function, ``with timed("validate"):``
    """Time the block as the work of ``stage`` on ``count`` declarations."""

    __slots__ = ("_count", "_stage", "_started", "_tally", "_token")

    def __init__(self, stage: str, count: int = 1) -> None:
        self._stage = stage
        self._count = count
        self._tally: dict[str, list[float]] | None = None
        self._token: Token[dict[str, list[float]] | None] | None = None
        self._started = 0.0

    def __enter__(self) -> None:
        if not _observers:
            return
        tally = _tally.get()
        if tally is None:
            tally = {}
            self._token = _tally.set(tally)
        self._tally = tally
        self._started = perf_counter()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        tally = self._tally
        if tally is None:
            return
        spent = tally.setdefault(self._stage, [0.0, 0])
        spent[0] += perf_counter() - self._started
        spent[1] += self._count
        if self._token is not None:
            _tally.reset(self._token)
            _tell(tally)


def _tell(tally: dict[str, list[float]]) -> None:
    for observer in _observers:
        for stage, (seconds, count) in tally.items():
            try:
                observer(stage, seconds, int(count))
            except Exception:
                # Watching clearance must never fail it.
                log.exception("stage timing observer %r failed", observer)
