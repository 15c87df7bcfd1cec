"""A WCO DEC-DMS declaration (UK CDS profile of WCO Data Model 3.6) read into the wire format.

``read_declaration`` takes the parsed ``md:MetaData`` element and returns the declaration as a
dictionary that ``clearway.entrypoints.schemas.DeclarationIn`` accepts, with the element each
value came from. The element of every wire field is listed in ``docs/wco-data-model.md``; the
elements that have no wire field are in ``NOT_MAPPED`` with the reason, and are left out.

The reader maps; it does not validate. A value the wire refuses (a missing field, a code of the
wrong form) is left for the wire schema to report, at the pointer ``sources`` traces back.

A DEC-DMS declaration states its additional declaration type (DE 1/2, the third letter of
``TypeCode``), so it is read as a declaration of that type (``additional_type``), which states
what its type and procedure require. A ``TypeCode`` of two letters (``IM``, ``EX``), as
Clearway writes a declaration in its own full form, is read without an additional type.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from clearway.adapters.messages.dec_dms_codes import DecDmsUnmappable, element_path, qualified
from clearway.adapters.messages.dec_dms_fields import (
    ADDRESS,
    GOODS_LOCATION,
    HEADER_LISTS,
    HEADER_VALUES,
    PARTIES,
    REPRESENTATIVE,
    WAREHOUSE,
)
from clearway.adapters.messages.dec_dms_layout import DEC_DS_NS, META_NS
from clearway.adapters.messages.dec_dms_not_mapped import NOT_MAPPED, READ_WITHOUT_POINTER
from clearway.adapters.messages.dec_dms_read_items import (
    ItemReading,
    previous_documents,
    read_item,
    statements,
)
from clearway.adapters.messages.dec_dms_read_transport import read_transport
from clearway.adapters.messages.dec_dms_reading import Reading, Wire, put_list

__all__ = [
    "NOT_MAPPED",
    "READ_WITHOUT_POINTER",
    "DecDmsDeclaration",
    "DecDmsUnmappable",
    "read_declaration",
]

# TypeCodes of messages that are not import or export declarations, and what they are.
OTHER_MESSAGES = {
    "INV": "a cancellation request (TypeCode INV); read it with dec_dms_cancel.read_cancellation",
    "COR": "an amendment (TypeCode COR), which states only the elements it changes",
    "GPR": "a goods presentation notification (TypeCode GPR), not a declaration",
}


@dataclass(frozen=True, slots=True)
class DecDmsDeclaration:
    """A declaration as read from DEC-DMS: its message function (9 original, 13 amendment),
    WCO type (DE 1/1 + 1/2), LRN, MRN when given, wire form, and the element each wire value
    came from (JSON pointer → element path)."""

    function_code: int
    type_code: str
    lrn: str
    mrn: str | None
    wire: dict[str, Any]
    sources: dict[str, str]


def _declaration_type(type_code: str | None) -> tuple[str, str | None]:
    """DE 1/1 (``IM``, ``EX``) and 1/2 (``A`` standard, ``D`` pre-lodged …) of a TypeCode."""
    where = "Declaration/TypeCode"
    if type_code is None:
        raise DecDmsUnmappable(where, "no declaration type (TypeCode, DE 1/1 and 1/2)")
    if type_code in OTHER_MESSAGES:
        raise DecDmsUnmappable(where, OTHER_MESSAGES[type_code])
    if type_code.startswith("CO"):
        raise DecDmsUnmappable(
            where,
            f"{type_code}: declarations for special fiscal territories (CO) are not supported",
        )
    if type_code[:2] not in ("IM", "EX") or len(type_code) not in (2, 3):
        raise DecDmsUnmappable(where, f"{type_code} is neither an import nor an export type")
    return type_code[:2], type_code[2:] or None


def _party(reading: Reading, element: etree._Element | None, at: str) -> Wire | None:
    """A party's EORI number, name and address; an address that gives only a country is
    the party's country (``country``), which WCO carries as Address.CountryCode (242)."""
    if element is None:
        return None
    party = reading.fields(element, at, {"id": "ID", "name": "Name"})
    address_element = reading.find(element, "Address")
    if address_element is not None:
        address = reading.fields(address_element, f"{at}/address", ADDRESS)
        if list(address) == ["country"]:
            del reading.sources[f"{at}/address"]
            reading.sources[f"{at}/country"] = reading.sources.pop(f"{at}/address/country")
            party["country"] = address["country"]
        elif address:
            party["address"] = address
    if not party:
        return None
    reading.note(at, element)
    return party


