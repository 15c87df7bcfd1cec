# This module is about letters that look like Latin ones: its examples are such letters.
# ruff: noqa: RUF002
"""The look-alike letters of other scripts and the Latin letters they are confusable with,
read once from the slice of Unicode's ``confusables.txt`` (UTS #39, version 13.0.0) shipped
in ``clearway/reference/data/confusables-latin.txt`` (provenance in ``PROVENANCE.md`` there):
Cyrillic ``А`` → ``A``, Greek ``Ο`` → ``O``, Armenian ``Տ`` → ``S``.

Each line maps one character to its *prototype*. Prototypes are reduced to plain Latin
letters: combining marks dropped (``Ҫ`` → ``C̦`` → ``C``) and Latin small capitals read as
their letter (Cyrillic ``н`` → ``ʜ`` → ``h``, ``т`` → ``ᴛ`` → ``t``); characters whose
prototype is still no plain letter (``б`` → ``6``, ``и`` → ``ᴎ``, ``л`` → ``Ʌ``) are left out,
to be transliterated as letters of their own script. The standard folds ``I`` and ``l``
into one prototype, ``l``; an upper-case look-alike (Cyrillic ``І``, Greek ``Ι``) stands for
``I`` in upper-case text, so it reads ``I``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

DATA_FILE = "confusables-latin.txt"
_SMALL_CAPITAL = "LATIN LETTER SMALL CAPITAL "


def _plain_latin(prototype: str) -> str | None:
    letters = []
    for char in unicodedata.normalize("NFKD", prototype):
        if unicodedata.combining(char):
            continue
        if char.isascii() and char.isalpha():
            letters.append(char)
            continue
        name = unicodedata.name(char, "")
        if not name.startswith(_SMALL_CAPITAL) or len(name) != len(_SMALL_CAPITAL) + 1:
            return None
        letters.append(name[-1].lower())
    return "".join(letters) or None


def parse(lines: list[str]) -> dict[str, str]:
    """Character → plain Latin letters, from lines of ``confusables.txt``."""
    table: dict[str, str] = {}
    for line in lines:
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 3:
            continue
        source = "".join(chr(int(point, 16)) for point in fields[0].split())
        prototype = "".join(chr(int(point, 16)) for point in fields[1].split())
        latin = _plain_latin(prototype)
        if len(source) != 1 or latin is None:
            continue
        if source.isupper():
            latin = latin.replace("l", "I")
        table[source] = latin
    return table


def _load() -> Mapping[str, str]:
    text = resources.files("clearway.reference").joinpath("data", DATA_FILE).read_text("utf-8")
    return MappingProxyType(parse(text.splitlines()))


LOOK_ALIKES: Mapping[str, str] = _load()
"""Look-alike letter → the Latin letters it is confusable with."""
