"""CUSDEC (UN/EDIFACT customs declaration, D.96B and D.99B) to Clearway's wire format and back.

A message becomes the JSON object ``DeclarationIn`` accepts, with the segment each field came
from, so that an error Clearway reports at a JSON pointer (``/items/0/net_mass_kg``) can be
answered at its segment. What the message carries is mapped as sent: a figure that is not a
number, or a party address without a country, reaches the wire schema and is refused there.
Data the wire format has no field for is left out.

Header (before ``UNS+D``): BGM document name (929/930/931 import, 830 export) and number (the
LRN; else RFF+ABE), CST customs procedure (C246 list 117, or GIS list 117; else the first
item's CST or GIS that gives one), LOC 22 office
(114 for an export that gives no 22), 35 dispatch (113) and 28 destination (36) countries,
LOC 1 place of the terms of delivery, TOD the incoterm, DTM 3 the invoice date, EQD CN a
container, RFF IV the invoice number, TDT (stage 11 at border, else the first) mode (Rec. 19),
identity and nationality, NAD DT/EX/IM/CN/UC the parties, MOA 39 the invoice total and its
currency, 64/144 freight, 67 insurance. Detail: one item per CST (``SG30``): CST goods item
number and customs identity codes (list 122/169 commodity, 110 additional codes), FTX AAA
description, FTX AAX control-list entry, LOC 27 origin, MEA WT net (AAF; else AAL, AAC, AAA)
and gross (G; else AAD, AAE, AAB) mass,
MEA AAR supplementary units, MEA AAF quantities, PAC/PCI packages and marks, MOA 38 item
amount, RFF HS commodity code (when CST gives none), DOC documents, GIS list 116 preference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydifact.segments import Segment

from clearway.adapters.messages.edifact import _codes as codes
from clearway.adapters.messages.edifact._cusdec_out import EdifactUnrepresentable, to_cusdec
from clearway.adapters.messages.edifact._draft import Draft
from clearway.adapters.messages.edifact._segments import (
    code,
    component,
    joined,
    wire_decimal,
)
from clearway.adapters.messages.edifact.interchange import Message

__all__ = [
    "CusdecMessage",
    "EdifactUnrepresentable",
    "map_cusdec",
    "segment_position",
    "to_cusdec",
]

Located = tuple[int, Segment]


@dataclass(frozen=True, slots=True)
class CusdecMessage:
    """One CUSDEC message as a wire declaration, with ``positions``: JSON pointer → segment
    number in the message (UNH is 1) it came from; ``""`` is the BGM segment."""

    reference: str
    declaration: dict[str, Any]
    positions: dict[str, int]
    version: Literal["D96B", "D99B"]


def segment_position(positions: Mapping[str, int], pointer: str) -> int | None:
    """The segment of ``pointer``, or of its nearest enclosing field that has one: a missing
    ``/items/0/net_mass_kg`` is answered at the item's CST segment."""
    while True:
        if pointer in positions:
            return positions[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


def map_cusdec(message: Message) -> CusdecMessage:
    """The wire declaration one CUSDEC message carries (see the module docstring)."""
    draft = Draft()
    header, items = _sections(message.segments)
    _header(draft, header)
    for index, group in enumerate(items):
        _item(draft, f"/items/{index}", group)
    if not draft.has("/procedure"):
        for group in items:
            for position, segment in group:
                procedure = _procedure(segment)
                if procedure and not draft.has("/procedure"):
                    draft.put("/procedure", procedure, position)
    version: Literal["D96B", "D99B"] = "D99B" if message.version == "D99B" else "D96B"
    return CusdecMessage(message.reference, draft.document, draft.positions, version)


def _sections(segments: tuple[Segment, ...]) -> tuple[list[Located], list[list[Located]]]:
    """The header segments, and the segments of each customs item (CST group, SG30); the
    commercial detail before the first CST and the summary section are not mapped."""
    header: list[Located] = []
    items: list[list[Located]] = []
    section = "header"
    for position, segment in enumerate(segments[1:-1], start=2):
        if segment.tag == "UNS":
            section = "detail" if code(segment, 0) == codes.DETAIL_SECTION else "summary"
        elif section == "header":
            header.append((position, segment))
        elif section == "detail":
            if segment.tag == "CST":
                items.append([])
            if items:
                items[-1].append((position, segment))
    return header, items


def _header(draft: Draft, header: list[Located]) -> None:
    transports = [located for located in header if located[1].tag == "TDT"]
    chosen = next(
        (position for position, segment in transports if code(segment, 0) == codes.AT_BORDER),
        transports[0][0] if transports else None,
    )
    for index, (position, segment) in enumerate(header):
        following = header[index + 1][1] if index + 1 < len(header) else None
        match segment.tag:
            case "BGM":
                draft.positions.setdefault("", position)
                kind = codes.DECLARATION_TYPES.get(code(segment, 0))
                if kind:
                    draft.put("/type", kind, position)
                if component(segment, 1):
                    draft.put("/lrn", component(segment, 1).strip(), position)
            case "CST" | "GIS":
                procedure = _procedure(segment)
                if procedure:
                    draft.put("/procedure", procedure, position)
            case "DTM" if code(segment, 0) == codes.INVOICE_DATE:
                draft.put("/invoice/date", _date(segment), position)
            case "RFF":
                _reference(draft, segment, position)
            case "TDT" if position == chosen:
                _transport(draft, segment, position)
            case "NAD":
                _party(draft, segment, position)
            case "TOD" if code(segment, 2):
                draft.put("/incoterm/code", code(segment, 2), position)
            case "MOA":
                _amount(draft, segment, following, position)
            case _:
                pass
    _locations(draft, header)
    containers = [position for position, segment in header if _is_container(segment)]
    if containers:
        draft.put("/transport/container", True, containers[0])
    elif chosen is not None:
        draft.put("/transport/container", False, chosen)


def _is_container(segment: Segment) -> bool:
    return segment.tag == "EQD" and code(segment, 0) == codes.CONTAINER


def _procedure(segment: Segment) -> str | None:
    if segment.tag == "CST":
        for element in range(1, 6):
            if code(segment, element, 1) == codes.PROCEDURE and code(segment, element):
                return code(segment, element)
    if segment.tag == "GIS" and code(segment, 0, 1) == codes.PROCEDURE:
        return code(segment, 0, 3) or code(segment, 0) or None
    return None


# The header fields LOC carries, by qualifier, the qualifier written first in each list.
_LOCATIONS = {
    "/office": (codes.OFFICE_OF_CLEARANCE, codes.OFFICE_OF_EXPORT),
    "/dispatch_country": (codes.COUNTRY_OF_DISPATCH, codes.COUNTRY_OF_DISPATCH_IN_UNION),
    "/destination_country": (
        codes.COUNTRY_OF_DESTINATION,
        codes.COUNTRY_OF_ULTIMATE_DESTINATION,
    ),
}


def _locations(draft: Draft, header: list[Located]) -> None:
    """Office and countries from header LOC segments: for each field the first segment with
    its preferred qualifier, else the first with the other one."""
    for pointer, qualifiers in _LOCATIONS.items():
        for qualifier in qualifiers:
            found = next(
                (
                    (position, segment)
                    for position, segment in header
                    if segment.tag == "LOC" and code(segment, 0) == qualifier and code(segment, 1)
                ),
                None,
            )
            if found:
                draft.put(pointer, code(found[1], 1), found[0])
                break
    for position, segment in header:
        if segment.tag == "LOC" and code(segment, 0) == codes.PLACE_OF_TERMS:
            name = component(segment, 1, 3) or code(segment, 1)
            if name:
                draft.put("/incoterm/place", name, position)


def _date(segment: Segment) -> str:
    """A CCYYMMDD date (format 102, or the date part of 203/204) in ISO 8601; any other
    value as sent, for the wire schema to refuse at this segment."""
    value, form = code(segment, 0, 1), code(segment, 0, 2)
    if form in ("", codes.CCYYMMDD, "203", "204") and len(value) >= 8 and value[:8].isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:8]}"
    return value


