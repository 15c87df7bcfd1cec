"""Two more families of pair for the screening development set (``screening_dev.py``), built
from the lists only.

- **Variants of one name** (is_match true): a listed name changed by one of the heuristics
  opensanctions/nomenklatura lists for its synthetic name benchmark
  (``contrib/name_benchmark/README.md``: double letter made single, a vowel or consonant
  replaced, a letter duplicated, removed, inserted or transposed, special characters removed,
  a title added or removed, company-type abbreviations expanded or removed, middle names
  dropped, words transposed, spaces replaced or removed, given names as initials, ``'s``
  appended). ``typing`` holds the changes to letters, ``form`` the changes to the name's form.
- **Near misses** (is_match false): a listed person's surname, or a distinctive word of a
  listed firm's name, replaced by another word of the lists within two edits of it that does
  not sound the same (``HAMDI`` / ``HAMZI``): another real name that looks like this one,
  the classic false alarm of a fuzzy matcher. Words that sound the same (``HUSAYN`` /
  ``HUSAIN``) are spellings of one name and are not used.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from clearway.domain.screening.entity import EntityKind, ListedEntity, NameStrength
from clearway.domain.screening.legal_forms import LEGAL_FORMS
from clearway.domain.screening.normalise import normalise, skeleton
from clearway.domain.screening.vocabulary import GENERIC_WORDS, PARTICLES

VARIANTS = 400
"""Pairs of each kind below."""
VOWELS = "aeiou"
CONSONANTS = "bcdfghjklmnprstvz"
TITLES = ("Mr", "Dr", "Mrs", "Sheikh", "General")
EXPANSIONS = {"co": "Company", "ltd": "Limited", "corp": "Corporation", "inc": "Incorporated"}


def _letters(rng: random.Random, word: str, pick: Callable[[str], bool]) -> int | None:
    positions = [index for index, char in enumerate(word) if pick(char)]
    return rng.choice(positions) if positions else None


def _in_word(rng: random.Random, name: str, change: Callable[[str], str | None]) -> str | None:
    """``name`` with one of its longer words changed by ``change`` (None: nothing to do)."""
    words = name.split(" ")
    long_words = [index for index, word in enumerate(words) if sum(map(str.isalpha, word)) >= 5]
    rng.shuffle(long_words)
    for index in long_words:
        changed = change(words[index])
        if changed and changed != words[index]:
            words[index] = changed
            return " ".join(words)
    return None


def _replace_one(rng: random.Random, word: str, letters: str) -> str | None:
    """``word`` with one of its ``letters`` (not the first letter) replaced by another."""
    at = _letters(rng, word[1:], lambda char: char.lower() in letters)
    if at is None:
        return None
    at += 1
    other = rng.choice([letter for letter in letters if letter != word[at].lower()])
    return word[:at] + _case_like(word[at], other) + word[at + 1 :]


def _case_like(template: str, letter: str) -> str:
    return letter.upper() if template.isupper() else letter


def typing_variant(rng: random.Random, name: str) -> str | None:
    """One change to the letters of one word."""

    def single(word: str) -> str | None:
        doubled = [i for i in range(1, len(word)) if word[i] == word[i - 1] and word[i].isalpha()]
        return word[: doubled[0]] + word[doubled[0] + 1 :] if doubled else None

    def vowel(word: str) -> str | None:
        return _replace_one(rng, word, VOWELS)

    def consonant(word: str) -> str | None:
        return _replace_one(rng, word, CONSONANTS)

    def duplicate(word: str) -> str:
        at = rng.randrange(1, len(word))
        return word[:at] + word[at] + word[at:]

    def remove(word: str) -> str:
        at = rng.randrange(1, len(word))
        return word[:at] + word[at + 1 :]

    def insert(word: str) -> str:
        at = rng.randrange(1, len(word))
        return (
            word[:at] + _case_like(word[at], rng.choice("abcdefghijklmnopqrstuvwxyz")) + word[at:]
        )

    def transpose(word: str) -> str:
        at = rng.randrange(1, len(word) - 1)
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]

    def special(text: str) -> str | None:
        stripped = re.sub(r"[^\w\s]", "", text)
        return stripped if stripped != text else None

    changes: list[Callable[[str], str | None]] = [
        single,
        vowel,
        consonant,
        duplicate,
        remove,
        insert,
        transpose,
    ]
    if rng.random() < 1 / (len(changes) + 1):
        return special(name)
    return _in_word(rng, name, rng.choice(changes))


def _person_parts(entity: ListedEntity) -> tuple[list[str], str] | None:
    """OFAC and UN people as (given names, surname) when the list writes ``SURNAME, Given``."""
    name = entity.primary_name
    if entity.kind is not EntityKind.INDIVIDUAL or name.count(",") != 1:
        return None
    surname, given = (part.split() for part in name.split(","))
    if len(surname) != 1 or not given:
        return None
    return given, surname[0]


def form_variant(rng: random.Random, entity: ListedEntity) -> str | None:
    """One change to the form of the entity's primary name."""
    name = entity.primary_name
    person = _person_parts(entity)
    choice = rng.randrange(6) if person else rng.choice((3, 4, 5))
    if choice == 3 and entity.kind is not EntityKind.ENTITY:
        return f"{rng.choice(TITLES)} {name}"
    if person and choice == 0:
        given, surname = person
        order = [given[-1], surname] if len(given) > 1 else [surname, given[0]]
        return " ".join(order)  # second name and last name, or last name first
    if person and choice == 1:
        given, surname = person
        if len(given) < 2:
            return None
        return " ".join([given[0], surname])  # first and last name, no middle names
    if person and choice == 2:
        given, surname = person
        return " ".join([*(f"{word[0]}." for word in given), surname])  # initials
    if choice == 3:
        return _legal_form(rng, name)
    if choice == 4:
        separator = rng.choice(("-", "_", ".", ""))
        return separator.join(name.replace(",", "").split())
    words = name.replace(",", "").split()
    if len(words) > 1 and rng.random() < 0.5:
        at = rng.randrange(len(words) - 1)  # two words transposed
        words[at], words[at + 1] = words[at + 1], words[at]
        return " ".join(words)
    return name + "'s"


