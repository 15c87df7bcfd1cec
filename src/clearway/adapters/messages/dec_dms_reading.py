"""Reading values out of a DEC-DMS declaration while noting where each one came from.

Every value put into the wire dictionary is recorded against its JSON pointer with the path of
the element it was read from, so that an error found in the wire document can be pointed back
at the declaration as lodged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from clearway.adapters.messages.dec_dms_codes import element_path, qualified
from clearway.adapters.messages.dec_dms_fields import INTEGER_FIELDS

Wire = dict[str, Any]


class Reading:
    """The sources noted so far (JSON pointer → element path) and the ways to read elements."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def find(self, parent: etree._Element, path: str) -> etree._Element | None:
        return parent.find(qualified(path))

    def findall(self, parent: etree._Element, path: str) -> list[etree._Element]:
        return parent.findall(qualified(path))

    def note(self, pointer: str, element: etree._Element, attribute: str | None = None) -> None:
        """Record that the value at ``pointer`` came from ``element`` (or its attribute)."""
        path = element_path(element)
        self.sources[pointer] = f"{path}/@{attribute}" if attribute else path

    def text(self, parent: etree._Element, path: str, pointer: str | None = None) -> str | None:
        """The element's text without surrounding blanks; ``None`` when absent or blank."""
        element = self.find(parent, path)
        if element is None:
            return None
        value = (element.text or "").strip()
        if not value:
            return None
        if pointer is not None:
            self.note(pointer, element)
        return value

    def put(self, target: Wire, key: str, parent: etree._Element, path: str, pointer: str) -> None:
        """Set ``target[key]`` to the element's text (a whole number for the wire's integer
        fields) when it has any."""
        value = self.text(parent, path, f"{pointer}/{key}")
        if value is not None:
            target[key] = int(value) if key in INTEGER_FIELDS else value

    def amount(self, parent: etree._Element, path: str, pointer: str) -> Wire | None:
        """``{currency, amount}`` from an amount element and its ``currencyID``."""
        element = self.find(parent, path)
        if element is None or not (element.text or "").strip():
            return None
        money: Wire = {}
        currency = element.get("currencyID")
        if currency:
            money["currency"] = currency.strip()
            self.note(f"{pointer}/currency", element, "currencyID")
        money["amount"] = (element.text or "").strip()
        self.note(f"{pointer}/amount", element)
        self.note(pointer, element)
        return money

    def fields(self, parent: etree._Element, pointer: str, names: Mapping[str, str]) -> Wire:
        """The wire fields ``names`` (wire key → child path) that the element gives."""
        found: Wire = {}
        for key, path in names.items():
            self.put(found, key, parent, path, pointer)
        if found:
            self.note(pointer, parent)
        return found

    def listed(
        self, parent: etree._Element, path: str, pointer: str, names: Mapping[str, str]
    ) -> list[Wire]:
        """One wire object per repeated element ``path``, in document order."""
        entries: list[Wire] = []
        for element in self.findall(parent, path):
            entry = self.fields(element, f"{pointer}/{len(entries)}", names)
            if entry:
                entries.append(entry)
        return entries


def put_list(target: Wire, key: str, values: list[Any]) -> None:
    """Set ``target[key]`` only when there is something to list."""
    if values:
        target[key] = values
