"""Money: ``Decimal`` end to end, rounded half-up to the minor unit only when presented."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
# The largest figure presented. Rounding works within the default 28-digit decimal context, so a
# figure of 26 integer digits could not be shown to the penny; no customs amount comes near this
# one (a declaration's value is at most 10^16 in its currency, world trade about 10^14 a year).
MAX_AMOUNT = Decimal(10) ** 25


def round_money(amount: Decimal, exponent: Decimal = PENNY) -> Decimal:
    """Round a final figure half-up to the minor unit (never an intermediate)."""
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def presentable(amount: Decimal) -> bool:
    """Whether ``round_money`` can show ``amount``: finite and smaller than ``MAX_AMOUNT``."""
    return amount.is_finite() and abs(amount) < MAX_AMOUNT
