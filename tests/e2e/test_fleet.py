"""One truth across a fleet: ``clearway serve --workers 2`` and a second server on one
PostgreSQL database, and whatever an analyst, an administrator or the agency changes, through
the API or with the CLI from another process, changes the answer of every worker within
seconds, without a restart.

Each probe lodges a crowd of declarations at once, shared between the two servers, each on its
own connection, and waits until every answer shows the change; the lane decisions stored name
the process that took them, which shows that several processes answered.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.risk_tables import lane_outcomes
from clearway.adapters.tables import exchange_rates
from tests.conftest import SECRET, certified, example, store_user
from tests.e2e.test_demo import free_port
from tests.e2e.test_risk_models import store_tiny

CLEARWAY = str(Path(sys.executable).with_name("clearway"))
DECLARATIONS = "/api/v1/declarations"
CROWD = 8
# The bound: a change reaches every worker within ten seconds.
WITHIN = 10.0
LISTED = "BANCO NACIONAL DE CUBA"  # on the OFAC SDN list shipped with Clearway
SHIPPED_LISTS = Path(__file__).resolve().parents[2] / "src/clearway/reference/data/sanctions"

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


class Fleet:
    """The served API, tokens per role, and the CLI pointed at the same database."""

    def __init__(self, bases: list[str], database_url: str, tokens: dict[str, str]) -> None:
        self.bases = bases
        self.base = bases[0]
        self.database_url = database_url
        self.lrns = count(1)
        self.tokens = tokens

    def as_(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def cli(self, *args: str) -> None:
        done = subprocess.run(
            [CLEARWAY, *args],
            env={**os.environ, "CLEARWAY_DATABASE_URL": self.database_url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr

    def risk_of(self, declaration_id: str) -> dict[str, Any]:
        """The whole risk decision, as customs reads it (the declarant sees the outcome)."""
        shown = httpx.get(
            f"{self.base}{DECLARATIONS}/{declaration_id}", headers=self.as_("analyst"), timeout=60
        )
        assert shown.status_code == 200, shown.text
        risk: dict[str, Any] = shown.json()["risk"]
        return risk

    def lodge_crowd(self, make: Callable[[], dict[str, Any]], user: str = "broker") -> list[Any]:
        """Lodge ``CROWD`` declarations at once, each on a new connection; their bodies."""
        payloads = []
        for _ in range(CROWD):
            payload = make()
            payload["lrn"] = f"FLEET-{next(self.lrns):05d}"
            payloads.append(payload)

        def send(numbered: tuple[int, dict[str, Any]]) -> Any:
            number, payload = numbered
            base = self.bases[number % len(self.bases)]
            answer = httpx.post(
                f"{base}{DECLARATIONS}", json=payload, headers=self.as_(user), timeout=60
            )
            assert answer.status_code == 201, answer.text
            return answer.json()

        with ThreadPoolExecutor(CROWD) as pool:
            return list(pool.map(send, enumerate(payloads)))

    def seconds_until(self, every: Callable[[], bool], within: float = WITHIN) -> float:
        """Seconds until ``every()`` holds (it asks every worker); fails past ``within``."""
        started = time.monotonic()
        while not every():
            assert time.monotonic() - started < within, "a worker still answers the old way"
            time.sleep(0.2)
        return time.monotonic() - started


@pytest.fixture
def fleet(database_url: str, tmp_path: Path) -> Iterator[Fleet]:
    """``clearway serve --workers 2`` and, behind the same imagined load balancer, a second
    ``clearway serve``: the kernel may hand one server's connections all to one of its
    workers, the second server is surely another process."""
    engine = create_database_engine(database_url)
    tokens = {name: store_user(engine, name) for name in ("broker", "analyst", "admin")}
    engine.dispose()
    env = {
        **os.environ,
        "CLEARWAY_DATABASE_URL": database_url,
        "CLEARWAY_SECRET_KEY": SECRET,
        "CLEARWAY_RELAY_INTERVAL_SECONDS": "0",
        "CLEARWAY_LEDGER_INTERVAL_SECONDS": "0",
    }
    ports = [free_port(), free_port()]
    servers = []
    for port, workers in zip(ports, ("2", "1"), strict=True):
        log = (tmp_path / f"serve-{port}.log").open("w")
        command = [CLEARWAY, "serve", "--workers", workers, "--port", str(port)]
        servers.append((subprocess.Popen(command, env=env, stdout=log, stderr=log), log))
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            _wait_until_ready(base)
        yield Fleet(bases, database_url, tokens)
    finally:
        for served, log in servers:
            served.terminate()
            served.wait(timeout=30)
            log.close()


def _wait_until_ready(base: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(f"{base}/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"clearway serve at {base} did not become ready in 60 s")


def _rate_now(database_url: str) -> tuple[str, str, Decimal]:
    """The EUR rate in force today: its period and figure."""
    engine = create_database_engine(database_url)
    today = datetime.now(UTC).date()
    with engine.connect() as connection:
        row = connection.execute(
            select(exchange_rates)
            .where(
                exchange_rates.c.currency == "EUR",
                exchange_rates.c.valid_from <= today,
                exchange_rates.c.valid_to >= today,
            )
            .order_by(exchange_rates.c.valid_from.desc())
        ).first()
    engine.dispose()
    assert row is not None
    return row.valid_from.isoformat(), row.valid_to.isoformat(), Decimal(row.rate)


def _sdn_slice(folder: Path, entries: int) -> Path:
    """The first ``entries`` entries of the shipped SDN list, with their aliases and
    addresses, in the published layout."""
    folder.mkdir()
    with gzip.open(SHIPPED_LISTS / "sdn.csv.gz", "rt", encoding="utf-8") as sdn:
        kept = [line for _, line in zip(range(entries), sdn, strict=False)]
    (folder / "sdn.csv").write_text("".join(kept), encoding="utf-8")
    numbers = {line.split(",", 1)[0] for line in kept}
    for name in ("alt.csv", "add.csv"):
        with gzip.open(SHIPPED_LISTS / f"{name}.gz", "rt", encoding="utf-8") as source:
            lines = [line for line in source if line.split(",", 1)[0] in numbers]
        (folder / name).write_text("".join(lines), encoding="utf-8")
    return folder


def _tomatoes() -> dict[str, Any]:
    return certified(example("import"))


def test_changes_through_the_api_or_the_cli_reach_every_worker(
    fleet: Fleet, tmp_path: Path
) -> None:
    tomatoes = _tomatoes
    took: dict[str, float] = {}

    # Lane targets, through the API: no random control or top-up on any worker.
    no_sampling = [
        {"lane": lane, "expected_rate": 0, "random_rate": 0} for lane in ("red", "yellow", "blue")
    ]
    put = httpx.put(
        f"{fleet.base}/api/v1/risk/lane-targets", json=no_sampling, headers=fleet.as_("analyst")
    )
    assert put.status_code == 200, put.text
    took["lane targets (API)"] = fleet.seconds_until(
        lambda: all(body["status"] == "released" for body in fleet.lodge_crowd(tomatoes))
    )

    # Rules, through the API: every worker's next declaration meets them.
    analyst = fleet.as_("analyst")
    risk = f"{fleet.base}/api/v1/risk"
    watch = {"description": "origins to watch", "codes": ["EG"]}
    assert httpx.put(f"{risk}/lists/watch", json=watch, headers=analyst).status_code == 201
    today = datetime.now(UTC).date().isoformat()
    for expression in ('origin == "MA" -> yellow', "origin in list:watch -> red"):
        rule = {"expression": expression, "owner": "risk team", "reason": "fleet check"}
        made = httpx.post(f"{risk}/rules", json={**rule, "valid_from": today}, headers=analyst)
        assert made.status_code == 201, made.text
    took["rule (API)"] = fleet.seconds_until(
        lambda: all(
            body["risk"]["outcome"] == "document_check" for body in fleet.lodge_crowd(tomatoes)
        )
    )

    # A risk list, through the API: the rule naming it now meets every worker's tomatoes.
    watch["codes"] = ["EG", "MA"]
    assert httpx.put(f"{risk}/lists/watch", json=watch, headers=analyst).status_code == 200
    took["risk list (API)"] = fleet.seconds_until(
        lambda: all(
            body["risk"]["outcome"] == "physical_examination"
            for body in fleet.lodge_crowd(tomatoes)
        )
    )

    # A rate, through the API: every worker values at the new one.
    valid_from, valid_to, rate = _rate_now(fleet.database_url)
    new_rate = (rate * Decimal("1.1")).quantize(Decimal("0.00001"))
    csv = f"currency,valid_from,valid_to,rate\nEUR,{valid_from},{valid_to},{new_rate}\n"
    loaded = httpx.post(
        f"{fleet.base}/api/v1/reference/exchange-rates",
        files={"file": ("rates.csv", csv.encode(), "text/csv")},
        headers=fleet.as_("admin"),
    )
    assert loaded.status_code == 200, loaded.text
    invoice = Decimal("18400.00") + Decimal("1350.00") + Decimal("92.00")  # CIF, in EUR
    expected = str((invoice * new_rate).quantize(Decimal("0.01")))

    def valued_anew() -> bool:
        crowd = fleet.lodge_crowd(tomatoes)
        return {body["customs_value"]["amount"] for body in crowd} == {expected}

    took["rate (API)"] = fleet.seconds_until(valued_anew)

    # A sanctions list, loaded by the CLI in another process: every worker screens. The first
    # hundred entries of the shipped SDN list, so that what is measured is the change reaching
    # the workers rather than each one's rebuilding the index of 27,701 names (docs/screening.md).
    fleet.cli("screening", "load", str(_sdn_slice(tmp_path / "lists", 100)))

    def listed_importer() -> dict[str, Any]:
        payload = certified(example("import"))
        payload["importer"]["name"] = LISTED
        return payload

    took["sanctions lists (CLI)"] = fleet.seconds_until(
        lambda: all(body["referral"] is not None for body in fleet.lodge_crowd(listed_importer))
    )

    # A model, promoted through the API: every worker scores with it.
    engine = create_database_engine(fleet.database_url)
    store_tiny(engine, 1)
    engine.dispose()
    promoted = httpx.post(
        f"{fleet.base}/api/v1/risk/models/1/promote", headers=fleet.as_("analyst")
    )
    assert promoted.status_code == 200, promoted.text
    took["model promotion (API)"] = fleet.seconds_until(
        lambda: all(
            fleet.risk_of(body["id"])["model_version"] == 1 for body in fleet.lodge_crowd(tomatoes)
        )
    )

    # A tariff, loaded by the CLI: every worker knows the new commodity's duty.
    tariff_file = tmp_path / "onions.csv"
    tariff_file.write_text(
        "commodity_code,measure_type,origin,excluded,duty,valid_from,valid_to,"
        "additional_code,order_number,documents,description\n"
        "0703101900,103,1011,,9.6%,2025-01-01,,,,,Onion sets\n"
    )
    fleet.cli("tariff", "load-csv", str(tariff_file))

    def onions_known() -> bool:
        def ask(number: int) -> bool:
            base = fleet.bases[number % len(fleet.bases)]
            answer = httpx.get(
                f"{base}/api/v1/tariff/commodities/0703101900", headers=fleet.as_("broker")
            )
            return answer.status_code == 200 and any(
                measure["measure_type"] == "103" for measure in answer.json()["measures"]
            )

        with ThreadPoolExecutor(CROWD) as pool:
            return all(pool.map(ask, range(CROWD)))

    took["tariff (CLI)"] = fleet.seconds_until(onions_known)

    # Both worker processes took part: each names its lane decisions.
    engine = create_database_engine(fleet.database_url)
    with engine.connect() as connection:
        writers = connection.execute(
            select(func.count(func.distinct(lane_outcomes.c.writer)))
        ).scalar_one()
    engine.dispose()
    assert writers >= 2
    print({change: round(seconds, 1) for change, seconds in took.items()})
