"""Currencies and amounts: which currencies a run may invoice in, at what rate to the US dollar,
and how an amount is written in the wire format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from clearway.domain.reference import ReferenceData, UnusableRate

NATIONAL_CURRENCY = "GBP"
# Prices goods when the reference has no USD rate on the start date (about the 2025 average).
FALLBACK_GBP_PER_USD = 0.79
# ISO 4217 currencies (of those with rates) that have no minor unit.
ZERO_DECIMAL_CURRENCIES = frozenset({"CLP", "JPY", "KRW", "VND"})


def usd_conversion(reference: ReferenceData, start: date) -> dict[str, float]:
    """Units of each currency per US dollar on ``start``; only currencies with a rate then."""
    gbp_per_usd = float(_usable(reference, "USD", start) or FALLBACK_GBP_PER_USD)
    factors = {NATIONAL_CURRENCY: gbp_per_usd}
    for currency in reference.currencies - {NATIONAL_CURRENCY}:
        rate = _usable(reference, currency, start)
        if rate is not None:
            factors[currency] = gbp_per_usd / float(rate)
    return factors


def _usable(reference: ReferenceData, currency: str, on: date) -> Decimal | None:
    # A currency whose stored rate is unusable is left out, as one without a rate is.
    try:
        return reference.rates.rate(currency, on)
    except UnusableRate:
        return None


def cents(amount: float, currency: str) -> int:
    """An amount in hundredths, whole units for currencies without minor units; at least one."""
    if currency in ZERO_DECIMAL_CURRENCIES:
        return max(100, round(amount) * 100)
    return max(1, round(amount * 100))


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
