"""A wire-format declaration written as a WCO DEC-DMS declaration (UK CDS profile, WCO DM 3.6).

``write_declaration`` makes the ``md:MetaData`` document the CDS pack's declarations are: the
metadata of ``WCO_DEC_2_DMS`` version 2.1 (DM 3.6, type DEC, GB, HMRC) wrapping a
``Declaration`` that validates against the shipped XSDs, its elements in the schema's order.
``dec_dms_read.read_declaration`` reads it back to the same wire document, except for the
fields in ``NOT_WRITTEN``, which no DEC-DMS element carries.

TypeCode: DE 1/1 (``IM``/``EX``) followed by the additional declaration type (DE 1/2,
``additional_type``). A declaration in Clearway's own full form has no additional type, and
its TypeCode is DE 1/1 alone (``IM``), which the schema's an..3 allows; the reader reads such
a TypeCode without inventing an additional type. CDS itself requires DE 1/2: give
``additional_type`` (``A`` for a standard frontier declaration) to lodge with CDS.

A declaration whose items have prices but which has no invoice reads back with an invoice of
their total, as a CDS declaration without ``InvoiceAmount`` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from clearway.adapters.messages.dec_dms_building import (
    added,
    child,
    fill,
    in_schema_order,
    leaf,
)
from clearway.adapters.messages.dec_dms_codes import MODE_DIGITS, DecDmsUnwritable
from clearway.adapters.messages.dec_dms_fields import (
    ADDRESS,
    BORDER_MEANS,
    GOODS_LOCATION,
    HEADER_LISTS,
    HEADER_VALUES,
    INLAND_MEANS,
    LOCODE_PATTERN,
    PARTIES,
    REPRESENTATIVE,
    TRANSPORT_MEANS,
    WAREHOUSE,
)
from clearway.adapters.messages.dec_dms_layout import DEC_DS_NS, DEC_NS, META_NS
from clearway.adapters.messages.dec_dms_write_items import (
    previous_documents,
    statements,
    write_item,
)

__all__ = ["METADATA", "NOT_WRITTEN", "DecDmsUnwritable", "write_declaration"]

Wire = dict[str, Any]

# The md:MetaData of a CDS declaration (WCO DEC-DMS customisation v2.1 of DM 3.6).
METADATA: Mapping[str, str] = {
    "WCODataModelVersionCode": "3.6",
    "WCOTypeName": "DEC",
    "ResponsibleCountryCode": "GB",
    "ResponsibleAgencyName": "HMRC",
    "AgencyAssignedCustomizationVersionCode": "v2.1",
}

# Wire fields that no DEC-DMS element carries, and why; they are not written.
NOT_WRITTEN: Mapping[str, str] = {
    "/end_user": "the final user of exported goods has no element in WCO DM 3.6 nor in UCC "
    "Annex B; it is for Clearway's export-control screening",
    "/items/*/control": "the control-list entry claimed for the goods has no element; the "
    "licence itself is a document (DE 2/3)",
    "/insurance": "no element holds insurance alone: UCC DE 4/9 codes insurance together with "
    "transport costs (AK), so it cannot be read back as insurance",
    "/*/country": "a party's country when it also has an address: a WCO party has one "
    "country, its address's (Address.CountryCode), which is the one written",
}
# The message functions the declaration schema allows: 9 original, 13 amendment, and 14.
FUNCTION_CODES = (9, 13, 14)
DATE_TIME = f"{{{DEC_DS_NS}}}DateTimeString"


def _type_code(wire: Wire) -> str:
    kind, additional = wire.get("type"), wire.get("additional_type")
    if kind not in ("IM", "EX"):
        raise DecDmsUnwritable("/type", f"{kind!r} is neither IM nor EX")
    if additional is not None and not (
        isinstance(additional, str) and re.fullmatch(r"[A-Z]", additional)
    ):
        raise DecDmsUnwritable("/additional_type", f"{additional!r} is not one letter")
    return str(kind) + (additional or "")


def _mode(mode: Any, pointer: str) -> str | None:
    if mode is None:
        return None
    if mode not in MODE_DIGITS:
        raise DecDmsUnwritable(pointer, f"transport mode {mode!r} has no DE 7/4 code")
    return MODE_DIGITS[mode]


def _party(declaration: etree._Element, path: str, party: Wire, at: str) -> None:
    """A party's name, EORI number and address; its country alone as Address.CountryCode."""
    element = child(declaration, path)
    fill(element, party, {"name": "Name", "id": "ID"}, at)
    address = party.get("address")
    if address:
        fill(
            element,
            address,
            {key: f"Address/{name}" for key, name in ADDRESS.items()},
            f"{at}/address",
        )
    else:
        leaf(element, "Address/CountryCode", party.get("country"), f"{at}/country")


