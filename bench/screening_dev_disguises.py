# This module writes names with letters that look like Latin ones, on purpose.
# ruff: noqa: RUF001, RUF002
"""Disguised spellings of listed names for the screening development set
(``screening_dev.py``), built from the lists only (is_match true):

- ``look-alike``: some Latin letters of a listed name replaced by the Cyrillic, Greek or
  Armenian letters that look like them (``ВАNСО NАСIОNАL DЕ СUВА``), one script per name;
- ``abbreviated``: a listed firm's business words shortened as firms write them
  (``INTERNATIONAL`` → ``Intl``, ``TRADING`` → ``Trdg``);
- ``spelt-form``: a listed firm's legal form spelt out in one of the languages of trade, or
  such a form added (``S.A.`` → ``Sociedad Anónima``, ``LLC`` → ``Limited Liability
  Company``), as a trader types it, accents and all;
- ``split-joined``: two neighbouring words of a listed name run together
  (``BANKMELLAT``), or one long word split in two (``PETRO CHEMICAL``).

The tables below are written for the bench, apart from the matcher's own (``vocabulary``,
``legal_forms``, ``confusables-latin.txt``), so that the set measures how the matcher meets
disguises rather than restating its tables.
"""

from __future__ import annotations

import random
import re

from clearway.domain.screening.entity import EntityKind, ListedEntity

DISGUISES = 400
"""Pairs of each kind below."""

LOOK_ALIKE_LETTERS = {
    "cyrillic": dict(zip("ABCEHKMOPTXYIaceopxyi", "АВСЕНКМОРТХУІасеорхуі", strict=True)),
    "greek": dict(zip("ABEHIKMNOPTXYZov", "ΑΒΕΗΙΚΜΝΟΡΤΧΥΖον", strict=True)),
    "armenian": dict(zip("OUSohnqgu", "ՕՍՏօհոգցս", strict=True)),
}

SHORT_FORMS = {
    "INTERNATIONAL": ("Intl", "Int'l"),
    "COMMERCIAL": ("Comml", "Coml"),
    "TRADING": ("Trdg",),
    "GROUP": ("Grp",),
    "INDUSTRIES": ("Inds", "Ind"),
    "INDUSTRIAL": ("Indl",),
    "MANUFACTURING": ("Mfg",),
    "BROTHERS": ("Bros",),
    "SERVICES": ("Svcs",),
    "TECHNOLOGY": ("Tech",),
    "ENGINEERING": ("Engg",),
    "MANAGEMENT": ("Mgmt",),
    "NATIONAL": ("Natl",),
    "DEVELOPMENT": ("Devt", "Dev"),
    "EQUIPMENT": ("Eqpt",),
    "CHEMICAL": ("Chem",),
    "PHARMACEUTICAL": ("Pharm",),
    "HOLDINGS": ("Hldgs",),
    "INVESTMENT": ("Invt",),
    "CORPORATION": ("Corp",),
    "COMPANY": ("Co",),
    "LIMITED": ("Ltd",),
}

SPELT_FORMS = {
    "sa": ("Sociedad Anónima", "Sociedade Anônima", "Société Anonyme"),
    "llc": ("Limited Liability Company",),
    "ltd": ("Limited",),
    "gmbh": ("Gesellschaft mit beschränkter Haftung",),
    "ag": ("Aktiengesellschaft",),
    "spa": ("Società per Azioni",),
    "srl": ("Società a responsabilità limitata", "Sociedad de Responsabilidad Limitada"),
    "sarl": ("Société à responsabilité limitée",),
    "ooo": ("Obshchestvo s Ogranichennoy Otvetstvennostyu",),
    "zao": ("Zakrytoye Aktsionernoye Obshchestvo",),
    "jsc": ("Joint Stock Company", "Joint-Stock Company"),
    "plc": ("Public Limited Company",),
    "co ltd": ("Youxian Gongsi", "Company Limited"),
    "as": ("Anonim Şirketi",),
    "kk": ("Kabushiki Kaisha",),
    "pvt ltd": ("Private Limited",),
    "sdn bhd": ("Sendirian Berhad",),
    "pt": ("Perseroan Terbatas",),
}
_SHORT_IN_NAME = {
    "sa": r"S\.? ?A\.?",
    "llc": r"L\.? ?L\.? ?C\.?",
    "ltd": r"LTD\.?",
    "gmbh": r"GMBH",
    "ag": r"AG",
    "spa": r"S\.? ?P\.? ?A\.?",
    "srl": r"S\.? ?R\.? ?L\.?",
    "sarl": r"SARL",
    "ooo": r"OOO",
    "zao": r"ZAO",
    "jsc": r"JSC",
    "plc": r"PLC",
    "co ltd": r"CO\.?,? LTD\.?",
    "pvt ltd": r"PVT\.? LTD\.?",
    "sdn bhd": r"SDN\.? BHD\.?",
    "pt": r"PT\.?",
}


