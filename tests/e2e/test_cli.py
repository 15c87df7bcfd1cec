"""The ``clearway`` command as a user runs it, on a real database: the Typer app in this
process (as ``clearway`` runs it, settings read afresh), and a real process where the test is
about the process itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.selectivity_store import put_targets
from clearway.adapters.tables import declarations, exchange_rates, users
from tests.conftest import NO_SAMPLING, certified, example, invoke_cli

CLEARWAY = str(Path(sys.executable).with_name("clearway"))


def run(
    database_url: str, *args: str, stdin: bytes | None = None, **env: str | None
) -> subprocess.CompletedProcess[str]:
    """``clearway ARGS`` as a separate process on ``database_url``, with this process's
    environment changed by ``env`` (a variable set to None is unset)."""
    variables = {**os.environ, "CLEARWAY_DATABASE_URL": database_url, "COLUMNS": "200"}
    for name, value in env.items():
        if value is None:
            variables.pop(name, None)
        else:
            variables[name] = value
    return subprocess.run(
        [CLEARWAY, *args],
        env=variables,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin.decode() if stdin else None,
    )


def count(database_url: str, table: object) -> int:
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        rows: int = connection.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
    engine.dispose()
    return rows


def without_random_control(database_url: str) -> None:
    """No declaration drawn for a random check, so each lane follows from the goods alone."""
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        put_targets(connection, NO_SAMPLING, actor="tests", at=datetime.now(UTC))
    engine.dispose()


def test_process_lodges_a_file_and_explains_refusals(database_url: str, tmp_path: Path) -> None:
    flow = tmp_path / "flow.jsonl"
    bad = example("import")
    bad["lrn"] = "NWT-2026-000999"
    bad["items"][0]["gross_mass_kg"] = "10"
    lines = [example("import"), example("export"), bad, example("import")]
    flow.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n{not json\n")
    without_random_control(database_url)
    done = invoke_cli(database_url, "process", str(flow))
    assert done.exit_code == 0, done.output
    assert "5 declarations" in done.stdout
    assert re.search(r"│ lodged\s+│\s+2 │", done.stdout)
    # Where clearance left them: the tomatoes lack their phytosanitary certificate, the
    # pumps their export licence.
    assert re.search(r"│   held \(yellow lane: document check\)\s+│\s+1 │", done.stdout)
    assert re.search(r"│   referred to the export-control agency\s+│\s+1 │", done.stdout)
    # What the database lacks is said, with the stage it skips.
    assert "no sanctions lists are loaded: parties are not screened" in done.stdout
    assert "no risk model is active" in done.stdout
    assert "no tariff is loaded" not in done.stdout
    assert re.search(r"│ already lodged\s+│\s+1 │", done.stdout)
    assert re.search(r"│ rejected\s+│\s+2 │", done.stdout)
    assert re.search(r"│   BR034\s+│\s+1 │", done.stdout)
    rejects = [
        orjson.loads(line) for line in (tmp_path / "flow.rejected.jsonl").read_bytes().splitlines()
    ]
    assert [(r["line"], r["lrn"]) for r in rejects] == [(3, "NWT-2026-000999"), (5, None)]
    assert rejects[0]["errors"] == [
        {
            "code": "BR034",
            "pointer": "/items/0/gross_mass_kg",
            "detail": "gross mass 10 kg is less than net mass 16000 kg",
        }
    ]
    assert rejects[1]["errors"][0]["code"] == "SCHEMA.json_invalid"
    assert count(database_url, declarations) == 2


def test_lodge_files_prints_mrns_and_problems(database_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(orjson.dumps(example("export")))
    broken = example("export")
    del broken["consignee"]
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps(broken))
    tomatoes = tmp_path / "tomatoes.json"
    tomatoes.write_bytes(orjson.dumps(certified(example("import"))))
    without_random_control(database_url)
    done = invoke_cli(database_url, "lodge", str(good), str(bad), str(tomatoes))
    assert done.exit_code == 1, done.output
    assert re.search(rf"{good}: 26GB\w+ referred to the export-control agency", done.stdout)
    assert "BR022 /consignee: an export must name the consignee" in done.stdout
    assert re.search(rf"{tomatoes}: 26GB\w+ released \(green lane\)", done.stdout)
    assert count(database_url, declarations) == 2


def test_users_and_rates_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    create_ana = ("users", "create", "--username", "ana", "--password", "s3cret-enough",
                  "--role", "trader", "--company", "GB123456789000")  # fmt: skip
    created = invoke_cli(database_url, *create_ana)
    assert created.exit_code == 0, created.output
    again = invoke_cli(database_url, *create_ana)
    assert again.exit_code == 1
    assert again.stderr.strip() == "error: user 'ana' already exists"
    assert count(database_url, users) == 1

    before = count(database_url, exchange_rates)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,valid_from,valid_to,rate\nUSD,2031-01-01,2031-01-31,0.79\n"
        "USD,2031-02-01,2031-02-28,zero\n"
    )
    refused = invoke_cli(database_url, "reference", "rates", str(rates))
    assert refused.exit_code == 1
    assert "rates.csv line 3: rate 'zero' is not a number" in refused.stderr
    assert count(database_url, exchange_rates) == before
    rates.write_text("currency,valid_from,valid_to,rate\nUSD,2031-01-01,2031-01-31,0.79\n")
    loaded = invoke_cli(database_url, "reference", "rates", str(rates))
    assert loaded.exit_code == 0, loaded.output
    assert count(database_url, exchange_rates) == before + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("process", "/no/such/file.jsonl"), "error: no such file: /no/such/file.jsonl"),
        (("lodge", "/no/such.json"), "error: no such file: /no/such.json"),
        (("simulate", "--start", "yesterday"), "error: --start 'yesterday' is not a date"),
    ],
)
def test_bad_arguments_give_one_line_and_a_non_zero_exit(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    done = invoke_cli(f"sqlite:///{tmp_path / 'x.db'}", *args)
    assert done.exit_code != 0
    assert done.stderr.strip().startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    # A real process: were the check gone, ``serve`` would start a server and block; a process
    # is stopped by its timeout, where in this one the server would hold the test worker.
    done = run(f"sqlite:///{tmp_path / 'x.db'}", "serve", CLEARWAY_SECRET_KEY=None)
    assert done.returncode == 1
    assert "CLEARWAY_SECRET_KEY must be set" in done.stderr