def _office(reading: Reading, wire: Wire, export: bool, national: str) -> None:
    """The declaration office, else the office of exit (DE 5/12, exports), else the
    supervising office (5/27), else the administration's own office."""
    fallbacks = ("exit_office", "supervising_office") if export else ("supervising_office",)
    for key in fallbacks:
        if "office" not in wire and key in wire:
            wire["office"] = wire[key]
            reading.sources["/office"] = reading.sources[f"/{key}"]
    wire.setdefault("office", national)


def _invoice(
    reading: Reading, declaration: etree._Element, items: list[ItemReading], wire: Wire
) -> None:
    """Total amount invoiced (DE 4/11) and its currency (4/10): ``InvoiceAmount``, else the
    sum of the item prices (4/14) when every item has one; the currencies must agree. The
    invoice's number and date come from GoodsShipment/Invoice when it is given."""
    total = reading.find(declaration, "InvoiceAmount")
    currencies: dict[str, str] = {}
    if total is not None and total.get("currencyID"):
        currencies[total.get("currencyID", "").strip()] = f"{element_path(total)}/@currencyID"
    for item in items:
        if item.price_currency and item.price_source:
            currencies.setdefault(item.price_currency, f"{item.price_source}/@currencyID")
    if len(currencies) > 1:
        raise DecDmsUnmappable(
            element_path(total if total is not None else declaration),
            "invoice and item prices in different currencies: " + ", ".join(sorted(currencies)),
        )
    invoice: Wire = {}
    document = reading.find(declaration, "GoodsShipment/Invoice")
    if document is not None:
        reading.put(invoice, "number", document, "ID", "/invoice")
        issued = reading.find(document, "IssueDateTime")
        stamp = None if issued is None else issued.find(f"{{{DEC_DS_NS}}}DateTimeString")
        if issued is not None and stamp is not None and (stamp.text or "").strip():
            digits = (stamp.text or "").strip()[:8]
            invoice["date"] = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
            reading.note("/invoice/date", issued)
    if total is not None and (total.text or "").strip():
        invoice["amount"] = (total.text or "").strip()
        reading.note("/invoice/amount", total)
    elif items and all(item.price is not None for item in items):
        invoice["amount"] = str(sum((item.price or Decimal(0) for item in items), Decimal(0)))
        reading.sources["/invoice/amount"] = (
            "Declaration/GoodsShipment/GovernmentAgencyGoodsItem/Commodity/InvoiceLine"
            "/ItemChargeAmount"
        )
    else:
        return
    for currency, source in currencies.items():
        invoice["currency"] = currency
        reading.sources["/invoice/currency"] = source
    wire["invoice"] = invoice


def _shipment(reading: Reading, declaration: etree._Element, wire: Wire) -> None:
    """Goods shipment: location of goods (DE 5/23), warehouse (2/7), delivery terms (4/1),
    freight (4/9), additions and deductions (4/9), previous documents (2/1)."""
    location = reading.find(declaration, "GoodsShipment/Consignment/GoodsLocation")
    if location is not None:
        goods_location = reading.fields(location, "/goods_location", GOODS_LOCATION)
        if goods_location:
            wire["goods_location"] = goods_location
    warehouse = reading.find(declaration, "GoodsShipment/Warehouse")
    if warehouse is not None:
        found = reading.fields(warehouse, "/warehouse", WAREHOUSE)
        if found:
            wire["warehouse"] = found
    terms = reading.find(declaration, "GoodsShipment/TradeTerms")
    if terms is not None:
        incoterm = reading.fields(terms, "/incoterm", {"code": "ConditionCode"})
        coded = reading.text(terms, "LocationID")
        named = reading.text(terms, "LocationName")
        if coded is not None and named is not None:
            raise DecDmsUnmappable(
                element_path(terms), "both a coded and a named place; the wire holds one place"
            )
        reading.put(
            incoterm, "place", terms, "LocationID" if coded else "LocationName", "/incoterm"
        )
        if incoterm:
            wire["incoterm"] = incoterm
    valuation = reading.find(declaration, "GoodsShipment/CustomsValuation")
    if valuation is not None:
        freight = reading.amount(valuation, "FreightChargeAmount", "/freight")
        if freight is not None:
            wire["freight"] = freight
        charges: list[Wire] = []
        for element in reading.findall(valuation, "ChargeDeduction"):
            at = f"/charges/{len(charges)}"
            charge = reading.fields(element, at, {"code": "ChargesTypeCode"})
            money = reading.amount(element, "OtherChargeDeductionAmount", at)
            charge.update(money or {})
            if charge:
                reading.note(at, element)
                charges.append(charge)
        put_list(wire, "charges", charges)
    shipment = reading.find(declaration, "GoodsShipment")
    if shipment is not None:
        put_list(
            wire, "previous_documents", previous_documents(reading, shipment, "/previous_documents")
        )


