"""Reading and building EDIFACT segments: element and component values by position, segments
without trailing empty elements, long text split over the repeats a directory allows.

Positions follow the directory's segment specifications (TRSD, TRCD D.96B): element 0 is the
first data element after the tag, component 0 the first component of a composite.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from pydifact.segments import Segment

# A data element as built: a simple value, the components of a composite, or absent.
Built = str | Sequence[str] | None


def component(segment: Segment, element: int, index: int = 0) -> str:
    """One component of one data element, ``""`` when the segment does not carry it."""
    if element >= len(segment.elements):
        return ""
    value = segment.elements[element]
    if isinstance(value, str):
        return value if index == 0 else ""
    return value[index] if index < len(value) else ""


def components(segment: Segment, element: int) -> list[str]:
    """Every component of one data element (a simple element is one component)."""
    if element >= len(segment.elements):
        return []
    value = segment.elements[element]
    return [value] if isinstance(value, str) else list(value)


def code(segment: Segment, element: int, index: int = 0) -> str:
    """A coded value (qualifier, code), without the padding some senders add."""
    return component(segment, element, index).strip()


def joined(segment: Segment, element: int, first: int = 0, last: int | None = None) -> str:
    """Components ``first`` to ``last`` of one element put back together: the text a writer
    split over repeated components (a name over the five of C080, a street over C059)."""
    return "".join(components(segment, element)[first:last])


def build(tag: str, *elements: Built) -> Segment:
    """A segment with its trailing empty elements and components left out, as ISO 9735 has
    a trailing empty element omitted with its separator."""
    shaped: list[str | list[str]] = []
    for element in elements:
        if element is None:
            shaped.append("")
        elif isinstance(element, str):
            shaped.append(element)
        else:
            parts = list(element)
            while parts and not parts[-1]:
                parts.pop()
            shaped.append(parts[0] if len(parts) == 1 else parts if parts else "")
    while len(shaped) > 1 and not shaped[-1]:
        shaped.pop()
    return Segment(tag, *(shaped or [""]))


def chunks(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters, in order (at least one)."""
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def grouped(parts: list[str], size: int) -> list[list[str]]:
    """``parts`` in runs of at most ``size``: the components of one segment each."""
    return [parts[start : start + size] for start in range(0, len(parts), size)]


def decimal_text(value: object) -> str:
    """A number as EDIFACT writes it: digits with a full stop, never an exponent."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number, "f") if number.is_finite() else str(value)


def wire_decimal(text: str) -> str:
    """A number as sent, in the wire format's form: either decimal mark (ISO 9735 allows the
    comma and the full stop) becomes a full stop, nothing else changes, so that a figure that is
    not a number still reaches the wire schema and is refused there, at its segment."""
    return text.strip().replace(",", ".")
