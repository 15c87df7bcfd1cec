"""What a long-lived command holds is made with the collector paused and then kept out of its
sight; given back when the command ends, unless the process ends with it."""

from __future__ import annotations

import gc

import pytest

from clearway.bootstrap import built_for_life


def _tracked(target: object) -> bool:
    """Whether ``target`` is where the collector walks (not frozen)."""
    return any(found is target for found in gc.get_objects())


def _build(collecting: list[bool]) -> list[list[int]]:
    collecting.append(gc.isenabled())
    return [[index] for index in range(1000)]


def test_what_is_built_is_made_with_the_collector_off_and_held_out_of_its_sight() -> None:
    collecting: list[bool] = []
    with built_for_life(lambda: _build(collecting)) as built:
        assert collecting == [False]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= 1000
        assert not _tracked(built[0]) and not _tracked(built[-1])
    assert gc.get_freeze_count() == 0
    assert _tracked(built[0])


def test_until_exit_keeps_it_out_of_sight_after_the_command() -> None:
    try:
        with built_for_life(lambda: _build([]), until_exit=True) as built:
            pass
        assert gc.get_freeze_count() >= 1000
        assert not _tracked(built[0])
    finally:
        gc.unfreeze()


def test_a_build_that_fails_leaves_the_collector_on_and_nothing_frozen() -> None:
    def failing() -> list[int]:
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError, match="no database"), built_for_life(failing):
        pass
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with built_for_life(lambda: _build([])):
            assert not gc.isenabled()
    finally:
        gc.enable()
