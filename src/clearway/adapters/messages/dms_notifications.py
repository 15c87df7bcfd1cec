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

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar

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
from clearway.adapters.messages.dms_schemas import (
    META_NS,
    RES_DS_NS,
    RES_NS,
    element_path,
    validate_notification,
)
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml

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


_T = TypeVar("_T")
_CENT: Final = Decimal("0.01")
_QUANTITY_STEP: Final = Decimal("0.000001")
_DATE_TIME_304: Final = re.compile(r"(\d{14})(Z|[+-]\d{2}(?::?\d{2})?)")
_DATE_102: Final = re.compile(r"\d{8}")


def build_notification(notification: NotificationData) -> bytes:
    """The notification as a UTF-8 XML document (``md:MetaData`` wrapping one ``Response``)
    valid against the CDS notification schema. Raises ``ValueError`` for data the schema
    would refuse (a reference too long, an amount finer than a penny, a naive date-time)."""
    root = etree.Element(_meta("MetaData"), nsmap={"md": META_NS, None: RES_NS, "ds": RES_DS_NS})
    etree.SubElement(root, _meta("WCODataModelVersionCode")).text = "3.6"
    etree.SubElement(root, _meta("WCOTypeName")).text = "RES"
    response = etree.SubElement(root, _res("Response"))
    _add(response, "FunctionCode", notification.kind.value)
    _add(response, "FunctionalReferenceID", notification.notification_id)
    _add_date_time(response, "IssueDateTime", notification.issued_at)
    for statement in notification.statements:
        information = etree.SubElement(response, _res("AdditionalInformation"))
        _add(information, "StatementCode", statement.code)
        _add(information, "StatementDescription", statement.description)
        _add_date_time(information, "LimitDateTime", statement.limit_at)
        _add(information, "StatementTypeCode", statement.type_code)
        _add_pointer(information, statement.pointer)
    for amendment in notification.amendments:
        change = etree.SubElement(response, _res("Amendment"))
        _add(change, "ChangeReasonCode", amendment.change_reason_code)
        _add_pointer(change, amendment.pointer)
    if notification.bank is not None:
        bank = etree.SubElement(response, _res("Bank"))
        _add(bank, "ReferenceID", notification.bank.bic)
        _add(bank, "ID", notification.bank.iban)
    for error in notification.errors:
        fault = etree.SubElement(response, _res("Error"))
        _add(fault, "Description", error.description or None)
        _add(fault, "ValidationCode", error.validation_code)
        _add_pointer(fault, error.pointer)
    if notification.status_code is not None:
        _add(etree.SubElement(response, _res("Status")), "NameCode", notification.status_code)
    declaration = etree.SubElement(response, _res("Declaration"))
    _add_date_time(declaration, "AcceptanceDateTime", notification.accepted_at)
    _add_date_time(declaration, "CancellationDateTime", notification.cancelled_at)
    _add(declaration, "FunctionalReferenceID", notification.lrn)
    _add(declaration, "ID", notification.mrn)
    _add_date_time(declaration, "RejectionDateTime", notification.rejected_at)
    if notification.version is not None:
        _add(declaration, "VersionID", str(notification.version))
    for total in notification.totals:
        payment = etree.SubElement(
            etree.SubElement(declaration, _res("DutyTaxFee")), _res("Payment")
        )
        _add(payment, "ReferenceID", total.payment_reference)
        _add_money(payment, "TaxAssessedAmount", total.assessed, total.currency)
        _add_date_time(payment, "DueDateTime", total.due_at)
        _add_money(payment, "PaymentAmount", total.payable, total.currency)
        for reference in total.guarantee_references:
            _add(etree.SubElement(payment, _res("ObligationGuarantee")), "ReferenceID", reference)
    if notification.items:
        shipment = etree.SubElement(declaration, _res("GoodsShipment"))
        for item in notification.items:
            goods_item = etree.SubElement(shipment, _res("GovernmentAgencyGoodsItem"))
            _add(goods_item, "SequenceNumeric", str(item.sequence_numeric))
            commodity = etree.SubElement(goods_item, _res("Commodity"))
            for line in item.lines:
                _add_tax_line(commodity, line)
    try:
        validate_notification(root)
    except XmlRefused as refusal:
        raise ValueError(f"the notification would not be valid: {refusal.detail}") from None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_notifications(data: bytes) -> tuple[NotificationData, ...]:
    """Every notification in a DMS notification document (CDS may send several ``Response``
    in one ``MetaData``), read safely and checked against the schema. Raises ``XmlRefused``."""
    root = parse_xml(data)
    validate_notification(root)
    return tuple(_read_response(response) for response in root.iterfind(_res("Response")))


