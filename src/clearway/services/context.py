"""The clearance context: code lists, the administration's settings and the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from clearway.domain.declaration import Declaration
from clearway.domain.events import utc_now
from clearway.domain.export_control.control_list import ControlList
from clearway.domain.reference import ReferenceData
from clearway.domain.rules import RuleContext
from clearway.domain.tariff.measures import QuotaBalance
from clearway.domain.tariff.tariff import Tariff
from clearway.domain.valuation import ValuationBasis
from clearway.services.risk_stage import RiskStage
from clearway.services.screening.screener import Screener


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
    screening: Screener = field(default_factory=Screener)
    """The sanctions and denied-party lists in force with the agency's dismissals; an empty
    one matches nothing."""
    control_list: ControlList = field(default_factory=ControlList)
    """The dual-use control list in force; an empty one means no item correlates with an entry."""
    referral_deadline: timedelta = timedelta(hours=72)
    """How long the agency has to answer a referral before it goes to customs officers."""
    read_declaration: Callable[[Mapping[str, Any]], Declaration] | None = None
    """Reads a stored declaration document back into a declaration (set by the composition
    root, which knows the wire format)."""

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
