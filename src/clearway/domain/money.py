"""Money: ``Decimal`` end to end, rounded half-up to the minor unit only when presented."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")


def round_money(amount: Decimal, exponent: Decimal = PENNY) -> Decimal:
    """Round a final figure half-up to the minor unit (never an intermediate)."""
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)
