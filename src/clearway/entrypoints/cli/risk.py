"""``clearway risk …``: evaluate, train, store, promote and roll back the learned risk model,
retrain it on the officers' findings, and watch its inputs drift.

A running server keeps the model it loaded: after ``promote``, ``rollback`` or an activating
``train`` here, restart it or promote through the API (``POST /api/v1/risk/models/{version}/
promote``), which refreshes the server at once.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.table import Table
from sqlalchemy import Connection

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine
from clearway.adapters.history_files import (
    HistoryFileError,
    LabelledHistory,
    read_history,
    read_mapping,
    shipped_mapping,
)
from clearway.config import get_settings
from clearway.domain.errors import ClearwayError
from clearway.entrypoints.cli.output import fail, make_console

if TYPE_CHECKING:
    from clearway.services.risk_training import TrainedModel

risk_app = typer.Typer(
    help="The learned risk model: evaluate, train, promote, roll back, drift.",
    no_args_is_help=True,
)
console = make_console(stderr=True)
SERVER_NOTE = (
    "a running server picks the new model up at restart, or at once when promoted through "
    "POST /api/v1/risk/models/{version}/promote"
)

MappingOption = Annotated[
    Path | None, typer.Option("--mapping", help="Column mapping (JSON, see docs/risk.md)")
]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="A shipped mapping instead: kcs (the default)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]
ThreadsOption = Annotated[int, typer.Option(min=0, help="Threads for LightGBM (0: one per core)")]


def _print_json(document: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


@contextmanager
def _connection(*, write: bool) -> Iterator[Connection]:
    """A connection to the settings' database (migrated first); with ``write``, one
    transaction committed at the end."""
    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() if write else engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _mapping_path(mapping: Path | None, file_format: str | None) -> Path:
    if mapping is not None and file_format is not None:
        fail("give --mapping or --format, not both")
    try:
        return mapping if mapping is not None else shipped_mapping(file_format or "kcs")
    except HistoryFileError as error:
        fail(str(error))


def _read(
    files: list[Path], mapping: Path | None, file_format: str | None
) -> list[LabelledHistory]:
    """Each labelled file through the mapping; any problem is a one-line error."""
    path = _mapping_path(mapping, file_format)
    try:
        columns = read_mapping(path)
        return [read_history(file, columns) for file in files]
    except HistoryFileError as error:
        fail(str(error))


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@risk_app.command("evaluate")
def evaluate(
    train: Annotated[Path, typer.Option(help="Training split (labelled CSV)")],
    valid: Annotated[Path, typer.Option(help="Validation split: stops training only")],
    test: Annotated[Path, typer.Option(help="Test split: scored once")],
    mapping: MappingOption = None,
    file_format: FormatOption = None,
    seeds: Annotated[int, typer.Option(min=1, max=50, help="Seeds to average over")] = 5,
    threads: ThreadsOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Precision and recall at 5% and 10% of the model, a random pick and default LightGBM."""
    from clearway.adapters.risk_model import ModelSettings
    from clearway.services.risk_evaluation import FIGURES, Splits
    from clearway.services.risk_evaluation import evaluate as run_evaluation

    train_part, valid_part, test_part = _read([train, valid, test], mapping, file_format)
    try:
        report = run_evaluation(
            Splits(train_part, valid_part, test_part),
            seeds=seeds,
            settings=ModelSettings(threads=threads),
            progress=lambda message: console.print(message, highlight=False),
        )
    except ValueError as error:
        fail(str(error))
    if as_json:
        _print_json(report)
        return
    table = Table(title=f"{test.name}: {report['rows']['test']:,} declarations, {seeds} seed(s)")
    for column in ("figure", "model", "random", "default LightGBM"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for name in FIGURES:
        cells = [
            f"{part[name]:.3f} ± {part[name + '_std']:.3f}"
            for part in (report, report["random"], report["default_lightgbm"])
        ]
        table.add_row(name, *cells)
    screen = make_console()
    screen.print(table)
    timing = report["timing"]
    screen.print(
        f"{report['features']} features, {report['boosting_rounds']} rounds; features "
        f"{timing['features_rows_per_second']:,} rows/s, training "
        f"{timing['train_seconds_median']} s ({timing['train_rows_per_second']:,} rows/s), "
        f"scoring {timing['score_rows_per_second']:,} rows/s",
        highlight=False,
    )


def _store(trained: TrainedModel, *, source: str, activate: bool | None, as_json: bool) -> None:
    """Save ``trained`` as the next version, activate it if asked (or if none is active)."""
    from clearway.adapters.model_store import activate as promote_version
    from clearway.adapters.model_store import active_version, save_model

    with _connection(write=True) as connection:
        version = save_model(
            connection,
            trained.model,
            created_by=_actor(),
            source=source,
            settings=trained.settings,
            metrics=trained.metrics,
            training_rows=trained.training_rows,
            baseline=trained.baseline,
        )
        make_active = activate if activate is not None else active_version(connection) is None
        if make_active:
            promote_version(connection, version)
    metrics = trained.metrics
    if as_json:
        _print_json(
            {
                "version": version,
                "active": make_active,
                "source": source,
                "training_rows": trained.training_rows,
                "metrics": metrics,
                "timing": trained.timing,
            }
        )
        return
    screen = make_console(highlight=False)
    screen.print(
        f"version {version} stored{' and active' if make_active else ''}: "
        f"{trained.training_rows:,} training rows from {source}"
    )
    screen.print(
        f"held out {metrics['held_out_from']} to {metrics['held_out_to']} "
        f"({metrics['held_out_rows']:,} rows, {metrics['held_out_fraud_rate']:.1%} fraud): "
        f"precision@5% {metrics['precision_at_5']:.3f}, precision@10% "
        f"{metrics['precision_at_10']:.3f}, recall@10% {metrics['recall_at_10']:.3f}, "
        f"AUC {metrics['auc']:.3f}, {metrics['rounds']} rounds"
    )
    timing = trained.timing
    screen.print(
        f"features {timing['features_rows_per_second']:,.0f} rows/s, training "
        f"{timing['train_seconds']} s ({timing['train_rows_per_second']:,.0f} rows/s)"
    )
    if make_active:
        console.print(f"note: {SERVER_NOTE.format(version=version)}", highlight=False)


ActivateOption = Annotated[
    bool | None,
    typer.Option(
        "--activate/--no-activate",
        help="Make the new version active (default: only if no model is active yet)",
        show_default=False,
    ),
]


@risk_app.command("train")
def train(
    history: Annotated[Path, typer.Option(help="Past declarations with outcomes (CSV)")],
    mapping: MappingOption = None,
    file_format: FormatOption = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    valid_share: Annotated[
        float, typer.Option(min=0.01, max=0.9, help="Latest share of days held out")
    ] = 0.15,
    activate: ActivateOption = None,
    threads: ThreadsOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Train on a history file and store the model as a new version."""
    from clearway.adapters.risk_model import ModelSettings
    from clearway.services.risk_training import TrainingError, train_from_history

    (labelled,) = _read([history], mapping, file_format)
    try:
        trained = train_from_history(
            labelled, seed=seed, settings=ModelSettings(threads=threads), valid_share=valid_share
        )
    except (TrainingError, ValueError) as error:
        fail(str(error))
    name = mapping.name if mapping is not None else (file_format or "kcs")
    _store(trained, source=f"file {history.name} ({name})", activate=activate, as_json=as_json)


@risk_app.command("retrain")
def retrain(
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    valid_share: Annotated[
        float, typer.Option(min=0.01, max=0.9, help="Latest share of days held out")
    ] = 0.15,
    min_findings: Annotated[
        int, typer.Option(min=1, help="Fewest declarations with a finding to train on")
    ] = 50,
    activate: ActivateOption = None,
    threads: ThreadsOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Train on the officers' findings stored with past decisions, as a new version."""
    from clearway.adapters.risk_model import ModelSettings
    from clearway.services.risk_training import (
        TrainingError,
        check_retrainable,
        database_history,
        train_from_history,
    )

    with _connection(write=False) as connection:
        stored = database_history(connection)
    try:
        check_retrainable(stored, min_findings)
        trained = train_from_history(
            stored.history,
            seed=seed,
            settings=ModelSettings(threads=threads),
            valid_share=valid_share,
        )
    except (TrainingError, ValueError) as error:
        fail(str(error))
    source = (
        f"findings: {stored.findings:,} of {stored.declarations:,} declarations "
        f"({stored.frauds:,} fraud)"
    )
    _store(trained, source=source, activate=activate, as_json=as_json)


@risk_app.command("models")
def models(as_json: JsonOption = False) -> None:
    """Every stored version, newest first."""
    from clearway.adapters.model_store import list_models

    with _connection(write=False) as connection:
        stored = list_models(connection)
    if as_json:
        _print_json([info.document() for info in stored])
        return
    if not stored:
        console.print("no risk model stored yet: clearway risk train --history FILE")
        return
    table = Table()
    for column in ("version", "active", "created", "by", "source", "rows", "P@10%", "AUC"):
        table.add_column(column, justify="right" if column in ("rows", "P@10%", "AUC") else "left")
    for info in stored:
        table.add_row(
            str(info.version),
            "active" if info.active else "",
            f"{info.created_at:%Y-%m-%d %H:%M}",
            info.created_by,
            info.source,
            f"{info.training_rows:,}",
            f"{info.metrics.get('precision_at_10', float('nan')):.3f}",
            f"{info.metrics.get('auc', float('nan')):.3f}",
        )
    make_console().print(table)


@risk_app.command("promote")
def promote(version: Annotated[int, typer.Argument(help="Version to make active")]) -> None:
    """Make a stored version the active model."""
    from clearway.adapters.model_store import activate

    try:
        with _connection(write=True) as connection:
            activate(connection, version)
    except ClearwayError as error:
        fail(error.detail)
    typer.echo(f"version {version} is the active risk model")
    console.print(f"note: {SERVER_NOTE.format(version=version)}", highlight=False)


@risk_app.command("rollback")
def rollback() -> None:
    """Withdraw the active model and re-activate the one promoted before it."""
    from clearway.adapters.model_store import active_version
    from clearway.adapters.model_store import rollback as roll_back

    try:
        with _connection(write=True) as connection:
            withdrawn = active_version(connection)
            restored = roll_back(connection)
    except ClearwayError as error:
        fail(error.detail)
    typer.echo(f"version {withdrawn} withdrawn; version {restored.version} is active again")
    console.print(f"note: {SERVER_NOTE.format(version=restored.version)}", highlight=False)


@risk_app.command("drift")
def drift(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Window of recent days")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Population stability of each feature: recent declarations against the training data."""
    from clearway.services.risk_training import NoActiveModel, drift_report

    try:
        with _connection(write=False) as connection:
            result = drift_report(connection, days)
    except NoActiveModel as error:
        fail(str(error))
    if as_json:
        _print_json(result.document())
        return
    report = result.report
    screen = make_console(highlight=False)
    screen.print(
        f"version {result.version}: {report.rows:,} declaration lines since "
        f"{result.since.isoformat()}; {len(report.major)} feature(s) shifted majorly "
        f"(PSI > 0.25), {len(report.moderate)} moderately (PSI > 0.1)"
    )
    if not report.rows:
        return
    table = Table()
    for column in ("feature", "PSI", "shift"):
        table.add_column(column, justify="right" if column == "PSI" else "left")
    for name in [*report.major, *report.moderate]:
        level = "major" if name in report.major else "moderate"
        table.add_row(name, f"{report.stability[name]:.3f}", level)
    if table.row_count:
        screen.print(table)
