"""Which listed names are alike to a screened one when both are run together (``ALNASER`` /
``AL NASER``, ``RAMCHARANLTD`` / ``RAMCHARAN LTD``, ``امین الله`` / ``AMINULLAH`` by sound),
found by hash look-ups rather than by comparing strings.

Two strings within ``k`` edits of each other share a string ``k`` deletions from each (the
SymSpell scheme, which the word index uses too: ``deletions``). Every listed name's
run-together strings, and their deletions within the matcher's run-together budget
(``run_together_budget``), are hashed into one sorted array; a screened name's are looked up
in it, after a bitmap of the hashes' low bits has ruled out most of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from clearway.services.screening.matcher import MatchSettings, PreparedName, run_together_budget

# The bitmap (a byte per entry) has about eight entries per hash, from 8 KiB to 16 MiB: sized
# to the lists, so that a runtime with few listed names does not clear 16 MiB.
_BITMAP_BITS_FEWEST = 13
_BITMAP_BITS_MOST = 24
_SOUNDS_TAG = "~"
"""Put before a sound skeleton, so that letters and sounds run together never meet."""


def deletions(word: str, depth: int) -> set[str]:
    """Every string ``word`` becomes with up to ``depth`` letters deleted (itself excluded)."""
    found: set[str] = set()
    level = {word}
    for _ in range(depth):
        level = {
            text[:position] + text[position + 1 :]
            for text in level
            for position in range(len(text))
        }
        found |= level
    found.discard(word)
    return found


class RunTogetherIndex:
    """Hashes of the run-together strings of a fixed sequence of prepared names."""

    def __init__(self, names: Sequence[PreparedName], settings: MatchSettings) -> None:
        self._settings = settings
        hashes_by_name = [self._hashes(name) for name in names]
        counts = np.fromiter(map(len, hashes_by_name), dtype=np.intp, count=len(names))
        hashes = np.fromiter(
            chain.from_iterable(hashes_by_name), dtype=np.int64, count=int(counts.sum())
        )
        order = np.argsort(hashes, kind="stable")
        self._names = np.repeat(np.arange(len(names), dtype=np.intp), counts)[order]
        # Each distinct hash once, with where its names start in ``_names``.
        self._hashes_sorted, self._starts = np.unique(hashes[order], return_index=True)
        self._ends = np.append(self._starts[1:], len(hashes))
        bits = min(_BITMAP_BITS_MOST, max(_BITMAP_BITS_FEWEST, (8 * len(hashes)).bit_length()))
        self._mask = (1 << bits) - 1
        self._bits = np.zeros(1 << bits, dtype=bool)
        self._bits[self._hashes_sorted & self._mask] = True

    def alike(self, query: PreparedName) -> list[int]:
        """Indexes of the names with a run-together string within budget of one of
        ``query``'s (a superset: the matcher's ``run_together`` decides)."""
        keys = np.fromiter(self._hashes(query), dtype=np.int64)
        keys = keys[self._bits[keys & self._mask]]
        hashes = self._hashes_sorted
        if not len(keys) or not len(hashes):
            return []
        at = np.minimum(np.searchsorted(hashes, keys), len(hashes) - 1)
        hits = at[hashes[at] == keys]
        found: set[int] = set()
        for start, end in zip(self._starts[hits].tolist(), self._ends[hits].tolist(), strict=True):
            found.update(self._names[start:end].tolist())
        return sorted(found)

    def _hashes(self, name: PreparedName) -> set[int]:
        """Hashes of ``name``'s run-together strings and of their deletions within budget."""
        settings = self._settings
        tagged = [("", text) for text in {name.spelt_joined, name.joined, name.sorted_joined}]
        if len(name.sounds) >= settings.sounds_min_length:
            tagged.extend((_SOUNDS_TAG, text) for text in {name.sounds, name.sorted_sounds})
        keys: set[int] = set()
        for tag, text in tagged:
            keys.add(hash(tag + text))
            budget = run_together_budget(len(text), settings)
            keys.update(hash(tag + deletion) for deletion in deletions(text, budget))
        return keys
