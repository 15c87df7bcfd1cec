"""DMS notifications: what customs answers a WCO DEC-DMS declaration with, as UK CDS sends them
(``md:MetaData`` wrapping ``Response``, WCO RES-DMS 3.6), written from plain data and read back.

The notification's ``FunctionCode`` says what happened (``NotificationKind``); the rest carries
the declaration's references (LRN, MRN, version), the errors of a rejection with their pointers
(WCO tag numbers: 42A Declaration, 67A GoodsShipment, 68A goods item ...), the duties of a tax
calculation per goods item, and the statements (deadlines, office references) some kinds carry.
Amounts are written with two decimals and a ``currencyID``, date-times as ``DateTimeString``
with ``formatCode="304"`` (CCYYMMDDHHMMSS and zone), as in the UK CDS trade test pack. Every
document built is checked against the shipped notification schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from lxml import etree

from clearway.adapters.messages.dms_notification_data import (
    Amendment,
    BankAccount,
    DmsError,
    DutyPayment,
    GoodsItemTaxes,
    NotificationData,
    NotificationKind,
    PointerStep,
    Statement,
    TaxLine,
)
from clearway.adapters.messages.dms_notification_reading import (
    meta_name,
    parse_notification,
    parse_notifications,
    res_path,
)
from clearway.adapters.messages.dms_schemas import (
    META_NS,
    RES_DS_NS,
    RES_NS,
    validate_notification,
)
from clearway.adapters.messages.xml_safety import XmlRefused

__all__ = [
    "Amendment",
    "BankAccount",
    "DmsError",
    "DutyPayment",
    "GoodsItemTaxes",
    "NotificationData",
    "NotificationKind",
    "PointerStep",
    "Statement",
    "TaxLine",
    "build_notification",
    "parse_notification",
    "parse_notifications",
]


_CENT: Final = Decimal("0.01")
_QUANTITY_STEP: Final = Decimal("0.000001")


def build_notification(notification: NotificationData) -> bytes:
    """The notification as a UTF-8 XML document (``md:MetaData`` wrapping one ``Response``)
    valid against the CDS notification schema. Raises ``ValueError`` for data the schema
    would refuse (a reference too long, an amount finer than a penny, a naive date-time)."""
    root = etree.Element(
        meta_name("MetaData"), nsmap={"md": META_NS, None: RES_NS, "ds": RES_DS_NS}
    )
    etree.SubElement(root, meta_name("WCODataModelVersionCode")).text = "3.6"
    etree.SubElement(root, meta_name("WCOTypeName")).text = "RES"
    response = etree.SubElement(root, res_path("Response"))
    _add(response, "FunctionCode", notification.kind.value)
    _add(response, "FunctionalReferenceID", notification.notification_id)
    _add_date_time(response, "IssueDateTime", notification.issued_at)
    for statement in notification.statements:
        information = etree.SubElement(response, res_path("AdditionalInformation"))
        _add(information, "StatementCode", statement.code)
        _add(information, "StatementDescription", statement.description)
        _add_date_time(information, "LimitDateTime", statement.limit_at)
        _add(information, "StatementTypeCode", statement.type_code)
        _add_pointer(information, statement.pointer)
    for amendment in notification.amendments:
        change = etree.SubElement(response, res_path("Amendment"))
        _add(change, "ChangeReasonCode", amendment.change_reason_code)
        _add_pointer(change, amendment.pointer)
    if notification.bank is not None:
        bank = etree.SubElement(response, res_path("Bank"))
        _add(bank, "ReferenceID", notification.bank.bic)
        _add(bank, "ID", notification.bank.iban)
    for error in notification.errors:
        fault = etree.SubElement(response, res_path("Error"))
        _add(fault, "Description", error.description or None)
        _add(fault, "ValidationCode", error.validation_code)
        _add_pointer(fault, error.pointer)
    if notification.status_code is not None:
        _add(etree.SubElement(response, res_path("Status")), "NameCode", notification.status_code)
    declaration = etree.SubElement(response, res_path("Declaration"))
    _add_date_time(declaration, "AcceptanceDateTime", notification.accepted_at)
    _add_date_time(declaration, "CancellationDateTime", notification.cancelled_at)
    _add(declaration, "FunctionalReferenceID", notification.lrn)
    _add(declaration, "ID", notification.mrn)
    _add_date_time(declaration, "RejectionDateTime", notification.rejected_at)
    if notification.version is not None:
        _add(declaration, "VersionID", str(notification.version))
    for total in notification.totals:
        payment = etree.SubElement(
            etree.SubElement(declaration, res_path("DutyTaxFee")), res_path("Payment")
        )
        _add(payment, "ReferenceID", total.payment_reference)
        _add_money(payment, "TaxAssessedAmount", total.assessed, total.currency)
        _add_date_time(payment, "DueDateTime", total.due_at)
        _add_money(payment, "PaymentAmount", total.payable, total.currency)
        for reference in total.guarantee_references:
            _add(
                etree.SubElement(payment, res_path("ObligationGuarantee")), "ReferenceID", reference
            )
    if notification.items:
        shipment = etree.SubElement(declaration, res_path("GoodsShipment"))
        for item in notification.items:
            goods_item = etree.SubElement(shipment, res_path("GovernmentAgencyGoodsItem"))
            _add(goods_item, "SequenceNumeric", str(item.sequence_numeric))
            commodity = etree.SubElement(goods_item, res_path("Commodity"))
            for line in item.lines:
                _add_tax_line(commodity, line)
    try:
        validate_notification(root)
    except XmlRefused as refusal:
        raise ValueError(f"the notification would not be valid: {refusal.detail}") from None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _add_tax_line(commodity: etree._Element, line: TaxLine) -> None:
    duty = etree.SubElement(commodity, res_path("DutyTaxFee"))
    _add_money(duty, "AdValoremTaxBaseAmount", line.base_amount, line.currency)
    _add_money(duty, "DeductAmount", line.deducted, line.currency)
    _add(duty, "DutyRegimeCode", line.duty_regime)
    if line.base_quantity is not None:
        quantity = _add(duty, "SpecificTaxBaseQuantity", _quantity_text(line.base_quantity))
        if line.base_unit is not None:
            quantity.set("unitCode", line.base_unit)
    _add(duty, "TaxRateNumeric", None if line.rate is None else _rate_text(line.rate))
    _add(duty, "TypeCode", line.type_code)
    payment = etree.SubElement(duty, res_path("Payment"))
    _add_money(payment, "TaxAssessedAmount", line.assessed, line.currency)
    _add_money(payment, "PaymentAmount", line.payable, line.currency)


def _add(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    """A child ``name`` holding ``text``; nothing is added when ``text`` is None."""
    if text is None:
        return parent
    child = etree.SubElement(parent, res_path(name))
    child.text = text
    return child


def _add_pointer(parent: etree._Element, steps: tuple[PointerStep, ...]) -> None:
    for step in steps:
        pointer = etree.SubElement(parent, res_path("Pointer"))
        if step.sequence_numeric is not None:
            _add(pointer, "SequenceNumeric", str(step.sequence_numeric))
        _add(pointer, "DocumentSectionCode", step.document_section_code)
        _add(pointer, "TagID", step.tag_id)


def _add_money(parent: etree._Element, name: str, amount: Decimal | None, currency: str) -> None:
    if amount is not None:
        _add(parent, name, _money_text(amount)).set("currencyID", currency)


def _add_date_time(parent: etree._Element, name: str, moment: datetime | None) -> None:
    if moment is None:
        return
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {moment.isoformat()}")
    holder = etree.SubElement(parent, res_path(name))
    value = etree.SubElement(holder, f"{{{RES_DS_NS}}}DateTimeString", formatCode="304")
    value.text = moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _money_text(amount: Decimal) -> str:
    """``amount`` with two decimals; an amount finer than a penny is refused, never rounded
    here (rounding belongs to the duty calculation)."""
    pence = amount.quantize(_CENT)
    if pence != amount:
        raise ValueError(f"amount {amount} has more than two decimals")
    return f"{pence:f}"


def _rate_text(rate: Decimal) -> str:
    """The rate with at least two decimals (``2.70``, ``20.00``) and all it has beyond."""
    exponent = rate.as_tuple().exponent
    return (
        f"{rate.quantize(_CENT):f}" if isinstance(exponent, int) and exponent > -2 else f"{rate:f}"
    )


def _quantity_text(quantity: Decimal) -> str:
    """The quantity with six decimals, as CDS writes ``SpecificTaxBaseQuantity``."""
    stepped = quantity.quantize(_QUANTITY_STEP)
    if stepped != quantity:
        raise ValueError(f"quantity {quantity} has more than six decimals")
    return f"{stepped:f}"