def _reference(draft: Draft, segment: Segment, position: int) -> None:
    qualifier, number = code(segment, 0, 0), component(segment, 0, 1).strip()
    if not number:
        return
    if qualifier == codes.INVOICE_NUMBER:
        draft.put("/invoice/number", number, position)
    elif qualifier == codes.DECLARANT_REFERENCE:
        draft.put("/lrn", number, position)


def _transport(draft: Draft, segment: Segment, position: int) -> None:
    mode = code(segment, 2)
    if mode:
        draft.put("/transport/mode", codes.transport_modes().get(mode, mode), position)
    identity = component(segment, 7, 3).strip() or code(segment, 7) or code(segment, 1)
    if identity:
        draft.put("/transport/identity", identity, position)
    if code(segment, 7, 4):
        draft.put("/transport/nationality", code(segment, 7, 4), position)


def _party(draft: Draft, segment: Segment, position: int) -> None:
    roles = {qualifier: role for role, qualifier in codes.PARTIES.items()}
    role = roles.get(code(segment, 0))
    if role is None or draft.has(f"/{role}"):
        return
    party = f"/{role}"
    draft.put(party, {}, position)
    if code(segment, 1):
        draft.put(f"{party}/id", code(segment, 1), position)
    if joined(segment, 3, 0, 5):
        draft.put(f"{party}/name", joined(segment, 3, 0, 5), position)
    address = {
        "street": joined(segment, 4),
        "city": component(segment, 5),
        "postcode": code(segment, 7),
    }
    country = code(segment, 8)
    if any(address.values()):
        for name, value in address.items():
            if value:
                draft.put(f"{party}/address/{name}", value, position)
        if country:
            draft.put(f"{party}/address/country", country, position)
    elif country:
        draft.put(f"{party}/country", country, position)


