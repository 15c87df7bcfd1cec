"""The licence check of an export, item by item, without storage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from clearway.domain.declaration import Declaration
from clearway.domain.export_control.control_list import ControlList
from clearway.domain.export_control.controls import check_export
from clearway.domain.export_control.licence import Licence, LicenceItem, LicenceType
from clearway.domain.export_control.referral import ReferralReason
from clearway.entrypoints.schemas import parse_declaration
from tests.conftest import example

ON = date(2026, 11, 23)
EUR_PER_GBP = Decimal("1.15")


def convert(amount: Decimal, source: str, target: str) -> Decimal | None:
    if (source, target) == ("GBP", "EUR"):
        return amount * EUR_PER_GBP
    return amount if source == target else None


def licence(quantity: str, value: str | None = None, currency: str | None = None) -> Licence:
    return Licence(
        number="GBSIEL/2026/0001234",
        type=LicenceType.INDIVIDUAL,
        holder_id="GB555000111000",
        holder_name="Acme Process Pumps Ltd",
        destinations=frozenset({"AE"}),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        items=(
            LicenceItem(
                1,
                "pumps",
                "841370",
                "2B350",
                Decimal(quantity),
                "NAR",
                None if value is None else Decimal(value),
                currency,
            ),
        ),
    )


def two_items() -> Declaration:
    payload = example("export")
    second = dict(payload["items"][0], sequence=2)
    payload["items"].append(second)
    payload["invoice"]["amount"] = "97200.00"
    return parse_declaration(payload).declaration


def test_the_second_item_sees_the_balance_the_first_left() -> None:
    declaration = two_items()
    found = check_export(
        declaration,
        ControlList(),
        {"GBSIEL/2026/0001234": licence("10")},
        on=ON,
        convert=convert,
    )
    assert [draw.sequence for draw in found.draws] == [1]
    (finding,) = found.findings
    assert finding.reason is ReferralReason.LICENCE_MISMATCH and finding.item == 2
    assert "has 4 NAR left, not 6" in finding.message


def test_values_are_compared_in_the_licence_line_currency() -> None:
    declaration = parse_declaration(example("export")).declaration
    # 48,600 GBP is 55,890 EUR at 1.15: a line of 55,000 EUR is short, one of 56,000 is not.
    short = check_export(
        declaration,
        ControlList(),
        {"GBSIEL/2026/0001234": licence("10", "55000", "EUR")},
        on=ON,
        convert=convert,
    )
    assert "has 55000 EUR left, not 55890.00" in short.findings[0].message
    enough = check_export(
        declaration,
        ControlList(),
        {"GBSIEL/2026/0001234": licence("10", "56000", "EUR")},
        on=ON,
        convert=convert,
    )
    (draw,) = enough.draws
    assert draw.value == Decimal("55890.0000") and draw.currency == "EUR" and draw.quantity == 6