def parse_notification(data: bytes) -> NotificationData:
    """The one notification in a DMS notification document. Raises ``XmlRefused``
    (``wrong_root`` when the document carries more than one: read it with
    ``parse_notifications``)."""
    notifications = parse_notifications(data)
    if len(notifications) != 1:
        raise XmlRefused(
            "wrong_root",
            f"the document carries {len(notifications)} notifications; one was expected",
        )
    return notifications[0]


def _add_tax_line(commodity: etree._Element, line: TaxLine) -> None:
    duty = etree.SubElement(commodity, _res("DutyTaxFee"))
    _add_money(duty, "AdValoremTaxBaseAmount", line.base_amount, line.currency)
    _add_money(duty, "DeductAmount", line.deducted, line.currency)
    _add(duty, "DutyRegimeCode", line.duty_regime)
    if line.base_quantity is not None:
        quantity = _add(duty, "SpecificTaxBaseQuantity", _quantity_text(line.base_quantity))
        if line.base_unit is not None:
            quantity.set("unitCode", line.base_unit)
    _add(duty, "TaxRateNumeric", None if line.rate is None else _rate_text(line.rate))
    _add(duty, "TypeCode", line.type_code)
    payment = etree.SubElement(duty, _res("Payment"))
    _add_money(payment, "TaxAssessedAmount", line.assessed, line.currency)
    _add_money(payment, "PaymentAmount", line.payable, line.currency)


def _read_response(response: etree._Element) -> NotificationData:
    code = _required_text(response, "FunctionCode")
    try:
        kind = NotificationKind(code)
    except ValueError:
        raise _refusal(response, f"FunctionCode {code!r} is not a DMS notification kind") from None
    declaration = response.find(_res("Declaration"))
    if declaration is None:  # the schema requires it; kept for the type checker
        raise _refusal(response, "the notification names no Declaration")
    bank = response.find(_res("Bank"))
    status = response.find(_res("Status"))
    shipment = declaration.find(_res("GoodsShipment"))
    return NotificationData(
        kind=kind,
        issued_at=_required(_read_date_time(response, "IssueDateTime"), response, "IssueDateTime"),
        lrn=_required_text(declaration, "FunctionalReferenceID"),
        version=_integer(declaration, "VersionID"),
        mrn=_text(declaration, "ID"),
        notification_id=_text(response, "FunctionalReferenceID"),
        accepted_at=_read_date_time(declaration, "AcceptanceDateTime"),
        rejected_at=_read_date_time(declaration, "RejectionDateTime"),
        cancelled_at=_read_date_time(declaration, "CancellationDateTime"),
        errors=tuple(
            DmsError(
                validation_code=_required_text(error, "ValidationCode"),
                description=_text(error, "Description") or "",
                pointer=_read_pointer(error),
            )
            for error in response.iterfind(_res("Error"))
        ),
        statements=tuple(
            Statement(
                code=_text(information, "StatementCode"),
                description=_text(information, "StatementDescription"),
                limit_at=_read_date_time(information, "LimitDateTime"),
                type_code=_text(information, "StatementTypeCode"),
                pointer=_read_pointer(information),
            )
            for information in response.iterfind(_res("AdditionalInformation"))
        ),
        amendments=tuple(
            Amendment(_required_text(change, "ChangeReasonCode"), _read_pointer(change))
            for change in response.iterfind(_res("Amendment"))
        ),
        status_code=None if status is None else _text(status, "NameCode"),
        bank=None
        if bank is None
        else BankAccount(_required_text(bank, "ReferenceID"), _required_text(bank, "ID")),
        totals=tuple(
            _read_total(payment) for payment in declaration.iterfind(_res("DutyTaxFee/Payment"))
        ),
        items=()
        if shipment is None
        else tuple(
            GoodsItemTaxes(
                _required(_integer(goods_item, "SequenceNumeric"), goods_item, "SequenceNumeric"),
                tuple(
                    _read_tax_line(duty)
                    for duty in goods_item.iterfind(_res("Commodity/DutyTaxFee"))
                ),
            )
            for goods_item in shipment.iterfind(_res("GovernmentAgencyGoodsItem"))
        ),
    )


def _read_tax_line(duty: etree._Element) -> TaxLine:
    assessed = duty.find(_res("Payment/TaxAssessedAmount"))
    if assessed is None:
        raise _refusal(duty, "the duty line has no Payment/TaxAssessedAmount")
    quantity = duty.find(_res("SpecificTaxBaseQuantity"))
    return TaxLine(
        type_code=_required_text(duty, "TypeCode"),
        assessed=_decimal(assessed),
        payable=_read_decimal(duty, "Payment/PaymentAmount"),
        base_amount=_read_decimal(duty, "AdValoremTaxBaseAmount"),
        base_quantity=None if quantity is None else _decimal(quantity),
        base_unit=None if quantity is None else quantity.get("unitCode"),
        rate=_read_decimal(duty, "TaxRateNumeric"),
        deducted=_read_decimal(duty, "DeductAmount"),
        duty_regime=_text(duty, "DutyRegimeCode"),
        # CDS charges in sterling: the pack's older samples leave currencyID out.
        currency=assessed.get("currencyID") or "GBP",
    )