def read_declaration(
    root: etree._Element, *, country: str, national_office: str
) -> DecDmsDeclaration:
    """Read the DEC-DMS declaration in ``root`` (the ``md:MetaData`` element).

    ``country`` is the administration's country: the destination of an import that does not
    state one (DE 5/8). ``national_office`` is the office of a declaration that names none.
    Raises ``DecDmsUnmappable`` for what the wire format cannot hold, saying why.
    """
    if root.tag != f"{{{META_NS}}}MetaData":
        raise DecDmsUnmappable(str(root.tag), "not a DEC-DMS md:MetaData document")
    declaration = root.find(qualified("Declaration"))
    if declaration is None:
        raise DecDmsUnmappable("MetaData", "the MetaData holds no Declaration")
    reading = Reading()
    type_code = reading.text(declaration, "TypeCode", "/type")
    kind, additional = _declaration_type(type_code)
    assert type_code is not None
    wire: Wire = {"type": kind}
    if additional is not None:
        wire["additional_type"] = additional
        reading.sources["/additional_type"] = reading.sources["/type"]
    export = kind == "EX"
    for key, path in HEADER_VALUES.items():
        reading.put(wire, key, declaration, path, "")
    if "destination_country" not in wire and not export:
        wire["destination_country"] = country
    _office(reading, wire, export, national_office)
    for key, path in PARTIES.items():
        party = _party(reading, reading.find(declaration, path), f"/{key}")
        if party is not None:
            wire[key] = party
    agent = reading.find(declaration, "Agent")
    if agent is not None:
        representative = reading.fields(agent, "/representative", REPRESENTATIVE)
        if representative:
            wire["representative"] = representative
    for key, (path, names) in HEADER_LISTS.items():
        put_list(wire, key, reading.listed(declaration, path, f"/{key}", names))
    put_list(
        wire, "additional_information", statements(reading, declaration, "/additional_information")
    )
    read_transport(reading, declaration, wire, export=export)
    _shipment(reading, declaration, wire)
    goods = reading.findall(declaration, "GoodsShipment/GovernmentAgencyGoodsItem")
    goods.sort(key=lambda element: int(reading.text(element, "SequenceNumeric") or 0))
    items = [read_item(reading, element, f"/items/{index}") for index, element in enumerate(goods)]
    wire["items"] = [reading_item.item for reading_item in items]
    _procedure(reading, items, wire)
    _invoice(reading, declaration, items, wire)
    return DecDmsDeclaration(
        function_code=int(reading.text(declaration, "FunctionCode") or 0),
        type_code=type_code,
        lrn=wire.get("lrn", ""),
        mrn=reading.text(declaration, "ID"),
        wire=wire,
        sources=reading.sources,
    )


def _procedure(reading: Reading, items: list[ItemReading], wire: Wire) -> None:
    """The declaration's procedure (DE 1/10): the first item's; an item under another one
    states its own (``/items/*/procedure``)."""
    first = next((item for item in items if item.procedure is not None), None)
    if first is None or first.procedure_element is None:
        return
    for index, item in enumerate(items):
        if item.procedure not in (None, first.procedure) and item.procedure_element is not None:
            item.item["procedure"] = item.procedure
            reading.note(f"/items/{index}/procedure", item.procedure_element)
    wire["procedure"] = first.procedure
    reading.note("/procedure", first.procedure_element)
