"""``clearway control-list …``: load a new version of the dual-use control list from its files,
show the version in force, and look up what it says about a commodity code and a destination.

A running server keeps the list it read at start: after ``load`` here, restart it, or load
through ``PUT /api/v1/control-list``, which the server applies at once.
"""

from __future__ import annotations

import getpass
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table
from rich.text import Text

from clearway.adapters import migrate
from clearway.adapters.control_list_files import (
    ControlListFileError,
    ControlListFiles,
    iso_countries,
    read_control_list_files,
)
from clearway.adapters.control_list_store import SqlAlchemyControlListStore
from clearway.adapters.database import create_database_engine
from clearway.config import get_settings
from clearway.domain.access import Principal, Role
from clearway.domain.errors import ClearwayError
from clearway.domain.events import utc_now
from clearway.domain.export_control.control_list import CATEGORIES, is_commodity_prefix
from clearway.domain.export_control.control_list_document import (
    correlation_document,
    entry_document,
    measure_document,
)
from clearway.entrypoints.cli.output import fail, make_console
from clearway.services.control_list_admin import (
    LoadControlList,
    StoredControlList,
    load_control_list,
)

control_list_app = typer.Typer(
    help="The dual-use control list: load, show, look up.", no_args_is_help=True
)
console = make_console(stderr=True)
SERVER_NOTE = (
    "a running server picks the new version up at restart, or at once when loaded through "
    "PUT /api/v1/control-list"
)
SHIPPED = ControlListFiles.shipped()

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]


def _print_json(document: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


@contextmanager
def _store() -> Iterator[SqlAlchemyControlListStore]:
    """The store on the settings' database, migrated first."""
    engine = create_database_engine(get_settings().database_url)
    try:
        migrate.upgrade(engine)
        yield SqlAlchemyControlListStore(engine)
    finally:
        engine.dispose()


def _current() -> StoredControlList:
    with _store() as store, store:
        stored = store.current()
    if stored is None:
        fail("no control list has been loaded: clearway control-list load")
    return stored


@control_list_app.command("load")
def load(
    entries: Annotated[
        Path, typer.Option(help="Entries (JSON); default: the shipped illustrative list")
    ] = SHIPPED.entries,
    correlation: Annotated[
        Path, typer.Option(help="Commodity code correlation (CSV); default: the shipped one")
    ] = SHIPPED.correlation,
    destinations: Annotated[
        Path, typer.Option(help="Destination measures (JSON); default: the shipped ones")
    ] = SHIPPED.destinations,
) -> None:
    """Load a new version of the control list from its files; all of it or nothing."""
    files = ControlListFiles(entries, correlation, destinations)
    try:
        control_list = read_control_list_files(files)
    except ControlListFileError as error:
        fail(str(error))
    actor = Principal(f"cli:{getpass.getuser()}", Role.ADMIN)
    command = LoadControlList(control_list, actor, files.source, at_console=True)
    try:
        with _store() as store:
            stored = load_control_list(command, store, utc_now())
    except ClearwayError as error:
        fail(error.detail)
    marked = " (ILLUSTRATIVE: not the legal text)" if control_list.illustrative else ""
    typer.echo(
        f"control list version {stored.version.id} loaded: {len(control_list.entries)} "
        f"entries, {len(control_list.correlations)} correlation rows, "
        f"{len(control_list.measures)} destination measures{marked}"
    )
    console.print(f"note: {SERVER_NOTE}", highlight=False)


@control_list_app.command("show")
def show(as_json: JsonOption = False) -> None:
    """The version in force: where it came from, its entries by category, its measures."""
    stored = _current()
    version, control_list = stored.version, stored.control_list
    measures = [measure_document(measure) for measure in control_list.measures]
    summary = {
        "id": version.id,
        "version": control_list.version,
        "label": control_list.label,
        "description": control_list.description,
        "illustrative": control_list.illustrative,
        "loaded_at": version.loaded_at.isoformat(),
        "loaded_by": version.loaded_by,
        "source": version.source,
        "entries": len(control_list.entries),
        "correlation": len(control_list.correlations),
        "destinations": measures,
    }
    if as_json:
        _print_json(summary)
        return
    screen = make_console(highlight=False)
    marked = "  ILLUSTRATIVE: not the legal text" if control_list.illustrative else ""
    screen.print(
        Text.assemble(
            f"version {version.id}: {control_list.label} ({control_list.version})", (marked, "bold")
        )
    )
    screen.print(
        f"loaded {version.loaded_at:%Y-%m-%d %H:%M} UTC by {version.loaded_by} from "
        f"{version.source}; {len(control_list.entries)} entries, "
        f"{len(control_list.correlations)} correlation rows"
    )
    per_category = Counter(entry.code.category for entry in control_list.entries)
    categories = Table(title="Entries by category")
    categories.add_column("category")
    categories.add_column("entries", justify="right")
    for category, name in CATEGORIES.items():
        categories.add_row(f"{category} {name}", str(per_category.get(category, 0)))
    screen.print(categories)
    screen.print(_measures_table(measures, "Destination measures"))


@control_list_app.command("lookup")
def lookup(
    commodity: Annotated[str, typer.Option(help="Commodity code, 2 to 10 digits")],
    destination: Annotated[
        str | None, typer.Option(help="Destination country (ISO 3166 alpha-2)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The entries goods under a commodity code may be, and the measures on exporting them to a
    destination."""
    if not is_commodity_prefix(commodity):
        fail(f"--commodity {commodity!r} must be 2 to 10 digits in pairs, such as 8413705140")
    country = destination.upper() if destination else None
    if country is not None and country not in iso_countries():
        fail(f"--destination {destination!r} is not an ISO 3166 country code")
    stored = _current()
    controls = stored.control_list.controls_for(commodity, country)
    measures = [measure_document(measure) for measure in controls.measures]
    document = {
        "commodity_code": commodity,
        "control_list": {
            "id": stored.version.id,
            "version": stored.control_list.version,
            "illustrative": stored.control_list.illustrative,
        },
        "correlation": [correlation_document(row) for row in controls.correlations],
        "entries": [entry_document(entry) for entry in controls.entries],
        "destination": country,
        "measures": measures,
    }
    if as_json:
        _print_json(document)
        return
    screen = make_console(highlight=False)
    if not controls.entries:
        screen.print(f"{commodity} correlates with no entry of the control list")
    else:
        table = Table(title=f"Entries {commodity} may be")
        for column in ("entry", "description", "correlated through"):
            table.add_column(column)
        for entry in controls.entries:
            rows = [row for row in controls.correlations if row.entry == entry.code]
            through = "\n".join(f"{row.commodity_prefix} {row.note}".strip() for row in rows)
            table.add_row(str(entry.code), entry.description, through)
        screen.print(table)
    if country is not None:
        if controls.measures:
            screen.print(_measures_table(measures, f"Measures on exports to {country}"))
        else:
            screen.print(f"no destination measure applies to these goods for {country}")
    if stored.control_list.illustrative:
        console.print("note: the control list in force is ILLUSTRATIVE, not the legal text")


def _measures_table(measures: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for column in ("country", "action", "scope", "list", "legal basis"):
        table.add_column(column)
    for measure in measures:
        scope = measure["scope"]
        if "categories" in measure:
            scope += " " + ", ".join(str(c) for c in measure["categories"])
        if "entries" in measure:
            scope += " " + ", ".join(measure["entries"])
        table.add_row(
            measure["country"], measure["action"], scope, measure["list"], measure["legal_basis"]
        )
    return table
