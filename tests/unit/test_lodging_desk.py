"""The lodging desk: requests that arrive while a batch is stored go in the next batch
together, each answered with its own outcome, a failure of one batch told to each of its
requests on its own."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

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


def test_requests_that_wait_behind_a_batch_share_the_next_and_each_gets_its_own_answer() -> None:
    counter = Counter()
    desk = LodgingDesk(counter.lodge_many)
    with ThreadPoolExecutor(21) as pool:
        first = pool.submit(desk.lodge, 1)
        assert counter.first_started.wait(10)
        later = {number: pool.submit(desk.lodge, number) for number in range(2, 22)}
        # Every later request is queued behind the first batch before it ends.
        while desk.queued < 20:
            threading.Event().wait(0.01)
        counter.release.set()
        assert first.result(10) == 1
        assert {number: done.result(10) for number, done in later.items()} == {
            number: number * number for number in range(2, 22)
        }
    assert counter.batches[0] == [1]
    assert sorted(counter.batches[1]) == list(range(2, 22))
    assert len(counter.batches) == 2


def test_no_batch_is_larger_than_the_limit() -> None:
    counter = Counter()
    desk = LodgingDesk(counter.lodge_many, most=5)
    with ThreadPoolExecutor(13) as pool:
        first = pool.submit(desk.lodge, 1)
        assert counter.first_started.wait(10)
        later = [pool.submit(desk.lodge, number) for number in range(2, 14)]
        while desk.queued < 12:
            threading.Event().wait(0.01)
        counter.release.set()
        assert [done.result(10) for done in [first, *later]] == [n * n for n in range(1, 14)]
    assert [len(batch) for batch in counter.batches] == [1, 5, 5, 2]


def test_a_failing_batch_is_tried_again_one_by_one_and_only_the_bad_request_fails() -> None:
    counter = Counter()
    desk = LodgingDesk(counter.lodge_many)
    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(desk.lodge, 1)
        assert counter.first_started.wait(10)
        later = {number: pool.submit(desk.lodge, number) for number in (2, -3, 4)}
        while desk.queued < 3:
            threading.Event().wait(0.01)
        counter.release.set()
        assert first.result(10) == 1
        assert later[2].result(10) == 4
        assert later[4].result(10) == 16
        with pytest.raises(ValueError, match="cannot lodge -3"):
            later[-3].result(10)
    # The shared batch failed, then each of its three was lodged alone.
    assert sorted(len(batch) for batch in counter.batches[2:]) == [1, 1, 1]
    assert len(counter.batches[1]) == 3


def test_the_desk_is_free_again_after_a_failure() -> None:
    counter = Counter()
    counter.release.set()
    desk = LodgingDesk(counter.lodge_many)
    with pytest.raises(ValueError):
        desk.lodge(-1)
    assert desk.lodge(5) == 25
