"""How alike two names are, word by word, with the reasons: the one matcher that clearance
screening, ``clearway screen`` and ``clearway screening evaluate`` all use.

It lives in ``services`` rather than ``domain`` because it computes with RapidFuzz and
transliterates with ``anyascii`` (both pure computation, no I/O); the normalisation rules
themselves are the domain's (``clearway.domain.screening.normalise``).

A score in [0, 1] is the largest of three views of the names:

- **words**: each word of one name is paired with at most one word of the other, most alike
  first. Two words are alike when they are equal (1), one is the other's initial
  (``initial``), one is a misspelling of the other (``1 - edits / length``, within the edit
  budget: one edit, insertion, deletion, substitution or swap of neighbours, per
  ``letters_per_edit`` letters of the longer word, at most ``max_edits``; short words must
  agree), or they spell one sound across transliterations and are fairly alike
  (``sound_alike``, when their normalised Levenshtein similarity is ``sound_floor`` or more);
  anything else is another word (0). Each side's *coverage* is the weighted share of its words
  that are paired (times their similarity); longer words weigh more, name particles (al, bin,
  de, van …) and generic firm words (trading, group …) less. The score blends the coverage of
  the lighter name and of the heavier, so a missing middle name or patronymic costs little
  while an extra distinctive word costs more; a one-word name inside a longer one gets a
  smaller share (``single_word_share``). Word order does not matter. A word may also pair with
  two neighbouring words of the other name when it is exactly those words run together
  (``BANKMELLAT`` / ``BANK MELLAT``, ``PETRO CHEMICAL`` / ``PETROCHEMICAL``), covering both.
- **joined**: the words run together, in the given and in sorted order, and the words as
  written (legal forms included) run together, compared as one string within the same kind
  of edit budget (``ALNASER`` / ``AL NASER``, ``RAMCHARANLTD`` / ``RAMCHARAN LTD``);
- **sounds**: the run-together strings reduced to their sound skeletons (vowels and
  transliteration variants folded), discounted: an Arabic-script name transliterated
  without its vowels (``امین الله`` → ``amyn llh``) against its Latin spelling
  (``AMINULLAH``); skeletons shorter than ``sounds_min_length`` say too little.

The run-together views count between names written in different numbers of words, or past
``view_gate`` in the word view.

Numbers, Arabic or Roman, must agree exactly: two names whose numbers differ (vessels
``IMICO NEKA 455`` and ``IMICO NEKA 456``, funds ``… INVESTMENTS II`` and ``… III``) score at
most ``number_mismatch_cap``.

The settings were chosen on a development set built from the lists themselves and on clean
simulated traffic (``bench/screening_dev.py``, see ``docs/screening.md``), never on the
benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from anyascii import anyascii
from rapidfuzz.distance import OSA, Levenshtein

from clearway.domain.screening.normalise import normalise, skeleton
from clearway.domain.screening.scripts import read_look_alikes
from clearway.domain.screening.vocabulary import GENERIC_WORDS, PARTICLES
from clearway.services.screening.look_alikes import LOOK_ALIKES


def _is_syllabic(char: str) -> bool:
    """Chinese, Japanese and Korean characters: one syllable each, so one word each."""
    point = ord(char)
    return (
        0x2E80 <= point <= 0x9FFF
        or 0xAC00 <= point <= 0xD7AF
        or 0xF900 <= point <= 0xFAFF
        or point >= 0x20000
    )


# Arabic letters ``anyascii`` drops or writes as punctuation that Latin spellings of Arabic
# names render as vowels (alif, alif with hamza, alif maqsura, ta marbuta) or leave out (ain,
# hamza): ``أسامة`` → ``asama`` rather than ``'smh``, closer to ``Osama``/``Usama``.
_ARABIC_VOWELS = str.maketrans(
    {
        "\u0627": "a",  # alif
        "\u0623": "a",  # alif with hamza above
        "\u0625": "i",  # alif with hamza below
        "\u0622": "a",  # alif madda
        "\u0649": "a",  # alif maqsura
        "\u0629": "a",  # ta marbuta
        "\u0639": "",  # ain
        "\u0621": "",  # hamza
        "\u0626": "y",  # ya with hamza
        "\u0624": "w",  # waw with hamza
    }
)


def transliterate(text: str) -> str:
    """Any script in Latin letters (``anyascii``); CJK syllables become separate words. Words
    disguised with look-alike letters of another script (a Cyrillic A in a Latin word) are
    read as the Latin letters they look like first (``clearway.domain.screening.scripts``)."""
    text = read_look_alikes(text, LOOK_ALIKES)[0].translate(_ARABIC_VOWELS)
    if not any(_is_syllabic(char) for char in text):
        return anyascii(text)
    return anyascii("".join(f" {char} " if _is_syllabic(char) else char for char in text))


# Roman numerals from 2 to 39 (a lone ``i``, ``v`` or ``x`` is more often an initial).
_ROMAN = re.compile(r"x{0,3}(ix|iv|v?i{0,3})")


def _numbers(words: tuple[str, ...]) -> frozenset[str]:
    """The name's numbers: digits anywhere, a Roman numeral as its last word (``… III``;
    elsewhere ``xi`` is as likely a Chinese name)."""
    found = {word for word in words if word.isdigit()}
    last = words[-1] if len(words) > 1 else ""
    if len(last) > 1 and _ROMAN.fullmatch(last):
        found.add(last)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """The matcher's knobs (see the module docstring for what each does)."""

    letters_per_edit: float = 3.0
    max_edits: float = 1.0
    edit_power: float = 1.0
    sound_alike: float = 0.9
    sound_floor: float = 0.4
    initial: float = 0.6
    particle_weight: float = 0.3
    length_power: float = 1.0
    shorter_share: float = 0.9
    single_word_share: float = 0.4
    pair_power: float = 1.0
    joined_discount: float = 1.0
    sounds_discount: float = 0.9
    number_mismatch_cap: float = 0.5
    generic_weight: float = 0.4
    close_pair: float = 0.8
    unpaired_cap: float = 1.0
    view_gate: float = 0.9
    joined_letters_per_edit: float = 10.0
    sounds_min_length: float = 5.0


