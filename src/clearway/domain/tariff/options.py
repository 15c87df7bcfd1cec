"""What the duty engine answers: the options for an item, their duty lines, the requirements
on it, and the option applied (see ``duty`` for how they are worked out)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from clearway.domain.tariff.units import Quantities


class OptionKind(enum.StrEnum):
    THIRD_COUNTRY = "third_country"
    PREFERENCE = "preference"
    QUOTA = "quota"
    SUSPENSION = "suspension"


def claimed_kind(preference: str | None) -> OptionKind:
    """The option a declared preference code (UCC DA Annex B, D.E. 4/17) asks for.

    First digit 1 is the third-country regime, 2 and 3 preferences (GSP, agreements); the last
    two digits say whether a suspension (18, 19) or a tariff quota (20, 23) is claimed.
    """
    if not preference or len(preference) != 3:
        return OptionKind.THIRD_COUNTRY
    detail = preference[1:]
    if detail in ("18", "19"):
        return OptionKind.SUSPENSION
    if detail in ("20", "23"):
        return OptionKind.QUOTA
    if preference[0] in "23":
        return OptionKind.PREFERENCE
    return OptionKind.THIRD_COUNTRY


@dataclass(frozen=True, slots=True)
class DutyItem:
    """One goods item as the duty engine needs it."""

    commodity_code: str
    origin: str
    on: date
    customs_value: Decimal
    quantities: Quantities = field(default_factory=Quantities)
    additional_codes: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    preference: str | None = None
    net_mass_kg: Decimal | None = None
    supplementary_quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DutyLine:
    measure_sid: str
    measure_type: str
    description: str
    expression: str
    amount: Decimal
    additional_code: str | None = None


@dataclass(frozen=True, slots=True)
class DutyOption:
    kind: OptionKind
    measure_sid: str | None
    measure_type: str | None
    description: str
    lines: tuple[DutyLine, ...]
    vat: DutyLine | None
    order_number: str | None = None
    area: str | None = None
    available: bool = True
    reason: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def duty(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def vat_amount(self) -> Decimal:
        return self.vat.amount if self.vat else Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.duty + self.vat_amount


@dataclass(frozen=True, slots=True)
class Requirement:
    """A prohibition or restriction (series A/B) on the item, for the controls stage."""

    measure_sid: str
    measure_type: str
    description: str
    documents: tuple[str, ...]
    satisfied: bool
    detail: str
    prohibition: bool = False
    """Series A (a prohibition, lifted only by the documents its conditions name); otherwise
    series B, a restriction: the goods may pass once the documents are produced."""


@dataclass(frozen=True, slots=True)
class ItemAssessment:
    commodity_code: str
    origin: str
    on: date
    customs_value: Decimal
    options: tuple[DutyOption, ...]
    refused: tuple[DutyOption, ...]
    applied: DutyOption
    reason: str
    requirements: tuple[Requirement, ...] = ()
    quota_draw: QuotaDraw | None = None
    """What the applied quota option takes from its balance at release."""
    fallback: DutyOption | None = None
    fallback_reason: str | None = None
    """The option applied instead should the quota be exhausted by release."""


@dataclass(frozen=True, slots=True)
class QuotaDraw:
    order_number: str
    amount: Decimal
    unit: str | None
