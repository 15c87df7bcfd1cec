"""What the DEC-DMS reader and writer share: their errors, transport mode codes, element paths.

Errors::

    ValueError
    ├── DecDmsUnmappable   a declaration element the wire format cannot hold (reading)
    └── DecDmsUnwritable   a wire value the DEC-DMS format cannot hold (writing)
"""

from __future__ import annotations

import csv
from collections.abc import Mapping

from lxml import etree

from clearway.adapters.messages.dec_dms_layout import DEC_DS_NS, DEC_NS, layout
from clearway.reference import DATA_DIR

# Modes of transport (UCC DE 7/4, 7/5): the UN/ECE Recommendation 19 digit WCO carries and the
# word the wire format carries, from the shipped code list (with CDS's 6, roll-on roll-off).
with (DATA_DIR / "transport_modes.csv").open(newline="", encoding="utf-8") as _modes:
    MODE_WORDS: Mapping[str, str] = {row["un_rec19"]: row["code"] for row in csv.DictReader(_modes)}
MODE_DIGITS: Mapping[str, str] = {word: digit for digit, word in MODE_WORDS.items()}


class DecDmsUnmappable(ValueError):
    """A declaration element that the wire format cannot hold, and why.

    ``path`` is the element's path as in ``DecDmsDeclaration.sources``
    (``Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Origin[1]``).
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class DecDmsUnwritable(ValueError):
    """A wire value that a DEC-DMS declaration cannot carry, and why.

    ``pointer`` is the JSON pointer of the value (``/exporter/name``).
    """

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message


def qualified(path: str) -> str:
    """An ElementPath of DEC-DMS names (``GoodsShipment/Consignment``) in their namespace."""
    return "/".join(f"{{{DEC_NS}}}{name}" for name in path.split("/"))


def _in_declaration(node: etree._Element) -> bool:
    return isinstance(node.tag, str) and etree.QName(node).namespace in (DEC_NS, DEC_DS_NS)


def schema_path(element: etree._Element) -> str:
    """The element's path from ``Declaration`` without positions (``Declaration/Exporter``)."""
    names: list[str] = []
    node: etree._Element | None = element
    while node is not None and _in_declaration(node):
        names.append(etree.QName(node).localname)
        node = node.getparent()
    return "/".join(reversed(names))


def element_path(element: etree._Element) -> str:
    """The element's path from ``Declaration``, each element the schema lets repeat with its
    1-based position among its like-named siblings
    (``Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/Commodity``)."""
    rules = layout()
    steps: list[tuple[etree._Element, str]] = []
    node: etree._Element | None = element
    while node is not None and _in_declaration(node):
        steps.append((node, etree.QName(node).localname))
        node = node.getparent()
    steps.reverse()
    parts: list[str] = []
    plain: list[str] = []
    for node, name in steps:
        plain.append(name)
        known = rules.get("/".join(plain))
        parent = node.getparent()
        if known is not None and known.repeatable and parent is not None:
            position = 1 + len(list(node.itersiblings(str(node.tag), preceding=True)))
            parts.append(f"{name}[{position}]")
        else:
            parts.append(name)
    return "/".join(parts)