DEFAULT_SETTINGS = MatchSettings()


def edit_budget(length: int, settings: MatchSettings = DEFAULT_SETTINGS) -> int:
    """How many edits (insertion, deletion, substitution or swap of neighbours) a word of
    ``length`` letters may take and still be a misspelling of the other: none for short
    words, one per ``letters_per_edit`` letters, at most ``max_edits`` (the rule of
    Elasticsearch's ``fuzziness: AUTO`` and of nomenklatura's name matching)."""
    return int(min(settings.max_edits, length // settings.letters_per_edit))


def run_together_budget(length: int, settings: MatchSettings = DEFAULT_SETTINGS) -> int:
    """How many edits a name run together, ``length`` letters long, may take: one per
    ``joined_letters_per_edit`` letters, at most ``max_edits``."""
    return int(min(settings.max_edits, length // settings.joined_letters_per_edit))


def compound_part(word: str) -> bool:
    """Whether a word may be one half of a compound: two letters or more, no number."""
    return len(word) > 1 and not word.isdigit()


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name normalised once and kept with what comparing it needs."""

    text: str
    words: tuple[str, ...]
    weights: tuple[float, ...]
    total_weight: float
    joined: str
    sorted_joined: str
    spelt: tuple[str, ...]
    """Every word as written, legal forms included."""
    spelt_joined: str
    sounds: str
    sorted_sounds: str
    numbers: frozenset[str]
    legal_forms: tuple[str, ...]
    distinctive: tuple[bool, ...]
    """Per word: whether it must find a close partner (not a particle, generic word or
    initial)."""
    compounds: tuple[tuple[int, str], ...] = ()
    """Each two neighbouring words run together, with the position of the first (``bank
    mellat`` → ``(0, "bankmellat")``), for pairing with one word of the other name."""
    look_alike_scripts: frozenset[str] = frozenset()
    """The scripts of look-alike letters read as Latin ones (``{"CYRILLIC"}`` for ``BANCO``
    typed with Cyrillic letters for B, A, C and O): a name mixing scripts to look like
    another is itself a warning sign."""

    def __reduce__(self) -> tuple[type[PreparedName], tuple[Any, ...]]:
        # Unpickled through the constructor: a frozen dataclass's own state setter is several
        # times slower, and a kept screening index holds tens of thousands of names.
        return PreparedName, tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    words: float
    """The word-pairing view (0 to 1)."""
    joined: float
    """The run-together view (0 to 1, before its discount)."""
    pairs: tuple[tuple[str, str, float], ...]
    """(query word, other word, similarity), most alike first."""
    unpaired_query: tuple[str, ...]
    unpaired_other: tuple[str, ...]
    numbers_differ: bool

    def describe(self) -> str:
        """The word-level reasons in plain language."""
        parts = []
        if self.pairs:
            paired = ", ".join(
                f"{left}={right}"
                if left.replace(" ", "") == right.replace(" ", "")
                else f"{left}≈{right} ({similarity:.2f})"
                for left, right, similarity in self.pairs
            )
            parts.append(f"words paired: {paired}")
        if self.unpaired_query:
            parts.append(f"unpaired in the name screened: {' '.join(self.unpaired_query)}")
        if self.unpaired_other:
            parts.append(f"unpaired in the listed name: {' '.join(self.unpaired_other)}")
        if self.joined * DEFAULT_SETTINGS.joined_discount > self.words:
            parts.append(f"run together the names agree {self.joined:.2f}")
        if self.numbers_differ:
            parts.append("the numbers differ")
        return "; ".join(parts)


class NameMatcher:
    """Scores pairs of names; word similarities are cached across calls."""

    def __init__(
        self,
        settings: MatchSettings = DEFAULT_SETTINGS,
        transliterator: Callable[[str], str] | None = transliterate,
    ) -> None:
        self.settings = settings
        self._transliterate = transliterator
        self.word_similarity = lru_cache(maxsize=1 << 18)(self._word_similarity)

    def __getstate__(self) -> dict[str, Any]:
        # Stored without the cache of word similarities: it is rebuilt as names are screened.
        state = dict(self.__dict__)
        del state["word_similarity"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.word_similarity = lru_cache(maxsize=1 << 18)(self._word_similarity)

    def prepare(self, text: str) -> PreparedName:
        normalised = normalise(text, self._transliterate)
        words = normalised.words
        weights = tuple(self._weight(word) for word in words)
        return PreparedName(
            text=text,
            words=words,
            weights=weights,
            total_weight=sum(weights),
            joined="".join(words),
            sorted_joined="".join(sorted(words)),
            spelt=normalised.spelt,
            spelt_joined="".join(normalised.spelt),
            sounds=skeleton("".join(words)),
            sorted_sounds=skeleton("".join(sorted(words))),
            numbers=_numbers(words),
            legal_forms=normalised.legal_forms,
            distinctive=tuple(
                len(word) > 1 and word not in PARTICLES and word not in GENERIC_WORDS
                for word in words
            ),
            compounds=tuple(
                (position, left + right)
                for position, (left, right) in enumerate(pairwise(words))
                if compound_part(left) and compound_part(right)
            ),
            look_alike_scripts=read_look_alikes(text, LOOK_ALIKES)[1],
        )

    def _weight(self, word: str) -> float:
        weight: float = min(len(word), 8) ** self.settings.length_power
        if word in PARTICLES:
            return weight * self.settings.particle_weight
        # Agreeing on TRADING or LOGISTICS is little evidence; identical names still agree
        # fully, as the word weighs little on both sides.
        return weight * self.settings.generic_weight if word in GENERIC_WORDS else weight

    def _word_similarity(self, left: str, right: str) -> float:
        """How alike two words are: 1 when equal, ``initial`` for an initial and a word it
        begins, ``1 - edits / length`` within the edit budget, ``sound_alike`` for two
        spellings of one sound, otherwise 0 (another word, not a misspelling of this one)."""
        if left == right:
            return 1.0
        settings = self.settings
        if left.isdigit() or right.isdigit():
            return 0.0
        if len(left) == 1 or len(right) == 1:
            return settings.initial if left[0] == right[0] else 0.0
        longest = max(len(left), len(right))
        budget = edit_budget(longest, settings)
        similarity = 0.0
        if budget:
            distance = OSA.distance(left, right, score_cutoff=budget)
            if distance <= budget:
                similarity = (1 - distance / longest) ** settings.edit_power
        # A shared sound skeleton rescues transliterations (Yevgeniy / Evgeniy, Mohammed /
        # Muhammad, Hussein / hsyn from Arabic script), not words that merely share their
        # consonants (Zenith / Sanat, Hamidawi / Ahmed): the spellings must be fairly alike.
        if similarity < settings.sound_alike and len(left) > 2 and len(right) > 2:
            left_sound = skeleton(left)
            if (
                len(left_sound) > 1
                and left_sound == skeleton(right)
                and Levenshtein.normalized_similarity(left, right) >= settings.sound_floor
            ):
                similarity = settings.sound_alike
        return similarity

    def run_together(
        self, query: PreparedName, other: PreparedName, open_gate: bool
    ) -> tuple[float, float]:
        """The run-together and sound views (before their discounts): the words run together
        when ``open_gate`` (names of different word counts, or alike word by word), and the
        words as written run together when the names are written in different numbers of
        words, legal forms included."""
        settings = self.settings
        alike = self._run_together_similarity
        joined = sounds = 0.0
        if open_gate:
            joined = max(
                alike(query.joined, other.joined),
                alike(query.sorted_joined, other.sorted_joined),
            )
            if min(len(query.sounds), len(other.sounds)) >= settings.sounds_min_length:
                sounds = max(
                    alike(query.sounds, other.sounds),
                    alike(query.sorted_sounds, other.sorted_sounds),
                )
        if len(query.spelt) != len(other.spelt):
            joined = max(joined, alike(query.spelt_joined, other.spelt_joined))
        return joined, sounds

    def _run_together_similarity(self, left: str, right: str) -> float:
        """Two names run together: ``1 - edits / length`` within a budget of one edit per
        ``joined_letters_per_edit`` letters, at most ``max_edits``."""
        longest = max(len(left), len(right))
        if not longest:
            return 0.0
        budget = run_together_budget(longest, self.settings)
        distance = Levenshtein.distance(left, right, score_cutoff=budget)
        return 1 - distance / longest if distance <= budget else 0.0

    @staticmethod
    def _compound_candidates(
        single: PreparedName, joined: PreparedName, flip: bool
    ) -> list[tuple[float, bool, tuple[int, ...], tuple[int, ...]]]:
        """Each word of ``single`` that is two neighbouring words of ``joined`` run together
        (``BANKMELLAT`` / ``BANK MELLAT``, ``PETRO CHEMICAL`` / ``PETROCHEMICAL``), as
        (1.0, False, query words, other words). Only exactly: a word both run together and
        misspelt (``ALNASR`` / ``AL ALI NASR``) is too loose a resemblance."""
        found: list[tuple[float, bool, tuple[int, ...], tuple[int, ...]]] = []
        for position, compound in joined.compounds:
            for single_index, word in enumerate(single.words):
                if word == compound:
                    pair = (position, position + 1)
                    found.append(
                        (1.0, False, pair, (single_index,))
                        if flip
                        else (1.0, False, (single_index,), pair)
                    )
        return found

    def compare(self, query: PreparedName, other: PreparedName) -> NameScore:
        """How alike ``query`` is to ``other`` (symmetric but for the reasons' wording)."""
        settings = self.settings
        if not query.words or not other.words:
            return NameScore(0.0, 0.0, 0.0, (), query.words, other.words, False)
        # (similarity, one word first, query words, other words): single words, then a word
        # against two neighbouring words of the other name run together.
        candidates: list[tuple[float, bool, tuple[int, ...], tuple[int, ...]]] = []
        similarity = self.word_similarity
        for left_index, left in enumerate(query.words):
            for right_index, right in enumerate(other.words):
                value = similarity(left, right)
                if value > 0.0:
                    candidates.append((value, True, (left_index,), (right_index,)))
        if other.compounds:
            candidates.extend(self._compound_candidates(query, other, flip=False))
        if query.compounds:
            candidates.extend(self._compound_candidates(other, query, flip=True))
        candidates.sort(reverse=True)
        used_left: set[int] = set()
        used_right: set[int] = set()
        close_left: set[int] = set()
        close_right: set[int] = set()
        pairs = []
        covered_left = covered_right = 0.0
        query_words, other_words = query.words, other.words
        query_weights, other_weights = query.weights, other.weights
        for value, single, lefts, rights in candidates:
            credit = value**settings.pair_power
            if single:
                left_index, right_index = lefts[0], rights[0]
                if left_index in used_left or right_index in used_right:
                    continue
                used_left.add(left_index)
                used_right.add(right_index)
                pairs.append((query_words[left_index], other_words[right_index], value))
                covered_left += query_weights[left_index] * credit
                covered_right += other_weights[right_index] * credit
            else:
                if not used_left.isdisjoint(lefts) or not used_right.isdisjoint(rights):
                    continue
                used_left.update(lefts)
                used_right.update(rights)
                pairs.append(
                    (
                        " ".join(query_words[index] for index in lefts),
                        " ".join(other_words[index] for index in rights),
                        value,
                    )
                )
                covered_left += sum(query_weights[index] for index in lefts) * credit
                covered_right += sum(other_weights[index] for index in rights) * credit
            if value >= settings.close_pair:
                close_left.update(lefts)
                close_right.update(rights)
        left_coverage = covered_left / query.total_weight
        right_coverage = covered_right / other.total_weight
        if query.total_weight <= other.total_weight:
            shorter, longer, shorter_words = left_coverage, right_coverage, query.words
        else:
            shorter, longer, shorter_words = right_coverage, left_coverage, other.words
        # A one-word name inside a longer one (SUNRISE / Sunrise Machinery Ltd) is weaker
        # evidence than a several-word name inside a longer one.
        share = settings.single_word_share if len(shorter_words) == 1 else settings.shorter_share
        words = share * shorter + (1 - share) * longer
        # The run-together and sound views rescue names split or joined differently
        # (ALNASER / AL NASER, امین الله / AMINULLAH); between names of as many words that
        # the word view finds unalike, they only find chance resemblances.
        open_gate = len(query.words) != len(other.words) or words >= settings.view_gate
        joined, sounds = self.run_together(query, other, open_gate)
        score = max(words, settings.joined_discount * joined, settings.sounds_discount * sounds)
        # Every distinctive word of the name with fewer words must find a close partner, the
        # core of rule-based name matching: ANGELO CRUZ is not ANGELA MERKEL, OCTAVIAN
        # SCHOLZ not OLAF SCHOLZ, KESTREL LOGISTICS not INSTAR LOGISTICS.
        if len(query.words) <= len(other.words):
            fewer, close = query, close_left
        else:
            fewer, close = other, close_right
        # Names that agree run together are one name split differently: no cap.
        if (
            score > settings.unpaired_cap
            and len(fewer.words) > 1
            and joined < settings.close_pair
            and any(
                distinctive and index not in close
                for index, distinctive in enumerate(fewer.distinctive)
            )
        ):
            score = settings.unpaired_cap
        numbers_differ = (
            bool(query.numbers) and bool(other.numbers) and (query.numbers != other.numbers)
        )
        if numbers_differ:
            score = min(score, settings.number_mismatch_cap)
        return NameScore(
            score=score,
            words=words,
            joined=joined,
            pairs=tuple(pairs),
            unpaired_query=tuple(
                word for index, word in enumerate(query.words) if index not in used_left
            ),
            unpaired_other=tuple(
                word for index, word in enumerate(other.words) if index not in used_right
            ),
            numbers_differ=numbers_differ,
        )

    def score(self, left: str, right: str) -> float:
        """The score of two names given as text."""
        return self.compare(self.prepare(left), self.prepare(right)).score
