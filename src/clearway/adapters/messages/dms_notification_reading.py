"""Reading DMS notifications back (``dms_notifications`` writes them): a document read
safely, checked against the shipped notification schema, and turned into the plain data of
``dms_notification_data``. Clients and tests read answers with it."""

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

_T = TypeVar("_T")
_DATE_TIME_304: Final = re.compile(r"(\d{14})(Z|[+-]\d{2}(?::?\d{2})?)")
_DATE_102: Final = re.compile(r"\d{8}")


def res_path(path: str) -> str:
    """``path`` (``A`` or ``A/B``) with each step in the notification namespace."""
    return "/".join(f"{{{RES_NS}}}{step}" for step in path.split("/"))


def meta_name(name: str) -> str:
    return f"{{{META_NS}}}{name}"


def parse_notifications(data: bytes) -> tuple[NotificationData, ...]:
    """Every notification in a DMS notification document (CDS may send several ``Response``
    in one ``MetaData``), read safely and checked against the schema. Raises ``XmlRefused``."""
    root = parse_xml(data)
    validate_notification(root)
    return tuple(_read_response(response) for response in root.iterfind(res_path("Response")))


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


def _read_response(response: etree._Element) -> NotificationData:
    code = _required_text(response, "FunctionCode")
    try:
        kind = NotificationKind(code)
    except ValueError:
        raise _refusal(response, f"FunctionCode {code!r} is not a DMS notification kind") from None
    declaration = response.find(res_path("Declaration"))
    if declaration is None:  # the schema requires it; kept for the type checker
        raise _refusal(response, "the notification names no Declaration")
    bank = response.find(res_path("Bank"))
    status = response.find(res_path("Status"))
    shipment = declaration.find(res_path("GoodsShipment"))
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
            for error in response.iterfind(res_path("Error"))
        ),
        statements=tuple(
            Statement(
                code=_text(information, "StatementCode"),
                description=_text(information, "StatementDescription"),
                limit_at=_read_date_time(information, "LimitDateTime"),
                type_code=_text(information, "StatementTypeCode"),
                pointer=_read_pointer(information),
            )
            for information in response.iterfind(res_path("AdditionalInformation"))
        ),
        amendments=tuple(
            Amendment(_required_text(change, "ChangeReasonCode"), _read_pointer(change))
            for change in response.iterfind(res_path("Amendment"))
        ),
        status_code=None if status is None else _text(status, "NameCode"),
        bank=None
        if bank is None
        else BankAccount(_required_text(bank, "ReferenceID"), _required_text(bank, "ID")),
        totals=tuple(
            _read_total(payment) for payment in declaration.iterfind(res_path("DutyTaxFee/Payment"))
        ),
        items=()
        if shipment is None
        else tuple(
            GoodsItemTaxes(
                _required(_integer(goods_item, "SequenceNumeric"), goods_item, "SequenceNumeric"),
                tuple(
                    _read_tax_line(duty)
                    for duty in goods_item.iterfind(res_path("Commodity/DutyTaxFee"))
                ),
            )
            for goods_item in shipment.iterfind(res_path("GovernmentAgencyGoodsItem"))
        ),
    )


def _read_tax_line(duty: etree._Element) -> TaxLine:
    assessed = duty.find(res_path("Payment/TaxAssessedAmount"))
    if assessed is None:
        raise _refusal(duty, "the duty line has no Payment/TaxAssessedAmount")
    quantity = duty.find(res_path("SpecificTaxBaseQuantity"))
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
    amounts = [payment.find(res_path(name)) for name in ("TaxAssessedAmount", "PaymentAmount")]
    currency = next((a.get("currencyID") for a in amounts if a is not None), None)
    return DutyPayment(
        assessed=_read_decimal(payment, "TaxAssessedAmount"),
        payable=_read_decimal(payment, "PaymentAmount"),
        currency=currency or "GBP",
        payment_reference=_text(payment, "ReferenceID"),
        due_at=_read_date_time(payment, "DueDateTime"),
        guarantee_references=tuple(
            reference.text or ""
            for reference in payment.iterfind(res_path("ObligationGuarantee/ReferenceID"))
        ),
    )


def _read_pointer(parent: etree._Element) -> tuple[PointerStep, ...]:
    steps = []
    for pointer in parent.iterfind(res_path("Pointer")):
        steps.append(
            PointerStep(
                _integer(pointer, "SequenceNumeric"),
                _text(pointer, "DocumentSectionCode") or "",
                _text(pointer, "TagID"),
            )
        )
    return tuple(steps)


def _text(parent: etree._Element, name: str) -> str | None:
    """The text of child ``name``: None when absent, ``""`` when present and empty."""
    child = parent.find(res_path(name))
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
    element = parent.find(res_path(name))
    if element is None:
        return None
    number = _decimal(element)
    if number != number.to_integral_value():
        raise _refusal(element, f"{element.text!r} is not a whole number")
    return int(number)


def _read_decimal(parent: etree._Element, path: str) -> Decimal | None:
    element = parent.find(res_path(path))
    return None if element is None else _decimal(element)


def _read_date_time(parent: etree._Element, name: str) -> datetime | None:
    """The ``DateTimeString`` under child ``name``: format 304 (CCYYMMDDHHMMSS with ``Z`` or
    an offset such as ``+01``) or 102 (CCYYMMDD, taken as midnight UTC)."""
    value = parent.find(f"{res_path(name)}/{{{RES_DS_NS}}}DateTimeString")
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
