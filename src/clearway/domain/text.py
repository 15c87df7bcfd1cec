"""What counts as printable text in a declaration (WCO DM 3.6: printable characters only)."""

from __future__ import annotations

import unicodedata

# Control, format (bidi overrides, zero-width), unpaired surrogate and private-use characters.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control, invisible, unpaired or private-use character."""
    # isprintable() is a fast C check; it is also false for harmless spaces such as U+00A0,
    # so only then is each character's category looked at.
    if text.isprintable():
        return False
    return any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in text)
