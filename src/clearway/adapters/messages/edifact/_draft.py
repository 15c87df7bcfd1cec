"""A wire declaration built field by field from segments, with the segment of each field."""

from __future__ import annotations

from typing import Any


class Draft:
    """The wire object being built and ``positions``: JSON pointer → segment number. A field
    keeps the first value given to it; a container the segment that opened it."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}
        self.positions: dict[str, int] = {}

    def put(self, pointer: str, value: Any, position: int) -> None:
        """``value`` at ``pointer`` (``/items/0/net_mass_kg``), making the objects and lists
        on the way; a list index is the next free one or an existing one."""
        parts = pointer.strip("/").split("/")
        container: Any = self.document
        for depth, part in enumerate(parts):
            path = "/" + "/".join(parts[: depth + 1])
            last = depth == len(parts) - 1
            if isinstance(container, list):
                index = int(part)
                if index == len(container):
                    container.append(value if last else _new(parts[depth + 1]))
                    self.positions.setdefault(path, position)
                container = container[index]
                continue
            if part not in container:
                container[part] = value if last else _new(parts[depth + 1])
                self.positions.setdefault(path, position)
            container = container[part]

    def has(self, pointer: str) -> bool:
        return pointer in self.positions

    def count(self, pointer: str) -> int:
        """How many elements the list at ``pointer`` has."""
        index = 0
        while self.has(f"{pointer}/{index}"):
            index += 1
        return index

    def append(self, pointer: str, value: Any, position: int) -> str:
        """``value`` as the next element of the list at ``pointer``; its pointer."""
        element = f"{pointer}/{self.count(pointer)}"
        self.put(element, value, position)
        return element

    def extend_text(self, pointer: str, text: str, position: int) -> None:
        """Text continued over several segments (FTX, PCI), put back together in order."""
        if not self.has(pointer):
            self.put(pointer, text, position)
            return
        parts = pointer.strip("/").split("/")
        container: Any = self.document
        for part in parts[:-1]:
            container = container[int(part)] if isinstance(container, list) else container[part]
        container[parts[-1]] += text


def _new(next_part: str) -> dict[str, Any] | list[Any]:
    return [] if next_part.isdigit() else {}
