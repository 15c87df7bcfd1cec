"""Seeding the demo: one user per role, illustrative selectivity criteria, a risk model trained
on a simulated past and a few hundred generated declarations that it scores."""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from clearway.adapters.control_list_store import load_illustrative_control_list
from clearway.adapters.model_store import activate, save_model
from clearway.adapters.risk_state import SqlAlchemyHistoryStore
from clearway.adapters.sanctions_files import read_shipped_lists
from clearway.adapters.screening_store import load_list
from clearway.adapters.selectivity_store import SqlAlchemySelectivityStore
from clearway.adapters.tariff_store import load_illustrative_tariff, store_records
from clearway.adapters.uk_tariff_files import read_uk_directory
from clearway.bootstrap import Runtime
from clearway.domain.access import USER_ROLES, Principal, Role
from clearway.domain.export_control.licence import Licence, LicenceItem, LicenceType
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.selectivity import AEO_LIST, ValueBand
from clearway.entrypoints.cli.output import make_console
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.licensing import IssueLicence, issue_licence
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations
from clearway.services.selectivity_admin import (
    AddRule,
    LaneRates,
    PutLaneTargets,
    PutList,
    PutValueBands,
    RuleDraft,
    add_rule,
    put_lane_targets,
    put_list,
    put_value_bands,
)
from clearway.services.simulation import SimulatedDeclaration, simulate_labelled
from clearway.services.simulation.findings import simulated_findings, train_on_findings

DEMO_ANALYST = "demo-seed"
# The simulated past the demo's model learns from, declarations lodged before the demo's own
# over 30 days: about a second to value and observe, a second to train.
PAST_DECLARATIONS = 2000
# Share of the simulated declarations made suspicious, in the past and among the demo's own.
SUSPICIOUS_SHARE = 0.1


@dataclass(frozen=True)
class DemoUser:
    role: str
    username: str
    password: str
    company: str | None


def seed_selectivity(runtime: Runtime, aeo: Sequence[str]) -> None:
    """Put the illustrative criteria, value bands and lane rates in force."""
    source = resources.files("clearway.reference").joinpath(
        "data/risk/illustrative-selectivity.json"
    )
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    now = runtime.context.now()
    store = SqlAlchemySelectivityStore(runtime.engine)
    lists = {
        **data["lists"],
        AEO_LIST: {"description": "Authorised economic operators", "codes": aeo},
    }
    for name, entry in lists.items():
        put_list(PutList(name, entry["description"], entry["codes"], DEMO_ANALYST), store, now)
    bands = [
        ValueBand(
            band["commodity_prefix"],
            band["unit"],
            _decimal(band["min_unit_value"]),
            _decimal(band["max_unit_value"]),
        )
        for band in data["value_bands"]
    ]
    units = runtime.context.reference.units
    put_value_bands(PutValueBands(bands, DEMO_ANALYST, frozenset(units)), store, now)
    rates = [LaneRates(Lane(target.pop("lane")), **target) for target in data["lane_targets"]]
    put_lane_targets(PutLaneTargets(rates, DEMO_ANALYST), store, now)
    for rule in data["rules"]:
        draft = RuleDraft(
            rule["expression"],
            "risk team",
            rule["reason"],
            now.date(),
            applies_to_aeo=rule.get("applies_to_aeo", True),
        )
        add_rule(AddRule(draft, DEMO_ANALYST), store, now)
    runtime.sync(force=True)


def seed_licence(runtime: Runtime) -> None:
    """The licence the published export example cites, so that the example clears."""
    licence = Licence(
        number="GBSIEL/2026/0001234",
        type=LicenceType.INDIVIDUAL,
        holder_id="GB555000111000",
        holder_name="Acme Process Pumps Ltd",
        destinations=frozenset({"AE"}),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        items=(
            LicenceItem(
                1,
                "Multi-seal pumps for corrosive fluids",
                "841370",
                "2B350",
                Decimal(60),
                "NAR",
                Decimal(500000),
                "GBP",
            ),
        ),
        consignees=("Gulf Petrochemical Services LLC",),
        end_users=("Gulf Petrochemical Services LLC",),
        conditions="Demo licence: end-use statement on file; no re-export without consent.",
    )
    agency = Principal("demo-agency", Role.AGENCY)
    issue_licence(IssueLicence(licence, agency), runtime.uow(), runtime.context)


@dataclass(frozen=True, slots=True)
class DemoModel:
    """The risk model trained on the simulated past: its version and how well it did."""

    version: int
    declarations: int
    frauds: int
    training_rows: int
    metrics: dict[str, Any]
    seconds: float

    def summary(self) -> str:
        metrics = self.metrics
        return (
            f"Risk model version {self.version} (active) trained in {self.seconds:.1f} s on "
            f"{self.declarations:,} simulated past declarations, {self.frauds:,} found "
            f"suspicious ({self.training_rows:,} lines fitted): AUC {metrics['auc']:.3f} on the "
            f"{metrics['held_out_rows']:,} lines of the latest days, held out."
        )


