"""Control-list entry codes in the structure of Annex I to Regulation (EU) 2021/821: category,
group, entry number and sub-items, and which code covers which."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

CATEGORIES: Mapping[int, str] = {
    0: "Nuclear materials, facilities and equipment",
    1: "Special materials and related equipment",
    2: "Materials processing",
    3: "Electronics",
    4: "Computers",
    5: "Telecommunications and information security",
    6: "Sensors and lasers",
    7: "Navigation and avionics",
    8: "Marine",
    9: "Aerospace and propulsion",
}
"""The ten categories of Annex I to Regulation (EU) 2021/821."""

GROUPS: Mapping[str, str] = {
    "A": "Systems, equipment and components",
    "B": "Test, inspection and production equipment",
    "C": "Materials",
    "D": "Software",
    "E": "Technology",
}
"""The five groups each category is divided into (Annex I, general notes: 'Structure')."""

_NUMBER = re.compile(r"[0-9]{3}")
# Annex I numbers sub-items with lower-case letters (a, b … and roman i, ii …) and with numbers
# (1C350.1 … 1C350.89); levels may follow either.
_SUB_ITEM = re.compile(r"[a-z]{1,4}|[1-9][0-9]{0,2}")


class ControlCodeError(ValueError):
    """Text that is not a control-list entry code in the Annex I structure."""


@dataclass(frozen=True, slots=True)
class ControlCode:
    """An entry code such as ``2B350`` or ``5A002.a.1``.

    Regulation (EU) 2021/821, Annex I: a category digit 0 to 9, a group letter A to E, a three-digit
    entry number, then sub-items separated by dots (``3A001.b.3.a``, ``1C350.1``).
    """

    category: int
    group: str
    number: str
    sub_items: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ControlCode:
        """The code ``text`` spells; raises ``ControlCodeError`` saying what is wrong."""
        code = text.strip()
        if not code:
            raise ControlCodeError("a control-list entry code is empty")
        head, *sub_items = code.split(".")
        prefix = f"{code!r} is not a control-list entry code:"
        if not head or not head[0].isascii() or not head[0].isdigit():
            found = repr(head[0]) if head else "nothing"
            raise ControlCodeError(
                f"{prefix} it must start with a category digit 0 to 9, not {found}"
            )
        if len(head) < 2 or head[1] not in GROUPS:
            found = repr(head[1]) if len(head) > 1 else "nothing"
            raise ControlCodeError(
                f"{prefix} the category digit must be followed by a group letter A to E "
                f"(A equipment, B production equipment, C materials, D software, E technology), "
                f"not {found}"
            )
        if not _NUMBER.fullmatch(head[2:]):
            raise ControlCodeError(
                f"{prefix} the group letter must be followed by a three-digit entry number, "
                "as in 2B350"
            )
        for position, sub_item in enumerate(sub_items, start=1):
            if not sub_item:
                raise ControlCodeError(f"{prefix} sub-item {position} is empty")
            if not _SUB_ITEM.fullmatch(sub_item):
                raise ControlCodeError(
                    f"{prefix} sub-item {sub_item!r} must be lower-case letters (a, b, i …) "
                    "or a number (1, 2 …)"
                )
        return cls(int(head[0]), head[1], head[2:], tuple(sub_items))

    def __str__(self) -> str:
        return "".join(
            (f"{self.category}{self.group}{self.number}", *(f".{s}" for s in self.sub_items))
        )

    @property
    def parent(self) -> ControlCode | None:
        """The code one level up (``2B350`` for ``2B350.i``); None for an entry itself."""
        if not self.sub_items:
            return None
        return ControlCode(self.category, self.group, self.number, self.sub_items[:-1])

    @property
    def lineage(self) -> tuple[ControlCode, ...]:
        """This code and every code above it, most specific first."""
        codes = [self]
        while (parent := codes[-1].parent) is not None:
            codes.append(parent)
        return tuple(codes)

    def covers(self, other: ControlCode) -> bool:
        """Whether ``other`` is this code or one of its sub-items: an entry controls everything
        its sub-items specify (``2B350`` covers ``2B350.i``; ``2B350.i`` does not cover
        ``2B350.g``)."""
        same_entry = (self.category, self.group, self.number) == (
            other.category,
            other.group,
            other.number,
        )
        return same_entry and other.sub_items[: len(self.sub_items)] == self.sub_items
