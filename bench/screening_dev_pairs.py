"""The kinds of name pair in the screening development set (``screening_dev.py``), each
built from the lists and the simulated traders only, never from the benchmark."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from rapidfuzz import fuzz, process
from screening_dev_disguises import disguise_pairs
from screening_dev_variants import near_miss_pairs, variant_pairs

from clearway.adapters.reference_files import shipped_reference
from clearway.domain.screening.entity import EntityKind, ListedEntity, ListSource, NameStrength
from clearway.domain.screening.normalise import normalise, skeleton
from clearway.domain.screening.vocabulary import PARTICLES
from clearway.services.screening import Screener
from clearway.services.screening.matcher import (
    transliterate,
)
from clearway.services.simulation import simulate

SEED = 20261123
SYNTHETIC = 600
ALIAS_PAIRS = 2400
TRADERS = 800
# Clean traders are screened with the full screener at this threshold to mine hard negatives.
MINING_THRESHOLD = 0.7
PARTY_ROLES = ("declarant", "importer", "exporter", "consignee", "end_user")
KIND_SIZE = 400


@dataclass(frozen=True, slots=True)
class DevPair:
    name1: str
    name2: str
    is_match: bool
    kind: str
    entity_id: str


def _sounds(text: str) -> set[str]:
    words = normalise(text, transliterate).words
    return {skeleton(word) for word in words if word not in PARTICLES and len(skeleton(word)) > 1}


def is_variant(primary: str, alias: str) -> bool:
    """Whether an alias is a spelling of the primary name rather than another name: the two
    share a word that sounds the same (``KANSO, Jihad`` / ``QANSU, Jihad Muhammad``,
    ``صدام حسين`` / ``SADDAM HUSSEIN``). Aliases that are other names altogether (former
    names, translations, acronyms: ``KALASHNIKOV CONCERN`` / ``JSC NPO IZHMASH``) are no test
    of a name matcher, and as unreachable positives they would drag the best-F1 threshold
    down."""
    return bool(_sounds(primary) & _sounds(alias))


def one_name(first: str, second: str) -> bool:
    """Whether two names of different entities are one name all the same: run together they
    are equal, or every word of the name with fewer words is in the other, as it is or spelt
    so that it sounds the same (``KRIVORUCHKO, Aleksey`` / ``KRIVORUCHKO, Aleksei
    Yurievich``, ``BANK MELLAT`` / ``BANK MELLAT YEREVAN``). No name matcher can tell such
    entities apart by name, so they are no negative pair for one."""
    left, right = (
        [word for word in normalise(text, transliterate).words if word not in PARTICLES]
        for text in (first, second)
    )
    if not left or not right:
        return False
    if "".join(left) == "".join(right):
        return True
    fewer, more = sorted((left, right), key=len)
    sounds = {skeleton(word) for word in more if len(skeleton(word)) > 1}
    return all(word in more or skeleton(word) in sounds for word in fewer)


def half(entity_id: str) -> str:
    return "A" if hashlib.sha256(entity_id.encode()).digest()[0] % 2 == 0 else "B"


def _typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(1, len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    edit = rng.choice(("substitute", "delete", "insert", "swap"))
    if edit == "substitute":
        return word[:position] + letter + word[position + 1 :]
    if edit == "delete":
        return word[:position] + word[position + 1 :]
    if edit == "insert":
        return word[:position] + letter + word[position:]
    return word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]


def _rewritten(rng: random.Random, name: str) -> str | None:
    words = name.replace(",", " ").split()
    long_words = [index for index, word in enumerate(words) if len(word) >= 5]
    if len(words) < 2 or not long_words:
        return None
    index = rng.choice(long_words)
    words[index] = _typo(rng, words[index])
    rng.shuffle(words)
    return " ".join(words)


def build(entities: list[ListedEntity]) -> list[DevPair]:
    rng = random.Random(SEED)
    listed = [e for e in entities if e.source in (ListSource.OFAC_SDN, ListSource.UN)]
    positives = [
        DevPair(
            entity.primary_name, name.text, True, f"alias:{entity.source.value}", entity.entity_id
        )
        for entity in listed
        for name in entity.names
        if name.strength is NameStrength.ALIAS and is_variant(entity.primary_name, name.text)
    ]
    positives = rng.sample(positives, min(ALIAS_PAIRS, len(positives)))
    synthetic = []
    for entity in rng.sample(listed, len(listed)):
        rewritten = _rewritten(rng, entity.primary_name)
        if rewritten:
            synthetic.append(
                DevPair(rewritten, entity.primary_name, True, "rewritten", entity.entity_id)
            )
        if len(synthetic) == SYNTHETIC:
            break
    # Different entities sharing a word, within one list.
    by_word: dict[tuple[ListSource, str], set[int]] = defaultdict(set)
    names: list[tuple[ListedEntity, str, frozenset[str]]] = []
    for entity in listed:
        for name in entity.names:
            if name.strength is NameStrength.WEAK:
                continue
            words = frozenset(normalise(name.text).words)
            names.append((entity, name.text, words))
            for word in words:
                if len(word) >= 3 and word not in PARTICLES:
                    by_word[entity.source, word].add(len(names) - 1)
    negatives = []
    wanted = len(positives) + len(synthetic)
    order = rng.sample(range(len(names)), len(names))
    for index in order:
        entity, text, words = names[index]
        others = {
            other
            for word in words
            if (entity.source, word) in by_word
            for other in by_word[entity.source, word]
            if names[other][0].entity_id != entity.entity_id and names[other][2] != words
        }
        if not others:
            continue
        if rng.random() < 0.5:
            chosen = max(sorted(others), key=lambda o: fuzz.token_sort_ratio(text, names[o][1]))
            kind = "hard"
        else:
            chosen = rng.choice(sorted(others))
            kind = "shared-word"
        negatives.append(
            DevPair(
                text, names[chosen][1], False, f"{kind}:{entity.source.value}", entity.entity_id
            )
        )
        if len(negatives) == wanted:
            break
    pairs = [
        *positives,
        *synthetic,
        *negatives,
        *trader_pairs(rng, entities),
        *person_pairs(rng, listed),
        *firm_pairs(rng, listed),
        *(DevPair(a, b, True, kind, eid) for a, b, kind, eid in variant_pairs(rng, listed)),
        *(DevPair(a, b, False, kind, eid) for a, b, kind, eid in near_miss_pairs(rng, listed)),
    ]
    # Revision 8's kinds draw on a generator of their own, so the earlier kinds stay as they
    # were.
    disguises = random.Random(SEED + 8)
    pairs.extend(
        DevPair(a, b, True, kind, eid) for a, b, kind, eid in disguise_pairs(disguises, listed)
    )
    return balanced(rng, pairs)


def balanced(rng: random.Random, pairs: list[DevPair]) -> list[DevPair]:
    """At most ``KIND_SIZE`` pairs of each kind, negatives that are one name left out: no one
    way of making pairs decides where the threshold falls."""
    by_kind: dict[str, list[DevPair]] = defaultdict(list)
    for pair in pairs:
        if pair.is_match or not one_name(pair.name1, pair.name2):
            by_kind[pair.kind].append(pair)
    return [
        pair
        for kind in sorted(by_kind)
        for pair in (
            by_kind[kind]
            if len(by_kind[kind]) <= KIND_SIZE
            else rng.sample(by_kind[kind], KIND_SIZE)
        )
    ]


# Latin spellings in Russian Cyrillic the way a Russian clerk writes a foreign name: the
# digraphs of the usual romanisations first (shch, ch, sh, kh, zh, ts, ya, yu, ye), then
# letter by letter, the Latin letters Russian lacks by their sound (c → к, j → дж, w → в …).
CYRILLIC_SPELLINGS = (
    ("shch", "щ"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("kh", "х"),  # noqa: RUF001
    ("zh", "ж"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("ye", "е"),  # noqa: RUF001
    ("yo", "ё"),
    ("j", "дж"),
    ("q", "к"),
    ("w", "в"),
    ("x", "кс"),
    ("c", "к"),
    ("h", "х"),  # noqa: RUF001
)
CYRILLIC = str.maketrans("abvgdezijklmnoprstufy", "абвгдезийклмнопрстуфы")


def in_cyrillic(text: str) -> str:
    text = text.lower()
    for latin, cyrillic in CYRILLIC_SPELLINGS:
        text = text.replace(latin, cyrillic)
    return text.translate(CYRILLIC)


FAMILY = 400
"""Pairs of each kind of harder person and firm pair below."""


def _given_and_surname(name: str) -> tuple[list[str], str] | None:
    """OFAC writes people ``SURNAME, Given Names``."""
    if name.count(",") != 1:
        return None
    surname, given = (part.split() for part in name.split(","))
    if len(surname) != 1 or not given:
        return None
    return given, surname[0]


def person_pairs(rng: random.Random, listed: list[ListedEntity]) -> list[DevPair]:
    """People as screening meets them. Different people: family members (one surname, other
    given names: common in the SDN and UN lists) and namesakes by given name. The same person:
    a middle name dropped, a given name as an initial, the name in Cyrillic."""
    people = []
    for entity in listed:
        if entity.kind is EntityKind.INDIVIDUAL:
            split = _given_and_surname(entity.primary_name)
            if split:
                people.append((entity, *split))
    by_surname: dict[str, list[int]] = defaultdict(list)
    by_given: dict[str, list[int]] = defaultdict(list)
    for index, (_, given, surname) in enumerate(people):
        by_surname[skeleton(surname.lower())].append(index)
        by_given[skeleton(given[0].lower())].append(index)
    pairs: list[DevPair] = []
    groupings = (
        ("family", by_surname, lambda i: skeleton(people[i][1][0].lower())),
        ("namesake", by_given, lambda i: skeleton(people[i][2].lower())),
    )
    for kind, groups, other_part in groupings:
        found = []
        for key in sorted(groups):
            members = groups[key]
            for first, second in pairwise(members):
                if other_part(first) != other_part(second):
                    found.append((first, second))
        for first, second in rng.sample(found, min(FAMILY, len(found))):
            entity = people[first][0]
            other = people[second][0].primary_name
            pairs.append(DevPair(entity.primary_name, other, False, kind, entity.entity_id))
    for entity, given, surname in rng.sample(people, min(FAMILY, len(people))):
        change = rng.random()
        if len(given) >= 2 and change < 0.4:
            kept = [given[0], *given[2:]] if len(given) > 2 else [given[0]]
            text, kind = " ".join([*kept, surname]), "dropped-middle"
        elif change < 0.7:
            text, kind = " ".join([f"{given[0][0]}.", *given[1:], surname]), "initial"
        else:
            text = in_cyrillic(" ".join([*given, surname]))
            kind = "cyrillic"
        pairs.append(DevPair(text, entity.primary_name, True, kind, entity.entity_id))
    return pairs


_OTHER_FORMS = ("LLC", "Ltd", "GmbH", "S.A.", "JSC", "Co., Ltd.")


def firm_pairs(rng: random.Random, listed: list[ListedEntity]) -> list[DevPair]:
    """Firms: different firms sharing only some of the lists' 150 commonest words
    (``X TRADING`` / ``Y TRADING``), and the same firm under another legal form with a typing
    error."""
    firms = [
        (entity, frozenset(normalise(entity.primary_name).words))
        for entity in listed
        if entity.kind is EntityKind.ENTITY
    ]
    frequency: dict[str, int] = defaultdict(int)
    for _, words in firms:
        for word in words:
            frequency[word] += 1
    common = set(sorted(frequency, key=lambda word: -frequency[word])[:150])
    by_word: dict[str, list[int]] = defaultdict(list)
    for index, (_, words) in enumerate(firms):
        for word in words & common:
            by_word[word].append(index)
    found = []
    for word in sorted(by_word):
        members = by_word[word]
        for first, second in pairwise(members):
            shared = firms[first][1] & firms[second][1]
            if shared and shared <= common and firms[first][1] != firms[second][1]:
                found.append((first, second))
    pairs = [
        DevPair(
            firms[first][0].primary_name,
            firms[second][0].primary_name,
            False,
            "generic-firm",
            firms[first][0].entity_id,
        )
        for first, second in rng.sample(found, min(FAMILY, len(found)))
    ]
    for entity, _ in rng.sample(firms, min(FAMILY // 2, len(firms))):
        words = normalise(entity.primary_name).words
        long_words = [index for index, word in enumerate(words) if len(word) >= 5]
        if not long_words:
            continue
        changed = list(words)
        index = rng.choice(long_words)
        changed[index] = _typo(rng, changed[index])
        text = " ".join(changed).title() + " " + rng.choice(_OTHER_FORMS)
        pairs.append(DevPair(text, entity.primary_name, True, "legal-form", entity.entity_id))
    return pairs


def party_country(party: dict[str, Any]) -> str | None:
    country: str | None = party.get("country") or (party.get("address") or {}).get("country")
    return country


def clean_declarations_held(screener: Screener, declarations: int, seed: int) -> float:
    """The share of clean simulated declarations with a party ``screener`` would hold."""
    held = 0
    for payload in simulate(declarations, seed, reference=shipped_reference()):
        parties = [payload[role] for role in PARTY_ROLES if payload.get(role)]
        held += any(screener.screen(party["name"], party_country(party)) for party in parties)
    return held / declarations


def trader_pairs(rng: random.Random, entities: list[ListedEntity]) -> list[DevPair]:
    """Clean simulated traders, each against its nearest listed name by WRatio."""
    traders: dict[str, str] = {}
    for payload in simulate(3000, SEED % 1000, reference=shipped_reference()):
        for role in PARTY_ROLES:
            party = payload.get(role)
            if party:
                traders.setdefault(" ".join(sorted(normalise(party["name"]).words)), party["name"])
    chosen = rng.sample(sorted(traders.values()), min(TRADERS, len(traders)))
    listed = [(entity.entity_id, name.text) for entity in entities for name in entity.names]
    texts = [" ".join(normalise(text).words) for _, text in listed]
    pairs = []
    for trader in chosen:
        found = process.extractOne(" ".join(normalise(trader).words), texts, scorer=fuzz.WRatio)
        if found is not None:
            _, text = listed[found[2]]
            pairs.append(DevPair(trader, text, False, "clean-trader", f"trader:{trader}"))
    # The matcher's own near misses on clean traffic (hard negatives mined with the screener
    # itself, well below its threshold): what it would wrongly hold at the border.
    screener = Screener(entities, threshold=MINING_THRESHOLD, cache_size=0)
    for trader in sorted(traders.values()):
        for match in screener.screen(trader, limit=3):
            pairs.append(
                DevPair(trader, match.matched_name, False, "clean-screen", f"trader:{trader}")
            )
    return pairs
