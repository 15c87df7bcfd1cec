"""Clearway's wire declaration written as one CUSDEC message (D.96B or D.99B), segment for
segment what ``map_cusdec`` reads back, in the order of the CUSDEC segment table.

Long texts are split over the repeats the directory allows (a name over the five 35-character
components of C080, a description over FTX segments of five 70-character components in D.96B,
512-character ones in D.99B, marks over PCI segments of ten 35-character components) and read
back joined without separators. A value that no element can hold is refused
with ``EdifactUnrepresentable`` rather than written beyond the directory's lengths: a postcode
longer than 9 characters in D.96B (3251 an..9; an..17 in D.99B), a document reference longer
than 35 (C503 1004 an..35), more than four additional codes (CST has five C246 composites and
the first is the commodity code), or more than 25 documents on an item (SG37 repeats 25 times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydifact.segments import Segment

from clearway.adapters.messages.edifact import _codes as codes
from clearway.adapters.messages.edifact._interchange_out import message_segments
from clearway.adapters.messages.edifact._segments import build, chunks, decimal_text, grouped

POSTCODE_LENGTH = {"D96B": 9, "D99B": 17}
# FTX C108 4440: an..70 in D.96B, an..512 in D.99B.
TEXT_LENGTH = {"D96B": 70, "D99B": 512}
DOCUMENT_REFERENCE_LENGTH = 35
ADDITIONAL_CODES = 4
DOCUMENTS_PER_ITEM = 25


class EdifactUnrepresentable(ValueError):
    """A declaration field CUSDEC cannot carry: ``pointer`` names it, ``detail`` says why."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(f"{pointer}: {detail}")
        self.pointer = pointer
        self.detail = detail


def to_cusdec(
    declaration: Mapping[str, Any], reference: str, version: str = "D96B"
) -> list[Segment]:
    """The CUSDEC message (UNH ... UNT, message reference ``reference``) carrying a wire
    declaration, in the D.96B or D.99B directory."""
    if version not in POSTCODE_LENGTH:
        raise ValueError(f"version {version!r}: D96B or D99B")
    body = _header(declaration, version)
    body.append(build("UNS", codes.DETAIL_SECTION))
    for index, item in enumerate(declaration.get("items", [])):
        body.extend(_item(item, f"/items/{index}", version))
    body.append(build("UNS", codes.SUMMARY_SECTION))
    return message_segments(reference, "CUSDEC", version, body)


def _header(declaration: Mapping[str, Any], version: str) -> list[Segment]:
    kind = declaration.get("type")
    if kind is not None and kind not in codes.DOCUMENT_NAMES:
        raise EdifactUnrepresentable("/type", f"{kind!r} has no CUSDEC document name")
    segments = [
        build(
            "BGM",
            codes.DOCUMENT_NAMES.get(kind or ""),
            declaration.get("lrn"),
            codes.ORIGINAL,
        )
    ]
    if declaration.get("procedure"):
        segments.append(build("CST", None, [declaration["procedure"], codes.PROCEDURE]))
    for qualifier, field in (
        (codes.OFFICE_OF_CLEARANCE, "office"),
        (codes.COUNTRY_OF_DISPATCH, "dispatch_country"),
        (codes.COUNTRY_OF_DESTINATION, "destination_country"),
    ):
        if declaration.get(field):
            segments.append(build("LOC", qualifier, declaration[field]))
    invoice: Mapping[str, Any] = declaration.get("invoice") or {}
    date = _date(invoice.get("date"))
    if date and not invoice.get("number"):
        segments.append(build("DTM", date))
    transport: Mapping[str, Any] = declaration.get("transport") or {}
    if transport.get("container"):
        segments.append(build("EQD", codes.CONTAINER))
    if invoice.get("number"):
        segments.append(build("RFF", [codes.INVOICE_NUMBER, invoice["number"]]))
        if date:
            segments.append(build("DTM", date))
    if transport:
        segments.append(_transport(transport))
    for role, qualifier in codes.PARTIES.items():
        party = declaration.get(role)
        if party:
            segments.append(_party(party, qualifier, f"/{role}", version))
    incoterm: Mapping[str, Any] = declaration.get("incoterm") or {}
    if incoterm:
        segments.append(build("TOD", codes.DELIVERY_CONDITION, None, incoterm.get("code")))
        if incoterm.get("place"):
            segments.append(build("LOC", codes.PLACE_OF_TERMS, ["", "", "", incoterm["place"]]))
    for qualifier, money in (
        (codes.INVOICE_TOTAL, invoice),
        (codes.FREIGHT, declaration.get("freight") or {}),
        (codes.INSURANCE, declaration.get("insurance") or {}),
    ):
        if money.get("amount") is not None or money.get("currency"):
            amount = money.get("amount")
            figure = "" if amount is None else decimal_text(amount)
            segments.append(build("MOA", [qualifier, figure, money.get("currency") or ""]))
    return segments


def _date(value: object) -> list[str] | None:
    if not value:
        return None
    return [codes.INVOICE_DATE, str(value).replace("-", ""), codes.CCYYMMDD]