def _legal_form(rng: random.Random, name: str) -> str | None:
    words = name.split()
    for index, word in enumerate(words):
        bare = re.sub(r"[^\w]", "", word).lower()
        if bare in EXPANSIONS:
            words[index] = EXPANSIONS[bare]
            return " ".join(words)
        if bare in LEGAL_FORMS and len(words) > 2:
            return " ".join(words[:index] + words[index + 1 :])
    return f"{name} {rng.choice(('LLC', 'Ltd', 'Limited', 'JSC'))}"


def variant_pairs(
    rng: random.Random, listed: list[ListedEntity]
) -> list[tuple[str, str, str, str]]:
    """(variant, listed name, kind, entity id) for the ``typing`` and ``form`` kinds."""
    pairs: list[tuple[str, str, str, str]] = []
    entities = rng.sample(listed, len(listed))
    for kind, make in (
        ("typing", lambda entity: typing_variant(rng, entity.primary_name)),
        ("form", lambda entity: form_variant(rng, entity)),
    ):
        made = 0
        for entity in entities:
            variant = make(entity)
            if variant and variant != entity.primary_name:
                pairs.append((variant, entity.primary_name, kind, entity.entity_id))
                made += 1
            if made == VARIANTS:
                break
        rng.shuffle(entities)
    return pairs


def _neighbours(words: set[str]) -> dict[str, list[str]]:
    """Per word, the other words within two edits of it that do not sound the same."""
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in words:
        by_length[len(word)].append(word)
    found: dict[str, list[str]] = {}
    for word in sorted(words):
        sound = skeleton(word)
        nearby = [
            other
            for length in range(len(word) - 2, len(word) + 3)
            for other in by_length.get(length, ())
        ]
        close = sorted(
            other
            for other, _, _ in process.extract(
                word, nearby, scorer=DamerauLevenshtein.distance, score_cutoff=2, limit=None
            )
            if other != word and skeleton(other) != sound and not _inflected(word, other)
        )
        if close:
            found[word] = close
    return found


def _inflected(word: str, other: str) -> bool:
    """Whether two words differ only in their last two letters (``INVERSION`` /
    ``INVERSIONES``, ``STEPANOV`` / ``STEPANOVIC``): one word inflected, not another name."""
    stem = 0
    for left, right in zip(word, other, strict=False):
        if left != right:
            break
        stem += 1
    return stem >= 4 and stem >= min(len(word), len(other)) - 2


def near_miss_pairs(
    rng: random.Random, listed: list[ListedEntity]
) -> list[tuple[str, str, str, str]]:
    """(near miss, listed name, kind, entity id) for ``near-surname`` and ``near-firm``."""
    people = [(entity, parts) for entity in listed if (parts := _person_parts(entity))]
    surnames = {
        word
        for _, (_, surname) in people
        for word in normalise(surname).words
        if len(word) >= 4 and word not in PARTICLES
    }
    firms = [entity for entity in listed if entity.kind is EntityKind.ENTITY]
    firm_words = {
        word
        for entity in firms
        for name in entity.names
        if name.strength is not NameStrength.WEAK
        for word in normalise(name.text).words
        if len(word) >= 5 and word not in GENERIC_WORDS and word not in PARTICLES
    }
    pairs: list[tuple[str, str, str, str]] = []
    near_surnames = _neighbours(surnames)
    for entity, (given, surname) in rng.sample(people, len(people)):
        words = normalise(surname).words
        if len(words) != 1 or words[0] not in near_surnames:
            continue
        other = rng.choice(near_surnames[words[0]])
        pairs.append(
            (
                f"{other.upper()}, {' '.join(given)}",
                entity.primary_name,
                "near-surname",
                entity.entity_id,
            )
        )
        if len(pairs) == VARIANTS:
            break
    near_words = _neighbours(firm_words)
    made = 0
    for entity in rng.sample(firms, len(firms)):
        words = list(normalise(entity.primary_name).words)
        replaceable = [index for index, word in enumerate(words) if word in near_words]
        if not replaceable or len(words) < 2:
            continue
        index = rng.choice(replaceable)
        words[index] = rng.choice(near_words[words[index]])
        pairs.append((" ".join(words).upper(), entity.primary_name, "near-firm", entity.entity_id))
        made += 1
        if made == VARIANTS:
            break
    return pairs
