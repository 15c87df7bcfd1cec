"""The learned risk model's life cycle as an analyst lives it: evaluate on KCS slices, train from
a file, store versions, promote and roll back (CLI and API), retrain on the officers' findings,
and watch drift, on each database.

Slices of the KCS dataset (/work/shared/data/kcs-customs-declarations, MIT): the first 3,000
training rows (2020-01-01 to 2020-01-21), 800 validation rows and 800 test rows. The full test
split is kept for the final figure.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.history_files import (
    LabelledHistory,
    read_history,
    read_mapping,
    shipped_mapping,
)
from clearway.adapters.model_store import (
    activate,
    active_model,
    list_models,
    load_model,
    rollback,
    save_model,
)
from clearway.adapters.risk_model import ModelSettings, RiskModel, fit
from clearway.adapters.risk_tables import findings, risk_decisions, risk_models
from clearway.adapters.tables import declarations
from clearway.bootstrap import Runtime
from clearway.domain.errors import Conflict, NotFound
from clearway.domain.risk.drift import baseline
from clearway.domain.risk.history import replay
from clearway.domain.risk.history_keys import feature_names
from clearway.domain.risk.observation import Observation, observation_document
from clearway.services.risk_training import (
    NoActiveModel,
    database_history,
    drift_report,
    history_from_database,
    train_from_history,
)
from tests.conftest import NOW, ROOT, invoke_cli, one_line_error

KCS = ROOT.parent / "shared" / "data" / "kcs-customs-declarations"
FAST = ModelSettings(threads=1)
MODELS = "/api/v1/risk/models"


def run(database_url: str, *args: str) -> Any:
    """``clearway risk ARGS`` on ``database_url``, in this process (the same Typer app, a fresh
    settings read). Commands that train are given ``--threads 1``: LightGBM's threads
    spin-wait, which a busy test machine punishes."""
    return invoke_cli(database_url, "risk", *args)


def run_json(database_url: str, *args: str) -> Any:
    done = run(database_url, *args, "--json")
    assert done.exit_code == 0, done.output
    return orjson.loads(done.stdout)


def refuse(database_url: str, *args: str) -> str:
    """Run a command expected to fail; its one-line error."""
    result = run(database_url, *args)
    message = one_line_error(result)
    assert result.stdout == ""
    return f"error: {message}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite database, for the flows that train models through the command line
    (seconds of LightGBM each); the store itself is tested on every database below."""
    path = tmp_path / "clearway.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def active_versions(database_url: str) -> list[int]:
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        found = [info.version for info in list_models(connection) if info.active]
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def slices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The first rows of each KCS split, header included."""
    folder = tmp_path_factory.mktemp("kcs")
    found = {}
    for split, rows in (("train", 3000), ("valid", 800), ("test", 800)):
        path = folder / f"{split}.csv"
        with (KCS / f"df_syn_{split}_eng.csv").open(encoding="utf-8") as source:
            path.write_text("".join(islice(source, rows + 1)), encoding="utf-8")
        found[split] = path
    return found


@pytest.fixture(scope="module")
def kcs_train(slices: dict[str, Path]) -> LabelledHistory:
    return read_history(slices["train"], read_mapping(shipped_mapping("kcs")))


def tiny_model(seed: int) -> tuple[RiskModel, dict[str, Any]]:
    """A small booster over the real feature names, and its baseline: for the store tests."""
    names = feature_names()
    draw = random.Random(seed)
    rows = [[draw.random() for _ in names] for _ in range(200)]
    labels = [row[0] > 0.7 for row in rows]
    model = fit(rows, labels, names, seed=seed, settings=ModelSettings(max_rounds=5, threads=1))
    return model, baseline(names, rows).document()


def store_tiny(engine: Engine, count: int) -> None:
    for seed in range(count):
        model, document = tiny_model(seed)
        with engine.begin() as connection:
            save_model(
                connection,
                model,
                created_by="analyst",
                source=f"tiny {seed}",
                settings={"seed": seed},
                metrics={"precision_at_10": 0.5, "auc": 0.6},
                training_rows=200,
                baseline=document,
            )


# --- evaluate ----------------------------------------------------------------------------------


def test_evaluate_prints_every_figure_as_json(slices: dict[str, Path], tmp_path: Path) -> None:
    split = [f"--{name}={path}" for name, path in slices.items()]
    report = run_json(
        f"sqlite:///{tmp_path / 'unused.db'}", "evaluate", *split, "--seeds", "2", "--threads", "1"
    )
    figures = ["precision_at_5", "precision_at_10", "recall_at_5", "recall_at_10", "auc"]
    expected = {*figures, *(f"{name}_std" for name in figures)}
    assert expected <= set(report)
    for control in ("random", "default_lightgbm"):
        assert set(report[control]) == expected
    assert report["rows"] == {"train": 3000, "valid": 800, "test": 800}
    assert report["seeds"] == 2
    assert report["features"] == len(feature_names())
    assert set(report["timing"]) == {
        "features_rows_per_second",
        "train_seconds_median",
        "train_rows_per_second",
        "score_rows_per_second",
    }
    # About 22% of KCS declarations are fraud: a random pick finds about that many.
    assert 0.1 < report["random"]["precision_at_10"] < 0.35
    assert report["precision_at_10"] > report["random"]["precision_at_10"] + 0.15
    assert report["auc"] > 0.65


def test_evaluate_prints_a_table_without_json(slices: dict[str, Path], tmp_path: Path) -> None:
    split = [f"--{name}={path}" for name, path in slices.items()]
    database = f"sqlite:///{tmp_path / 'unused.db'}"
    done = run(database, "evaluate", *split, "--seeds", "1", "--threads", "1")
    assert done.exit_code == 0, done.output
    assert "default LightGBM" in done.stdout
    for name in ("precision_at_5", "precision_at_10", "recall_at_10", "auc"):
        assert name in done.stdout
    assert "rows/s" in done.stdout


# --- bad input ---------------------------------------------------------------------------------


def test_bad_files_and_mappings_are_one_line_errors(
    slices: dict[str, Path], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'clearway.db'}"
    train, valid, test = (str(slices[name]) for name in ("train", "valid", "test"))
    missing = str(tmp_path / "nowhere.csv")
    assert refuse(url, "evaluate", "--train", missing, "--valid", valid, "--test", test) == (
        f"error: {missing}: No such file or directory"
    )
    not_json = tmp_path / "mapping.json"
    not_json.write_text("{not json", encoding="utf-8")
    assert refuse(url, "train", "--history", train, "--mapping", str(not_json)).startswith(
        f"error: {not_json}: cannot read the mapping"
    )
    no_value = tmp_path / "no-value.json"
    no_value.write_text('{"reference": "Declaration ID", "date": "Date"}', encoding="utf-8")
    assert refuse(url, "train", "--history", train, "--mapping", str(no_value)) == (
        f"error: {no_value}: the mapping must name the 'value' column"
    )
    assert refuse(url, "train", "--history", train, "--format", "asycuda") == (
        "error: unknown format 'asycuda'; shipped formats: kcs"
    )
    assert refuse(
        url, "train", "--history", train, "--format", "kcs", "--mapping", str(no_value)
    ) == ("error: give --mapping or --format, not both")
    headless = tmp_path / "headless.csv"
    headless.write_text("Declaration ID,Date\n1,2020-01-01\n", encoding="utf-8")
    assert refuse(url, "train", "--history", str(headless)).startswith(
        f"error: {headless}: missing columns Country of Departure, "
    )
    lines = slices["train"].read_text(encoding="utf-8").splitlines()
    bad_label = tmp_path / "bad-label.csv"
    bad_label.write_text("\n".join([*lines[:5], lines[5].replace(",0,0", ",maybe,0")]) + "\n")
    assert refuse(url, "train", "--history", str(bad_label)) == (
        f"error: {bad_label}:6: the label must be 0 or 1, not 'maybe'"
    )
    one_day = tmp_path / "one-day.csv"
    one_day.write_text("\n".join(lines[:21]) + "\n", encoding="utf-8")
    assert refuse(url, "train", "--history", str(one_day)) == (
        "error: the history holds 20 declaration lines with a known outcome; training needs "
        "at least 50"
    )
    two_days = tmp_path / "two-days.csv"
    two_days.write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")  # 26 + 33 lines
    assert refuse(url, "train", "--history", str(two_days), "--valid-share", "0.9") == (
        "error: the history spans 2 day(s): too few to hold the latest 90% of days out"
    )


def test_store_commands_refuse_what_cannot_be_done(database_url: str) -> None:
    assert refuse(database_url, "promote", "9") == "error: there is no risk model version 9"
    assert refuse(database_url, "rollback") == (
        "error: no risk model is active, so there is nothing to roll back"
    )
    assert refuse(database_url, "drift") == "error: no risk model is active: promote one first"
    assert refuse(database_url, "retrain") == (
        "error: only 0 declaration(s) carry an officer's finding; retraining needs at least 50"
    )


# --- train, store, promote, roll back ----------------------------------------------------------


def test_train_promote_and_roll_back_through_the_cli(
    sqlite_url: str, slices: dict[str, Path]
) -> None:
    first = run_json(sqlite_url, "train", "--history", str(slices["train"]), "--threads", "1")
    assert first["version"] == 1
    assert first["active"] is True  # the first model becomes active by itself
    assert first["source"] == "file train.csv (kcs)"
    metrics = first["metrics"]
    # 21 days in the slice: the latest 3 (15%) are held out.
    assert (metrics["held_out_from"], metrics["held_out_to"]) == ("2020-01-19", "2020-01-21")
    assert first["training_rows"] + metrics["held_out_rows"] == 3000
    assert metrics["precision_at_10"] > metrics["held_out_fraud_rate"]
    assert 0.5 < metrics["auc"] <= 1
    assert first["timing"]["train_rows_per_second"] > 0

    done = run(sqlite_url, "train", "--history", str(slices["train"]), "--threads", "1")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("version 2 stored: 2,568 training rows from file train.csv")
    assert "precision@10%" in done.stdout
    assert "rows/s" in done.stdout

    listed = run_json(sqlite_url, "models")
    assert [(m["version"], m["active"]) for m in listed] == [(2, False), (1, True)]
    assert all("booster" not in m and "baseline" not in m for m in listed)

    promoted = run(sqlite_url, "promote", "2")
    assert promoted.exit_code == 0, promoted.output
    assert promoted.stdout == "version 2 is the active risk model\n"
    assert "restart" in promoted.stderr  # a running server keeps its model until told
    assert active_versions(sqlite_url) == [2]

    back = run(sqlite_url, "rollback")
    assert back.exit_code == 0, back.output
    assert back.stdout == "version 2 withdrawn; version 1 is active again\n"
    assert active_versions(sqlite_url) == [1]
    assert refuse(sqlite_url, "rollback") == (
        "error: version 1 is the earliest promotion left: there is no model to roll back to"
    )

    third = run_json(
        sqlite_url, "train", "--history", str(slices["train"]), "--threads", "1", "--activate"
    )
    assert (third["version"], third["active"]) == (3, True)
    table = run(sqlite_url, "models")
    assert table.exit_code == 0, table.output
    assert "│ 3 " in table.stdout and "active" in table.stdout


def test_a_stored_model_scores_exactly_as_trained(
    database_url: str, kcs_train: LabelledHistory
) -> None:
    trained = train_from_history(kcs_train, seed=3, settings=FAST)
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        version = save_model(
            connection,
            trained.model,
            created_by="analyst",
            source="kcs slice",
            settings=trained.settings,
            metrics=trained.metrics,
            training_rows=trained.training_rows,
            baseline=trained.baseline,
        )
        activate(connection, version)
    featured, _ = replay(kcs_train.observations[:500], kcs_train.outcomes)
    with engine.connect() as connection:
        loaded = load_model(connection, version)
        active = active_model(connection)
    engine.dispose()
    assert active is not None and active.version == version == 1
    assert loaded.model.names == trained.model.names
    assert loaded.model.score(featured) == trained.model.score(featured)
    assert loaded.info.settings["seed"] == 3
    assert loaded.info.metrics == trained.metrics
    assert loaded.info.baseline == trained.baseline
    assert loaded.info.training_rows == trained.training_rows
    assert loaded.info.active and loaded.info.activated_at is not None


def test_exactly_one_model_is_active_when_promotions_overlap(database_url: str) -> None:
    engine = create_database_engine(database_url)
    store_tiny(engine, 3)
    with engine.begin() as connection:
        activate(connection, 1)
    holding = threading.Event()
    problems: list[BaseException] = []

    def slow_promotion() -> None:
        try:
            with engine.begin() as connection:
                activate(connection, 2)
                holding.set()
                time.sleep(0.5)  # still uncommitted while the other promotion starts
        except BaseException as error:  # reported below, not lost in the thread
            problems.append(error)
            holding.set()

    other = threading.Thread(target=slow_promotion)
    other.start()
    assert holding.wait(10)
    with engine.begin() as connection:
        activate(connection, 3)  # waits for the first promotion to finish
    other.join()
    assert not problems
    with engine.connect() as connection:
        active = connection.execute(select(risk_models.c.version).where(risk_models.c.active)).all()
    assert [row.version for row in active] == [3]
    # Rolling back walks the promotions back: 3, then 2, then 1.
    for expected in (2, 1):
        with engine.begin() as connection:
            assert rollback(connection).version == expected
    with engine.begin() as connection, pytest.raises(Conflict):
        rollback(connection)
    engine.dispose()


def test_promoting_again_walks_the_history_forward(database_url: str) -> None:
    engine = create_database_engine(database_url)
    store_tiny(engine, 3)
    clock = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for version in (1, 2, 3, 1):  # 1 is promoted a second time, after 3
            activate(connection, version, now=clock)  # the same instant: still ordered
        assert activate(connection, 1).version == 1  # the active one: nothing changes
        assert [m.version for m in list_models(connection) if m.active] == [1]
        assert rollback(connection).version == 3
        assert rollback(connection).version == 2
        with pytest.raises(Conflict):
            rollback(connection)
        with pytest.raises(NotFound):
            activate(connection, 4)
    engine.dispose()


# --- retraining on findings, and drift --------------------------------------------------------


def store_decisions(
    engine: Engine,
    observations: Sequence[Observation],
    outcomes: dict[str, bool],
    *,
    last_day: date,
    with_finding: float = 0.8,
    value_factor: float = 1.0,
) -> int:
    """Each observation as a declaration with its risk decision, the last on ``last_day``;
    ``with_finding`` of them (every fifth left out, at 0.8) with an officer's finding.
    Returns the number of findings stored."""
    offset = last_day - max(observation.day for observation in observations)
    declaration_rows, decision_rows, finding_rows = [], [], []
    for index, original in enumerate(observations):
        observation = dataclasses.replace(
            original, day=original.day + offset, value=original.value * value_factor
        )
        at = datetime.combine(observation.day, datetime.min.time(), UTC) + timedelta(hours=9)
        identifier = f"kcs-{observation.reference}"
        declaration_rows.append(
            {
                "id": identifier,
                "type": "IM",
                "lrn": identifier,
                "declarant_id": "GB123456789000",
                "status": "released",
                "version": 1,
                "procedure": "4000",
                "office": "GB000001",
                "destination_country": "GB",
                "invoice_currency": "GBP",
                "invoice_amount": Decimal("1"),
                "item_count": 1,
                "payload_hash": "0" * 64,
                "lodged_by": "broker",
                "lodged_at": at,
                "updated_at": at,
            }
        )
        decision_rows.append(
            {
                "declaration_id": identifier,
                "version": 1,
                "decided_at": at,
                "lane": "red",
                "basis": "model",
                "aeo": False,
                "explanation": "",
                "reasons": [],
                "rule_hits": [],
                "facts": {},
                "observations": [observation_document(observation)],
            }
        )
        if (index % 10) < with_finding * 10:
            finding_rows.append(
                {
                    "id": f"f-{observation.reference}",
                    "declaration_id": identifier,
                    "fraud": outcomes[original.reference],
                    "revenue_recovered": Decimal("0"),
                    "currency": "GBP",
                    "notes": "",
                    "recorded_by": "officer",
                    "recorded_at": at + timedelta(hours=2),
                }
            )
    with engine.begin() as connection:
        connection.execute(declarations.insert(), declaration_rows)
        connection.execute(risk_decisions.insert(), decision_rows)
        if finding_rows:
            connection.execute(findings.insert(), finding_rows)
    return len(finding_rows)


def test_the_database_history_labels_each_declaration_with_its_latest_finding(
    database_url: str, kcs_train: LabelledHistory
) -> None:
    engine = create_database_engine(database_url)
    observations = kcs_train.observations[:10]
    stored = store_decisions(
        engine, observations, kcs_train.outcomes, last_day=date(2026, 11, 20), with_finding=0.5
    )
    assert stored == 5
    first = observations[0]
    identifier = f"kcs-{first.reference}"
    amended = dataclasses.replace(first, value=first.value * 2, day=date(2026, 11, 21))
    later = datetime(2026, 11, 22, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            risk_decisions.insert().values(
                declaration_id=identifier,
                version=2,
                decided_at=later,
                lane="red",
                basis="model",
                aeo=False,
                explanation="",
                reasons=[],
                rule_hits=[],
                facts={},
                observations=[observation_document(amended)],
            )
        )
        # A second finding on the first declaration overrides the first one.
        connection.execute(
            findings.insert().values(
                id="f-again",
                declaration_id=identifier,
                fraud=not kcs_train.outcomes[first.reference],
                revenue_recovered=Decimal("0"),
                currency="GBP",
                notes="re-examined",
                recorded_by="officer",
                recorded_at=later,
            )
        )
    with engine.connect() as connection:
        found = database_history(connection)
        history = history_from_database(connection)
    engine.dispose()
    assert (found.declarations, found.findings) == (10, 5)
    assert history.observations == found.history.observations
    by_reference = {observation.reference: observation for observation in history.observations}
    assert len(history.observations) == 10  # the current decision of each declaration only
    assert by_reference[first.reference].value == first.value * 2
    assert history.outcomes[first.reference] is (not kcs_train.outcomes[first.reference])
    # Findings for indices 0-4 (with_finding 0.5); the rest are observations only.
    labelled = {observation.reference for observation in observations[:5]}
    assert set(history.outcomes) == labelled
    for observation in observations[1:5]:
        assert history.outcomes[observation.reference] == kcs_train.outcomes[observation.reference]


def test_retrain_on_findings_refuses_too_few_or_one_sided_findings(
    database_url: str, kcs_train: LabelledHistory
) -> None:
    engine = create_database_engine(database_url)
    honest = [o for o in kcs_train.observations if not kcs_train.outcomes[o.reference]]
    store_decisions(engine, honest[:40], kcs_train.outcomes, last_day=date(2026, 11, 1))
    assert refuse(database_url, "retrain") == (
        "error: only 32 declaration(s) carry an officer's finding; retraining needs at least 50"
    )
    store_decisions(engine, honest[40:80], kcs_train.outcomes, last_day=date(2026, 11, 2))
    engine.dispose()
    assert refuse(database_url, "retrain") == (
        "error: all 64 findings are no fraud: retraining needs both outcomes"
    )


def test_retrain_on_findings_then_watch_drift(sqlite_url: str, kcs_train: LabelledHistory) -> None:
    engine = create_database_engine(sqlite_url)
    today = date.today()
    # 2,000 declarations up to ten days ago, 80% inspected; then 400 in the last five days
    # declared at a thousand times the usual value.
    history = kcs_train.observations[:2000]
    assert (
        store_decisions(engine, history, kcs_train.outcomes, last_day=today - timedelta(days=10))
        == 1600
    )
    retrained = run_json(sqlite_url, "retrain", "--threads", "1")
    assert (retrained["version"], retrained["active"]) == (1, True)
    assert retrained["source"].startswith("findings: 1,600 of 2,000 declarations")
    assert retrained["metrics"]["held_out_rows"] > 0
    assert retrained["training_rows"] + retrained["metrics"]["held_out_rows"] == 1600

    calm = run_json(sqlite_url, "drift", "--days", "30")
    assert calm["version"] == 1
    assert calm["rows"] == 2000
    assert len(calm["psi"]) == len(feature_names())
    assert "value_log" not in calm["major"] + calm["moderate"]

    recent = kcs_train.observations[2000:2400]
    store_decisions(
        engine, recent, kcs_train.outcomes, last_day=today, with_finding=0, value_factor=1000
    )
    engine.dispose()
    shifted = run_json(sqlite_url, "drift", "--days", "5")
    assert shifted["rows"] == 400
    assert shifted["since"] == (today - timedelta(days=4)).isoformat()
    assert {"value_log", "unit_price_log"} <= set(shifted["major"])
    assert shifted["psi"]["value_log"] > 0.25
    table = run(sqlite_url, "drift", "--days", "5")
    assert table.exit_code == 0, table.output
    assert "value_log" in table.stdout and "major" in table.stdout


# --- the API -----------------------------------------------------------------------------------


def test_models_through_the_api(api: Any, runtime: Runtime) -> None:
    store_tiny(runtime.engine, 2)
    analyst = api.as_("analyst")
    listed = api.get(MODELS, headers=analyst)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [(m["version"], m["active"]) for m in body] == [(2, False), (1, False)]
    assert body[0]["features"] == len(feature_names())
    assert body[0]["source"] == "tiny 1"
    assert all("booster" not in m and "baseline" not in m for m in body)

    one = api.get(f"{MODELS}/1", headers=analyst)
    assert one.status_code == 200, one.text
    assert one.json()["feature_names"] == list(feature_names())
    assert api.get(f"{MODELS}/7", headers=analyst).status_code == 404

    for version in (1, 2):
        promoted = api.post(f"{MODELS}/{version}/promote", headers=analyst)
        assert promoted.status_code == 200, promoted.text
        assert promoted.json()["active"] is True
        # This worker scores with the promoted version from the next declaration on.
        assert runtime.context.risk.model is not None
        assert runtime.context.risk.model.version == version
    back = api.post(f"{MODELS}/rollback", headers=analyst)
    assert back.status_code == 200, back.text
    assert (back.json()["version"], back.json()["active"]) == (1, True)
    assert runtime.context.risk.model is not None and runtime.context.risk.model.version == 1
    refused = api.post(f"{MODELS}/rollback", headers=analyst)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "no model to roll back to" in refused.json()["detail"]
    assert api.post(f"{MODELS}/9/promote", headers=analyst).status_code == 404
    with runtime.engine.connect() as connection:
        assert [m.version for m in list_models(connection) if m.active] == [1]


@pytest.mark.parametrize("username", ["officer", "broker", "auditor", "admin"])
def test_only_risk_analysts_manage_models(api: Any, runtime: Runtime, username: str) -> None:
    store_tiny(runtime.engine, 1)
    headers = api.as_(username)
    for method, path in (
        ("get", MODELS),
        ("get", f"{MODELS}/1"),
        ("post", f"{MODELS}/1/promote"),
        ("post", f"{MODELS}/rollback"),
        ("get", f"{MODELS}/drift"),
    ):
        response = getattr(api, method)(path, headers=headers)
        assert response.status_code == 403, (path, response.text)
    assert api.get(MODELS).status_code == 401
    with runtime.engine.connect() as connection:
        assert active_model(connection) is None


def test_drift_through_the_api(api: Any, runtime: Runtime, kcs_train: LabelledHistory) -> None:
    analyst = api.as_("analyst")
    missing = api.get(f"{MODELS}/drift", headers=analyst)
    assert missing.status_code == 409
    # A model trained on the first 1,500 declarations; the next 500 arrive in the last week
    # (the test clock's), at a thousand times the usual value.
    trained = train_from_history(
        LabelledHistory(kcs_train.observations[:1500], kcs_train.outcomes), settings=FAST
    )
    with runtime.engine.begin() as connection:
        version = save_model(
            connection,
            trained.model,
            created_by="analyst",
            source="kcs slice",
            settings=trained.settings,
            metrics=trained.metrics,
            training_rows=trained.training_rows,
            baseline=trained.baseline,
        )
        activate(connection, version)
    today = NOW.date()
    store_decisions(
        runtime.engine,
        kcs_train.observations[:1500],
        kcs_train.outcomes,
        last_day=today - timedelta(days=8),
    )
    store_decisions(
        runtime.engine,
        kcs_train.observations[1500:2000],
        kcs_train.outcomes,
        last_day=today,
        value_factor=1000,
    )
    response = api.get(f"{MODELS}/drift", params={"days": 7}, headers=analyst)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == version
    assert body["since"] == (today - timedelta(days=6)).isoformat()
    assert body["rows"] == 500
    assert body["thresholds"] == {"moderate": 0.1, "major": 0.25}
    assert "value_log" in body["major"]
    with runtime.engine.connect() as connection:
        direct = drift_report(connection, 7, today=today)
    assert direct.report.major == body["major"]
    assert api.get(f"{MODELS}/drift", params={"days": 0}, headers=analyst).status_code == 400


def test_drift_needs_an_active_model(database_url: str) -> None:
    engine = create_database_engine(database_url)
    with engine.connect() as connection, pytest.raises(NoActiveModel):
        drift_report(connection, 30)
    engine.dispose()
