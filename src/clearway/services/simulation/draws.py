"""Weighted random draws: fixed weights, rank order (most usual first) and Zipf's law."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

# Exponent of the Zipf law of how often each trader lodges: the busiest lodge most.
ZIPF_EXPONENT = 0.9


class Weighted(Generic[T]):
    """Values drawn with fixed weights; the same draw as ``Random.choices``, without its setup."""

    __slots__ = ("cumulative", "last", "total", "values")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted)
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]
        self.last = len(self.values) - 1

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect_right(self.cumulative, rng.random() * self.total, 0, self.last)]


@cache
def ranked(values: tuple[str, ...]) -> Weighted[str]:
    """The first value most likely, the next 1/2, 1/3 … as likely."""
    return Weighted((value, 1 / rank) for rank, value in enumerate(values, start=1))


def zipf(values: Sequence[T]) -> Weighted[T]:
    return Weighted((value, rank**-ZIPF_EXPONENT) for rank, value in enumerate(values, start=1))
