"""The composition root: one place that wires settings, storage, reference data and handlers."""

from __future__ import annotations

import gc
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Engine

from clearway.adapters import migrate
from clearway.adapters.accounts import UserStore
from clearway.adapters.cds_code_lists import install_cds_code_lists
from clearway.adapters.control_list_store import read_control_list
from clearway.adapters.database import create_database_engine, reading
from clearway.adapters.model_store import active_model
from clearway.adapters.quota_store import quota_balances
from clearway.adapters.reference_store import load_reference, read_reference, reference_loaded
from clearway.adapters.reference_versions import Kind, read_versions
from clearway.adapters.risk_state import seed_shared_state
from clearway.adapters.screening_store import read_screener
from clearway.adapters.selectivity_store import read_selectivity
from clearway.adapters.tariff_store import read_tariff
from clearway.adapters.throttle import SignInThrottle
from clearway.adapters.unit_of_work import SqlAlchemyUnitOfWork
from clearway.config import InsecureSettings, Settings
from clearway.domain.declaration import Declaration
from clearway.domain.ledger import LedgerError
from clearway.domain.reference import RateTable
from clearway.domain.risk.selectivity import Selectivity
from clearway.domain.tariff.measures import QuotaBalance
from clearway.domain.tariff.tariff import Tariff
from clearway.domain.valuation import ValuationBasis
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.context import ClearanceContext
from clearway.services.ledger.signing import read_signing_key
from clearway.services.lodging import Lodged, LodgeDeclaration, LodgeOutcome, lodge_declarations
from clearway.services.lodging_desk import LodgingDesk, lodge_at_desk
from clearway.services.risk_stage import LANE_WINDOW, ActiveModel, RiskStage

QUOTA_BALANCE_TTL_SECONDS = 5.0

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    context: ClearanceContext
    users: UserStore
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    _other_tariffs: dict[str, Tariff] = field(default_factory=dict)
    selectivity: Selectivity = field(default_factory=Selectivity)
    _loaded: dict[Kind, int] = field(default_factory=dict)
    """The reference-data counters of what this process holds."""
    _checked_at: float = -math.inf
    _sync: threading.Lock = field(default_factory=threading.Lock)
    _desk: LodgingDesk[LodgeDeclaration, LodgeOutcome] = field(init=False)

    def __post_init__(self) -> None:
        self._desk = LodgingDesk(self._lodge_many)

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)

    def reads(self) -> SqlAlchemyUnitOfWork:
        """A unit of work that only reads: on SQLite it reads the last committed state while
        a lodging batch or a ledger pass holds the write lock, instead of waiting for it."""
        return SqlAlchemyUnitOfWork(self.engine, reads_only=True)

    def lodge(self, command: LodgeDeclaration) -> Lodged:
        """Lodge one declaration as a request does: in one transaction with the others this
        process is lodging at the same moment (``services.lodging_desk``); raises the refusal."""
        return lodge_at_desk(command, self._desk, self.context)

    def _lodge_many(self, commands: Sequence[LodgeDeclaration]) -> list[LodgeOutcome]:
        return lodge_declarations(commands, self.uow(), self.context)

    def sync(self, *, force: bool = False) -> None:
        """Reload whatever another worker, process or command changed since this process
        loaded it (the counters of ``adapters.reference_versions``); at most once per
        ``reference_check_seconds`` unless ``force``d (after a change made here).

        One thread reloads while the others carry on with what they hold; a forced sync
        waits its turn, so the change it follows is in force when it returns."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.settings.reference_check_seconds:
            return
        if not self._sync.acquire(blocking=force):
            return
        try:
            self._checked_at = now
            with reading(self.engine) as connection:
                stored = read_versions(connection)
            for kind, version in stored.items():
                if self._loaded.get(kind) != version:
                    self._reload[kind](self)
                    self._loaded[kind] = version
        finally:
            self._sync.release()

    def refresh_rates(self) -> None:
        """Re-read code lists, nomenclature and exchange rates."""
        self.context.reference = read_reference(self.engine)

    def rates(self) -> RateTable:
        return self.context.reference.rates

    def refresh_tariff(self) -> None:
        """Re-read the tariff after an administrator loaded one."""
        self.context.tariff = read_tariff(self.engine, self.settings.country)
        self._other_tariffs.clear()

    def refresh_risk_model(self) -> None:
        """Score with the active model (none: declarations are laned without a score)."""
        with reading(self.engine) as connection:
            stored = active_model(connection)
        self.context.risk.model = (
            None if stored is None else ActiveModel(stored.version, stored.model)
        )

    def refresh_selectivity(self) -> None:
        """Re-read rules, lists, value bands and lane targets after an analyst changed them."""
        with reading(self.engine) as connection:
            self.selectivity = read_selectivity(connection)
        self.context.risk.use_selectivity(self.selectivity)

    def refresh_screening(self) -> None:
        """Re-read the sanctions lists and the dismissals after an agency officer changed
        them (the index is rebuilt only when a list changed)."""
        with self.engine.connect() as connection:
            self.context.screening = read_screener(connection, self.settings.screening_cache())

    def refresh_control_list(self) -> None:
        """Re-read the control list in force after the export-control agency loaded one."""
        with reading(self.engine) as connection:
            self.context.control_list = read_control_list(connection)

    _reload: ClassVar[dict[Kind, Callable[[Runtime], None]]] = {
        Kind.REFERENCE: refresh_rates,
        Kind.TARIFF: refresh_tariff,
        Kind.SELECTIVITY: refresh_selectivity,
        Kind.SCREENING: refresh_screening,
        Kind.CONTROL_LIST: refresh_control_list,
        Kind.MODEL: refresh_risk_model,
    }

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
    seed_shared_state(engine, LANE_WINDOW)
    if load_if_empty and not reference_loaded(engine):
        load_reference(engine)


class LedgerOriginMismatch(InsecureSettings):
    """The ledger's key names one origin and ``CLEARWAY_LEDGER_ORIGIN`` another."""


