"""A risk model trained on simulated findings, as ``clearway demo`` and the benchmarks train it:
the simulator knows which declarations it made suspicious, and the model learns to put those
first, on the days held out of its training and on the declarations that follow them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score

from clearway.adapters.model_store import list_models
from clearway.adapters.risk_state import SqlAlchemyHistoryStore
from clearway.bootstrap import Runtime, build_runtime
from clearway.config import Settings
from clearway.domain.access import Principal, Role
from clearway.domain.risk.history import History
from clearway.entrypoints.cli.demo import (
    PAST_DECLARATIONS,
    SUSPICIOUS_SHARE,
    DemoModel,
    seed_risk_model,
)
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations
from clearway.services.simulation import SimulatedDeclaration, simulate, simulate_labelled
from clearway.services.simulation.findings import HISTORY_DAYS, simulated_findings

# As ``clearway demo`` seeds by default: its seed, and 300 declarations after the past.
SEED = 2026
DEMO_COUNT = 300


@dataclass(frozen=True)
class Trained:
    runtime: Runtime
    model: DemoModel
    following: list[SimulatedDeclaration]


@pytest.fixture(scope="module")
def trained(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trained]:
    """The demo's model: trained on the simulated past, stored and active in a fresh database
    holding the illustrative tariff; with the declarations the demo lodges after that past."""
    path = tmp_path_factory.mktemp("findings") / "clearway.db"
    shutil.copy(sqlite_template, path)
    runtime = build_runtime(Settings(database_url=f"sqlite:///{path}", demo=True), prepare=False)
    simulated = list(
        simulate_labelled(
            PAST_DECLARATIONS + DEMO_COUNT,
            SEED,
            reference=runtime.context.reference,
            suspicious_share=SUSPICIOUS_SHARE,
        )
    )
    model = seed_risk_model(runtime, simulated[:PAST_DECLARATIONS])
    yield Trained(runtime, model, simulated[PAST_DECLARATIONS:])
    runtime.engine.dispose()


def test_labelled_declarations_are_those_simulate_gives_with_their_ground_truth(
    trained: Trained,
) -> None:
    reference = trained.runtime.context.reference
    labelled = list(
        simulate_labelled(400, 11, reference=reference, bad_share=0.1, suspicious_share=0.2)
    )
    payloads = simulate(400, 11, reference=reference, bad_share=0.1, suspicious_share=0.2)
    assert [declaration.payload for declaration in labelled] == list(payloads)
    assert sum(declaration.suspicious for declaration in labelled) == 80
    assert sum(declaration.broken_rules > 0 for declaration in labelled) == 40
    assert not any(d.suspicious and d.broken_rules for d in labelled)
    assert {d.suspicion for d in labelled} == {None, "undervalued", "unusual_origin", "new_trader"}
    exports = [d for d in labelled if d.payload["type"] == "EX" and d.suspicious]
    assert exports and all(d.suspicion != "unusual_origin" for d in exports)


def test_findings_cover_the_days_before_now_and_leave_out_what_does_not_clear(
    trained: Trained,
) -> None:
    runtime = trained.runtime
    simulated = list(
        simulate_labelled(
            200, 5, reference=runtime.context.reference, bad_share=0.1, suspicious_share=0.1
        )
    )
    now = runtime.context.now()
    findings = simulated_findings(
        ((parse_declaration(d.payload).declaration, d.suspicious) for d in simulated),
        runtime.context,
        now,
    )
    # The declarations made to break a rule are refused as lodging refuses them.
    assert findings.refused == 20 and findings.declarations == 180
    assert findings.frauds == 20
    days = sorted({o.day for finding in findings.findings for o in finding.seen})
    assert days[0] == now.date() - timedelta(days=HISTORY_DAYS)
    assert days[-1] == now.date() - timedelta(days=1)
    assert len(days) == HISTORY_DAYS
    history = findings.history()
    assert len(history.outcomes) == len(history.observations)  # every line has its outcome
    assert sum(history.outcomes.values()) == sum(
        len(finding.seen) for finding in findings.findings if finding.fraud
    )
    # The duty rates are those the illustrative tariff gives, as the risk stage observes them.
    imports = [o for o in history.observations if o.code("tax_type")]
    assert imports and any(o.tax_rate > 0 for o in imports)


def test_the_model_ranks_the_suspicious_lines_first_on_the_days_held_out(
    trained: Trained,
) -> None:
    model = trained.model
    assert model.declarations == PAST_DECLARATIONS
    assert model.frauds == pytest.approx(PAST_DECLARATIONS * SUSPICIOUS_SHARE, rel=0.2)
    metrics = model.metrics
    # The latest 15% of the 30 days, some 370 lines, about a tenth of them on suspicious
    # declarations (the lines of one declaration share its finding). Measured: AUC 0.933; the
    # held-out days also stopped the boosting, so this is a little optimistic (next test).
    assert 300 <= metrics["held_out_rows"] <= 450
    assert metrics["auc"] >= 0.85
    # Measured 0.892 of the top tenth suspicious, where a random pick finds about 0.12.
    assert metrics["precision_at_10"] >= 0.6
    assert model.seconds < 15


def test_the_declarations_after_the_past_are_scored_suspicious_first(trained: Trained) -> None:
    runtime = trained.runtime
    actor = Principal("demo-seed", Role.SYSTEM)
    commands = []
    for declaration in trained.following:
        parsed = parse_declaration(declaration.payload)
        commands.append(LodgeDeclaration(parsed.declaration, parsed.document, actor))
    outcomes = lodge_declarations(commands, runtime.uow(), runtime.context)
    assert all(isinstance(outcome, Lodged) for outcome in outcomes)
    scores = []
    for outcome in outcomes:
        assert isinstance(outcome, Lodged)
        risk = outcome.record.risk
        assert risk is not None and risk["model_version"] == trained.model.version
        scores.append(risk["score"])
    suspicious = [declaration.suspicious for declaration in trained.following]
    assert 20 <= sum(suspicious) <= 50
    # Declarations neither trained on nor used to stop the training: measured AUC 0.994.
    assert roc_auc_score(suspicious, scores) >= 0.95
    flagged = [score for score, found in zip(scores, suspicious, strict=True) if found]
    clean = [score for score, found in zip(scores, suspicious, strict=True) if not found]
    assert sorted(clean)[len(clean) // 2] < 0.1 < sorted(flagged)[len(flagged) // 2]


def test_the_model_is_stored_active_with_the_history_it_learned(trained: Trained) -> None:
    runtime = trained.runtime
    following = simulated_findings(
        [(parse_declaration(trained.following[0].payload).declaration, False)],
        runtime.context,
        runtime.context.now(),
        days=1,
    )
    (first_line, *_) = following.findings[0].seen
    with runtime.engine.connect() as connection:
        (stored,) = list_models(connection)
        tallies, inspected, frauds = SqlAlchemyHistoryStore(connection).read(
            History().stored_keys(first_line)
        )
    assert stored.version == trained.model.version and stored.active
    assert stored.created_by == "demo-seed"
    assert stored.source == (
        f"simulated findings: {trained.model.frauds:,} suspicious of "
        f"{trained.model.declarations:,} declarations"
    )
    assert stored.training_rows == trained.model.training_rows
    assert runtime.context.risk.model is not None
    assert runtime.context.risk.model.version == stored.version
    # What the past taught is what the next declaration is scored against: every line of it
    # was inspected, a tenth of them (by declaration) found irregular.
    assert inspected > PAST_DECLARATIONS and 0.05 < frauds / inspected < 0.15
    importer = first_line.code("importer")
    assert importer is not None
    assert any(key.startswith("importer\x1f") and importer in key for key in tallies)
