"""Candidate blocking: which listed names are worth scoring against a screened name, found in
microseconds instead of scoring all ~27,000 names of the SDN, DPL and UN lists.

Every word of every listed name is indexed under two kinds of key:

- the word itself and each of its one-letter deletions (the SymSpell scheme: two words within
  one edit of each other share a key), for words of four letters or more;
- its sound skeleton (``clearway.domain.screening.normalise.skeleton``), so that
  transliteration variants (``Yevgeniy``/``Evgeniy``, ``Mohammed``/``Muhammad``) meet.

A screened name's words are looked up under the same keys and kept when the matcher would pair
them. Words are then probed rarest first, and probing stops once the probed words carry more
than half the name's weight (the prefix-filtering principle): a listed name sharing none of
them could pair with less than half of the screened name. Common words (``al``, ``trading``,
``mohammed``) thus rarely pull in thousands of names.

Each name so found gets a first upper bound of the matcher's word score from sums gathered
while walking the postings, computed for all of them at once in NumPy with the exact share the
matcher would give each side; names past it get a tighter bound that respects the matcher's
rule of one partner per word. The run-together view is computed exactly (after a length test
that rules most names out), and names split or joined differently (``ALNASER`` /
``AL NASER``) are looked up by their adjacent words run together. Only names whose bound or
run-together score can reach the floor go on to the matcher's full comparison, whose score is
then exactly the pairwise one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, pairwise

import numpy as np
from rapidfuzz.distance import Levenshtein

from clearway.domain.screening.normalise import skeleton
from clearway.services.screening.matcher import NameMatcher, PreparedName

MIN_DELETION_LENGTH = 4
PROBED_SHARE = 0.5


def _deletions(word: str) -> Iterable[str]:
    return {word[:position] + word[position + 1 :] for position in range(len(word))}


class NameIndex:
    """Blocking keys over a fixed sequence of prepared names (candidates are their indexes)."""

    def __init__(self, names: Sequence[PreparedName], matcher: NameMatcher) -> None:
        self._matcher = matcher
        self._names = names
        self._words = [name.words for name in names]
        # Per name, for the bounds computed over many candidates at once.
        self._totals = np.array([name.total_weight for name in names], dtype=float)
        self._word_counts = np.array([len(name.words) for name in names], dtype=np.intp)
        self._joined_lengths = np.array([len(name.joined) for name in names], dtype=np.intp)
        self._sounds_lengths = np.array([len(name.sounds) for name in names], dtype=np.intp)
        postings: dict[str, list[int]] = defaultdict(list)
        joined: dict[str, list[int]] = defaultdict(list)
        word_weight: dict[str, float] = {}
        for position, name in enumerate(names):
            for word, weight in zip(name.words, name.weights, strict=True):
                word_weight[word] = weight
            for word in dict.fromkeys(name.words):
                postings[word].append(position)
            for left, right in pairwise(name.words):
                joined[left + right].append(position)
        self._postings = dict(postings)
        self._joined = dict(joined)
        self._word_weight = word_weight
        keys: dict[str, list[str]] = defaultdict(list)
        sounds: dict[str, list[str]] = defaultdict(list)
        for word in self._postings:
            keys[word].append(word)
            if len(word) >= MIN_DELETION_LENGTH:
                for deletion in _deletions(word):
                    keys[deletion].append(word)
            if len(word) > 2:
                sound = skeleton(word)
                if len(sound) > 1:
                    sounds[sound].append(word)
        self._keys = dict(keys)
        self._sounds = dict(sounds)
        # The same words recur across the names screened (given names, GENERAL, PETROLEUM …);
        # their listed look-alikes are a pure function of the word and the lists.
        self.similar_words = lru_cache(maxsize=1 << 16)(self._similar_words)

    @property
    def vocabulary_size(self) -> int:
        return len(self._postings)

    def _similar_words(self, word: str) -> dict[str, float]:
        """Listed words the matcher would pair with ``word``, with their similarity."""
        found: set[str] = set()
        keys = self._keys
        found.update(keys.get(word, ()))
        if len(word) >= MIN_DELETION_LENGTH:
            for deletion in _deletions(word):
                found.update(keys.get(deletion, ()))
        if len(word) > 2:
            sound = skeleton(word)
            if len(sound) > 1:
                found.update(self._sounds.get(sound, ()))
        similarity = self._matcher.word_similarity
        floor = self._matcher.settings.min_pair
        alike = {}
        for listed in found:
            value = similarity(word, listed)
            if value >= floor:
                alike[listed] = value
        return alike

    def candidates(self, query: PreparedName, floor: float) -> list[int]:
        """Indexes of the names that may score ``floor`` or more against ``query``."""
        words = query.words
        if not words:
            return []
        postings = self._postings
        similar = [self.similar_words(word) for word in words]
        cost = [sum(len(postings[listed]) for listed in found) for found in similar]
        order = sorted(range(len(words)), key=cost.__getitem__)
        weights = query.weights
        needed = PROBED_SHARE * query.total_weight
        probed_weight = 0.0
        probed = []
        for position in order:
            probed.append(position)
            probed_weight += weights[position]
            if probed_weight > needed:
                break
        word_weight = self._word_weight
        # name → [screened weight it may pair, listed weight it may pair]: upper bounds
        paired: dict[int, list[float]] = {}
        for position in probed:
            query_weight = weights[position]
            for listed, value in similar[position].items():
                add_query = query_weight * value
                add_listed = word_weight[listed] * value
                for name in postings[listed]:
                    sums = paired.get(name)
                    if sums is None:
                        paired[name] = [add_query, add_listed]
                    else:
                        sums[0] += add_query
                        sums[1] += add_listed
        name_words = self._words
        for position in order[len(probed) :]:
            found = similar[position]
            if not found:
                continue
            query_weight = weights[position]
            if sum(len(postings[listed]) for listed in found) < len(paired):
                # Fewer postings than names found: walk the postings instead.
                strongest: dict[int, tuple[float, float]] = {}
                for listed, alike in found.items():
                    listed_weight = word_weight[listed] * alike
                    for name in postings[listed]:
                        if name in paired:
                            held = strongest.get(name, (0.0, 0.0))
                            strongest[name] = (max(held[0], alike), max(held[1], listed_weight))
                for name, (best_value, best_listed) in strongest.items():
                    sums = paired[name]
                    sums[0] += query_weight * best_value
                    sums[1] += best_listed
                continue
            for name, sums in paired.items():
                best_value = best_listed = 0.0
                for word in name_words[name]:
                    similarity_found = found.get(word)
                    if similarity_found is not None:
                        best_value = max(best_value, similarity_found)
                        best_listed = max(best_listed, word_weight[word] * similarity_found)
                sums[0] += query_weight * best_value
                sums[1] += best_listed
        return self._within_reach(query, similar, paired, floor)

    def _within_reach(
        self,
        query: PreparedName,
        similar: list[dict[str, float]],
        paired: dict[int, list[float]],
        floor: float,
    ) -> list[int]:
        settings = self._matcher.settings
        count = len(query.words)
        found = np.fromiter(paired, dtype=np.intp, count=len(paired))
        sums = np.fromiter(chain.from_iterable(paired.values()), dtype=float, count=2 * len(paired))
        name_counts = self._word_counts[found]
        totals = self._totals[found]
        query_cover = np.minimum(1.0, sums[0::2] / query.total_weight)
        listed_cover = np.minimum(1.0, sums[1::2] / totals)
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
        # The matcher looks at the run-together views only past its gate or between names of
        # different word counts.
        unsure = found[
            (bound < floor) & ((bound >= settings.view_gate) | (name_counts != count))
        ].tolist()
        # Names that may agree only when run together (``ALNASER`` / ``AL NASER``).
        words = query.words
        postings = self._postings
        joined_only: set[int] = set()
        for word in words:
            joined_only.update(self._joined.get(word, ()))
        for left, right in pairwise(words):
            joined_only.update(postings.get(left + right, ()))
        joined_only.difference_update(paired)
        word_counts = self._word_counts
        unsure.extend(name for name in joined_only if word_counts[name] != count)
        selected.extend(self._alike_run_together(query, unsure, floor))
        return selected

    def _alike_run_together(
        self, query: PreparedName, positions: list[int], floor: float
    ) -> Iterable[int]:
        """The names among ``positions`` whose run-together or sound views reach ``floor``."""
        if not positions:
            return
        settings = self._matcher.settings
        joined_cutoff = floor / settings.joined_discount
        sounds_cutoff = floor / settings.sounds_discount
        length, sounds_length = len(query.joined), len(query.sounds)
        # Strings whose lengths differ by more than this cannot be alike enough.
        slack = (1 - joined_cutoff) * length / joined_cutoff
        sounds_slack = (1 - sounds_cutoff) * sounds_length / sounds_cutoff
        candidates = np.array(positions, dtype=np.intp)
        joined_near = np.abs(self._joined_lengths[candidates] - length) <= slack
        sounds_near = np.abs(self._sounds_lengths[candidates] - sounds_length) <= sounds_slack
        if joined_cutoff > 1.0:
            joined_near[:] = False
        if sounds_cutoff > 1.0:
            sounds_near[:] = False
        near = joined_near | sounds_near
        similarity = Levenshtein.normalized_similarity
        names = self._names
        for position, joined_close, sounds_close in zip(
            candidates[near].tolist(),
            joined_near[near].tolist(),
            sounds_near[near].tolist(),
            strict=True,
        ):
            listed = names[position]
            if (
                joined_close
                and (
                    similarity(query.joined, listed.joined, score_cutoff=joined_cutoff)
                    or similarity(
                        query.sorted_joined, listed.sorted_joined, score_cutoff=joined_cutoff
                    )
                )
            ) or (
                sounds_close
                and (
                    similarity(query.sounds, listed.sounds, score_cutoff=sounds_cutoff)
                    or similarity(
                        query.sorted_sounds, listed.sorted_sounds, score_cutoff=sounds_cutoff
                    )
                )
            ):
                yield position

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
        for query_weight, found in zip(query.weights, similar, strict=True):
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


def _blend(query_cover: float, listed_cover: float, query_shorter: bool, share: float) -> float:
    """The matcher's word view from the two coverages: ``share`` to the name of less weight."""
    if query_shorter:
        return share * query_cover + (1 - share) * listed_cover
    return share * listed_cover + (1 - share) * query_cover
