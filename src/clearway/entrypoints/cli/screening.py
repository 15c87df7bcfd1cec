"""``clearway screening …``: load the sanctions and denied-party lists (every version kept),
show their history, evaluate the name matcher on labelled pairs; and ``clearway screen``:
screen one name against the lists in the database.

A running server keeps the lists it loaded: after ``screening load`` here, restart it.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine
from clearway.adapters.sanctions_files import (
    SHIPPED_DIR,
    SanctionsFileError,
    read_lists,
    read_name_pairs,
)
from clearway.config import get_settings
from clearway.domain.events import utc_now
from clearway.entrypoints.cli.output import fail, make_console

screening_app = typer.Typer(
    help="Sanctions and denied-party lists: load, history, matcher evaluation.",
    no_args_is_help=True,
)
console = make_console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]


def _print_json(document: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@screening_app.command("load")
def load(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Folder with sdn.csv, alt.csv, add.csv, dpl.txt, UN_consolidated.xml (plain "
            "or .gz, flat or in ofac/ and un/); default: the copies shipped with Clearway"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load the lists found as new current versions; the versions they replace are kept."""
    from clearway.adapters.screening_store import load_list

    try:
        lists = read_lists(directory or SHIPPED_DIR)
    except SanctionsFileError as error:
        fail(str(error))
    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        at = utc_now()
        with engine.begin() as connection:
            outcomes = [load_list(connection, lst, actor=_actor(), at=at) for lst in lists]
    finally:
        engine.dispose()
    if as_json:
        _print_json(
            [{**outcome.version.document(), "unchanged": outcome.unchanged} for outcome in outcomes]
        )
        return
    for outcome in outcomes:
        version = outcome.version
        if outcome.unchanged:
            typer.echo(f"{version.source.value}: unchanged (version {version.id})")
        else:
            typer.echo(
                f"{version.source.value}: version {version.id}, {version.entity_count:,} "
                f"entities ({version.added:,} added, {version.removed:,} removed)"
            )
    console.print("note: a running server picks the new lists up at restart", highlight=False)


@screening_app.command("lists")
def lists(as_json: JsonOption = False) -> None:
    """Every version loaded, newest first."""
    from clearway.adapters.screening_store import list_versions

    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            versions = list_versions(connection)
    finally:
        engine.dispose()
    if as_json:
        _print_json([version.document() for version in versions])
        return
    if not versions:
        console.print("no list loaded yet: clearway screening load")
        return
    table = Table()
    for column in ("version", "source", "current", "loaded", "by", "entities", "+", "-"):
        table.add_column(column, justify="right" if column in ("entities", "+", "-") else "left")
    for version in versions:
        table.add_row(
            str(version.id),
            version.source.value,
            "current" if version.current else "",
            f"{version.loaded_at:%Y-%m-%d %H:%M}",
            version.loaded_by,
            f"{version.entity_count:,}",
            f"{version.added:,}",
            f"{version.removed:,}",
        )
    make_console().print(table)


@screening_app.command("evaluate")
def evaluate(
    cases: Annotated[Path, typer.Option(help="CSV with columns name1,name2,is_match")],
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Threshold to report at (default: the configured)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Precision, recall and F1 of the screening matcher on labelled name pairs."""
    from clearway.services.screening import DEFAULT_THRESHOLD
    from clearway.services.screening.evaluation import evaluate_pairs

    try:
        pairs = read_name_pairs(cases)
    except SanctionsFileError as error:
        fail(str(error))
    report = evaluate_pairs(
        ((pair.name1, pair.name2, pair.is_match) for pair in pairs),
        DEFAULT_THRESHOLD if threshold is None else threshold,
    )
    if as_json:
        _print_json(report)
        return
    best = report["best"]
    typer.echo(
        f"{report['pairs']} pairs ({report['matches']} matches) at threshold "
        f"{report['threshold']:.2f}: precision {report['precision']:.3f}, recall "
        f"{report['recall']:.3f}, F1 {report['f1']:.3f}; best F1 {best['f1']:.3f} at "
        f"{best['threshold']:.3f}"
    )


def screen(
    name: Annotated[str, typer.Option("--name", help="The name to screen")],
    country: Annotated[
        str | None, typer.Option(help="ISO 3166-1 alpha-2 country of the party")
    ] = None,
    address: Annotated[str | None, typer.Option(help="The party's address")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Most matches to show")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Screen one name against the sanctions lists loaded in the database."""
    from clearway.adapters.screening_store import current_versions, read_screener

    if not name.strip():
        fail("--name is empty")
    if country is not None and not (len(country.strip()) == 2 and country.strip().isalpha()):
        fail(f"--country {country!r} is not an ISO 3166-1 alpha-2 code")
    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            if not current_versions(connection):
                fail("no sanctions list is loaded: run clearway screening load")
            screener = read_screener(connection)
    finally:
        engine.dispose()
    matches = screener.screen(name, country, address, limit)
    if as_json:
        _print_json(
            {
                "name": name,
                "country": country,
                "threshold": screener.threshold,
                "matches": [match.document() for match in matches],
            }
        )
        return
    if not matches:
        typer.echo(f"no match at or above {screener.threshold:.2f}")
        return
    table = Table()
    for column in ("score", "entity", "listed name", "matched name", "programmes"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for match in matches:
        table.add_row(
            f"{match.score:.2f}",
            match.entity_id,
            match.listed_name,
            match.matched_name,
            ", ".join(match.programmes),
        )
    screen_console = make_console(highlight=False)
    screen_console.print(table)
    for match in matches:
        screen_console.print(f"{match.entity_id}: {match.explanation.text}")
