"""Candidate blocking: which listed names are worth scoring against a screened name, found in
microseconds instead of scoring all ~27,000 names of the SDN, DPL and UN lists, and never
passing over a name the matcher would score at or above the floor asked for.

Every word of every listed name is indexed under two kinds of key:

- the word itself and its deletions within the matcher's edit budget (the SymSpell scheme:
  two words within ``k`` edits of each other share a string ``k`` deletions from each);
- its sound skeleton (``clearway.domain.screening.normalise.skeleton``), so that
  transliteration variants (``Yevgeniy``/``Evgeniy``, ``Mohammed``/``Muhammad``) meet.

A screened name's words are looked up under the same keys and kept when the matcher would pair
them. The word view gives the lighter of two names a fixed share of the score, so a match must
pair a least share of the lighter name's weight (``least_cover``). Two lookups follow from it
(prefix filtering, applied to both sides):

- the screened name's words are probed rarest first until the unprobed ones weigh less than
  that share: a listed name heavier than it shares a probed word or cannot match;
- each listed name is filed under its own rarest words carrying more than the rest of its
  weight (its prefix): a listed name lighter than the screened one shares a prefix word with
  it or cannot match. Common words (``al``, ``trading``, ``mohammed``) thus rarely pull in
  thousands of names.

Each name so found gets a first upper bound of the matcher's word score from the similarities
of the words it shares, computed for all of them at once in NumPy with the exact share the
matcher would give each side (an initial counts as pairing with any word of its letter); names
past it get a tighter bound that respects the matcher's rule of one partner per word. Names
alike run together (``ALNASER`` / ``AL NASER``) are found through hashes of every listed
name's run-together strings and their deletions within budget. Only names whose bound or
run-together score can reach the floor go on to the matcher's full comparison, whose score is
then exactly the pairwise one; so do the names where a word of one name is two neighbouring
words of the other run together (``BANKMELLAT TRADING`` / ``BANK MELLAT``), found by exact
look-ups of those compounds, as the bounds do not count such pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from clearway.domain.screening.normalise import skeleton
from clearway.services.screening.matcher import NameMatcher, PreparedName, edit_budget
from clearway.services.screening.run_together import RunTogetherIndex, deletions


@dataclass(frozen=True, slots=True)
class _Alike:
    """A screened word's listed look-alikes, and per name holding one (a name once per
    look-alike it holds) the similarity and the look-alike's weight times it."""

    words: dict[str, float]
    cost: int
    names: np.ndarray
    values: np.ndarray
    listed_credits: np.ndarray
    prefixed: np.ndarray
    """The names holding one of the look-alikes in their prefix."""


_NO_NAMES = np.zeros(0, dtype=np.intp)


