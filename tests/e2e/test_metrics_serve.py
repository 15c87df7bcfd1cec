"""``clearway serve --workers 2`` as operators run it: both workers count into one fresh folder
of their own, any worker's ``/metrics`` adds every worker's counts up (the database figures
once, not once per worker), the folder goes when the server stops, and the server's log is
JSON lines with one access line per request, its id included."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.risk_tables import lane_outcomes, work_items
from tests.conftest import SECRET, certified, example, store_user
from tests.e2e.test_demo import free_port
from tests.e2e.test_fleet import CLEARWAY, _wait_until_ready

TOKEN = "prometheus-scrape-token-0123456789"
DECLARATIONS = "/api/v1/declarations"
# Lodgings until both workers have taken some (the kernel may hand all to one for a while).
MOST = 40

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Served:
    base: str
    log: Path
    process: subprocess.Popen[bytes]
    broker: dict[str, str]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def _metrics_folder(pid: int) -> Path:
    """The folder the workers count into, from their environment."""
    for child in _children(pid):
        environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        for entry in environ:
            if entry.startswith(b"PROMETHEUS_MULTIPROC_DIR="):
                return Path(entry.split(b"=", 1)[1].decode())
    raise AssertionError("no worker has PROMETHEUS_MULTIPROC_DIR")


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    engine = create_database_engine(database_url)
    broker = {"Authorization": f"Bearer {store_user(engine, 'broker')}"}
    engine.dispose()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "CLEARWAY_DATABASE_URL": database_url,
        "CLEARWAY_SECRET_KEY": SECRET,
        "CLEARWAY_METRICS_TOKEN": TOKEN,
        "CLEARWAY_RELAY_INTERVAL_SECONDS": "0",
        "CLEARWAY_LEDGER_INTERVAL_SECONDS": "0",
    }
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [CLEARWAY, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base)
        yield Served(base, log, process, broker)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _scrape(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _writers(database_url: str) -> int:
    """Processes that took lane decisions (each worker has its own writer id)."""
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count(func.distinct(lane_outcomes.c.writer)))
        ).scalar_one()
    engine.dispose()
    return int(count)


def _undecided(database_url: str) -> dict[str, float]:
    """The officers' undecided work per lane, as the database holds it."""
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(work_items.c.lane, func.count())
            .where(work_items.c.state != "done")
            .group_by(work_items.c.lane)
        ).all()
    engine.dispose()
    return {"yellow": 0, "red": 0, "blue": 0, **{lane: count for lane, count in rows}}


def _lodge(served: Served, number: int) -> Any:
    payload = certified(example("import"))
    payload["lrn"] = f"WORKERS-{number:04d}"
    # A connection of its own each time, so that either worker may take it.
    answer = httpx.post(
        f"{served.base}{DECLARATIONS}",
        json=payload,
        headers={**served.broker, "X-Request-ID": f"lodge-{number}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["x-request-id"] == f"lodge-{number}"
    return answer.json()


def test_two_workers_count_into_one_folder_and_any_scrape_adds_them_up(
    served: Served, database_url: str
) -> None:
    folder = _metrics_folder(served.process.pid)
    assert folder.is_dir()
    lodged = 0
    while lodged < 4 or (_writers(database_url) < 2 and lodged < MOST):
        _lodge(served, lodged)
        lodged += 1
    assert _writers(database_url) == 2, "one worker took every lodging"
    # Both workers have counted, each its own file.
    assert len({path.name.rsplit("_", 1)[1] for path in folder.glob("counter_*.db")}) == 2

    for _ in range(4):  # whichever worker answers, the answer is the sum
        samples = _scrape(served.base)
        post = {"method": "POST", "route": DECLARATIONS}
        labels = frozenset({**post, "status": "201"}.items())
        assert samples[("clearway_http_requests_total", labels)] == lodged
        assert (
            samples[("clearway_stage_declarations_total", frozenset({"stage": "lodge"}.items()))]
            == lodged
        )
        # Read from the database once per scrape, not added up per worker.
        depth = {
            dict(labels)["lane"]: value
            for (name, labels), value in samples.items()
            if name == "clearway_work_queue_depth"
        }
        assert depth == _undecided(database_url)
        assert samples[("clearway_database_up", frozenset())] == 1

    served.process.terminate()
    served.process.wait(timeout=30)
    assert not folder.exists()

    lines = [json.loads(line) for line in served.log.read_text().splitlines() if line.strip()]
    access = {line["request_id"]: line for line in lines if line["logger"] == "clearway.access"}
    for number in range(lodged):
        line = access[f"lodge-{number}"]
        assert (line["method"], line["route"], line["status"]) == ("POST", DECLARATIONS, 201)
        assert line["client"] == "127.0.0.1"
    assert any(
        line["logger"] == "uvicorn.error" and "Uvicorn running" in line["message"] for line in lines
    )
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
