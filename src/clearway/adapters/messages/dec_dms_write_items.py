"""Wire goods items as DEC-DMS ``GovernmentAgencyGoodsItem`` elements.

Each field goes to the element ``dec_dms_fields`` names, so that ``dec_dms_read`` reads the
item back as it was; where the wire has one value for what DEC-DMS repeats (duties and taxes),
the layout below is the one the reader takes apart again.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from clearway.adapters.messages.dec_dms_building import added, child, fill, leaf
from clearway.adapters.messages.dec_dms_codes import DecDmsUnwritable
from clearway.adapters.messages.dec_dms_fields import (
    CLASSIFICATION_LISTS,
    DOCUMENT,
    ITEM_AMOUNTS,
    ITEM_VALUES,
    ORIGINS,
    PACKAGES,
    PREVIOUS_DOCUMENT,
    STATEMENT,
    TARIC_LENGTH,
)

Wire = dict[str, Any]


def previous_documents(parent: etree._Element, documents: list[Wire], pointer: str) -> None:
    """Previous documents (DE 2/1), each a PreviousDocument."""
    for index, document in enumerate(documents):
        fill(added(parent, "PreviousDocument"), document, PREVIOUS_DOCUMENT, f"{pointer}/{index}")


def statements(parent: etree._Element, found: list[Wire], pointer: str) -> None:
    """Additional information statements (DE 2/2), each an AdditionalInformation."""
    for index, statement in enumerate(found):
        fill(added(parent, "AdditionalInformation"), statement, STATEMENT, f"{pointer}/{index}")


def _classification(commodity: etree._Element, item: Wire, at: str) -> None:
    """The commodity code as TSP (eight digits, DE 6/14) and TRC (the TARIC digits, 6/15),
    then the additional codes (TRA), national additional codes (GN) and CUS code (CV)."""
    code = item.get("commodity_code")
    codes: list[tuple[str, Any, str]] = []
    if code is not None:
        text = str(code)
        if len(text) == TARIC_LENGTH:
            codes += [
                (text[:8], "TSP", f"{at}/commodity_code"),
                (text[8:], "TRC", f"{at}/commodity_code"),
            ]
        else:
            codes.append((text, "TSP", f"{at}/commodity_code"))
    for kind, key in CLASSIFICATION_LISTS.items():
        codes += [
            (value, kind, f"{at}/{key}/{index}") for index, value in enumerate(item.get(key) or [])
        ]
    if item.get("cus_code") is not None:
        codes.append((item["cus_code"], "CV", f"{at}/cus_code"))
    for value, kind, pointer in codes:
        classification = added(commodity, "Classification")
        leaf(classification, "ID", value, pointer)
        leaf(classification, "IdentificationTypeCode", kind, pointer)


def _duty_tax_fees(commodity: etree._Element, item: Wire, at: str) -> None:
    """One DutyTaxFee per tax payment or tax base quantity, in order; the first carries the
    preference (DE 4/17) and the quota order number (8/1)."""
    payments: list[Wire] = item.get("tax_payments") or []
    quantities: list[Wire] = item.get("quantities") or []
    heads = 1 if item.get("preference") is not None or item.get("quota") is not None else 0
    for index in range(max(len(payments), len(quantities), heads)):
        fee = added(commodity, "DutyTaxFee")
        if index == 0:
            leaf(fee, "DutyRegimeCode", item.get("preference"), f"{at}/preference")
            leaf(fee, "QuotaOrderID", item.get("quota"), f"{at}/quota")
        if index < len(quantities):
            quantity = quantities[index]
            where = f"{at}/quantities/{index}"
            unit = quantity.get("unit")
            leaf(
                fee,
                "SpecificTaxBaseQuantity",
                quantity.get("amount"),
                f"{where}/amount",
                {"unitCode": unit},
            )
        if index < len(payments):
            payment = payments[index]
            where = f"{at}/tax_payments/{index}"
            leaf(fee, "TypeCode", payment.get("type"), f"{where}/type")
            leaf(fee, "Payment/MethodCode", payment.get("method"), f"{where}/method")


def _measured(parent: etree._Element, path: str, measured: Wire | None, key: str, at: str) -> None:
    """A quantity with its unit as ``unitCode``."""
    if measured is None:
        return
    unit = measured.get("unit")
    leaf(parent, path, measured.get(key), f"{at}/{key}", {"unitCode": unit})


def _documents(goods: etree._Element, documents: list[Wire], at: str) -> None:
    """Documents (DE 2/3): the first character of the type is its category (D031)."""
    for index, document in enumerate(documents):
        where = f"{at}/documents/{index}"
        element = added(goods, "AdditionalDocument")
        kind = document.get("type")
        if kind is not None:
            if not isinstance(kind, str) or len(kind) != 4:
                raise DecDmsUnwritable(f"{where}/type", "a document code has four characters")
            leaf(element, "CategoryCode", kind[0], f"{where}/type")
            leaf(element, "TypeCode", kind[1:], f"{where}/type")
        fill(element, document, DOCUMENT, where)
        _measured(
            element,
            "WriteOff/QuantityQuantity",
            document.get("write_off"),
            "quantity",
            f"{where}/write_off",
        )


def write_item(
    shipment: etree._Element, item: Wire, at: str, *, procedure: str | None, currency: str | None
) -> None:
    """One wire item at JSON pointer ``at``, with the declaration's procedure (DE 1/10) and
    the invoice currency of its price."""
    if item.get("sequence") is None:
        raise DecDmsUnwritable(f"{at}/sequence", "a goods item needs its number (DE 1/6)")
    goods = added(shipment, "GovernmentAgencyGoodsItem")
    for key, path in ITEM_VALUES.items():
        if key == "invoice_amount":
            leaf(goods, path, item.get(key), f"{at}/{key}", {"currencyID": currency})
        else:
            leaf(goods, path, item.get(key), f"{at}/{key}")
    for key, path in ITEM_AMOUNTS.items():
        money = item.get(key)
        if money is not None:
            leaf(
                goods,
                path,
                money.get("amount"),
                f"{at}/{key}/amount",
                {"currencyID": money.get("currency")},
            )
    commodity = child(goods, "Commodity") if _has_commodity(item) else None
    if commodity is not None:
        _classification(commodity, item, at)
        _duty_tax_fees(commodity, item, at)
        _measured(
            goods,
            "Commodity/GoodsMeasure/TariffQuantity",
            item.get("supplementary_units"),
            "quantity",
            f"{at}/supplementary_units",
        )
    _documents(goods, item.get("documents") or [], at)
    statements(goods, item.get("additional_information") or [], f"{at}/additional_information")
    if procedure is not None:
        requested = added(goods, "GovernmentProcedure")
        leaf(requested, "CurrentCode", procedure[:2], "/procedure")
        leaf(requested, "PreviousCode", procedure[2:], "/procedure")
    for index, code in enumerate(item.get("additional_procedures") or []):
        leaf(
            added(goods, "GovernmentProcedure"),
            "CurrentCode",
            code,
            f"{at}/additional_procedures/{index}",
        )
    for kind, key in ORIGINS.items():
        if item.get(key) is not None:
            origin = added(goods, "Origin")
            leaf(origin, "CountryCode", item[key], f"{at}/{key}")
            leaf(origin, "TypeCode", kind, f"{at}/{key}")
    packages = item.get("packages")
    if packages is not None:
        packaging = added(goods, "Packaging")
        leaf(packaging, "SequenceNumeric", 1, f"{at}/packages")
        fill(packaging, packages, PACKAGES, f"{at}/packages")
    previous_documents(goods, item.get("previous_documents") or [], f"{at}/previous_documents")


def _has_commodity(item: Wire) -> bool:
    keys = (
        "commodity_code",
        "cus_code",
        "preference",
        "quota",
        "tax_payments",
        "quantities",
        "supplementary_units",
        *CLASSIFICATION_LISTS.values(),
    )
    return any(item.get(key) for key in keys)
