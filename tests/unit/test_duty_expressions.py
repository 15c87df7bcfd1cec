"""Duty expressions read from text and evaluated by hand-derived cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clearway.domain.tariff.expressions import (
    DutyComponent,
    ExpressionError,
    evaluate,
    expression_text,
    parse_expression,
)
from clearway.domain.tariff.units import Quantities, QuantityRequired, Unit

EUR_JULY_2021 = Decimal("0.8571")  # xi/monetary_exchange_rates.json, 2021-07


def to_national(amount: Decimal, currency: str) -> Decimal:
    if currency == "GBP":
        return amount
    assert currency == "EUR", currency
    return amount * EUR_JULY_2021


def duty(text: str, value: str, kilograms: str) -> Decimal:
    return evaluate(
        parse_expression(text),
        customs_value=Decimal(value),
        quantities=Quantities({Unit("KGM"): Decimal(kilograms)}),
        to_national=to_national,
    )


FLOOR_AND_CEILING = "2.5% + €1.20/kg MIN €3/kg MAX 20%"


def test_floor_and_ceiling_expression_reads_into_four_components() -> None:
    assert parse_expression(FLOOR_AND_CEILING) == (
        DutyComponent("01", Decimal("2.5")),
        DutyComponent("04", Decimal("1.20"), "EUR", Unit("KGM")),
        DutyComponent("15", Decimal(3), "EUR", Unit("KGM")),
        DutyComponent("17", Decimal(20)),
    )
    assert expression_text(parse_expression(FLOOR_AND_CEILING)) == (
        "2.5% + EUR 1.20/kg MIN EUR 3.00/kg MAX 20%"
    )


@pytest.mark.parametrize(
    ("value", "kilograms", "expected"),
    [
        # neither bites: 10000 x 2.5% + 1.20 x 100 x 0.8571 = 250 + 102.852 = 352.852;
        # floor 3 x 100 x 0.8571 = 257.13; ceiling 10000 x 20% = 2000 → 352.852
        ("10000", "100", Decimal("352.852")),
        # floor bites: 2000 x 2.5% + 102.852 = 152.852 < 257.13; ceiling 400 → 257.13
        ("2000", "100", Decimal("257.13")),
        # ceiling bites: 1000 x 2.5% + 102.852 = 127.852 < floor 257.13, which exceeds the
        # ceiling 1000 x 20% = 200 → 200
        ("1000", "100", Decimal("200")),
    ],
    ids=["neither", "floor", "ceiling"],
)
def test_min_is_a_floor_and_max_a_ceiling(value: str, kilograms: str, expected: Decimal) -> None:
    assert duty(FLOOR_AND_CEILING, value, kilograms) == expected


def test_simple_expressions_read() -> None:
    assert parse_expression("12%") == (DutyComponent("01", Decimal(12)),)
    assert parse_expression("€35.10/100 kg") == (
        DutyComponent("01", Decimal("35.10"), "EUR", Unit("DTN")),
    )
    assert parse_expression("$1.05/kg + 2.3%") == (
        DutyComponent("01", Decimal("1.05"), "USD", Unit("KGM")),
        DutyComponent("04", Decimal("2.3")),
    )
    assert parse_expression("EUR 14.40/DTN") == (
        DutyComponent("01", Decimal("14.40"), "EUR", Unit("DTN")),
    )
    assert parse_expression("Free") == (DutyComponent("01", Decimal(0)),)
    assert expression_text(parse_expression("Free")) == "0%"


def test_read_expressions_evaluate_by_hand() -> None:
    # 1260.89 x 12% = 151.3068
    assert duty("12%", "1260.89", "1") == Decimal("151.3068")
    # 35.10 x 120 (12000 kg = 120 x 100 kg) x 0.8571 = 3610.1052
    assert duty("€35.10/100 kg", "0", "12000") == Decimal("3610.1052")
    assert duty("Free", "1260.89", "1") == 0


@pytest.mark.parametrize(
    "text",
    ["", "twelve percent", "€3", "12% + ", "5%/kg", "€12%", "€3/parsecs", "2.5% plus €1/kg"],
)
def test_unreadable_expression_raises(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_specific_component_without_quantity_raises_quantity_required() -> None:
    with pytest.raises(QuantityRequired) as raised:
        evaluate(
            parse_expression("€35.10/100 kg"),
            customs_value=Decimal(100),
            quantities=Quantities(),
            to_national=to_national,
        )
    assert raised.value.unit == Unit("DTN")


def test_agricultural_component_is_refused_not_priced_at_zero() -> None:
    with pytest.raises(ExpressionError, match="Meursing"):
        evaluate(
            (DutyComponent("01", Decimal(9)), DutyComponent("12", Decimal(0))),
            customs_value=Decimal(100),
            quantities=Quantities(),
            to_national=to_national,
        )
