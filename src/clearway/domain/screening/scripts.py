# This module is about letters that look like Latin ones: its examples are such letters.
# ruff: noqa: RUF001, RUF002, RUF003
"""Names disguised with look-alike letters of another script: ``ВАNСО NАСIОNАL DЕ СUВА`` typed
with Cyrillic В, А, С, О and Е reads, to the eye, as the listed ``BANCO NACIONAL DE CUBA``.

Unicode Technical Standard #39 (Unicode Security Mechanisms) gives the two tools: mixed-script
detection (§5: a word whose letters come from more than one script) and the confusable
*skeleton* (§4: each character replaced by the prototype it is confusable with, from the
standard's ``confusables.txt``). Screening applies the skeleton only where the letters are a
disguise, decided word by word from the mix of scripts:

- a word mixing Latin letters with Cyrillic, Greek, Coptic, Armenian or Cherokee ones
  (``ВАNСО``) has its look-alike letters read as the Latin letters they look like;
- in a name that also holds Latin letters, a word written only in look-alike letters
  (``СОСА`` in ``СОСА COLA``) is read the same way, unless the name also writes words of
  that script with letters of its own (the Russian ``с`` in ``Общество с ограниченной
  ответственностью Acme``);
- a name written wholly in another script (``Сбербанк``, ``Евгений Пригожин``) is that
  script's text, left to transliteration (``Sberbank``), never read as look-alikes.

Letters' scripts are read from their Unicode character names (``CYRILLIC CAPITAL LETTER A``),
after compatibility normalisation (NFKC) so that fullwidth and mathematical Latin letters
count as Latin. The look-alike table (character → Latin letters) is data from
``confusables.txt``, passed in by the services.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

LOOK_ALIKE_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "COPTIC", "ARMENIAN", "CHEROKEE"})
"""Scripts whose letters ``confusables.txt`` finds confusable with Latin ones (А/A, Ο/O, Տ/S,
Ꭺ/A)."""

_WORDS = re.compile(r"\w+")

__all__ = [
    "LOOK_ALIKE_SCRIPTS",
    "letter_script",
    "read_look_alikes",
]


@lru_cache(maxsize=1 << 12)
def letter_script(char: str) -> str | None:
    """The script of a letter (``LATIN``, ``CYRILLIC``, ``GREEK`` …, from its Unicode name);
    None for anything but a letter."""
    if not char.isalpha():
        return None
    if char.isascii():
        return "LATIN"
    compatible = unicodedata.normalize("NFKC", char)
    if compatible.isascii():
        return "LATIN"
    name = unicodedata.name(compatible[0], "")
    return name.split(" ", 1)[0] or None


def _scripts(word: str) -> set[str]:
    return {script for char in word if (script := letter_script(char)) is not None}


def read_look_alikes(text: str, look_alikes: Mapping[str, str]) -> tuple[str, frozenset[str]]:
    """``text`` with its disguised words' look-alike letters replaced by the Latin letters they
    look like (``look_alikes``: a character → its Latin prototype), and the scripts of the
    letters replaced (empty when none was: Latin text, or text wholly in another script)."""
    if text.isascii():
        return text, frozenset()
    words = _WORDS.findall(text)
    if not any("LATIN" in _scripts(word) for word in words):
        return text, frozenset()
    # Scripts the name also writes words of its own in (Общество, with б and щ): there a
    # word of look-alike letters only (the preposition с) is a word of that script too.
    genuine = {
        script
        for word in words
        if "LATIN" not in (scripts := _scripts(word))
        and not all(char in look_alikes for char in word if char.isalpha())
        for script in scripts
    }
    replaced: set[str] = set()

    def read(match: re.Match[str]) -> str:
        word = match.group()
        scripts = _scripts(word)
        if not scripts & LOOK_ALIKE_SCRIPTS:
            return word
        # A word of look-alike letters only is read as Latin when every letter has a Latin
        # twin and the name holds no word of that script with letters of its own (Б, Ж, Я).
        if "LATIN" not in scripts and (
            scripts & genuine or not all(char in look_alikes for char in word if char.isalpha())
        ):
            return word
        for char in word:
            if char in look_alikes:
                replaced.add(letter_script(char) or "")
        return "".join(look_alikes.get(char, char) for char in word)

    return _WORDS.sub(read, text), frozenset(replaced)