def ledger_origin(settings: Settings, key_name: str, key_file: str | None = None) -> str:
    """The ledger's origin: ``CLEARWAY_LEDGER_ORIGIN`` when set, else the name its key signs
    under (the key's name is the log's origin, c2sp.org/tlog-checkpoint); set to another name
    than the key's, it is refused rather than signing checkpoints verifiers cannot match."""
    if "ledger_origin" not in settings.model_fields_set:
        return key_name
    if settings.ledger_origin != key_name:
        raise LedgerOriginMismatch(
            f"the ledger key {key_file or settings.ledger_key_file} is for the origin "
            f"{key_name!r} but CLEARWAY_LEDGER_ORIGIN is {settings.ledger_origin!r}: unset "
            "CLEARWAY_LEDGER_ORIGIN or give the key of that log"
        )
    return key_name


def with_ledger_origin(settings: Settings) -> Settings:
    """The settings with the origin taken from the ledger's key file (``ledger_origin``); as
    they are when no key file reads (the ledger then says why when it is used)."""
    if not settings.ledger_key_file:
        return settings
    try:
        key = read_signing_key(Path(settings.ledger_key_file))
    except (OSError, LedgerError, ValueError):
        return settings
    origin = ledger_origin(settings, key.name)
    if origin == settings.ledger_origin:
        return settings
    return settings.model_copy(update={"ledger_origin": origin})


@contextmanager
def held_for_life() -> Iterator[None]:
    """While a long-lived command runs (a server, a worker, a bulk file): everything alive
    now, the runtime above all (the screening index's tens of thousands of names, the tariff,
    the code lists), out of the garbage collector's sight. Each full collection would walk all
    of it, and lodging makes enough objects to start one every few hundred declarations (a
    quarter of the time of a bulk run on one core). Given back to the collector when it ends,
    so that a process which builds runtimes again and again (the tests) frees them. No
    collection first: it would walk all of it once more (half a second), to free the few
    cycles left over from start-up."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def built_for_life(build: Callable[[], T], *, until_exit: bool = False) -> Iterator[T]:
    """What ``build`` makes (a runtime), made with the collector paused and then held for
    life (``held_for_life``). Reading a runtime back makes millions of objects (the screening
    index above all), and each collection their making sets off walks all of them made so
    far: with the collector on, they cost a command's start-up some 0.7 s more. They are out
    of its sight before it runs again.

    ``until_exit``: the process ends when this does (a command run as the console script),
    so what it holds stays out of sight. Given back, all of it would be walked by the
    collection Python makes as it exits, and freed object by object: over a second more."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        built = build()
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    try:
        yield built
    finally:
        if not until_exit:
            gc.unfreeze()


def build_runtime(
    settings: Settings, *, prepare: bool = True, clock: Callable[[], datetime] | None = None
) -> Runtime:
    settings = with_ledger_origin(settings)
    install_cds_code_lists()
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
    runtime = Runtime(
        settings=settings,
        engine=engine,
        context=context,
        users=UserStore(engine),
        throttle=SignInThrottle(settings.rate_limit_storage, settings.signin_address_limits),
    )
    context.risk = RiskStage()
    with reading(engine) as connection:
        runtime._loaded = read_versions(connection)
    for reload in Runtime._reload.values():
        reload(runtime)
    with runtime.uow() as uow:
        context.risk.catch_up(uow.lanes)

    cached: dict[date, tuple[float, Mapping[str, QuotaBalance]]] = {}

    def balances(on: date) -> Mapping[str, QuotaBalance]:
        # Balances only guide the choice of option (the draw-down at release is locked and
        # final), so a few seconds' staleness spares bulk lodging a query per declaration.
        now = time.monotonic()
        hit = cached.get(on)
        if hit is None or now - hit[0] > QUOTA_BALANCE_TTL_SECONDS:
            with reading(engine) as connection:
                hit = (now, quota_balances(connection, settings.country, on))
            cached[on] = hit
        return hit[1]

    context.quota_balances = balances
    return runtime
