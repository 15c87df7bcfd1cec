"""A request to cancel (invalidate) a lodged declaration, in the DEC-DMS form CDS takes it.

The CANCEL schema (``CANCEL.xsd`` in ``CANCEL_METADATA.xsd``'s ``md:MetaData``): a
``Declaration`` of TypeCode ``INV`` and FunctionCode 13 whose ``ID`` is the MRN of the
declaration to cancel, ``FunctionalReferenceID`` the request's own reference, ``Submitter`` the
EORI number of whoever asks, ``Amendment/ChangeReasonCode`` the reason code and an
``AdditionalInformation`` of statement type ``AES`` its free text, pointing at the amendment
(Declaration ``42A`` → Amendment ``06A``), as in the CDS trade test pack (TT_EX010a, TT_EX052a).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from clearway.adapters.messages.dec_dms_codes import DecDmsUnmappable, qualified
from clearway.adapters.messages.dec_dms_layout import DEC_NS, META_NS
from clearway.adapters.messages.dec_dms_write import METADATA

__all__ = ["CANCELLATION_TYPE", "Cancellation", "read_cancellation", "write_cancellation"]

CANCELLATION_TYPE = "INV"
REQUEST = "13"
# The statement type of free text explaining an amendment or cancellation.
FREE_TEXT = "AES"
# Where the reason's text points: the declaration (42A), its first amendment (06A).
REASON_POINTER = (("1", "42A"), ("1", "06A"))
# What the CANCEL schema allows: ID an..70, FunctionalReferenceID an..35, Submitter/ID an..17,
# ChangeReasonCode an..3, StatementDescription an..512.
LIMITS = {"mrn": 70, "lrn": 35, "declarant_id": 17, "reason_code": 3, "description": 512}


@dataclass(frozen=True, slots=True)
class Cancellation:
    """What a cancellation request says: the MRN to cancel, the request's own reference, the
    reason code and its text, and the EORI number of the one who asks."""

    mrn: str
    lrn: str | None
    reason_code: str
    description: str
    declarant_id: str | None


def _text(parent: etree._Element, path: str) -> str | None:
    element = parent.find(qualified(path))
    value = "" if element is None else (element.text or "").strip()
    return value or None


def _required(parent: etree._Element, path: str, what: str) -> str:
    value = _text(parent, path)
    if value is None:
        raise DecDmsUnmappable(f"Declaration/{path}", f"a cancellation request states {what}")
    return value


def read_cancellation(root: etree._Element) -> Cancellation:
    """Read the cancellation request in ``root`` (its ``md:MetaData``), one the CANCEL
    schema accepts. Raises ``DecDmsUnmappable`` for one that is not a cancellation request."""
    declaration = root.find(qualified("Declaration"))
    if root.tag != f"{{{META_NS}}}MetaData" or declaration is None:
        raise DecDmsUnmappable(str(root.tag), "not a DEC-DMS md:MetaData with a Declaration")
    kind = _text(declaration, "TypeCode")
    if kind != CANCELLATION_TYPE:
        raise DecDmsUnmappable(
            "Declaration/TypeCode", f"a cancellation request is of type INV, not {kind}"
        )
    statement = next(
        (
            text
            for element in declaration.findall(qualified("AdditionalInformation"))
            if (text := _text(element, "StatementDescription")) is not None
        ),
        None,
    )
    if statement is None:
        raise DecDmsUnmappable(
            "Declaration/AdditionalInformation", "a cancellation request states why, as text"
        )
    return Cancellation(
        mrn=_required(declaration, "ID", "the MRN of the declaration to cancel (ID)"),
        lrn=_text(declaration, "FunctionalReferenceID"),
        reason_code=_required(declaration, "Amendment/ChangeReasonCode", "a reason code"),
        description=statement,
        declarant_id=_text(declaration, "Submitter/ID"),
    )


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, f"{{{DEC_NS}}}{name}").text = text


def write_cancellation(cancellation: Cancellation) -> bytes:
    """The cancellation request as a DEC-DMS ``md:MetaData`` document (UTF-8 XML) that the
    CANCEL schema accepts. Raises ``ValueError`` for a value longer than the schema allows."""
    for field, limit in LIMITS.items():
        value = getattr(cancellation, field)
        if value is not None and not (value.strip() and len(value) <= limit):
            raise ValueError(f"{field} must be 1 to {limit} characters, not {value!r}")
    root = etree.Element(f"{{{META_NS}}}MetaData", nsmap={"md": META_NS, None: DEC_NS})
    for name, value in METADATA.items():
        etree.SubElement(root, f"{{{META_NS}}}{name}").text = value
    declaration = etree.SubElement(root, f"{{{DEC_NS}}}Declaration")
    _add(declaration, "FunctionCode", REQUEST)
    _add(declaration, "FunctionalReferenceID", cancellation.lrn)
    _add(declaration, "ID", cancellation.mrn)
    _add(declaration, "TypeCode", CANCELLATION_TYPE)
    if cancellation.declarant_id is not None:
        _add(
            etree.SubElement(declaration, f"{{{DEC_NS}}}Submitter"), "ID", cancellation.declarant_id
        )
    information = etree.SubElement(declaration, f"{{{DEC_NS}}}AdditionalInformation")
    _add(information, "StatementDescription", cancellation.description)
    _add(information, "StatementTypeCode", FREE_TEXT)
    for sequence, section in REASON_POINTER:
        pointer = etree.SubElement(information, f"{{{DEC_NS}}}Pointer")
        _add(pointer, "SequenceNumeric", sequence)
        _add(pointer, "DocumentSectionCode", section)
    amendment = etree.SubElement(declaration, f"{{{DEC_NS}}}Amendment")
    _add(amendment, "ChangeReasonCode", cancellation.reason_code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
