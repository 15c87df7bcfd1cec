"""Customs value per goods item from the invoice.

A value the declarant states (UCC 4/14, on declaration types that carry it) is taken as stated;
an item with no price (an export stating only a statistical value, a simplified declaration) is
valued at its statistical value, or at nothing.

WTO Customs Valuation Agreement Art. 1 (transaction value) and Art. 8.2 (cost of transport and
insurance to the place of importation): the value is built to the administration's basis, CIF
(EU/UK, Art. 8.2 included) or FOB (US-style, excluded). Freight and insurance declared for the
whole consignment are apportioned to items by invoice value. Each amount is converted to national
currency at the rate valid on the acceptance date; nothing is rounded here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from clearway.domain.declaration import (
    Amount,
    Declaration,
    DeclarationType,
    GoodsItem,
    ItemValue,
    Valuation,
)
from clearway.domain.incoterms import ANY_INCOTERM

# The rate errors belong to the rate table; they are re-exported here, where valuation has always
# raised them and callers catch them.
from clearway.domain.reference import MissingRate as MissingRate
from clearway.domain.reference import UnusableRate as UnusableRate
from clearway.domain.reference import usable_rate

RateLookup = Callable[[str, date], Decimal | None]


class ValuationBasis(enum.StrEnum):
    CIF = "CIF"
    FOB = "FOB"


def basis_for(declaration: Declaration, import_basis: ValuationBasis) -> ValuationBasis:
    """Exports are valued FOB at the border of departure; imports at the administration's basis."""
    if declaration.type is DeclarationType.EXPORT:
        return ValuationBasis.FOB
    return import_basis


def freight_and_insurance_adjustment(incoterm_code: str, basis: ValuationBasis) -> tuple[int, int]:
    """Signs (+1 add, -1 deduct, 0 leave) for declared freight and insurance.

    To reach CIF, add what the seller's price leaves out; to reach FOB, deduct what it includes.
    """
    term = ANY_INCOTERM[incoterm_code]
    if basis is ValuationBasis.CIF:
        return (0 if term.includes_main_carriage else 1, 0 if term.includes_insurance else 1)
    return (-1 if term.includes_main_carriage else 0, -1 if term.includes_insurance else 0)


def item_price(item: GoodsItem, declaration: Declaration) -> Amount | None:
    """What the item's value is built from: its price in the invoice currency, else (on an
    export that states no price) its statistical value, else nothing."""
    if item.invoice_amount is not None:
        currency = declaration.invoice.currency if declaration.invoice else None
        if currency is None and item.statistical_value:
            currency = item.statistical_value.currency
        return Amount(currency, item.invoice_amount) if currency else None
    return item.statistical_value


def value_declaration(
    declaration: Declaration,
    *,
    on: date,
    rate: RateLookup,
    national_currency: str,
    import_basis: ValuationBasis = ValuationBasis.CIF,
) -> Valuation:
    """Customs value of every item in ``national_currency``, unrounded.

    Raises ``MissingRate`` when a currency used has no rate valid on ``on``, and
    ``UnusableRate`` (a ``MissingRate``) when the rate found is not fit to convert money at,
    whatever ``rate`` answers: a value built on it would be absurd or would not compute.
    """
    basis = basis_for(declaration, import_basis)
    rates: dict[str, Decimal] = {}

    def to_national(amount: Amount) -> Decimal:
        if amount.currency == national_currency:
            return amount.value
        if amount.currency not in rates:
            rates[amount.currency] = usable_rate(amount.currency, on, rate(amount.currency, on))
        return amount.value * rates[amount.currency]

    freight_sign, insurance_sign = (
        freight_and_insurance_adjustment(declaration.incoterm.code, basis)
        if declaration.incoterm
        else (0, 0)
    )
    freight = to_national(declaration.freight) * freight_sign if declaration.freight else Decimal(0)
    insurance = (
        to_national(declaration.insurance) * insurance_sign if declaration.insurance else Decimal(0)
    )
    prices = [item_price(item, declaration) for item in declaration.items]
    items_total = sum((to_national(price) for price in prices if price), Decimal(0))

    values = []
    for item, price in zip(declaration.items, prices, strict=True):
        item_amount = to_national(price) if price else Decimal(0)
        share = item_amount / items_total if items_total else Decimal(0)
        freight_share = freight * share
        insurance_share = insurance * share
        declared = to_national(item.customs_value) if item.customs_value else None
        values.append(
            ItemValue(
                sequence=item.sequence,
                invoice_amount=item_amount,
                freight_share=freight_share,
                insurance_share=insurance_share,
                customs_value=declared
                if declared is not None
                else item_amount + freight_share + insurance_share,
            )
        )
    return Valuation(
        basis=basis.value,
        currency=national_currency,
        rate_date=on,
        rates=rates,
        items=tuple(values),
    )
