"""The lodging desk: requests that arrive while a batch is stored go in the next batch
together, each answered with its own outcome, a failure of one batch told to each of its
requests on its own."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

import pytest

from clearway.services.lodging_desk import LodgingDesk


class Counter:
    """Lodges numbers as their squares; the first batch waits until ``release`` is set, so
    that the requests sent meanwhile gather behind it."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()

    def lodge_many(self, numbers: Sequence[int]) -> list[int]:
        self.batches.append(list(numbers))
        if len(self.batches) == 1:
            self.first_started.set()
            assert self.release.wait(10)
        if any(number < 0 for number in numbers):
            raise ValueError(f"cannot lodge {min(numbers)}")
        return [number * number for number in numbers]


def test_one_request_alone_is_lodged_at_once_in_a_batch_of_its_own() -> None:
    counter = Counter()
    counter.release.set()
    desk = LodgingDesk(counter.lodge_many)
    assert desk.lodge(3) == 9
    assert desk.lodge(4) == 16
    assert counter.batches == [[3], [4]]


def behind_a_first(
    desk: LodgingDesk[int, int], counter: Counter, later: Sequence[int]
) -> tuple[int, dict[int, Future[int]]]:
    """Lodge 1, then each of ``later`` while 1's batch is being stored; once they all wait
    behind it, let it end. The first's answer and the others' futures, done."""
    with ThreadPoolExecutor(len(later) + 1) as pool:
        first = pool.submit(desk.lodge, 1)
        assert counter.first_started.wait(10)
        waiting = {number: pool.submit(desk.lodge, number) for number in later}
        while desk.queued < len(later):
            threading.Event().wait(0.01)
        counter.release.set()
        wait(waiting.values(), timeout=10)
        return first.result(10), waiting


def test_requests_that_wait_behind_a_batch_share_the_next_and_each_gets_its_own_answer() -> None:
    counter = Counter()
    first, later = behind_a_first(LodgingDesk(counter.lodge_many), counter, range(2, 22))
    assert first == 1
    assert {number: done.result() for number, done in later.items()} == {
        number: number * number for number in range(2, 22)
    }
    assert counter.batches[0] == [1]
    assert sorted(counter.batches[1]) == list(range(2, 22))
    assert len(counter.batches) == 2


def test_no_batch_is_larger_than_the_limit() -> None:
    counter = Counter()
    first, later = behind_a_first(LodgingDesk(counter.lodge_many, most=5), counter, range(2, 14))
    assert [first, *(done.result() for done in later.values())] == [n * n for n in range(1, 14)]
    assert [len(batch) for batch in counter.batches] == [1, 5, 5, 2]


def test_a_failing_batch_is_tried_again_one_by_one_and_only_the_bad_request_fails() -> None:
    counter = Counter()
    first, later = behind_a_first(LodgingDesk(counter.lodge_many), counter, (2, -3, 4))
    assert (first, later[2].result(), later[4].result()) == (1, 4, 16)
    with pytest.raises(ValueError, match="cannot lodge -3"):
        later[-3].result()
    # The shared batch of three failed, then each of them was lodged alone.
    assert [len(batch) for batch in counter.batches] == [1, 3, 1, 1, 1]


def test_the_desk_is_free_again_after_a_failure() -> None:
    counter = Counter()
    counter.release.set()
    desk = LodgingDesk(counter.lodge_many)
    with pytest.raises(ValueError):
        desk.lodge(-1)
    assert desk.lodge(5) == 25
