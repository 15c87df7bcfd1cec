"""Reading XML documents sent by strangers (traders' software, partner systems) without letting
them reach anything else: the parser loads no DTD, expands no entity, fetches nothing from the
network or the disk, and refuses a document type declaration outright, so the billion-laughs and
external-entity (XXE) attacks have nothing to work with (OWASP XML External Entity Prevention
Cheat Sheet). Size, nesting depth and element count are bounded.

Every refusal is one exception, ``XmlRefused``, whose ``reason`` is a stable machine code:

- ``too_large``: more bytes than allowed, checked before parsing;
- ``not_well_formed``: not XML (the parser's message and line);
- ``doctype``: a ``<!DOCTYPE ...>`` declaration, refused whatever it declares;
- ``too_deep`` / ``too_many_elements``: past the nesting or element-count limit;
- ``wrong_root``: well-formed, but not the document expected (raised by the schema checks);
- ``schema_invalid``: the schema refuses it; ``errors`` lists (line, path, message), 20 at most.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal

from lxml import etree

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ELEMENTS",
    "MAX_REPORTED_ERRORS",
    "RefusalReason",
    "SchemaError",
    "XmlRefused",
    "parse_xml",
]

RefusalReason = Literal[
    "too_large",
    "not_well_formed",
    "doctype",
    "too_deep",
    "too_many_elements",
    "wrong_root",
    "schema_invalid",
]
# One schema error: the line it was found on, the element's path, the schema's message.
SchemaError = tuple[int, str, str]

DEFAULT_MAX_BYTES: Final = 5 * 2**20
# The CDS sample declarations nest 10 deep and hold under a thousand elements; a 999-item
# declaration stays well under both limits.
DEFAULT_MAX_DEPTH: Final = 64
DEFAULT_MAX_ELEMENTS: Final = 250_000
MAX_REPORTED_ERRORS: Final = 20
_MAX_DETAIL_CHARS: Final = 300

# Byte-order marks and the first bytes of an unmarked "<" in each encoding an XML parser
# must recognise (XML 1.0 Appendix F), so the prolog can be read before the parser sees it.
_ENCODING_SIGNATURES: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_POSITION_SUFFIX: Final = re.compile(r",\s*line \d+,\s*column \d+\s*$")


class XmlRefused(Exception):
    """An XML document that is not accepted: ``reason`` says why in a stable code, ``detail``
    in one plain line (with the line number where known), ``errors`` lists the schema's
    findings as (line, path, message), 20 at most."""

    def __init__(
        self, reason: RefusalReason, detail: str, errors: Sequence[SchemaError] = ()
    ) -> None:
        self.reason: RefusalReason = reason
        self.detail = _one_line(detail)
        self.errors: list[SchemaError] = list(errors[:MAX_REPORTED_ERRORS])
        super().__init__(f"{reason}: {self.detail}")


def parse_xml(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> etree._Element:
    """The root element of ``data``, an XML document from outside, with comments and
    processing instructions removed. Raises ``XmlRefused`` for a document over ``max_bytes``,
    one that is not well-formed, one with a DOCTYPE, or one nested deeper than ``max_depth``
    or holding more than ``max_elements`` elements."""
    if len(data) > max_bytes:
        raise XmlRefused(
            "too_large", f"the document is {len(data):,} bytes; at most {max_bytes:,} are accepted"
        )
    doctype_line = _doctype_line(data)
    if doctype_line is not None:
        raise XmlRefused("doctype", f"line {doctype_line}: {_DOCTYPE_REFUSAL}")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        message = _POSITION_SUFFIX.sub("", str(error.msg or "the document is not XML"))
        line = f"line {error.lineno}: " if error.lineno else ""
        if message.startswith("Excessive depth in document"):
            raise XmlRefused(
                "too_deep", f"{line}elements are nested more than {max_depth} deep"
            ) from None
        raise XmlRefused("not_well_formed", f"{line}{message}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRefused("doctype", _DOCTYPE_REFUSAL)
    _check_shape(root, max_depth=max_depth, max_elements=max_elements)
    return root


_DOCTYPE_REFUSAL: Final = "document type declarations (<!DOCTYPE ...>) are not accepted"


def _doctype_line(data: bytes) -> int | None:
    """The line of a markup declaration (``<!DOCTYPE``) in the prolog, before the root element,
    or None. Only the XML declaration, comments, processing instructions and white space may
    come before the root otherwise, so any other ``<!`` there is a DOCTYPE."""
    encoding = next((name for mark, name in _ENCODING_SIGNATURES if data.startswith(mark)), None)
    # Markup characters are ASCII, so Latin-1 finds them at the right place in any
    # ASCII-compatible encoding (UTF-8, ISO-8859-n, Windows-125x).
    text = data.decode(encoding or "latin-1", errors="replace")
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\ufeff":
            position += 1
        if text.startswith("<?", position):
            end = text.find("?>", position + 2)
            position = end + 2
        elif text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            position = end + 3
        elif text.startswith("<!", position):
            return text.count("\n", 0, position) + 1
        else:
            return None
        if end < 0:
            return None


def _check_shape(root: etree._Element, *, max_depth: int, max_elements: int) -> None:
    """Refuse a tree nested deeper than ``max_depth`` or with more than ``max_elements``
    elements, naming the line where the limit was passed."""
    depth = 0
    elements = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        elements += 1
        if depth > max_depth:
            raise XmlRefused(
                "too_deep",
                f"line {element.sourceline}: elements are nested more than {max_depth} deep",
            )
        if elements > max_elements:
            raise XmlRefused(
                "too_many_elements",
                f"line {element.sourceline}: the document holds more than {max_elements:,} "
                "elements",
            )


def _one_line(text: str) -> str:
    """``text`` on one line, without control characters, cut to a readable length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_DETAIL_CHARS else flat[: _MAX_DETAIL_CHARS - 1] + "…"