def _amount(draft: Draft, segment: Segment, following: Segment | None, position: int) -> None:
    qualifier, amount = code(segment, 0, 0), component(segment, 0, 1)
    currency = code(segment, 0, 2)
    if not currency and following is not None and following.tag == "CUX":
        currency = code(following, 0, 1)
    if qualifier == codes.INVOICE_TOTAL:
        target = "/invoice"
    elif qualifier in codes.FREIGHT_AMOUNTS:
        target = "/freight"
    elif qualifier == codes.INSURANCE:
        target = "/insurance"
    else:
        return
    if currency:
        draft.put(f"{target}/currency", currency, position)
    if amount:
        draft.put(f"{target}/amount", wire_decimal(amount), position)


def _item(draft: Draft, item: str, group: list[Located]) -> None:
    position, customs_status = group[0]
    draft.put(item, {}, position)
    number = code(customs_status, 0)
    if number:
        draft.put(f"{item}/sequence", _integer(number), position)
    for element in range(1, 6):
        identity, kind = code(customs_status, element), code(customs_status, element, 1)
        if identity and kind in codes.COMMODITY_LISTS:
            draft.put(f"{item}/commodity_code", identity, position)
        elif identity and kind == codes.SPECIAL_CODE:
            draft.append(f"{item}/additional_codes", identity, position)
    masses: dict[str, Located] = {}
    for position, segment in group[1:]:
        if _is_mass(segment):
            masses.setdefault(code(segment, 1), (position, segment))
        else:
            _item_segment(draft, item, segment, position)
    for field, dimensions in (
        ("net_mass_kg", codes.NET_MASSES),
        ("gross_mass_kg", codes.GROSS_MASSES),
    ):
        found = next((masses[dimension] for dimension in dimensions if dimension in masses), None)
        if found:
            position, segment = found
            value = _kilograms(component(segment, 2, 1), code(segment, 2, 0))
            draft.put(f"{item}/{field}", value, position)


