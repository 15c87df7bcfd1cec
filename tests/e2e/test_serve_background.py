"""``clearway serve --workers 2`` as operators run it: one ``clearway worker`` process beside
the API workers integrates the ledger and publishes events while the server serves, and goes
when the server stops."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.ledger_tables import ledger_entries
from clearway.adapters.publishing_store import SqlAlchemySubscriptionStore
from clearway.adapters.tables import events
from clearway.domain.subscriptions import SubscriptionKind
from clearway.services.publishing import AddSubscription, add_subscription
from tests.conftest import LEDGER_ORIGIN, NOW, SECRET, certified, example, store_user
from tests.e2e.test_demo import free_port
from tests.e2e.test_fleet import CLEARWAY, _wait_until_ready
from tests.integration.publishing_support import WebhookReceiver, running_receiver

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# Seconds the worker may take to start and catch up on a busy machine.
WITHIN = 120


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


def _commands(pid: int) -> dict[int, str]:
    """The processes ``pid`` started, each with its command line."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {
        int(child): Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        for child in children
    }


def _counts(database_url: str) -> tuple[int, int]:
    """(events in the outbox, entries in the ledger)."""
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(events)).scalar_one()
        logged = connection.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
    engine.dispose()
    return int(stored), int(logged)


def test_serve_runs_one_background_worker_and_stops_it_with_the_server(
    database_url: str, tmp_path: Path, receiver: WebhookReceiver, ledger_keys: tuple[Path, Path]
) -> None:
    engine = create_database_engine(database_url)
    broker = {"Authorization": f"Bearer {store_user(engine, 'broker')}"}
    store_user(engine, "admin")  # the server is ready only with an administrator
    subscription = add_subscription(
        AddSubscription(
            name="agency", kind=SubscriptionKind.WEBHOOK, actor="admin", url=receiver.url("/in")
        ),
        SqlAlchemySubscriptionStore(engine),
        NOW,
    )
    engine.dispose()
    assert subscription.secret is not None
    receiver.secrets["/in"] = subscription.secret
    receiver.start()
    env = {
        **os.environ,
        "CLEARWAY_DATABASE_URL": database_url,
        "CLEARWAY_SECRET_KEY": SECRET,
        "CLEARWAY_LEDGER_KEY_FILE": str(ledger_keys[0]),
        "CLEARWAY_LEDGER_ORIGIN": LEDGER_ORIGIN,
    }
    env.pop("CLEARWAY_BACKGROUND", None)
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [CLEARWAY, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base)
        workers = [pid for pid, line in _commands(server.pid).items() if "clearway worker" in line]
        assert len(workers) == 1, _commands(server.pid)
        answer = httpx.post(
            f"{base}/api/v1/declarations", json=certified(example("import")), headers=broker
        )
        assert answer.status_code == 201, answer.text
        # The worker integrates every event of the lodging into the ledger and publishes them.
        deadline = time.monotonic() + WITHIN
        while (counts := _counts(database_url))[1] < counts[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        stored, logged = counts
        assert logged == stored >= 4
        assert receiver.wait_for("/in", 1, timeout=WITHIN)
        assert receiver.received[0].body["type"] == "DeclarationLodged"
        assert receiver.received[0].body["declaration_id"] == answer.json()["id"]
    finally:
        server.terminate()
        server.wait(timeout=90)
    # The server took its worker with it.
    assert not Path(f"/proc/{workers[0]}").exists()
