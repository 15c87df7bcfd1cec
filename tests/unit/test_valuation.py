"""Customs value: Incoterm adjustments, apportionment, conversion; exact to the last digit."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from clearway.domain.declaration import Amount, Declaration, Incoterm
from clearway.domain.valuation import MissingRate, ValuationBasis, value_declaration
from clearway.entrypoints.schemas import parse_declaration
from tests.conftest import example

RATES = {"EUR": Decimal("0.85425"), "USD": Decimal("0.7812")}
ON = date(2026, 11, 23)


def rate(currency: str, on: date) -> Decimal | None:
    return RATES.get(currency)


def imported(**changes: object) -> Declaration:
    declaration = parse_declaration(example("import")).declaration
    return dataclasses.replace(declaration, **changes)  # type: ignore[arg-type]


def value(declaration: Declaration, basis: ValuationBasis = ValuationBasis.CIF) -> Decimal:
    return value_declaration(
        declaration, on=ON, rate=rate, national_currency="GBP", import_basis=basis
    ).total


def test_fob_import_on_cif_basis_adds_freight_and_insurance() -> None:
    assert value(imported()) == (Decimal("18400.00") + Decimal("1350.00") + Decimal("92.00")) * (
        Decimal("0.85425")
    )
    assert value(imported()) == Decimal("16950.0285")


@pytest.mark.parametrize(
    ("incoterm", "cif_basis", "fob_basis"),
    [
        # invoice 18400, freight 1350, insurance 92, all EUR
        ("EXW", "19842.00", "18400.00"),
        ("FCA", "19842.00", "18400.00"),
        ("FOB", "19842.00", "18400.00"),
        ("CFR", "18492.00", "17050.00"),  # freight in the price: add insurance / deduct freight
        ("CIF", "18400.00", "16958.00"),
        ("CIP", "18400.00", "16958.00"),
        ("DAP", "18400.00", "16958.00"),
    ],
)
def test_incoterm_decides_what_is_added_or_deducted(
    incoterm: str, cif_basis: str, fob_basis: str
) -> None:
    declaration = imported(incoterm=Incoterm(incoterm, "Agadir"))
    assert value(declaration, ValuationBasis.CIF) == Decimal(cif_basis) * RATES["EUR"]
    assert value(declaration, ValuationBasis.FOB) == Decimal(fob_basis) * RATES["EUR"]


def test_freight_apportioned_by_value_across_items_in_other_currency() -> None:
    base = imported()
    first = dataclasses.replace(base.items[0], invoice_amount=Decimal("12000.00"))
    second = dataclasses.replace(base.items[0], sequence=2, invoice_amount=Decimal("6400.00"))
    declaration = dataclasses.replace(
        base,
        items=(first, second),
        freight=Amount("USD", Decimal("1500.00")),
        insurance=None,
    )
    valuation = value_declaration(declaration, on=ON, rate=rate, national_currency="GBP")
    freight_gbp = Decimal("1500.00") * RATES["USD"]
    one, two = valuation.items
    assert one.freight_share == freight_gbp * (Decimal("12000.00") / Decimal("18400.00"))
    assert two.freight_share == freight_gbp * (Decimal("6400.00") / Decimal("18400.00"))
    assert one.customs_value == Decimal("12000.00") * RATES["EUR"] + one.freight_share
    assert valuation.total == Decimal("18400.00") * RATES["EUR"] + freight_gbp
    assert valuation.rates == {"EUR": RATES["EUR"], "USD": RATES["USD"]}


def test_export_is_valued_fob_whatever_the_import_basis() -> None:
    declaration = parse_declaration(example("export")).declaration
    cif = dataclasses.replace(
        declaration,
        incoterm=Incoterm("CIP", "Sharjah"),
        freight=Amount("GBP", Decimal("2100.00")),
        insurance=Amount("GBP", Decimal("150.00")),
    )
    valuation = value_declaration(cif, on=ON, rate=rate, national_currency="GBP")
    assert valuation.basis == "FOB"
    assert valuation.total == Decimal("48600.00") - Decimal("2100.00") - Decimal("150.00")


def test_missing_rate_is_named() -> None:
    declaration = imported(freight=Amount("JPY", Decimal("100000")))
    with pytest.raises(MissingRate, match="JPY valid on 2026-11-23"):
        value_declaration(declaration, on=ON, rate=rate, national_currency="GBP")