def seed_risk_model(
    runtime: Runtime, past: Sequence[SimulatedDeclaration], *, seed: int = 0
) -> DemoModel:
    """Train a model on ``past`` with a finding of fraud on each declaration the simulator made
    suspicious, store it as the next version and make it active; the trader history it learned
    becomes what the administration knows, so the declarations lodged next are scored against
    it. Needs the tariff loaded (duty rates are features); raises ``TrainingError`` when
    ``past`` has too few findings of either kind."""
    started = time.perf_counter()
    now = runtime.context.now()
    parsed = ((parse_declaration(d.payload).declaration, d.suspicious) for d in past)
    findings = simulated_findings(parsed, runtime.context, now)
    trained = train_on_findings(findings, seed=seed)
    with runtime.engine.begin() as connection:
        version = save_model(
            connection,
            trained.model,
            created_by=DEMO_ANALYST,
            source=(
                f"simulated findings: {findings.frauds:,} suspicious of "
                f"{findings.declarations:,} declarations"
            ),
            settings=trained.settings,
            metrics=trained.metrics,
            training_rows=trained.training_rows,
            baseline=trained.baseline,
            now=now,
        )
        activate(connection, version, now=now)
        SqlAlchemyHistoryStore(connection).add(findings.known())
    runtime.sync(force=True)
    return DemoModel(
        version,
        findings.declarations,
        findings.frauds,
        trained.training_rows,
        trained.metrics,
        time.perf_counter() - started,
    )


def _print(line: str) -> None:
    make_console(highlight=False).print(line)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def demo_traffic(
    runtime: Runtime, count: int, seed: int = 2026
) -> tuple[list[SimulatedDeclaration], list[dict[str, Any]]]:
    """The simulated past the demo's model learns from, and ``count`` declarations that continue
    it (the same traders and partners, a tenth of them suspicious), as payloads to lodge."""
    simulated = list(
        simulate_labelled(
            PAST_DECLARATIONS + count,
            seed,
            reference=runtime.context.reference,
            suspicious_share=SUSPICIOUS_SHARE,
        )
    )
    return simulated[:PAST_DECLARATIONS], [d.payload for d in simulated[PAST_DECLARATIONS:]]


def configure_demo(
    runtime: Runtime,
    past: Sequence[SimulatedDeclaration],
    payloads: Sequence[dict[str, Any]],
    *,
    report: Callable[[str], None] = _print,
) -> None:
    """Configure every stage as the demo runs it: the illustrative tariff (and the real UK
    records beside the project), the shipped sanctions lists, the illustrative control list, a
    risk model trained on ``past``, selectivity criteria with the five busiest declarants of
    ``payloads`` as authorised operators, and a licence. ``report`` tells which model scores."""
    load_illustrative_tariff(runtime.engine, runtime.settings.country)
    uk_records = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "uk-tariff"
    if uk_records.is_dir():
        # The real UK records (2021) for quotes on past dates, when they sit beside the project.
        for records in read_uk_directory(uk_records):
            store_records(runtime.engine, records)
    runtime.sync(force=True)
    # The shipped OFAC SDN, BIS Denied Persons and UN lists, so that parties are screened.
    with runtime.engine.begin() as connection:
        for sanctions_list in read_shipped_lists():
            load_list(connection, sanctions_list, actor=DEMO_ANALYST, at=runtime.context.now())
    runtime.sync(force=True)
    load_illustrative_control_list(runtime.engine)
    runtime.sync(force=True)
    report(seed_risk_model(runtime, past).summary())
    declarants = Counter(payload["declarant"]["id"] for payload in payloads)
    # The five busiest declarants are authorised economic operators in the demo.
    seed_selectivity(runtime, aeo=[declarant for declarant, _ in declarants.most_common(5)])
    seed_licence(runtime)


def seed_demo(
    runtime: Runtime,
    count: int,
    seed: int = 2026,
    *,
    report: Callable[[str], None] = _print,
) -> tuple[list[DemoUser], int]:
    """Seed the demo and lodge ``count`` declarations; ``report`` tells which model scores
    them. The declarations continue the simulated past the model learned from (the same
    traders and partners), a tenth of them suspicious."""
    past, payloads = demo_traffic(runtime, count, seed)
    configure_demo(runtime, past, payloads, report=report)
    declarants = Counter(payload["declarant"]["id"] for payload in payloads)
    trader_company = declarants.most_common(1)[0][0] if declarants else "GB123456789000"
    accounts = [
        (role.value, role, trader_company if role is Role.TRADER else None) for role in USER_ROLES
    ]
    # The declarants of the published example declarations, so that they can be lodged as is.
    accounts += [
        ("broker", Role.TRADER, "GB123456789000"),
        ("exporter", Role.TRADER, "GB555000111000"),
    ]
    credentials = []
    for username, role, company in accounts:
        password = secrets.token_urlsafe(9)
        runtime.users.create(username, password, role, company)
        credentials.append(DemoUser(role.value, username, password, company))
    actor = Principal("demo-seed", Role.SYSTEM)
    commands = []
    for payload in payloads:
        parsed = parse_declaration(payload)
        commands.append(LodgeDeclaration(parsed.declaration, parsed.document, actor))
    outcomes = lodge_declarations(commands, runtime.uow(), runtime.context)
    return credentials, sum(isinstance(outcome, Lodged) for outcome in outcomes)
