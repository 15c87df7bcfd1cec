"""``clearway``: serve the API, run the demo, migrate, load reference data, lodge in bulk."""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from clearway.adapters.audit_trail import Acting, acting
from clearway.adapters.json_input import file_utf8_problem
from clearway.adapters.reference_files import shipped_reference
from clearway.bootstrap import build_runtime, held_for_life
from clearway.config import InsecureSettings, Settings, get_settings
from clearway.domain.access import Principal, Role
from clearway.entrypoints.cli.backup import backup, restore
from clearway.entrypoints.cli.bulk import (
    clearance_outcome,
    lodge_files,
    skipped_stages,
)
from clearway.entrypoints.cli.control_list import control_list_app
from clearway.entrypoints.cli.doctor import doctor
from clearway.entrypoints.cli.ledger import ledger_app
from clearway.entrypoints.cli.messages import (
    convert,
    is_message_file,
    lodge_message_files,
    process_folder,
)
from clearway.entrypoints.cli.output import fail, make_console
from clearway.entrypoints.cli.processing import process_jsonl
from clearway.entrypoints.cli.reference import db_app, reference_app
from clearway.entrypoints.cli.relay import relay, subscriptions_app
from clearway.entrypoints.cli.risk import risk_app
from clearway.entrypoints.cli.runtime import opened_runtime, run_as_whole_process
from clearway.entrypoints.cli.screening import screen, screening_app
from clearway.entrypoints.cli.setup import setup
from clearway.entrypoints.cli.tariff import duty_app, tariff_app
from clearway.entrypoints.cli.users import users_app
from clearway.entrypoints.cli.worker import (
    SERVE_DEFAULTS,
    background_process,
    unsaid,
    worker,
)
from clearway.entrypoints.logging_setup import configure_logging
from clearway.services.ledger.signing import SigningKey, write_key_files
from clearway.services.lodging import Lodged