def _transport(declaration: etree._Element, wire: Wire) -> None:
    """Border means (DE 7/4, 7/14, 7/15), container (7/2), inland means (7/5, 7/7, 7/9),
    equipment and seals (7/10, 7/18) and the countries of routing (5/10)."""
    transport: Wire = wire.get("transport") or {}
    if any(transport.get(key) is not None for key in (*BORDER_MEANS, "mode")):
        border = child(declaration, "BorderTransportMeans")
        fill(border, transport, BORDER_MEANS, "/transport")
        mode = _mode(transport.get("mode"), "/transport/mode")
        leaf(border, "ModeCode", mode, "/transport/mode")
    if "container" in transport:
        container = "1" if transport["container"] else "0"
        leaf(
            declaration,
            "GoodsShipment/Consignment/ContainerCode",
            container,
            "/transport/container",
        )
    for key, path in INLAND_MEANS.items():
        means = wire.get(key)
        if means:
            element = child(declaration, path)
            fill(element, means, TRANSPORT_MEANS, f"/{key}")
            leaf(element, "ModeCode", _mode(means.get("mode"), f"/{key}/mode"), f"/{key}/mode")
    for index, equipment in enumerate(wire.get("equipment") or []):
        at = f"/equipment/{index}"
        element = added(declaration, "GoodsShipment/Consignment/TransportEquipment")
        fill(element, equipment, {"sequence": "SequenceNumeric", "id": "ID"}, at)
        for number, seal in enumerate(equipment.get("seals") or []):
            sealed = added(element, "Seal")
            leaf(sealed, "SequenceNumeric", number + 1, f"{at}/seals/{number}")
            leaf(sealed, "ID", seal, f"{at}/seals/{number}")
    for index, country in enumerate(wire.get("routing_countries") or []):
        stop = added(declaration, "Consignment/Itinerary")
        leaf(stop, "SequenceNumeric", index + 1, f"/routing_countries/{index}")
        leaf(stop, "RoutingCountryCode", country, f"/routing_countries/{index}")


def _shipment(declaration: etree._Element, wire: Wire) -> None:
    """Location of goods (DE 5/23), warehouse (2/7), delivery terms (4/1), invoice, freight
    and other additions and deductions (4/9), previous documents (2/1)."""
    if wire.get("goods_location"):
        location = child(declaration, "GoodsShipment/Consignment/GoodsLocation")
        fill(location, wire["goods_location"], GOODS_LOCATION, "/goods_location")
    if wire.get("warehouse"):
        fill(
            child(declaration, "GoodsShipment/Warehouse"),
            wire["warehouse"],
            WAREHOUSE,
            "/warehouse",
        )
    incoterm = wire.get("incoterm")
    if incoterm:
        terms = child(declaration, "GoodsShipment/TradeTerms")
        leaf(terms, "ConditionCode", incoterm.get("code"), "/incoterm/code")
        place = incoterm.get("place")
        coded = isinstance(place, str) and re.fullmatch(LOCODE_PATTERN, place)
        leaf(terms, "LocationID" if coded else "LocationName", place, "/incoterm/place")
    invoice = wire.get("invoice") or {}
    if invoice.get("number") is not None or invoice.get("date") is not None:
        document = child(declaration, "GoodsShipment/Invoice")
        leaf(document, "ID", invoice.get("number"), "/invoice/number")
        if invoice.get("date") is not None:
            issued = child(document, "IssueDateTime")
            stamp = etree.SubElement(issued, DATE_TIME, formatCode="102")
            stamp.text = str(invoice["date"]).replace("-", "")
    freight = wire.get("freight")
    if freight:
        leaf(
            declaration,
            "GoodsShipment/CustomsValuation/FreightChargeAmount",
            freight.get("amount"),
            "/freight/amount",
            {"currencyID": freight.get("currency")},
        )
    for index, charge in enumerate(wire.get("charges") or []):
        at = f"/charges/{index}"
        element = added(declaration, "GoodsShipment/CustomsValuation/ChargeDeduction")
        leaf(element, "ChargesTypeCode", charge.get("code"), f"{at}/code")
        leaf(
            element,
            "OtherChargeDeductionAmount",
            charge.get("amount"),
            f"{at}/amount",
            {"currencyID": charge.get("currency")},
        )
    previous_documents(
        child(declaration, "GoodsShipment"),
        wire.get("previous_documents") or [],
        "/previous_documents",
    )


