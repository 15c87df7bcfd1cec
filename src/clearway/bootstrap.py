"""The composition root: one place that wires settings, storage, reference data and handlers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from clearway.adapters import migrate
from clearway.adapters.control_list_store import read_control_list
from clearway.adapters.database import create_database_engine
from clearway.adapters.model_store import active_model
from clearway.adapters.quota_store import quota_balances
from clearway.adapters.reference_store import load_reference, read_reference, reference_loaded
from clearway.adapters.risk_store import recent_outcomes, stored_history
from clearway.adapters.screening_store import read_screener
from clearway.adapters.security import UserStore
from clearway.adapters.selectivity_store import read_selectivity
from clearway.adapters.tariff_store import read_tariff
from clearway.adapters.unit_of_work import SqlAlchemyUnitOfWork
from clearway.config import Settings
from clearway.domain.declaration import Declaration
from clearway.domain.reference import RateTable
from clearway.domain.risk.history import rebuilt
from clearway.domain.risk.selectivity import Selectivity
from clearway.domain.tariff.measures import QuotaBalance
from clearway.domain.tariff.tariff import Tariff
from clearway.domain.valuation import ValuationBasis
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.context import ClearanceContext
from clearway.services.risk_stage import ActiveModel, RiskStage

QUOTA_BALANCE_TTL_SECONDS = 5.0
# Lane decisions the selector's rolling window holds (its rates are measured over these).
LANE_WINDOW = 2000


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    context: ClearanceContext
    users: UserStore
    _other_tariffs: dict[str, Tariff] = field(default_factory=dict)
    selectivity: Selectivity = field(default_factory=Selectivity)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)

    def refresh_rates(self) -> None:
        """Re-read exchange rates after an administrator loaded new ones."""
        fresh = read_reference(self.engine)
        self.context.reference = replace(self.context.reference, rates=fresh.rates)

    def rates(self) -> RateTable:
        return self.context.reference.rates

    def refresh_tariff(self) -> None:
        """Re-read the tariff after an administrator loaded one."""
        self.context.tariff = read_tariff(self.engine, self.settings.country)
        self._other_tariffs.clear()

    def refresh_risk_history(self) -> None:
        """Rebuild the trader history and the lane window from the stored decisions and
        findings, as a restarted process must."""
        stage = self.context.risk
        with self.engine.connect() as connection:
            history = rebuilt(stored_history(connection))
            outcomes = recent_outcomes(connection, LANE_WINDOW)
        stage.history = history
        stage.warm(outcomes)

    def refresh_risk_model(self) -> None:
        """Score with the active model (none: declarations are laned without a score)."""
        with self.engine.connect() as connection:
            stored = active_model(connection)
        self.context.risk.model = (
            None if stored is None else ActiveModel(stored.version, stored.model)
        )

    def refresh_selectivity(self) -> None:
        """Re-read rules, lists, value bands and lane targets after an analyst changed them."""
        with self.engine.connect() as connection:
            self.selectivity = read_selectivity(connection)
        self.context.risk.use_selectivity(self.selectivity)

    def refresh_screening(self) -> None:
        """Re-read the sanctions lists and the dismissals after an agency officer changed
        them (the index is rebuilt only when a list changed)."""
        with self.engine.connect() as connection:
            self.context.screening = read_screener(connection)

    def refresh_control_list(self) -> None:
        """Re-read the control list in force after the export-control agency loaded one."""
        with self.engine.connect() as connection:
            self.context.control_list = read_control_list(connection)

    def tariff_for(self, jurisdiction: str | None) -> Tariff:
        """The administration's tariff, or another jurisdiction's (read once, then kept)."""
        if jurisdiction is None or jurisdiction == self.settings.country:
            return self.context.tariff
        if jurisdiction not in self._other_tariffs:
            self._other_tariffs[jurisdiction] = read_tariff(self.engine, jurisdiction)
        return self._other_tariffs[jurisdiction]


def stored_declaration(document: Mapping[str, Any]) -> Declaration:
    """A stored declaration document read back into the domain (it was valid when stored)."""
    return parse_declaration(dict(document)).declaration


def prepare_database(engine: Engine, *, load_if_empty: bool = True) -> None:
    """Migrate to the newest schema and load the shipped reference data if none is there."""
    migrate.upgrade(engine)
    if load_if_empty and not reference_loaded(engine):
        load_reference(engine)


def build_runtime(
    settings: Settings, *, prepare: bool = True, clock: Callable[[], datetime] | None = None
) -> Runtime:
    engine = create_database_engine(settings.database_url)
    if prepare:
        prepare_database(engine)
    context = ClearanceContext(
        reference=read_reference(engine),
        country=settings.country,
        national_currency=settings.national_currency,
        import_basis=ValuationBasis(settings.valuation_basis),
        referral_deadline=timedelta(hours=settings.referral_deadline_hours),
        read_declaration=stored_declaration,
    )
    if clock is not None:
        context.clock = clock
    runtime = Runtime(settings=settings, engine=engine, context=context, users=UserStore(engine))
    runtime.refresh_tariff()
    runtime.refresh_control_list()
    runtime.refresh_screening()
    context.risk = RiskStage()
    runtime.refresh_risk_history()
    runtime.refresh_selectivity()
    runtime.refresh_risk_model()

    cached: dict[date, tuple[float, Mapping[str, QuotaBalance]]] = {}

    def balances(on: date) -> Mapping[str, QuotaBalance]:
        # Balances only guide the choice of option (the draw-down at release is locked and
        # final), so a few seconds' staleness spares bulk lodging a query per declaration.
        now = time.monotonic()
        hit = cached.get(on)
        if hit is None or now - hit[0] > QUOTA_BALANCE_TTL_SECONDS:
            with engine.connect() as connection:
                hit = (now, quota_balances(connection, settings.country, on))
            cached[on] = hit
        return hit[1]

    context.quota_balances = balances
    return runtime