def look_alike(rng: random.Random, name: str) -> str | None:
    """``name`` with about half its letters that have a look-alike in one script replaced."""
    letters = LOOK_ALIKE_LETTERS[rng.choice(sorted(LOOK_ALIKE_LETTERS))]
    positions = [index for index, char in enumerate(name) if char in letters]
    if not positions:
        return None
    chosen = set(rng.sample(positions, max(1, len(positions) // 2)))
    return "".join(letters[char] if index in chosen else char for index, char in enumerate(name))


def abbreviated(rng: random.Random, name: str) -> str | None:
    """``name`` with its business words shortened (each at random, at least one)."""
    words = name.split(" ")
    shortened = [
        index for index, word in enumerate(words) if word.upper().strip(",.") in SHORT_FORMS
    ]
    if not shortened:
        return None
    chosen = {index for index in shortened if rng.random() < 0.7} or {rng.choice(shortened)}
    for index in chosen:
        bare = words[index].upper().strip(",.")
        trailing = words[index][len(words[index].rstrip(",.")) :]
        words[index] = rng.choice(SHORT_FORMS[bare]) + trailing
    return " ".join(words)


def spelt_form(rng: random.Random, name: str) -> str:
    """``name`` with its legal form spelt out, or with a spelt-out form added."""
    for short, pattern in _SHORT_IN_NAME.items():
        found = re.search(rf"(?<![\w.]){pattern}(?![\w.])", name, flags=re.IGNORECASE)
        if found and found.start() > 0:
            spelt = rng.choice(SPELT_FORMS[short])
            return (name[: found.start()] + spelt + name[found.end() :]).strip()
    return f"{name.rstrip(',. ')} {rng.choice(rng.choice(list(SPELT_FORMS.values())))}"


def split_joined(rng: random.Random, name: str) -> str | None:
    """``name`` with two neighbouring words run together or one long word split in two."""
    words = name.replace(",", "").split()
    long_words = [index for index, word in enumerate(words) if len(word) >= 8 and word.isalpha()]
    if long_words and (len(words) < 2 or rng.random() < 0.5):
        index = rng.choice(long_words)
        word = words[index]
        at = rng.randrange(3, len(word) - 2)
        return " ".join([*words[:index], word[:at], word[at:], *words[index + 1 :]])
    if len(words) < 2:
        return None
    at = rng.randrange(len(words) - 1)
    return " ".join([*words[:at], words[at] + words[at + 1], *words[at + 2 :]])


def disguise_pairs(
    rng: random.Random, listed: list[ListedEntity]
) -> list[tuple[str, str, str, str]]:
    """(disguised name, listed name, kind, entity id) for the kinds above."""
    firms = [entity for entity in listed if entity.kind is EntityKind.ENTITY]
    makers = (
        ("look-alike", listed, lambda name: look_alike(rng, name)),
        ("abbreviated", firms, lambda name: abbreviated(rng, name)),
        ("spelt-form", firms, lambda name: spelt_form(rng, name)),
        ("split-joined", listed, lambda name: split_joined(rng, name)),
    )
    pairs: list[tuple[str, str, str, str]] = []
    for kind, entities, make in makers:
        made = 0
        for entity in rng.sample(entities, len(entities)):
            disguised = make(entity.primary_name)
            if disguised and disguised != entity.primary_name:
                pairs.append((disguised, entity.primary_name, kind, entity.entity_id))
                made += 1
            if made == DISGUISES:
                break
    return pairs
