"""``clearway control-list …`` run as a user runs it (the Typer app in this process), on each
database: show the version in force, look up a commodity code, load a new version from files,
refuse a broken file in one line leaving the list as it was."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from clearway.adapters.control_list_files import ControlListFiles
from clearway.adapters.control_list_tables import control_list_versions
from clearway.adapters.database import create_database_engine
from tests.conftest import invoke_cli


def stored_versions(database_url: str) -> list[tuple[int, bool, str]]:
    engine = create_database_engine(database_url)
    query = select(
        control_list_versions.c.id, control_list_versions.c.current, control_list_versions.c.source
    ).order_by(control_list_versions.c.id)
    with engine.connect() as connection:
        rows = [(row.id, row.current, row.source) for row in connection.execute(query)]
    engine.dispose()
    return rows


def json_of(database_url: str, *args: str) -> Any:
    done = invoke_cli(database_url, "control-list", *args, "--json")
    assert done.exit_code == 0, done.output
    return orjson.loads(done.stdout)


def test_show_and_lookup_the_list_in_force(database_url: str) -> None:
    shown = json_of(database_url, "show")
    assert (shown["id"], shown["version"], shown["illustrative"]) == (
        1,
        "illustrative-2026.1",
        True,
    )
    assert (shown["entries"], shown["correlation"]) == (47, 44)
    assert [m["country"] for m in shown["destinations"]] == ["KP", "RU", "BY", "IR", "SY", "MM"]
    found = json_of(database_url, "lookup", "--commodity", "8413705140", "--destination", "ir")
    assert [entry["code"] for entry in found["entries"]] == ["2B350.i"]
    assert [row["commodity_code"] for row in found["correlation"]] == ["841370"]
    assert found["destination"] == "IR"
    assert [(m["list"], m["action"]) for m in found["measures"]] == [
        ("EU Reg. 267/2012 Iran", "refer")
    ]
    done = invoke_cli(database_url, "control-list", "lookup", "--commodity", "8413705140")
    assert done.exit_code == 0, done.output
    assert "2B350.i" in done.stdout and "841370" in done.stdout
    assert "ILLUSTRATIVE" in done.stderr


def test_lookup_refuses_a_bad_code_or_country_in_one_line(database_url: str) -> None:
    for args, message in (
        (("--commodity", "84137"), "error: --commodity '84137' must be 2 to 10 digits in pairs"),
        (
            ("--commodity", "841370", "--destination", "XX"),
            "error: --destination 'XX' is not an ISO 3166 country code",
        ),
    ):
        done = invoke_cli(database_url, "control-list", "lookup", *args)
        assert done.exit_code == 1
        assert done.stderr.strip().splitlines() == [done.stderr.strip()]
        assert done.stderr.startswith(message), done.stderr


def test_load_from_files_makes_a_new_version_and_keeps_the_old(
    database_url: str, tmp_path: Path
) -> None:
    shipped = ControlListFiles.shipped()
    destinations = tmp_path / "measures.json"
    # the Syria measure moved to the UAE, to see the new version in force
    text = shipped.destinations.read_text().replace('"country": "SY"', '"country": "AE"')
    destinations.write_text(text)
    done = invoke_cli(database_url, "control-list", "load", "--destinations", str(destinations))
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == (
        "control list version 2 loaded: 47 entries, 44 correlation rows, 6 destination "
        "measures (ILLUSTRATIVE: not the legal text)"
    )
    assert "PUT /api/v1/control-list" in done.stderr
    source = "files control-list.json, correlation.csv, measures.json"
    assert [(id_, current) for id_, current, _ in stored_versions(database_url)] == [
        (1, False),
        (2, True),
    ]
    assert stored_versions(database_url)[1][2] == source
    found = json_of(database_url, "lookup", "--commodity", "8413705140", "--destination", "AE")
    assert [m["list"] for m in found["measures"]] == ["EU Reg. 36/2012 Syria"]


def test_a_broken_file_is_refused_in_one_line_and_nothing_is_loaded(
    database_url: str, tmp_path: Path
) -> None:
    correlation = tmp_path / "correlation.csv"
    shutil.copy(ControlListFiles.shipped().correlation, correlation)
    with correlation.open("a") as handle:
        handle.write("841370,2B350.z,no such sub-item\n")
    done = invoke_cli(database_url, "control-list", "load", "--correlation", str(correlation))
    assert done.exit_code == 1
    assert done.stderr.strip() == (
        "error: correlation.csv line 47: 2B350.z is not an entry of the list"
    )
    done = invoke_cli(
        database_url, "control-list", "load", "--entries", str(tmp_path / "missing.json")
    )
    assert done.exit_code == 1
    assert done.stderr.strip().endswith("missing.json: No such file or directory")
    assert [(id_, current) for id_, current, _ in stored_versions(database_url)] == [(1, True)]
