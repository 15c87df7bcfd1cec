"""A declaration's DMS notifications read off its events: one per event that has one, the lane
told as CDS tells it (documents to check, goods under control) and a blue lane never told,
the duties of each version assessed as DMSTAX lines, every notification valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from clearway.adapters.messages.dms_history import notifications, tax_type
from clearway.adapters.messages.dms_notifications import build_notification
from clearway.adapters.messages.dms_schemas import validate_notification
from clearway.adapters.messages.xml_safety import parse_xml
from clearway.domain import events as ev
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord, StoredEvent

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ASSESSMENT: dict[str, Any] = {
    "items": [
        {
            "sequence": 1,
            "customs_value": "1000.00",
            "applied": {
                "currency": "GBP",
                "lines": [
                    {"measure_type": "103", "expression": "2%", "amount": "20.00"},
                    {"measure_type": "552", "expression": "10%", "amount": "100.00"},
                ],
                "vat_line": {"measure_type": "305", "expression": "20%", "amount": "224.00"},
            },
        }
    ]
}


def _record() -> DeclarationRecord:
    return DeclarationRecord(
        id="d1",
        type="IM",
        lrn="7847767E1WB6",
        declarant_id="GB603202734852",
        status=Status.RELEASED,
        version=1,
        payload={"items": [{"sequence": 1, "preference": "100"}]},
        payload_hash="",
        lodged_by="cds-agent",
        lodged_at=AT,
        updated_at=AT,
        mrn="26GB1234567890ABC1",
        accepted_at=AT,
    )


def _events(*kinds: tuple[str, dict[str, Any]]) -> list[StoredEvent]:
    return [
        StoredEvent(n, f"e{n}", kind, "d1", 1, "x", "a", AT + timedelta(seconds=n), data)
        for n, (kind, data) in enumerate(kinds, 1)
    ]


def test_a_yellow_lane_is_one_dmsdoc_and_the_release_a_dmscle() -> None:
    found = notifications(
        _record(),
        _events(
            (ev.DECLARATION_LODGED, {}),
            (ev.DECLARATION_ACCEPTED, {}),
            (ev.DECLARATION_ASSESSED, {}),
            (ev.DECLARATION_LANED, {"lane": "yellow"}),
            (ev.DECLARATION_HELD, {}),
            (ev.DECLARATION_RELEASED, {}),
        ),
        {1: ASSESSMENT},
    )
    assert [n.kind.name for n in found] == ["DMSRCV", "DMSACC", "DMSTAX", "DMSDOC", "DMSCLE"]
    for notification in found:
        validate_notification(parse_xml(build_notification(notification)))
    (item,) = found[2].items
    lines = {line.type_code: line for line in item.lines}
    assert (lines["A00"].rate, lines["A00"].assessed) == (Decimal(2), Decimal("20.00"))
    assert lines["A30"].assessed == Decimal("100.00")  # anti-dumping
    # VAT on the customs value and every duty: 1000 + 20 + 100.
    assert (lines["B00"].base_amount, lines["B00"].assessed) == (Decimal(1120), Decimal(224))
    assert lines["B00"].duty_regime == "100"


def test_a_blue_lane_is_a_release_to_the_declarant_and_red_puts_goods_under_control() -> None:
    blue = notifications(_record(), _events((ev.DECLARATION_LANED, {"outcome": "released"})), {})
    assert blue == []
    red = notifications(
        _record(),
        _events((ev.DECLARATION_LANED, {"lane": "red"}), (ev.DECLARATION_HELD, {})),
        {},
    )
    assert [n.kind.name for n in red] == ["DMSCTL"]
    referred = notifications(_record(), _events((ev.DECLARATION_REFERRED, {})), {})
    assert [n.kind.name for n in referred] == ["DMSCTL"]


def test_measure_types_are_charged_as_cds_tax_types() -> None:
    assert tax_type("306", "X411") == "411"  # excise, by its UK excise code
    assert tax_type("306", None) is None
    assert [tax_type(m) for m in ("103", "142", "305", "552", "695", "999", None)] == [
        "A00",
        "A00",
        "B00",
        "A30",
        "A20",
        None,
        None,
    ]
