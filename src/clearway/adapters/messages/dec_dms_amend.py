"""Amendments in the DEC-DMS form CDS takes them: a declaration of type ``COR`` with
``FunctionCode`` 13, the MRN as its ``ID``, ``Amendment`` pointers naming what changes and
only the changed data. Applying one to the declaration as it stands gives the amended
declaration, which is then lodged as its next version like any amendment.
"""

from __future__ import annotations

import copy

from lxml import etree

from clearway.adapters.messages.dms_schemas import DEC_NS

CORRECTION = "COR"
# What an amendment carries about itself, never copied into the declaration.
_OWN = frozenset(
    {
        "FunctionCode",
        "FunctionalReferenceID",
        "ID",
        "TypeCode",
        "Amendment",
        "AdditionalInformation",
    }
)


class AmendmentNotApplicable(ValueError):
    """An amendment that does not fit the declaration it names (a goods item it does not have)."""


def is_correction(declaration: etree._Element) -> bool:
    """Whether a DEC-DMS declaration element is an amendment of type ``COR``."""
    return (declaration.findtext(f"{{{DEC_NS}}}TypeCode") or "").strip() == CORRECTION


def mrn_of(declaration: etree._Element) -> str | None:
    return (declaration.findtext(f"{{{DEC_NS}}}ID") or "").strip() or None


def apply_correction(original: etree._Element, correction: etree._Element) -> etree._Element:
    """The ``md:MetaData`` of ``original`` with the data of the ``COR`` declaration
    ``correction`` laid over its declaration: a goods item (or any repeated class with a
    ``SequenceNumeric``) is matched by its sequence number, other elements by name, and a
    value given replaces the one there; what the original lacks is added."""
    merged = copy.deepcopy(original)
    target = merged.find(f"{{{DEC_NS}}}Declaration")
    if target is None:
        raise AmendmentNotApplicable("the declaration amended holds no Declaration")
    for child in correction:
        if not isinstance(child.tag, str) or etree.QName(child).localname in _OWN:
            continue
        _overlay(target, child)
    return merged


def _sequence(element: etree._Element) -> str | None:
    found = element.findtext(f"{{{DEC_NS}}}SequenceNumeric")
    return found.strip() if found else None


def _match(parent: etree._Element, change: etree._Element) -> etree._Element | None:
    same = [child for child in parent if child.tag == change.tag]
    sequence = _sequence(change)
    if sequence is not None:
        return next((child for child in same if _sequence(child) == sequence), None)
    return same[0] if same else None


def _overlay(parent: etree._Element, change: etree._Element) -> None:
    existing = _match(parent, change)
    children = [child for child in change if isinstance(child.tag, str)]
    if existing is None:
        parent.append(copy.deepcopy(change))
        return
    if not children:
        existing.text = change.text
        existing.attrib.clear()
        existing.attrib.update(change.attrib)
        return
    for child in children:
        if etree.QName(child).localname == "SequenceNumeric":
            continue
        _overlay(existing, child)