def _read_total(payment: etree._Element) -> DutyPayment:
    amounts = [payment.find(_res(name)) for name in ("TaxAssessedAmount", "PaymentAmount")]
    currency = next((a.get("currencyID") for a in amounts if a is not None), None)
    return DutyPayment(
        assessed=_read_decimal(payment, "TaxAssessedAmount"),
        payable=_read_decimal(payment, "PaymentAmount"),
        currency=currency or "GBP",
        payment_reference=_text(payment, "ReferenceID"),
        due_at=_read_date_time(payment, "DueDateTime"),
        guarantee_references=tuple(
            reference.text or ""
            for reference in payment.iterfind(_res("ObligationGuarantee/ReferenceID"))
        ),
    )


def _read_pointer(parent: etree._Element) -> tuple[PointerStep, ...]:
    steps = []
    for pointer in parent.iterfind(_res("Pointer")):
        steps.append(
            PointerStep(
                _integer(pointer, "SequenceNumeric"),
                _text(pointer, "DocumentSectionCode") or "",
                _text(pointer, "TagID"),
            )
        )
    return tuple(steps)


def _res(path: str) -> str:
    """``path`` (``A`` or ``A/B``) with each step in the notification namespace."""
    return "/".join(f"{{{RES_NS}}}{step}" for step in path.split("/"))


def _meta(name: str) -> str:
    return f"{{{META_NS}}}{name}"


def _add(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    """A child ``name`` holding ``text``; nothing is added when ``text`` is None."""
    if text is None:
        return parent
    child = etree.SubElement(parent, _res(name))
    child.text = text
    return child


def _add_pointer(parent: etree._Element, steps: tuple[PointerStep, ...]) -> None:
    for step in steps:
        pointer = etree.SubElement(parent, _res("Pointer"))
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
    holder = etree.SubElement(parent, _res(name))
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


def _text(parent: etree._Element, name: str) -> str | None:
    """The text of child ``name``: None when absent, ``""`` when present and empty."""
    child = parent.find(_res(name))
    return None if child is None else (child.text or "").strip()


def _required_text(parent: etree._Element, name: str) -> str:
    return _required(_text(parent, name), parent, name)


def _required(value: _T | None, parent: etree._Element, name: str) -> _T:
    if value is None:
        raise _refusal(parent, f"{name} is missing")
    return value


def _decimal(element: etree._Element) -> Decimal:
    try:
        return Decimal((element.text or "").strip())
    except InvalidOperation:
        raise _refusal(element, f"{element.text!r} is not a number") from None


def _integer(parent: etree._Element, name: str) -> int | None:
    """The whole number in child ``name`` (a sequence or version number), None when absent."""
    element = parent.find(_res(name))
    if element is None:
        return None
    number = _decimal(element)
    if number != number.to_integral_value():
        raise _refusal(element, f"{element.text!r} is not a whole number")
    return int(number)


def _read_decimal(parent: etree._Element, path: str) -> Decimal | None:
    element = parent.find(_res(path))
    return None if element is None else _decimal(element)


def _read_date_time(parent: etree._Element, name: str) -> datetime | None:
    """The ``DateTimeString`` under child ``name``: format 304 (CCYYMMDDHHMMSS with ``Z`` or
    an offset such as ``+01``) or 102 (CCYYMMDD, taken as midnight UTC)."""
    value = parent.find(f"{_res(name)}/{{{RES_DS_NS}}}DateTimeString")
    if value is None:
        return None
    text = (value.text or "").strip()
    moment = _DATE_TIME_304.fullmatch(text)
    if moment is not None:
        digits, zone = moment.groups()
        offset = timedelta(0)
        if zone != "Z":
            hours, minutes = int(zone[1:3]), int(zone[3:].lstrip(":") or 0)
            offset = (1 if zone[0] == "+" else -1) * timedelta(hours=hours, minutes=minutes)
        try:
            return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=timezone(offset))
        except ValueError:
            pass
    elif _DATE_102.fullmatch(text):
        try:
            return datetime.strptime(text, "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            pass
    raise _refusal(value, f"{text!r} is not a date-time in format 304 or 102")


def _refusal(element: etree._Element, message: str) -> XmlRefused:
    path = element_path(element)
    return XmlRefused(
        "schema_invalid",
        f"line {element.sourceline}: {path}: {message}",
        [(element.sourceline or 0, path, message)],
    )
