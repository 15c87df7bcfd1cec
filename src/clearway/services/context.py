"""The clearance context: code lists, the administration's settings and the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from clearway.domain.events import utc_now
from clearway.domain.reference import ReferenceData
from clearway.domain.rules import RuleContext
from clearway.domain.tariff.measures import QuotaBalance
from clearway.domain.tariff.tariff import Tariff
from clearway.domain.valuation import ValuationBasis
from clearway.services.risk_stage import RiskStage


@dataclass(slots=True)
class ClearanceContext:
    reference: ReferenceData
    country: str
    national_currency: str
    import_basis: ValuationBasis = ValuationBasis.CIF
    clock: Callable[[], datetime] = field(default=utc_now)
    tariff: Tariff = field(default_factory=Tariff)
    """The administration's tariff; an empty one means declarations are not assessed."""
    quota_balances: Callable[[date], Mapping[str, QuotaBalance]] = field(default=lambda on: {})
    risk: RiskStage = field(default_factory=RiskStage)
    """Criteria, model, trader history and lane selector of the risk stage."""

    def now(self) -> datetime:
        return self.clock()

    def rule_context(self, today: date) -> RuleContext:
        return RuleContext(
            reference=self.reference,
            country=self.country,
            national_currency=self.national_currency,
            today=today,
            import_basis=self.import_basis.value,
        )