def _declaration(
    declaration: etree._Element, wire: Wire, function_code: int, mrn: str | None
) -> None:
    if function_code not in FUNCTION_CODES:
        raise DecDmsUnwritable("", f"FunctionCode {function_code} is not 9, 13 or 14")
    leaf(declaration, "FunctionCode", function_code, "")
    leaf(declaration, "ID", mrn, "")
    leaf(declaration, "TypeCode", _type_code(wire), "/type")
    items: list[Wire] = wire.get("items") or []
    leaf(declaration, "GoodsItemQuantity", len(items), "/items")
    for key, path in HEADER_VALUES.items():
        leaf(declaration, path, wire.get(key), f"/{key}")
    invoice = wire.get("invoice") or {}
    currency = invoice.get("currency")
    leaf(
        declaration,
        "InvoiceAmount",
        invoice.get("amount"),
        "/invoice/amount",
        {"currencyID": currency},
    )
    for key, path in PARTIES.items():
        party = wire.get(key)
        if party:
            _party(declaration, path, party, f"/{key}")
    if wire.get("representative"):
        fill(child(declaration, "Agent"), wire["representative"], REPRESENTATIVE, "/representative")
    for key, (path, names) in HEADER_LISTS.items():
        for index, entry in enumerate(wire.get(key) or []):
            fill(added(declaration, path), entry, names, f"/{key}/{index}")
    statements(declaration, wire.get("additional_information") or [], "/additional_information")
    _transport(declaration, wire)
    _shipment(declaration, wire)
    shipment = child(declaration, "GoodsShipment")
    procedure = wire.get("procedure")
    if procedure is not None and not (
        isinstance(procedure, str) and re.fullmatch(r"\d{4}", procedure)
    ):
        raise DecDmsUnwritable("/procedure", "a procedure is four digits (DE 1/10)")
    for index, item in enumerate(items):
        own = item.get("procedure") or procedure
        write_item(shipment, item, f"/items/{index}", procedure=own, currency=currency)


def write_declaration(
    wire: dict[str, Any], *, function_code: int = 9, mrn: str | None = None
) -> bytes:
    """The wire declaration as a DEC-DMS ``md:MetaData`` document (UTF-8 XML).

    ``function_code`` is the message function (9 original, 13 amendment, or 14); ``mrn`` the
    declaration's MRN (``Declaration/ID``), given when the declaration has one. Raises
    ``DecDmsUnwritable`` for a value no DEC-DMS element can carry (too long, too many digits,
    a transport mode without a UN/ECE code).
    """
    root = etree.Element(f"{{{META_NS}}}MetaData", nsmap={"md": META_NS, None: DEC_NS})
    for name, value in METADATA.items():
        etree.SubElement(root, f"{{{META_NS}}}{name}").text = value
    declaration = etree.SubElement(root, f"{{{DEC_NS}}}Declaration", nsmap={"p1": DEC_DS_NS})
    _declaration(declaration, wire, function_code, mrn)
    in_schema_order(declaration)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