def _is_mass(segment: Segment) -> bool:
    return (
        segment.tag == "MEA"
        and code(segment, 0) in codes.MASS_PURPOSES
        and code(segment, 1) in (*codes.NET_MASSES, *codes.GROSS_MASSES)
        and bool(component(segment, 2, 1))
    )


def _item_segment(draft: Draft, item: str, segment: Segment, position: int) -> None:
    match segment.tag:
        case "FTX" if code(segment, 0) == codes.GOODS_DESCRIPTION:
            draft.extend_text(f"{item}/description", joined(segment, 3), position)
        case "FTX" if code(segment, 0) == codes.LICENCE_INFORMATION:
            for index, name in enumerate(("list", "entry")):
                if component(segment, 3, index):
                    draft.put(f"{item}/control/{name}", component(segment, 3, index), position)
        case "LOC" if code(segment, 0) == codes.COUNTRY_OF_ORIGIN and code(segment, 1):
            draft.put(f"{item}/origin_country", code(segment, 1), position)
        case "MEA":
            _measurement(draft, item, segment, position)
        case "PAC":
            if component(segment, 0):
                count = code(segment, 0)
                draft.put(f"{item}/packages/count", _integer(count), position)
            if code(segment, 2):
                draft.put(f"{item}/packages/kind", code(segment, 2), position)
        case "PCI" if joined(segment, 1):
            draft.extend_text(f"{item}/packages/marks", joined(segment, 1), position)
        case "MOA" if code(segment, 0, 0) == codes.ITEM_AMOUNT and component(segment, 0, 1):
            amount = wire_decimal(component(segment, 0, 1))
            draft.put(f"{item}/invoice_amount", amount, position)
        case "RFF" if code(segment, 0, 0) == codes.HARMONISED_SYSTEM and code(segment, 0, 1):
            draft.put(f"{item}/commodity_code", code(segment, 0, 1), position)
        case "DOC":
            _document(draft, item, segment, position)
        case "GIS" if code(segment, 0, 1) == codes.PREFERENCE and code(segment, 0):
            draft.put(f"{item}/preference", code(segment, 0), position)
        case _:
            pass


def _measurement(draft: Draft, item: str, segment: Segment, position: int) -> None:
    purpose = code(segment, 0)
    unit, value = code(segment, 2, 0), component(segment, 2, 1)
    if not value:
        return
    if purpose == codes.TARIFF_QUANTITY:
        draft.put(f"{item}/supplementary_units/quantity", wire_decimal(value), position)
        draft.put(f"{item}/supplementary_units/unit", unit, position)
    elif purpose == codes.CUSTOMS_MEASUREMENT:
        quantity = draft.append(f"{item}/quantities", {}, position)
        draft.put(f"{quantity}/amount", wire_decimal(value), position)
        draft.put(f"{quantity}/unit", unit + code(segment, 1, 2), position)


def _integer(text: str) -> int | str:
    """A count as a JSON integer; anything else as sent, for the wire schema to refuse."""
    return int(text) if text.isascii() and text.isdigit() else text


def _kilograms(value: str, unit: str) -> str:
    """A mass in kilograms; in another unit of Recommendation 20, converted; in a unit that is
    not a mass, as sent with its unit, which the wire schema refuses at this segment."""
    figure = wire_decimal(value)
    factor = codes.KILOGRAMS_PER_UNIT.get(unit)
    if factor is None:
        return f"{figure} {unit or '(no unit)'}"
    if factor == 1:
        return figure
    try:
        return format((Decimal(figure) * factor).normalize(), "f")
    except InvalidOperation:
        return figure


def _document(draft: Draft, item: str, segment: Segment, position: int) -> None:
    name, category, title = code(segment, 0, 0), code(segment, 0, 1), code(segment, 0, 3)
    if len(name) == 3 and len(category) == 1:
        kind = category + name
    elif not name and len(title) == 4:
        kind = title
    else:
        kind = name
    document = draft.append(f"{item}/documents", {}, position)
    if kind:
        draft.put(f"{document}/type", kind, position)
    if component(segment, 1):
        draft.put(f"{document}/reference", component(segment, 1).strip(), position)
