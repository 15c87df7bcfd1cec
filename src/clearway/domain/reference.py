"""Code lists the validation checks declarations against, held in memory once loaded.

The lists themselves are data (``clearway/reference/data``) loaded into the database by
``clearway reference load``; this module only holds and answers questions about them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """A four-digit procedure code: requested procedure (2) and previous procedure (2)."""

    code: str
    declaration_type: str
    description: str


@dataclass(frozen=True, slots=True)
class PackageKind:
    """UN/ECE Recommendation 21 package type; bulk and unpacked goods carry no package count."""

    code: str
    description: str
    bulk: bool


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """Units of national currency for one unit of ``currency`` from ``valid_from``."""

    currency: str
    valid_from: date
    valid_to: date | None
    rate: Decimal


class RateTable:
    """Exchange rates by currency, answering 'which rate was valid on this date'."""

    def __init__(self, rates: Iterable[ExchangeRate] = ()) -> None:
        by_currency: dict[str, list[ExchangeRate]] = {}
        for rate in rates:
            by_currency.setdefault(rate.currency, []).append(rate)
        self._rates = {c: sorted(rs, key=lambda r: r.valid_from) for c, rs in by_currency.items()}
        self._starts = {c: [r.valid_from for r in rs] for c, rs in self._rates.items()}

    def rate(self, currency: str, on: date) -> Decimal | None:
        rates = self._rates.get(currency)
        if not rates:
            return None
        index = bisect_right(self._starts[currency], on) - 1
        if index < 0:
            return None
        found = rates[index]
        if found.valid_to is not None and on > found.valid_to:
            return None
        return found.rate

    def __len__(self) -> int:
        return sum(len(rates) for rates in self._rates.values())


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """Every code list a declaration is validated against."""

    hs_subheadings: frozenset[str]
    countries: frozenset[str]
    currencies: frozenset[str]
    procedures: dict[str, ProcedureCode]
    package_kinds: dict[str, PackageKind]
    units: frozenset[str]
    preferences: frozenset[str]
    offices: dict[str, str]
    transport_modes: frozenset[str]
    control_lists: frozenset[str]
    document_types: dict[str, str] = field(default_factory=dict)
    rates: RateTable = field(default_factory=RateTable)

    def extends_hs_subheading(self, commodity_code: str) -> bool:
        return commodity_code[:6] in self.hs_subheadings
