"""Names brought to one comparable form before screening: folded to Latin letters, case and
punctuation removed, legal-form and courtesy words set aside, split into words.

What is removed, and why:

- **Case and accents.** ``Müller`` and ``MULLER`` are one name; letters with diacritics lose
  them (Unicode NFKD), and the few Latin letters that do not decompose are spelt out
  (``ß`` → ``ss``, ``ø`` → ``o``, ``ł`` → ``l`` …).
- **Other scripts.** Cyrillic, Arabic, Greek, Chinese … are transliterated by the function the
  caller passes in (the services pass ``anyascii``, after reading look-alike letters mixed
  into Latin text as the Latin ones they look like: ``scripts``; the domain stays
  stdlib-only). Without one, such letters are kept as they are.
- **Punctuation.** Dots and apostrophes join (``S.A.`` → ``sa``, ``O'Brien`` → ``obrien``);
  every other non-alphanumeric character separates words (``AL-NASER`` → ``al naser``).
- **Abbreviations** (``ABBREVIATIONS``): business words written short are written out
  (``Intl`` → ``international``, ``Trdg`` → ``trading``, ``Mfg`` → ``manufacturing``), so
  that a name and its abbreviated form have the same words.
- **Legal forms** (``legal_forms``: ``LEGAL_FORMS``, ``LEGAL_FORM_SPELLINGS``): company-type
  words such as LLC, Ltd, GmbH, OOO, S.A. de C.V., and the same forms spelt out in the major
  trading languages ("Sociedad Anonima", "Gesellschaft mit beschränkter Haftung",
  "Obshchestvo s ogranichennoy otvetstvennostyu", "kabushiki kaisha"). Lists and traders add,
  drop or spell them out at will, so they say nothing about which firm is meant. They are kept
  aside for the explanation, each as its short form (``sa``, ``gmbh``, ``ooo``, ``kk``). A name
  made only of such words keeps them.
- **Courtesy titles and connectives** (``DROPPED_WORDS``): Mr, Mrs, Dr, "the", "of", "and".

Word order is not changed here; the matcher aligns words whatever their order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from clearway.domain.screening.legal_forms import LEGAL_FORM_SPELLINGS, LEGAL_FORMS
from clearway.domain.screening.vocabulary import ABBREVIATIONS, DROPPED_WORDS

Transliterate = Callable[[str], str]

# Latin letters NFKD leaves whole.
_SPELT_OUT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "\u0131": "i",  # dotless i
        "ħ": "h",
        "Ħ": "H",
    }
)
_JOINERS = re.compile("[.'`\u2019\u2018\u00b4\u02bc\u02bb]")  # dots and apostrophes
_SEPARATORS = re.compile(r"[\W_]+")

__all__ = [
    "NormalisedName",
    "fold",
    "normalise",
    "skeleton",
    "split_words",
]


@dataclass(frozen=True, slots=True)
class NormalisedName:
    text: str
    """The name as given."""
    words: tuple[str, ...]
    """Comparable words, in the given order."""
    legal_forms: tuple[str, ...] = ()
    """Legal forms set aside, as their short forms (``("llc",)`` for "Limited Liability
    Company")."""
    spelt: tuple[str, ...] = ()
    """Every word as written, legal forms included (``RAMCHARAN LTD`` against the same name
    typed without its space, ``RAMCHARANLTD``, where ``ltd`` is no longer a word of its own)."""


def fold(text: str, transliterate: Transliterate | None = None) -> str:
    """``text`` in Latin letters without diacritics (other scripts via ``transliterate``)."""
    if text.isascii():
        return text
    if transliterate is not None:
        return transliterate(text)
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELT_OUT))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def split_words(text: str) -> list[str]:
    """Lower-case words of already folded text: dots and apostrophes join, the rest splits."""
    return [word for word in _SEPARATORS.split(_JOINERS.sub("", text.casefold())) if word]


def normalise(text: str, transliterate: Transliterate | None = None) -> NormalisedName:
    """The comparable form of a person's, firm's or vessel's name."""
    words = split_words(fold(text, transliterate))
    spelt = [word for word in words if word not in DROPPED_WORDS] or words
    kept, legal = _without_legal_forms(words)
    kept = [ABBREVIATIONS.get(word, word) for word in kept]
    kept = [word for word in kept if word not in DROPPED_WORDS]
    if not kept:
        # A name made only of legal forms or titles ("Limited") is still a name.
        kept = spelt
        legal = []
    return NormalisedName(text, tuple(kept), tuple(legal), tuple(spelt))


def _without_legal_forms(words: list[str]) -> tuple[list[str], list[str]]:
    """The words less their legal forms, and those forms (short forms, in order): at each
    word, the longest spelling of a legal form that starts there, if any."""
    kept: list[str] = []
    legal: list[str] = []
    position = 0
    while position < len(words):
        for spelling in _SPELLINGS_BY_FIRST_WORD.get(words[position], ()):
            end = position + len(spelling)
            if tuple(words[position:end]) == spelling and (end - position > 1 or len(words) > 1):
                legal.append(LEGAL_FORM_SPELLINGS[" ".join(spelling)])
                position = end
                break
        else:
            word = words[position]
            (legal if word in LEGAL_FORMS else kept).append(word)
            position += 1
    return kept, legal


# Per first word, the spellings of legal forms it begins, longest first.
_SPELLINGS_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _spelling in sorted((tuple(text.split()) for text in LEGAL_FORM_SPELLINGS), key=len)[::-1]:
    _SPELLINGS_BY_FIRST_WORD.setdefault(_spelling[0], []).append(_spelling)

# Spellings that differ between transliteration systems (Russian ``zh``/``j``, Arabic
# ``kh``/``h`` and ``q``/``k``, French ``ou`` for ``u`` …), reduced to one letter each.
_SOUND_RULES = (
    ("sch", "x"),
    ("tch", "x"),
    ("dzh", "j"),
    ("sh", "x"),
    ("ch", "x"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("ou", "u"),
    ("q", "k"),
    ("c", "k"),
    ("v", "w"),
    ("z", "s"),
    ("y", "i"),
)
# ``w`` and ``y`` stand for vowels as often as consonants across transliterations (Arabic
# و and ي: ``quddus``/``qdws``, ``hussein``/``hsyn``), so both count as vowels here.
_VOWELS = re.compile(r"[aeiouw]+")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 16)
def skeleton(word: str) -> str:
    """A spelling-independent key of a Latin word: transliteration variants folded together,
    vowels and doubled letters dropped (``muhammad``, ``mohammed`` → ``mhmd``;
    ``yevgeniy``, ``evgeniy`` → ``vgn``; ``quddus``, ``qdws`` → ``kds``). Digits are kept as
    they are."""
    if not word.isalpha():
        return word
    for spelling, sound in _SOUND_RULES:
        word = word.replace(spelling, sound)
    return _REPEATS.sub(r"\1", _VOWELS.sub("", word))
