"""The CDS ``errorResponse`` (``schemas/customs/error.xsd``): how a message that cannot be read
at all is answered (not well-formed, refused by the parser's limits, invalid against the XSD,
or refused before any declaration is looked at)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree


def error_response(
    code: str, message: str, errors: Sequence[tuple[int | None, str, str]] = ()
) -> bytes:
    """An ``errorResponse`` with its code (``BAD_REQUEST`` …), one-line message and, for
    schema errors, one ``error`` per problem (line, path and message)."""
    root = etree.Element("errorResponse")
    etree.SubElement(root, "code").text = code
    etree.SubElement(root, "message").text = message
    if errors:
        listed = etree.SubElement(root, "errors")
        for line, path, text in errors:
            error = etree.SubElement(listed, "error")
            etree.SubElement(error, "code").text = "xml_validation_error"
            where = f"line {line}, {path}" if line is not None else path
            etree.SubElement(error, "message").text = f"{where}: {text}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
