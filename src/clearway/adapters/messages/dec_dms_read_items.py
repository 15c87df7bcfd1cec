"""Goods items of a DEC-DMS declaration (``GovernmentAgencyGoodsItem``) as wire items.

UCC data element numbers are in brackets; ``dec_dms_fields`` names the element of each field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from clearway.adapters.messages.dec_dms_codes import DecDmsUnmappable, element_path
from clearway.adapters.messages.dec_dms_fields import (
    CLASSIFICATION_LISTS,
    DOCUMENT,
    ITEM_AMOUNTS,
    ITEM_VALUES,
    ORIGINS,
    PACKAGES,
    PREVIOUS_DOCUMENT,
    STATEMENT,
)
from clearway.adapters.messages.dec_dms_reading import Reading, Wire, put_list

KILOGRAMS = "KGM"
MASSES = ("gross_mass_kg", "net_mass_kg")


@dataclass(frozen=True, slots=True)
class ItemReading:
    """One goods item: its wire form, its procedure (DE 1/10) and its price (4/14)."""

    item: Wire
    procedure: str | None
    procedure_element: etree._Element | None
    price: Decimal | None
    price_currency: str | None
    price_source: str | None


def previous_documents(reading: Reading, parent: etree._Element, pointer: str) -> list[Wire]:
    """Previous documents (DE 2/1): category, type, reference and goods item line."""
    return reading.listed(parent, "PreviousDocument", pointer, PREVIOUS_DOCUMENT)


def statements(reading: Reading, parent: etree._Element, pointer: str) -> list[Wire]:
    """Additional information statements (DE 2/2), leaving out the reasons for amendments
    and cancellations (a statement with a Pointer)."""
    found: list[Wire] = []
    for element in reading.findall(parent, "AdditionalInformation"):
        if reading.find(element, "Pointer") is None:
            entry = reading.fields(element, f"{pointer}/{len(found)}", STATEMENT)
            if entry:
                found.append(entry)
    return found


def _classification(reading: Reading, commodity: etree._Element, item: Wire, at: str) -> None:
    """Commodity code (DE 6/14 TSP and 6/15 TRC), additional codes (6/16 TRA), national
    additional codes (6/17 GN) and the CUS code (6/13 CV)."""
    code: str | None = None
    taric: str | None = None
    for element in reading.findall(commodity, "Classification"):
        kind = reading.text(element, "IdentificationTypeCode")
        path = element_path(element)
        if kind is not None and kind in CLASSIFICATION_LISTS:
            key = CLASSIFICATION_LISTS[kind]
            codes: list[str] = item.setdefault(key, [])
            value = reading.text(element, "ID", f"{at}/{key}/{len(codes)}")
            if value is not None:
                codes.append(value)
            continue
        if kind not in ("TSP", "TRC", "CV"):
            raise DecDmsUnmappable(path, f"classification type {kind!r} has no wire field")
        already = {"TSP": code, "TRC": taric, "CV": item.get("cus_code")}[kind]
        if already is not None:
            raise DecDmsUnmappable(path, f"a second {kind} classification for one item")
        pointer = f"{at}/cus_code" if kind == "CV" else f"{at}/commodity_code"
        value = reading.text(element, "ID", pointer if kind != "TRC" else None)
        if kind == "TSP":
            code = value
        elif kind == "TRC":
            taric = value
        elif value is not None:
            item["cus_code"] = value
    for key in CLASSIFICATION_LISTS.values():
        if item.get(key) == []:
            del item[key]
    if taric is not None and code is None:
        raise DecDmsUnmappable(
            element_path(commodity), "a TARIC code (TRC) without a commodity code (TSP)"
        )
    if code is not None:
        item["commodity_code"] = code + (taric or "")


def _duty_tax_fees(reading: Reading, commodity: etree._Element, item: Wire, at: str) -> None:
    """Preference (DE 4/17, the first one given), tax types and methods of payment (4/3,
    4/8), the quota order number (8/1) and quantities for specific duties (tax bases)."""
    payments: list[Wire] = []
    quantities: list[Wire] = []
    for fee in reading.findall(commodity, "DutyTaxFee"):
        if "preference" not in item:
            reading.put(item, "preference", fee, "DutyRegimeCode", at)
        quota = reading.text(fee, "QuotaOrderID")
        if quota is not None and item.setdefault("quota", quota) != quota:
            raise DecDmsUnmappable(element_path(fee), "two quota order numbers for one item")
        if quota is not None and f"{at}/quota" not in reading.sources:
            reading.text(fee, "QuotaOrderID", f"{at}/quota")
        payment_at = f"{at}/tax_payments/{len(payments)}"
        payment = reading.fields(
            fee, payment_at, {"type": "TypeCode", "method": "Payment/MethodCode"}
        )
        if payment:
            payments.append(payment)
        base = reading.find(fee, "SpecificTaxBaseQuantity")
        if base is not None and (base.text or "").strip():
            quantity_at = f"{at}/quantities/{len(quantities)}"
            quantity = _measure(reading, base, quantity_at, "amount")
            quantities.append(quantity)
    put_list(item, "tax_payments", payments)
    put_list(item, "quantities", quantities)


def _measure(reading: Reading, element: etree._Element, at: str, key: str) -> Wire:
    """A quantity and its ``unitCode`` as ``{key, unit}``."""
    measured: Wire = {key: (element.text or "").strip()}
    reading.note(f"{at}/{key}", element)
    if element.get("unitCode"):
        measured["unit"] = element.get("unitCode", "").strip()
        reading.note(f"{at}/unit", element, "unitCode")
    reading.note(at, element)
    return measured


def _commodity(reading: Reading, goods: etree._Element, item: Wire, at: str) -> None:
    """Classification, duties and taxes, masses in kilograms and supplementary units."""
    commodity = reading.find(goods, "Commodity")
    if commodity is None:
        return
    _classification(reading, commodity, item, at)
    _duty_tax_fees(reading, commodity, item, at)
    for key in MASSES:
        element = reading.find(goods, ITEM_VALUES[key])
        if element is not None and element.get("unitCode", KILOGRAMS).strip() != KILOGRAMS:
            raise DecDmsUnmappable(
                element_path(element), f"a mass in {element.get('unitCode')}; the wire holds kg"
            )
    tariff = reading.find(commodity, "GoodsMeasure/TariffQuantity")
    if tariff is not None and (tariff.text or "").strip():
        # DE 6/2: the unit follows from the commodity code and is sent only as a unitCode.
        item["supplementary_units"] = _measure(
            reading, tariff, f"{at}/supplementary_units", "quantity"
        )


def _procedures(
    reading: Reading, goods: etree._Element, item: Wire, at: str
) -> tuple[str | None, etree._Element | None]:
    """Requested and previous procedure (DE 1/10) and additional procedures (DE 1/11)."""
    procedure: str | None = None
    procedure_element: etree._Element | None = None
    additional: list[str] = []
    for element in reading.findall(goods, "GovernmentProcedure"):
        current = reading.text(element, "CurrentCode")
        previous = reading.text(element, "PreviousCode")
        current_element = reading.find(element, "CurrentCode")
        path = element_path(element)
        if current is None or current_element is None:
            raise DecDmsUnmappable(path, "a procedure without its current code")
        if len(current) == 2:
            if previous is None or len(previous) != 2:
                raise DecDmsUnmappable(path, "a requested procedure without its previous one")
            if procedure is not None:
                raise DecDmsUnmappable(path, "a second requested procedure (DE 1/10) for an item")
            procedure, procedure_element = current + previous, current_element
        elif len(current) == 3 and previous is None:
            reading.note(f"{at}/additional_procedures/{len(additional)}", current_element)
            additional.append(current)
        else:
            raise DecDmsUnmappable(path, f"procedure code {current!r} is neither DE 1/10 nor 1/11")
    put_list(item, "additional_procedures", additional)
    return procedure, procedure_element


def _origins(reading: Reading, goods: etree._Element, item: Wire, at: str) -> None:
    """Country of origin (DE 5/15, Origin type 1) and of preferential origin (5/16, type 2)."""
    for element in reading.findall(goods, "Origin"):
        kind = reading.text(element, "TypeCode")
        path = element_path(element)
        if kind is None or kind not in ORIGINS:
            raise DecDmsUnmappable(path, f"origin type {kind!r} is neither 1 nor 2")
        if ORIGINS[kind] in item:
            raise DecDmsUnmappable(path, f"a second origin of type {kind} for one item")
        reading.put(item, ORIGINS[kind], element, "CountryCode", at)


def _documents(reading: Reading, goods: etree._Element, at: str) -> list[Wire]:
    """Documents, certificates and authorisations (DE 2/3): the type is the category code
    and the type code together (``N935``)."""
    documents: list[Wire] = []
    for element in reading.findall(goods, "AdditionalDocument"):
        entry_at = f"{at}/documents/{len(documents)}"
        document = reading.fields(element, entry_at, DOCUMENT)
        category = reading.text(element, "CategoryCode")
        kind = reading.text(element, "TypeCode")
        if category is not None or kind is not None:
            document["type"] = (category or "") + (kind or "")
            source = reading.find(element, "TypeCode" if kind else "CategoryCode")
            assert source is not None
            reading.note(f"{entry_at}/type", source)
        drawn = reading.find(element, "WriteOff/QuantityQuantity")
        if drawn is not None and (drawn.text or "").strip():
            document["write_off"] = _measure(reading, drawn, f"{entry_at}/write_off", "quantity")
        if document:
            reading.note(entry_at, element)
            documents.append(document)
    return documents


def _packages(reading: Reading, goods: etree._Element, item: Wire, at: str) -> None:
    """Kind (DE 6/9), number (6/10) and shipping marks (6/11) of the item's packages."""
    packagings = reading.findall(goods, "Packaging")
    if len(packagings) > 1:
        raise DecDmsUnmappable(element_path(packagings[1]), "more than one packaging per item")
    if packagings:
        packages = reading.fields(packagings[0], f"{at}/packages", PACKAGES)
        if packages:
            item["packages"] = packages


def read_item(reading: Reading, goods: etree._Element, at: str) -> ItemReading:
    """One goods item, at JSON pointer ``at`` (``/items/0``)."""
    item = reading.fields(goods, at, ITEM_VALUES)
    reading.note(at, goods)
    _commodity(reading, goods, item, at)
    _origins(reading, goods, item, at)
    for key, path in ITEM_AMOUNTS.items():
        money = reading.amount(goods, path, f"{at}/{key}")
        if money is not None:
            item[key] = money
    _packages(reading, goods, item, at)
    put_list(item, "documents", _documents(reading, goods, at))
    procedure, procedure_element = _procedures(reading, goods, item, at)
    put_list(
        item, "previous_documents", previous_documents(reading, goods, f"{at}/previous_documents")
    )
    put_list(
        item, "additional_information", statements(reading, goods, f"{at}/additional_information")
    )
    price = reading.find(goods, ITEM_VALUES["invoice_amount"])
    return ItemReading(
        item=item,
        procedure=procedure,
        procedure_element=procedure_element,
        price=Decimal(item["invoice_amount"]) if "invoice_amount" in item else None,
        price_currency=price.get("currencyID") if price is not None else None,
        price_source=element_path(price) if price is not None else None,
    )
