"""The layout of a WCO DEC-DMS declaration, read from the shipped XSD (``WCO_DEC_2_DMS.xsd``).

For every element, by its path from ``Declaration`` (``Declaration/GoodsShipment/Consignment``):
its WCO ID (a class such as ``67A`` GoodsShipment, or an attribute such as ``128`` net mass, as
annotated in the schema and used in CDS error pointers), its children in the schema's sequence
order, whether it may repeat, and the length and digit limits of its content. The writer puts
elements in this order and keeps values within these limits; error pointers use the IDs.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from clearway.adapters.messages.dms_schemas import DEC_DS_NS, DEC_NS, META_NS, SCHEMA_DIR

__all__ = ["DEC_DS_NS", "DEC_NS", "META_NS", "ElementRule", "layout", "rule"]

_XS = "{http://www.w3.org/2001/XMLSchema}"


@dataclass(frozen=True, slots=True)
class ElementRule:
    """What the schema says of one element of the declaration."""

    wco_id: str | None
    children: tuple[str, ...]
    repeatable: bool
    max_length: int | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None

    @property
    def is_class(self) -> bool:
        """A WCO class (an element with child elements), as opposed to an attribute."""
        return bool(self.children)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _wco_id(node: etree._Element) -> str | None:
    annotation = node.find(f"{_XS}annotation")
    if annotation is None:
        return None
    for found in annotation.iter():
        if isinstance(found.tag, str) and _local(found) == "WCOID" and found.text:
            return found.text.strip()
    return None


def _facets(data_types: Mapping[str, etree._Element], type_name: str) -> dict[str, int]:
    """maxLength, totalDigits and fractionDigits of a data type (``ds:...Type``)."""
    found: dict[str, int] = {}
    definition = data_types.get(type_name.split(":")[-1])
    if definition is None:
        return found
    for facet in definition.iter(f"{_XS}maxLength", f"{_XS}totalDigits", f"{_XS}fractionDigits"):
        found[_local(facet)] = int(facet.get("value", "0"))
    return found


def _own_elements(complex_type: etree._Element) -> list[etree._Element]:
    """The element declarations of a complex type itself, not of types nested in it."""
    own = []
    for element in complex_type.iter(f"{_XS}element"):
        parent = element.getparent()
        while parent is not None and parent.tag != f"{_XS}complexType":
            parent = parent.getparent()
        if parent is complex_type:
            own.append(element)
    return own


@functools.cache
def layout() -> Mapping[str, ElementRule]:
    """Every element path of the declaration schema with its rule; read once."""
    folder = SCHEMA_DIR / "declaration"
    schema = etree.parse(str(folder / "WCO_DEC_2_DMS.xsd")).getroot()
    data_schema = etree.parse(str(folder / "WCO_DS" / "WCO_DEC_DS_2_DMS.xsd")).getroot()
    data_types = {node.get("name", ""): node for node in data_schema.iter(f"{_XS}complexType")}
    named_types = {node.get("name", ""): node for node in schema if node.tag == f"{_XS}complexType"}
    rules: dict[str, ElementRule] = {}

    def walk(path: str, declaration: etree._Element, repeatable: bool) -> None:
        inner = declaration.find(f"{_XS}complexType")
        type_name = declaration.get("type", "")
        complex_type = inner if inner is not None else named_types.get(type_name)
        children: list[str] = []
        if complex_type is not None:
            for child in _own_elements(complex_type):
                name = child.get("name", "")
                children.append(name)
                walk(f"{path}/{name}", child, child.get("maxOccurs", "1") != "1")
        facets = _facets(data_types, type_name) if type_name.startswith("ds:") else {}
        rules[path] = ElementRule(
            wco_id=_wco_id(declaration),
            children=tuple(children),
            repeatable=repeatable,
            max_length=facets.get("maxLength"),
            total_digits=facets.get("totalDigits"),
            fraction_digits=facets.get("fractionDigits"),
        )

    root = schema.find(f"{_XS}element[@name='Declaration']")
    assert root is not None, "the declaration schema declares Declaration"
    walk("Declaration", root, False)
    return rules


def rule(path: str) -> ElementRule:
    """The rule of one element path; ``KeyError`` names a path the schema does not have."""
    try:
        return layout()[path]
    except KeyError:
        raise KeyError(f"the DEC-DMS schema has no element {path}") from None