class NameIndex:
    """Blocking keys over a fixed sequence of prepared names (candidates are their indexes)."""

    def __init__(
        self, names: Sequence[PreparedName], matcher: NameMatcher, min_floor: float = 0.5
    ) -> None:
        self._matcher = matcher
        self._min_floor = min_floor
        self._names = names
        # Per name, for the bounds computed over many candidates at once.
        self._totals = np.array([name.total_weight for name in names], dtype=float)
        self._word_counts = np.array([len(name.words) for name in names], dtype=np.intp)
        postings: dict[str, list[int]] = defaultdict(list)
        word_weight: dict[str, float] = {}
        for position, name in enumerate(names):
            for word, weight in zip(name.words, name.weights, strict=True):
                word_weight[word] = weight
            for word in dict.fromkeys(name.words):
                postings[word].append(position)
        self._postings = {word: np.array(found, dtype=np.intp) for word, found in postings.items()}
        self._word_weight = word_weight
        keys: dict[str, list[str]] = defaultdict(list)
        sounds: dict[str, list[str]] = defaultdict(list)
        for word in self._postings:
            keys[word].append(word)
            for deletion in deletions(word, self._depth(word)):
                keys[deletion].append(word)
            if len(word) > 2:
                sound = skeleton(word)
                if len(sound) > 1:
                    sounds[sound].append(word)
        self._keys = dict(keys)
        self._sounds = dict(sounds)
        # Neighbouring words run together (``BANK MELLAT`` → ``bankmellat``), which the matcher
        # pairs with one word of the screened name (``BANKMELLAT TRADING``).
        compound_postings: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(names):
            for compound in dict.fromkeys(compound for _, compound in name.compounds):
                compound_postings[compound].append(position)
        self._compound_postings = {
            compound: np.array(found, dtype=np.intp)
            for compound, found in compound_postings.items()
        }
        # Each name under the rarest of its words that carry more than the share of its weight
        # it may leave unpaired and still reach ``min_floor`` when it is the lighter name.
        unpaired_share = 1 - least_cover(min_floor, matcher)
        prefixes: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(names):
            rarest = sorted(
                dict(zip(name.words, name.weights, strict=True)).items(),
                key=lambda item: len(self._postings[item[0]]),
            )
            carried = 0.0
            for word, weight in rarest:
                prefixes[word].append(position)
                carried += weight
                if carried > unpaired_share * name.total_weight:
                    break
        self._prefix_arrays = {
            word: np.array(found, dtype=np.intp) for word, found in prefixes.items()
        }
        self._run_together = RunTogetherIndex(names, matcher.settings)
        self._initials: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(names)))
        for position, name in enumerate(names):
            for word, weight in zip(name.words, name.weights, strict=True):
                heaviest = self._initials[word[0]]
                heaviest[position] = max(heaviest[position], weight)
        self._initials = dict(self._initials)
        # The same words recur across the names screened (given names, GENERAL, PETROLEUM …);
        # their listed look-alikes are a pure function of the word and the lists.
        self.similar_words = lru_cache(maxsize=1 << 16)(self._similar_words)

    def __getstate__(self) -> dict[str, Any]:
        # Stored without the cache of look-alike words: it is rebuilt as names are screened.
        state = dict(self.__dict__)
        del state["similar_words"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.similar_words = lru_cache(maxsize=1 << 16)(self._similar_words)

    def _depth(self, word: str) -> int:
        """How many deletions reach every word the matcher may count a misspelling of
        ``word``: two words within ``k`` edits share a string ``k`` deletions from each (the
        SymSpell scheme), and the budget is set by the longer word."""
        settings = self._matcher.settings
        return edit_budget(len(word) + int(settings.max_edits), settings)

    @property
    def vocabulary_size(self) -> int:
        return len(self._postings)

    def _similar_words(self, word: str) -> _Alike:
        """Listed words the matcher would pair with ``word``, with their similarity, and the
        names holding them."""
        found: set[str] = set()
        keys = self._keys
        found.update(keys.get(word, ()))
        for deletion in deletions(word, self._depth(word)):
            found.update(keys.get(deletion, ()))
        if len(word) > 2:
            sound = skeleton(word)
            if len(sound) > 1:
                found.update(self._sounds.get(sound, ()))
        if word[0] in self._postings:
            found.add(word[0])  # a listed initial
        similarity = self._matcher.word_similarity
        alike = {}
        for listed in found:
            value = similarity(word, listed)
            if value > 0.0:
                alike[listed] = value
        postings = [self._postings[listed] for listed in alike]
        counts = [len(names) for names in postings]
        values = np.fromiter(alike.values(), dtype=float, count=len(alike))
        listed_weights = values * np.fromiter(
            (self._word_weight[listed] for listed in alike), dtype=float, count=len(alike)
        )
        prefixed = [
            self._prefix_arrays[listed] for listed in alike if listed in self._prefix_arrays
        ]
        return _Alike(
            alike,
            sum(counts),
            np.concatenate(postings) if postings else _NO_NAMES,
            np.repeat(values, counts),
            np.repeat(listed_weights, counts),
            np.concatenate(prefixed) if prefixed else _NO_NAMES,
        )

    def _compound_names(self, query: PreparedName) -> set[int]:
        """The names with two neighbouring words that run together are a word of the screened
        name, or with a word that is two neighbouring words of it run together (the matcher
        pairs them): the word bounds do not count such pairs, so these names are compared in
        full."""
        found: set[int] = set()
        for word in query.words:
            names = self._compound_postings.get(word)
            if names is not None:
                found.update(names.tolist())
        for _, compound in query.compounds:
            names = self._postings.get(compound)
            if names is not None:
                found.update(names.tolist())
        return found

    def candidates(self, query: PreparedName, floor: float) -> list[int]:
        """Indexes of the names that may score ``floor`` or more against ``query``."""
        words = query.words
        if not words:
            return []
        looked_up = [self.similar_words(word) for word in words]
        similar = [alike.words for alike in looked_up]
        order = sorted(range(len(words)), key=lambda position: looked_up[position].cost)
        weights = query.weights
        # A name lighter than the screened one must pair most of its own weight: it shares a
        # word of its prefix (below), so the screened name is probed only as far as a name
        # heavier than it needs. An initial finds no names by itself (it pairs with any word
        # of its letter), so it is never probed; below ``min_floor`` everything is.
        exhaustive = floor < self._min_floor
        needed = (1 - least_cover(floor, self._matcher)) * query.total_weight
        probed_weight = 0.0
        probed = []
        unprobed = []
        for position in order:
            if len(words[position]) == 1 or (probed_weight > needed and not exhaustive):
                unprobed.append(position)
            else:
                probed.append(position)
                probed_weight += weights[position]
        # Per listed name, upper bounds of the screened weight and of its own weight it may
        # pair: each probed word counts for every alike word of the name.
        probed_alike = [looked_up[position] for position in probed if looked_up[position].cost]
        prefixed = [looked_up[position].prefixed for position in unprobed]
        reached_names = np.concatenate(
            [alike.names for alike in probed_alike] + prefixed or [_NO_NAMES]
        )
        found, inverse = np.unique(reached_names, return_inverse=True)
        probed_count = sum(len(alike.names) for alike in probed_alike)
        if probed_count:
            credits = np.concatenate(
                [
                    looked_up[position].values * weights[position]
                    for position in probed
                    if looked_up[position].cost
                ]
            )
            query_sums: np.ndarray = np.bincount(
                inverse[:probed_count], credits, minlength=len(found)
            )
            listed_sums: np.ndarray = np.bincount(
                inverse[:probed_count],
                np.concatenate([alike.listed_credits for alike in probed_alike]),
                minlength=len(found),
            )
        else:
            query_sums = np.zeros(len(found))
            listed_sums = np.zeros(len(found))
        # An unprobed word pairs with one word of each name at most: its most alike one.
        initial = self._matcher.settings.initial
        spread = []
        for position in unprobed:
            query_weight = weights[position]
            if len(words[position]) == 1:
                # An initial pairs with any word of its letter.
                by_letter = self._initials.get(words[position])
                if by_letter is not None:
                    heaviest = by_letter[found]
                    query_sums += (heaviest > 0.0) * (query_weight * initial)
                    listed_sums += heaviest * initial
            elif looked_up[position].cost:
                spread.append(position)
        if spread and len(found):
            alike_names = np.concatenate([looked_up[position].names for position in spread])
            column = np.repeat(
                np.arange(len(spread)), [looked_up[position].cost for position in spread]
            )
            at = np.minimum(np.searchsorted(found, alike_names), len(found) - 1)
            held = found[at] == alike_names
            cells = (at[held], column[held])
            best_value = np.zeros((len(found), len(spread)))
            best_listed = np.zeros((len(found), len(spread)))
            np.maximum.at(
                best_value,
                cells,
                np.concatenate([looked_up[position].values for position in spread])[held],
            )
            np.maximum.at(
                best_listed,
                cells,
                np.concatenate([looked_up[position].listed_credits for position in spread])[held],
            )
            query_sums += best_value @ np.array([weights[position] for position in spread])
            listed_sums += best_listed.sum(axis=1)
        return self._within_reach(query, similar, found, query_sums, listed_sums, floor)

    def _within_reach(
        self,
        query: PreparedName,
        similar: list[dict[str, float]],
        found: np.ndarray,
        query_sums: np.ndarray,
        listed_sums: np.ndarray,
        floor: float,
    ) -> list[int]:
        settings = self._matcher.settings
        count = len(query.words)
        name_counts = self._word_counts[found]
        totals = self._totals[found]
        query_cover = np.minimum(1.0, query_sums / query.total_weight)
        listed_cover = np.minimum(1.0, listed_sums / totals)
        share = np.where(
            np.minimum(name_counts, count) == 1,
            settings.single_word_share,
            settings.shorter_share,
        )
        query_shorter = query.total_weight <= totals
        shorter_cover = np.where(query_shorter, query_cover, listed_cover)
        longer_cover = np.where(query_shorter, listed_cover, query_cover)
        bound = share * shorter_cover + (1 - share) * longer_cover
        within = np.flatnonzero(bound >= floor)
        selected: list[int] = []
        for position, name in zip(within.tolist(), found[within].tolist(), strict=True):
            # The sums above may count a word once for each alike word it meets; pairing each
            # word with its most alike word only is tighter and still a bound.
            closer = self._closer_bound(query, similar, name)
            if closer >= floor:
                selected.append(name)
            else:
                bound[position] = closer
        # Names alike run together (``ALNASER`` / ``AL NASER``, ``RAMCHARANLTD`` /
        # ``RAMCHARAN LTD``, ``امین الله`` / ``AMINULLAH`` by sound): the matcher looks at them
        # past its word gate or between names written in different numbers of words.
        matcher = self._matcher
        chosen = set(selected)
        for name in sorted(self._compound_names(query) - chosen):
            selected.append(name)
            chosen.add(name)
        for name in self._run_together.alike(query):
            if name in chosen:
                continue
            # With the gate open: a bound of what the full comparison will find.
            joined, sounds = matcher.run_together(query, self._names[name], open_gate=True)
            if max(settings.joined_discount * joined, settings.sounds_discount * sounds) >= floor:
                selected.append(name)
        return selected

    def _closer_bound(
        self, query: PreparedName, similar: list[dict[str, float]], name: int
    ) -> float:
        """A tighter bound of the word view for one name.

        The matcher pairs each word at most once, so a side's covered weight is at most the sum,
        over its own words, of each word's best credit with any word of the other name, and
        also at most the sum, over the other name's words, of the best credit each could give
        it: the smaller of the two bounds both sides.
        """
        power = self._matcher.settings.pair_power
        listed = self._names[name]
        listed_weights = listed.weights
        # Per listed word: the most query weight, and the most of its own weight, it can cover.
        query_by_listed = [0.0] * len(listed_weights)
        listed_by_listed = [0.0] * len(listed_weights)
        query_by_query = listed_by_query = 0.0
        initial = self._matcher.settings.initial
        for query_word, query_weight, found in zip(
            query.words, query.weights, similar, strict=True
        ):
            if len(query_word) == 1:
                found = dict(found)
                for word in listed.words:
                    if word[0] == query_word and word != query_word:
                        found[word] = max(found.get(word, 0.0), initial)
            if not found:
                continue
            best_query = best_listed = 0.0
            for position, word in enumerate(listed.words):
                value = found.get(word)
                if value is None:
                    continue
                credit = value**power
                query_credit = query_weight * credit
                listed_credit = listed_weights[position] * credit
                best_query = max(best_query, query_credit)
                best_listed = max(best_listed, listed_credit)
                query_by_listed[position] = max(query_by_listed[position], query_credit)
                listed_by_listed[position] = max(listed_by_listed[position], listed_credit)
            query_by_query += best_query
            listed_by_query += best_listed
        query_sum = min(query_by_query, sum(query_by_listed))
        listed_sum = min(listed_by_query, sum(listed_by_listed))
        settings = self._matcher.settings
        fewest = min(len(query.words), len(listed.words))
        return _blend(
            query_sum / query.total_weight,
            listed_sum / listed.total_weight,
            query.total_weight <= listed.total_weight,
            settings.single_word_share if fewest == 1 else settings.shorter_share,
        )


def least_cover(floor: float, matcher: NameMatcher) -> float:
    """The least coverage of the lighter of two names whose word view reaches ``floor``: the
    matcher gives that name ``share`` of the score (at least the smaller of its two shares)
    and the other at most the rest, so ``share * cover + (1 - share) >= floor``."""
    settings = matcher.settings
    share = min(settings.single_word_share, settings.shorter_share)
    return max(0.0, (floor - (1 - share)) / share)


def _blend(query_cover: float, listed_cover: float, query_shorter: bool, share: float) -> float:
    """The matcher's word view from the two coverages: ``share`` to the name of less weight."""
    if query_shorter:
        return share * query_cover + (1 - share) * listed_cover
    return share * listed_cover + (1 - share) * query_cover