app = typer.Typer(
    help="Clearway customs clearance.", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(reference_app, name="reference")
app.add_typer(tariff_app, name="tariff")
app.add_typer(duty_app, name="duty")
app.add_typer(risk_app, name="risk")
app.add_typer(screening_app, name="screening")
app.command()(screen)
app.add_typer(control_list_app, name="control-list")
app.add_typer(subscriptions_app, name="subscriptions")
app.command()(relay)
app.command()(worker)
app.add_typer(ledger_app, name="ledger")
app.command()(setup)
app.command()(doctor)
app.command()(backup)
app.command()(restore)

console = make_console(stderr=True)

LEDGER_DEMO_ORIGIN = "clearway.demo/ledger"


def cli_actor() -> Principal:
    return Principal(f"cli:{getpass.getuser()}", Role.SYSTEM)


@app.callback()
def operator(context: typer.Context) -> None:
    """Clearway customs clearance."""
    # Whatever a command changes is in the audit trail and the ledger as the operator's.
    context.with_resource(acting(Acting(cli_actor().username, Role.SYSTEM.value, "cli")))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the HTTP API (settings from CLEARWAY_* variables)."""
    import uvicorn

    settings = get_settings()
    try:
        settings.signing_key()
    except InsecureSettings as error:
        fail(str(error))
    # The server publishes events and integrates the ledger unless told otherwise (0 turns
    # either off), in one worker process beside its own (CLEARWAY_BACKGROUND).
    for name, value in unsaid(settings, SERVE_DEFAULTS).items():
        os.environ[f"CLEARWAY_{name.upper()}"] = str(value)
    get_settings.cache_clear()
    settings = get_settings()
    log_config = configure_logging(settings.log_format)
    # Several workers count requests into files of one fresh folder, and a scrape of any of
    # them adds all up (prometheus_client's multiprocess mode); an operator's folder is kept.
    metrics_folder = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_folder = tempfile.mkdtemp(prefix="clearway-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_folder
    try:
        with background_process(settings):
            uvicorn.run(
                "clearway.entrypoints.api.app:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="info",
                log_config=log_config,
                access_log=False,  # the API logs its own access lines, with the request id
                # A worker imports the whole service before it answers uvicorn's health check:
                # on a busy host that takes longer than uvicorn's 5 s, and it would be killed
                # and restarted over and over.
                timeout_worker_healthcheck=60,
            )
    finally:
        if metrics_folder is not None:
            shutil.rmtree(metrics_folder, ignore_errors=True)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    count: Annotated[int, typer.Option(help="Generated declarations to lodge")] = 300,
    database: Annotated[Path, typer.Option(help="SQLite file, created afresh")] = Path(
        "clearway-demo.db"
    ),
) -> None:
    """Start afresh on SQLite with reference data, demo users and generated declarations."""
    import uvicorn

    from clearway.entrypoints.api.app import create_app
    from clearway.entrypoints.cli.demo import seed_demo

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    # A fresh ledger signing key beside the database: its public half verifies receipts.
    ledger_key = Path(f"{database}.ledger.key")
    ledger_public = Path(f"{database}.ledger.pub")
    for path in (ledger_key, ledger_public):
        path.unlink(missing_ok=True)
    write_key_files(SigningKey.generate(LEDGER_DEMO_ORIGIN), ledger_key, ledger_public)
    settings = Settings(
        database_url=f"sqlite:///{database}",
        demo=True,
        secret_key=secrets.token_urlsafe(48),
        relay_interval_seconds=1,
        ledger_key_file=str(ledger_key),
        ledger_origin=LEDGER_DEMO_ORIGIN,
        ledger_interval_seconds=1,
    )
    settings = settings.model_copy(update=unsaid(settings, SERVE_DEFAULTS))
    log_config = configure_logging(settings.log_format)
    runtime = build_runtime(settings)
    credentials, lodged = seed_demo(runtime, count)
    table = Table(title="Demo users (this run only)")
    for column in ("role", "username", "password", "company"):
        table.add_column(column)
    for user in credentials:
        table.add_row(user.role, user.username, user.password, user.company or "")
    out = make_console()
    out.print(table)
    out.print(f"{lodged} declarations lodged into {database}.")
    out.print(f"Ledger public key: {ledger_public} (clearway ledger verify-receipt FILE --key …)")
    out.print(f"Portal: http://{host}:{port}/ (sign in as one of the users above)")
    out.print(
        f"API docs: http://{host}:{port}/docs   token: POST http://{host}:{port}/api/v1/auth/token"
    )
    with background_process(settings), held_for_life():
        uvicorn.run(
            create_app(runtime=runtime),
            host=host,
            port=port,
            log_level="info",
            log_config=log_config,
            access_log=False,
        )


@app.command()
def lodge(
    files: Annotated[
        list[Path], typer.Argument(help="Declaration files: JSON, or WCO DEC-DMS XML (.xml)")
    ],
    answers: Annotated[
        Path | None,
        typer.Option(help="Folder to write each XML file's DMS notification to"),
    ] = None,
) -> None:
    """Lodge declarations from JSON or WCO DEC-DMS files; prints each MRN and where clearance
    left it (released, held for a check, referred to the agency), or every problem found."""
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    if answers is not None and not answers.is_dir():
        fail(f"no such folder: {answers}")
    with opened_runtime() as runtime:
        for warning in skipped_stages(runtime):
            typer.echo(f"warning: {warning}", err=True)
        refused = 0
        messages = [path for path in files if is_message_file(path)]
        for path, answer in lodge_message_files(runtime, messages, cli_actor(), answers):
            typer.echo(f"{path}: {answer.summary}")
            refused += not answer.accepted
            for problem in answer.problems:
                typer.echo(f"  {problem}")
        plain = [path for path in files if not is_message_file(path)]
        for path, outcome in lodge_files(runtime, plain, cli_actor()):
            if isinstance(outcome, Lodged):
                record = outcome.record
                state = clearance_outcome(record) if outcome.created else "already lodged"
                typer.echo(f"{path}: {record.mrn} {state} (id {record.id})")
                continue
            refused += 1
            typer.echo(f"{path}: refused: {outcome.detail}")
            for violation in getattr(outcome, "violations", []):
                typer.echo(f"  {violation.code} {violation.pointer}: {violation.message}")
        if refused:
            raise typer.Exit(code=1)


app.command()(convert)


@app.command()
def process(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON Lines file, one declaration a line, or a folder of WCO DEC-DMS XML files"
        ),
    ],
    rejects: Annotated[
        Path | None, typer.Option(help="Where refusals go (default FILE.rejected.jsonl)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes lodging batches at once, each its own transaction",
        ),
    ] = 1,
    ledger: Annotated[
        bool,
        typer.Option(help="Integrate the lodged events into the ledger (needs its signing key)"),
    ] = True,
) -> None:
    """Lodge a file of declarations in bulk, with a progress bar and a summary."""
    if file.is_dir():
        with opened_runtime() as runtime:
            process_folder(runtime, file, rejects, cli_actor())
        return
    if not file.is_file():
        fail(f"no such file: {file}")
    if (not_utf8 := file_utf8_problem(file, str(file))) is not None:
        fail(f"{not_utf8}; nothing was lodged")
    with opened_runtime() as runtime:
        process_jsonl(
            runtime,
            file,
            rejects or file.with_suffix(".rejected.jsonl"),
            cli_actor(),
            batch_size=batch_size,
            workers=workers,
            ledger=ledger,
            progress_console=console,
        )


@app.command()
def simulate(
    count: Annotated[int, typer.Option(min=1, help="Declarations to generate")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same file")] = 1,
    bad_share: Annotated[float, typer.Option(min=0.0, max=1.0, help="Share breaking a rule")] = 0.0,
    suspicious_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share that is valid but suspicious")
    ] = 0.0,
    start: Annotated[str | None, typer.Option(help="Reference date, YYYY-MM-DD")] = None,
) -> None:
    """Write realistic import and export declarations as JSON Lines to standard output."""
    try:
        day = date.fromisoformat(start) if start else None
    except ValueError:
        fail(f"--start {start!r} is not a date (YYYY-MM-DD)")
    from clearway.services.simulation import simulate as generate

    write = sys.stdout.buffer.write
    for payload in generate(
        count,
        seed,
        reference=shipped_reference(),
        bad_share=bad_share,
        suspicious_share=suspicious_share,
        start=day,
    ):
        write(orjson.dumps(payload) + b"\n")


def main() -> None:
    """The console script: the command is the whole process."""
    run_as_whole_process()
    app()


if __name__ == "__main__":
    main()
