"""``clearway db`` and ``clearway reference``: the schema, and the reference data (code lists,
the HS nomenclature, exchange rates, the validation rules' catalogue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine
from clearway.adapters.reference_files import RatesFileError, read_rates
from clearway.adapters.reference_store import load_rates, load_reference
from clearway.bootstrap import prepare_database
from clearway.config import get_settings
from clearway.domain.rules.catalogue import rules_markdown
from clearway.entrypoints.cli.output import fail, make_console

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
reference_app = typer.Typer(
    help="Reference data: code lists, HS, exchange rates.", no_args_is_help=True
)
console = make_console(stderr=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (CLEARWAY_DATABASE_URL) to the newest schema."""
    engine = create_database_engine(get_settings().database_url)
    prepare_database(engine, load_if_empty=False)
    console.print(f"schema at revision {migrate.current_revision(engine)}")


@reference_app.command("load")
def reference_load() -> None:
    """Load code lists, the HS 2022 nomenclature and the shipped exchange rates."""
    engine = create_database_engine(get_settings().database_url)
    migrate.upgrade(engine)
    counts = load_reference(engine)
    console.print(", ".join(f"{table}: {rows}" for table, rows in counts.items()))


@reference_app.command("rates")
def reference_rates(
    file: Annotated[Path, typer.Argument(help="CSV: currency,valid_from,valid_to,rate")],
    allow_large_changes: Annotated[
        bool,
        typer.Option(
            "--allow-large-changes",
            help="Load rates more than a factor of 2 from the rate before them (a real "
            "devaluation); each is listed",
        ),
    ] = False,
) -> None:
    """Load exchange rates (national currency per unit) from a CSV; all rows or none.

    Rates must be usable and move at most a factor of 2 from the rate before them
    (docs/exchange-rates.md)."""
    from clearway.adapters.reference_files import LargeRateChanges

    try:
        rates = read_rates(file)
    except RatesFileError as error:
        fail(str(error))
    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        stored = load_rates(
            engine, rates.rates, places=rates.places, allow_large_changes=allow_large_changes
        )
    except LargeRateChanges as error:
        fail(f"{error}; if it is right, run again with --allow-large-changes")
    except RatesFileError as error:
        fail(str(error))
    finally:
        engine.dispose()
    for change in stored.large_changes:
        console.print(f"large change allowed: {change.describe()}", highlight=False)
    console.print(f"loaded {stored.loaded} rates; {stored.stored} stored")


@reference_app.command("rules")
def reference_rules() -> None:
    """Print every validation rule (code, title, legal basis) as a Markdown table."""
    typer.echo(rules_markdown(), nl=False)