def _transport(transport: Mapping[str, Any]) -> Segment:
    mode = transport.get("mode")
    digit = codes.rec19_codes().get(mode) if mode else None
    if mode and digit is None:
        raise EdifactUnrepresentable(
            "/transport/mode", f"{mode!r} has no UN/ECE Recommendation 19 code"
        )
    means = ["", "", "", transport.get("identity") or "", transport.get("nationality") or ""]
    return build("TDT", codes.AT_BORDER, None, digit, None, None, None, None, means)


def _party(party: Mapping[str, Any], qualifier: str, pointer: str, version: str) -> Segment:
    address: Mapping[str, Any] = party.get("address") or {}
    postcode = address.get("postcode") or ""
    if len(postcode) > POSTCODE_LENGTH[version]:
        raise EdifactUnrepresentable(
            f"{pointer}/address/postcode",
            f"NAD 3251 holds {POSTCODE_LENGTH[version]} characters in {version}",
        )
    return build(
        "NAD",
        qualifier,
        party.get("id"),
        None,
        chunks(party.get("name") or "", 35)[:5],
        chunks(address.get("street") or "", 35)[:4],
        address.get("city"),
        None,
        postcode,
        address.get("country") if address else party.get("country"),
    )


def _item(item: Mapping[str, Any], pointer: str, version: str) -> list[Segment]:
    additional: Sequence[str] = item.get("additional_codes") or []
    if len(additional) > ADDITIONAL_CODES:
        raise EdifactUnrepresentable(
            f"{pointer}/additional_codes",
            f"CST holds {ADDITIONAL_CODES} additional codes beside the commodity code",
        )
    identities: list[list[str] | None] = [
        [item["commodity_code"], codes.COMMODITY] if item.get("commodity_code") else None
    ]
    identities.extend([additional_code, codes.SPECIAL_CODE] for additional_code in additional)
    sequence = item.get("sequence")
    segments = [build("CST", None if sequence is None else str(sequence), *identities)]
    if item.get("description"):
        for part in grouped(chunks(item["description"], TEXT_LENGTH[version]), 5):
            segments.append(build("FTX", codes.GOODS_DESCRIPTION, None, None, part))
    control: Mapping[str, Any] = item.get("control") or {}
    if control:
        text = [control.get("list") or "", control.get("entry") or ""]
        segments.append(build("FTX", codes.LICENCE_INFORMATION, None, None, text))
    if item.get("origin_country"):
        segments.append(build("LOC", codes.COUNTRY_OF_ORIGIN, item["origin_country"]))
    segments.extend(_measurements(item))
    segments.extend(_packages(item.get("packages") or {}))
    if item.get("invoice_amount") is not None:
        amount = decimal_text(item["invoice_amount"])
        segments.append(build("MOA", [codes.ITEM_AMOUNT, amount]))
    segments.extend(_documents(item.get("documents") or [], pointer))
    if item.get("preference"):
        segments.append(build("GIS", [item["preference"], codes.PREFERENCE]))
    return segments


def _measurements(item: Mapping[str, Any]) -> list[Segment]:
    segments = []
    for dimension, field in ((codes.NET_MASS, "net_mass_kg"), (codes.GROSS_MASS, "gross_mass_kg")):
        if item.get(field) is not None:
            value = [codes.KILOGRAM, decimal_text(item[field])]
            segments.append(build("MEA", codes.WEIGHTS, dimension, value))
    units: Mapping[str, Any] = item.get("supplementary_units") or {}
    if units:
        value = [units.get("unit") or "", decimal_text(units.get("quantity", ""))]
        segments.append(build("MEA", codes.TARIFF_QUANTITY, None, value))
    for quantity in item.get("quantities") or []:
        unit = quantity.get("unit") or ""
        # A TARIC unit's qualifier letter (TNE + I) goes in 6155, as 6411 holds three.
        details = ["", "", unit[3:]]
        value = [unit[:3], decimal_text(quantity.get("amount", ""))]
        segments.append(build("MEA", codes.CUSTOMS_MEASUREMENT, details, value))
    return segments


def _packages(packages: Mapping[str, Any]) -> list[Segment]:
    if not packages:
        return []
    count = packages.get("count")
    segments = [build("PAC", None if count is None else str(count), None, packages.get("kind"))]
    if packages.get("marks"):
        for part in grouped(chunks(packages["marks"], 35), 10):
            segments.append(build("PCI", None, part))
    return segments


def _documents(documents: Sequence[Mapping[str, Any]], pointer: str) -> list[Segment]:
    if len(documents) > DOCUMENTS_PER_ITEM:
        raise EdifactUnrepresentable(
            f"{pointer}/documents", f"CUSDEC holds {DOCUMENTS_PER_ITEM} documents per item"
        )
    segments = []
    for index, document in enumerate(documents):
        reference = document.get("reference") or ""
        if len(reference) > DOCUMENT_REFERENCE_LENGTH:
            raise EdifactUnrepresentable(
                f"{pointer}/documents/{index}/reference",
                f"DOC C503 1004 holds {DOCUMENT_REFERENCE_LENGTH} characters",
            )
        kind = document.get("type") or ""
        # The category letter of a UCC 2/3 code (N380: N, 380) names the list 1001 is from.
        name = [kind[1:], kind[:1]] if len(kind) == 4 else [kind]
        segments.append(build("DOC", name, reference))
    return segments
