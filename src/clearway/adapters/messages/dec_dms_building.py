"""Building a DEC-DMS declaration element by element, within the schema's limits and order.

Values are checked against the length and digit limits the schema gives their element, so a
wire value that a declaration cannot carry is refused with its JSON pointer instead of making
a document the schema rejects. When the tree is built, ``in_schema_order`` puts every
element's children in the order of the schema's sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from clearway.adapters.messages.dec_dms_codes import DecDmsUnwritable, qualified, schema_path
from clearway.adapters.messages.dec_dms_layout import DEC_NS, layout, rule


def child(parent: etree._Element, path: str) -> etree._Element:
    """The element at ``path`` under ``parent``, made (with its ancestors) if absent."""
    node = parent
    for name in path.split("/"):
        found = node.find(qualified(name))
        node = found if found is not None else etree.SubElement(node, f"{{{DEC_NS}}}{name}")
    return node


def added(parent: etree._Element, path: str) -> etree._Element:
    """A new element at ``path`` under ``parent`` (a repeated one: another instance)."""
    head, _, name = path.rpartition("/")
    container = child(parent, head) if head else parent
    return etree.SubElement(container, f"{{{DEC_NS}}}{name}")


def _decimal(value: Any, pointer: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise DecDmsUnwritable(pointer, f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DecDmsUnwritable(pointer, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise DecDmsUnwritable(pointer, f"{value!r} is not a finite number")
    return number


def _text(value: Any, path: str, pointer: str) -> str:
    """The value as the element's content, within the element's limits."""
    limits = rule(path)
    if limits.total_digits is not None:
        number = _decimal(value, pointer)
        digits = number.as_tuple()
        assert isinstance(digits.exponent, int)
        fraction = max(0, -digits.exponent)
        whole = max(0, len(digits.digits) + digits.exponent)
        if fraction > (limits.fraction_digits or 0) or whole + fraction > limits.total_digits:
            raise DecDmsUnwritable(
                pointer,
                f"{value} does not fit {path.rsplit('/', 1)[-1]} "
                f"(n..{limits.total_digits},{limits.fraction_digits or 0})",
            )
        return format(number, "f")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DecDmsUnwritable(pointer, f"{value!r} is not text")
    text = str(value)
    if limits.max_length is not None and len(text) > limits.max_length:
        raise DecDmsUnwritable(
            pointer,
            f"{path.rsplit('/', 1)[-1]} holds at most {limits.max_length} characters "
            f"(WCO an..{limits.max_length}); this value has {len(text)}",
        )
    if not text.strip():
        raise DecDmsUnwritable(pointer, "a blank value")
    return text


def leaf(
    parent: etree._Element,
    path: str,
    value: Any,
    pointer: str,
    attributes: Mapping[str, str | None] | None = None,
) -> etree._Element | None:
    """The element at ``path`` holding ``value`` and the ``attributes`` that have a value
    (``currencyID``, ``unitCode``); nothing when ``value`` is ``None``."""
    if value is None:
        return None
    element = child(parent, path)
    element.text = _text(value, schema_path(element), pointer)
    for name, attribute in (attributes or {}).items():
        if attribute:
            element.set(name, str(attribute))
    return element


def fill(
    parent: etree._Element, source: Mapping[str, Any], names: Mapping[str, str], pointer: str
) -> None:
    """The wire fields ``names`` (wire key → child path) of ``source`` under ``parent``."""
    for key, path in names.items():
        leaf(parent, path, source.get(key), f"{pointer}/{key}")


def in_schema_order(element: etree._Element) -> None:
    """Reorder the children of ``element`` and its descendants as the schema's sequences
    require; repeated elements keep their order."""
    rules = layout()
    path = schema_path(element)
    known = rules.get(path)
    if known is not None and known.children:
        position = {name: index for index, name in enumerate(known.children)}
        children = list(element)
        children.sort(key=lambda node: position.get(etree.QName(node).localname, len(position)))
        element[:] = children
    for node in element:
        in_schema_order(node)
