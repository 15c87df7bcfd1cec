"""The screening index kept on disk: read back by the next process with the same matches,
never for other lists or from a folder others can write into, and rebuilt when unreadable."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any

import pytest

from clearway.adapters.screening_cache import KEEP, cache_file, keep, read_cached
from clearway.services.screening.screener import Screener

LISTED = "Al Wasel & Babel General Trading L.L.C."  # OFAC SDN entry 8210
DISGUISED = "Al Wasell and Babel Gen. Trading LLC"
LISTS = ("ofac-sdn:aaaa", "un:bbbb")


@pytest.fixture(scope="module")
def small_screener(shipped_lists: list[Any]) -> Screener:
    """An index over the first 400 SDN entries and entry 8210."""
    sdn = shipped_lists[0].entities
    chosen = [*sdn[:400], *(e for e in sdn if e.entity_id == "ofac-sdn:8210")]
    return Screener(chosen)


def _found(screener: Screener, name: str) -> list[tuple[str, float]]:
    return [(match.entity_id, round(match.score, 4)) for match in screener.screen(name, "AE")]


def test_a_kept_index_screens_as_the_one_built(small_screener: Screener, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    keep(folder, LISTS, small_screener)
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    read = read_cached(folder, LISTS)
    assert read is not None and read is not small_screener
    assert read.name_count == small_screener.name_count
    built = _found(small_screener, DISGUISED)
    assert built and built[0][0] == "ofac-sdn:8210"
    assert _found(read, DISGUISED) == built
    assert _found(read, LISTED) == _found(small_screener, LISTED)


def test_other_lists_or_an_unsafe_folder_read_nothing(
    small_screener: Screener, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    keep(folder, LISTS, small_screener)
    assert read_cached(folder, ("ofac-sdn:aaaa", "un:cccc")) is None
    folder.chmod(0o777)  # anybody could have put a file there: it is not read
    assert read_cached(folder, LISTS) is None
    keep(folder, ("ofac-sdn:dddd",), small_screener)
    assert not cache_file(folder, ("ofac-sdn:dddd",)).exists()


def test_an_unreadable_file_is_passed_over_with_a_warning(
    small_screener: Screener, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    keep(folder, LISTS, small_screener)
    path = cache_file(folder, LISTS)
    path.write_bytes(path.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING):
        assert read_cached(folder, LISTS) is None
    assert "not read" in caplog.text
    path.write_bytes(pickle.dumps({"not": "a screener"}))
    assert read_cached(folder, LISTS) is None


def test_only_the_newest_indexes_are_kept(small_screener: Screener, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    for version in range(KEEP + 2):
        keep(folder, (f"un:{version}",), small_screener)
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == KEEP and not any(name.endswith(".part") for name in kept)
    assert read_cached(folder, (f"un:{KEEP + 1}",)) is not None
