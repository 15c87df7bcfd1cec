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

Each name so found gets an upper bound of the matcher's word score (every screened word paired
with its most alike word of the name, as if none competed); the run-together view is computed
exactly, and names split or joined differently (``ALNASER`` / ``AL NASER``) are looked up by
their adjacent words run together. Only names whose bound or run-together score can reach the
floor go on to the matcher's full comparison, whose score is then exactly the pairwise one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

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
        self._totals = [name.total_weight for name in names]
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
        return self._within_reach(query, paired, floor)

    def _within_reach(
        self, query: PreparedName, paired: dict[int, list[float]], floor: float
    ) -> list[int]:
        settings = self._matcher.settings
        # The larger of the two shares gives the larger (still valid) bound.
        share = max(settings.shorter_share, settings.single_word_share)
        total = query.total_weight
        totals = self._totals
        selected: list[int] = []
        unsure: list[int] = []
        count = len(query.words)
        gate = settings.view_gate
        name_words = self._words
        for name, (query_sum, listed_sum) in paired.items():
            query_cover = min(1.0, query_sum / total)
            listed_cover = min(1.0, listed_sum / totals[name])
            if total <= totals[name]:
                bound = share * query_cover + (1 - share) * listed_cover
            else:
                bound = share * listed_cover + (1 - share) * query_cover
            if bound >= floor:
                selected.append(name)
            elif bound >= gate or len(name_words[name]) != count:
                # The matcher looks at the run-together views only past its gate or
                # between names of different word counts.
                unsure.append(name)
        # Names that may agree only when run together (``ALNASER`` / ``AL NASER``).
        words = query.words
        postings = self._postings
        joined_only: set[int] = set()
        for word in words:
            joined_only.update(self._joined.get(word, ()))
        for left, right in pairwise(words):
            joined_only.update(postings.get(left + right, ()))
        joined_only.difference_update(paired)
        joined_only = {name for name in joined_only if len(name_words[name]) != count}
        joined_cutoff = floor / settings.joined_discount
        sounds_cutoff = floor / settings.sounds_discount
        similarity = Levenshtein.normalized_similarity
        names = self._names
        length, sounds_length = len(query.joined), len(query.sounds)
        # Strings whose lengths differ by more than this cannot be alike enough.
        slack = (1 - joined_cutoff) * length / joined_cutoff
        sounds_slack = (1 - sounds_cutoff) * sounds_length / sounds_cutoff
        for position in [*unsure, *joined_only]:
            listed = names[position]
            joined_near = joined_cutoff <= 1.0 and abs(len(listed.joined) - length) <= slack
            if joined_near and (
                similarity(query.joined, listed.joined, score_cutoff=joined_cutoff)
                or similarity(query.sorted_joined, listed.sorted_joined, score_cutoff=joined_cutoff)
            ):
                selected.append(position)
                continue
            sounds_near = (
                sounds_cutoff <= 1.0 and abs(len(listed.sounds) - sounds_length) <= sounds_slack
            )
            if sounds_near and (
                similarity(query.sounds, listed.sounds, score_cutoff=sounds_cutoff)
                or similarity(query.sorted_sounds, listed.sorted_sounds, score_cutoff=sounds_cutoff)
            ):
                selected.append(position)

        return selected
