"""``clearway doctor``: what each stage of clearance has and lacks on a database, and what to
run about it (``entrypoints/readiness.py``), as a table or as JSON. Nothing is created,
migrated or loaded: a SQLite file that is not there is refused."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import make_url

from clearway.adapters.database import (
    MissingDatabase,
    create_database_engine,
    require_existing_database,
)
from clearway.config import Settings
from clearway.entrypoints.cli.output import fail, make_console
from clearway.entrypoints.readiness import Readiness, State, readiness

STYLES = {State.OK: "green", State.WARNING: "yellow", State.MISSING: "red"}
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: CLEARWAY_DATABASE_URL)"),
]


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def report_table(report: Readiness) -> Table:
    table = Table(title="Readiness")
    for column in ("stage", "check", "state", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in report.checks:
        state = check.state.value
        if check.required and check.state is State.MISSING:
            state += " (required)"
        table.add_row(
            check.stage, check.name, Text(state, style=STYLES[check.state]), check.detail, check.fix
        )
    return table


def verdict(report: Readiness) -> str:
    missing = report.required_missing()
    if missing:
        return f"not ready: {', '.join(check.name for check in missing)} missing"
    parts = [
        f"{label}: {', '.join(check.name for check in report.problems() if check.state is state)}"
        for label, state in (("missing", State.MISSING), ("to look at", State.WARNING))
        if any(check.state is state for check in report.checks)
    ]
    return f"ready; {'; '.join(parts)}" if parts else "ready: every stage has what it needs"


def print_report(report: Readiness, database_url: str, screen: Console) -> None:
    screen.print(f"database: {shown_url(database_url)}")
    screen.print(report_table(report))
    screen.print(verdict(report))


def doctor(
    database_url: DatabaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check what clearance has and lacks: exit 0 when all is there, 1 when a required part
    (database, schema, reference data, secret key, administrator) is missing, 2 when only
    optional parts (tariff, lists, control list, rules, model, ledger key) are."""
    settings = Settings() if database_url is None else Settings(database_url=database_url)
    try:
        require_existing_database(settings.database_url)
    except MissingDatabase as error:
        fail(str(error))
    engine = create_database_engine(settings.database_url)
    try:
        report = readiness(settings, engine, probe_network=True)
    finally:
        engine.dispose()
    if as_json:
        document = {"database": shown_url(settings.database_url), **report.document()}
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print_report(report, settings.database_url, make_console(highlight=False))
    raise typer.Exit(code=report.exit_code)
