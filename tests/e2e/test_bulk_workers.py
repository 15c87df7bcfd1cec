"""``clearway process --workers N``: batches lodged in worker processes, several at once,
each line answered in input order; the same outcomes, refusals and idempotency as on one core,
and the ledger integrated at the end, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.ledger_tables import ledger_entries
from clearway.adapters.screening_store import load_list
from clearway.adapters.tables import declarations, events
from tests.conftest import LEDGER_ORIGIN, certified, example, invoke_cli
from tests.e2e.test_cli import CLEARWAY, without_random_control

LISTED = "Al Wasel & Babel General Trading L.L.C."  # OFAC SDN entry 8210


def _flow(prefix: str) -> list[dict[str, Any] | bytes]:
    """Thirteen lines: released, held and referred goods, a party on a sanctions list, a rule
    broken, a line that is not JSON and a repeat of the first line."""
    lines: list[dict[str, Any] | bytes] = []
    for number in range(1, 9):
        payload = certified(example("import")) if number % 2 else example("import")
        payload["lrn"] = f"{prefix}-{number:04d}"
        lines.append(payload)
    exported = example("export")
    exported["lrn"] = f"{prefix}-0009"
    listed = example("export")
    listed["lrn"] = f"{prefix}-0010"
    listed["consignee"]["name"] = listed["end_user"]["name"] = LISTED
    broken = example("import")
    broken["lrn"] = f"{prefix}-0011"
    broken["items"][0]["gross_mass_kg"] = "10"
    lines += [exported, listed, broken, b"{not json", lines[0]]
    return lines


def _write(path: Path, lines: list[dict[str, Any] | bytes]) -> Path:
    path.write_bytes(
        b"".join(
            (line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n" for line in lines
        )
    )
    return path


def _summary(output: str) -> list[tuple[str, int]]:
    """The outcome table's rows, as (outcome, count)."""
    return [
        (name.strip(), int(times))
        for name, times in re.findall(r"│ ([^│]+?)\s+│\s+(\d+) │", output)
    ]


def _refusals(path: Path) -> list[tuple[int, str, list[str]]]:
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return [
        (row["line"], (row["lrn"] or "").rsplit("-", 1)[-1], [e["code"] for e in row["errors"]])
        for row in rows
    ]


def _count(database_url: str, table: Any) -> int:
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        rows: int = connection.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return rows


def test_workers_lodge_as_one_core_does_and_the_ledger_takes_every_event(
    database_url: str,
    tmp_path: Path,
    shipped_lists: list[Any],
    screener_full: Any,
    ledger_keys: tuple[Path, Path],
) -> None:
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        for listed in shipped_lists:
            load_list(connection, listed, actor="tests", at=datetime.now(UTC))
    engine.dispose()
    without_random_control(database_url)
    ledger = {
        "CLEARWAY_LEDGER_KEY_FILE": str(ledger_keys[0]),
        "CLEARWAY_LEDGER_ORIGIN": LEDGER_ORIGIN,
    }

    one_core = _write(tmp_path / "one.jsonl", _flow("ONE"))
    alone = invoke_cli(database_url, "process", str(one_core), "--batch-size", "4", **ledger)
    assert alone.exit_code == 0, alone.output
    two_workers = _write(tmp_path / "two.jsonl", _flow("TWO"))
    shared = invoke_cli(
        database_url, "process", str(two_workers), "--batch-size", "4", "--workers", "2", **ledger
    )
    assert shared.exit_code == 0, shared.output
    assert "13 declarations" in shared.stdout and "on 2 worker processes" in shared.stdout

    summary = _summary(shared.stdout)
    assert summary == _summary(alone.stdout)
    assert dict(summary) == {
        "lodged": 10,
        "released (green lane)": 4,
        "held (yellow lane: document check)": 4,  # tomatoes without their certificate
        "referred to the export-control agency": 2,  # the pumps' licence, the listed party
        "already lodged": 1,
        "rejected": 2,
        "BR034": 1,
        "SCHEMA.json_invalid": 1,
    }
    assert _refusals(tmp_path / "two.rejected.jsonl") == _refusals(tmp_path / "one.rejected.jsonl")
    assert _refusals(tmp_path / "two.rejected.jsonl") == [
        (11, "0011", ["BR034"]),
        (12, "", ["SCHEMA.json_invalid"]),
    ]
    # Every event of both runs is in the ledger, integrated by the run that made it.
    stored = _count(database_url, events)
    assert re.search(r"ledger: \d+ events integrated", shared.stdout)
    assert _count(database_url, ledger_entries) == stored > 0

    again = invoke_cli(database_url, "process", str(two_workers), "--workers", "2", **ledger)
    assert again.exit_code == 0, again.output
    assert dict(_summary(again.stdout))["already lodged"] == 11
    assert _count(database_url, declarations) == 20
    assert "ledger: 0 events integrated" in again.stdout


def test_without_a_ledger_key_process_says_the_events_wait(
    database_url: str, tmp_path: Path
) -> None:
    flow = _write(tmp_path / "flow.jsonl", [certified(example("import"))])
    done = invoke_cli(
        database_url, "process", str(flow), "--workers", "2", CLEARWAY_LEDGER_KEY_FILE=None
    )
    assert done.exit_code == 0, done.output
    assert "ledger: not integrated (CLEARWAY_LEDGER_KEY_FILE must name" in done.stdout
    assert _count(database_url, ledger_entries) == 0
    assert _count(database_url, declarations) == 1


def test_two_runs_at_once_on_one_database_lodge_each_declaration_once(
    database_url: str, tmp_path: Path, ledger_keys: tuple[Path, Path]
) -> None:
    def lines(numbers: range) -> list[dict[str, Any] | bytes]:
        payloads: list[dict[str, Any] | bytes] = []
        for number in numbers:
            payload = certified(example("import"))
            payload["lrn"] = f"SHARED-{number:04d}"
            payloads.append(payload)
        return payloads

    first = _write(tmp_path / "first.jsonl", lines(range(1, 61)))
    second = _write(tmp_path / "second.jsonl", lines(range(31, 91)))  # 30 in both files
    environment = {
        **os.environ,
        "CLEARWAY_DATABASE_URL": database_url,
        "CLEARWAY_LEDGER_KEY_FILE": str(ledger_keys[0]),
        "CLEARWAY_LEDGER_ORIGIN": LEDGER_ORIGIN,
        "COLUMNS": "200",
    }
    runs = [
        subprocess.Popen(
            [CLEARWAY, "process", str(flow), "--workers", "2", "--batch-size", "10"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flow in (first, second)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stdout + stderr
    summaries = [dict(_summary(stdout)) for stdout, _ in outputs]
    assert [s["lodged"] + s["already lodged"] for s in summaries] == [60, 60]
    assert sum(s["lodged"] for s in summaries) == 90
    assert sum(s["already lodged"] for s in summaries) == 30
    assert _count(database_url, declarations) == 90
    # Both runs integrated into one ledger: every event once, none left out.
    assert _count(database_url, ledger_entries) == _count(database_url, events)
