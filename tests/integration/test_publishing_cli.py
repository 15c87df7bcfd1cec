"""``clearway subscriptions …`` and ``clearway relay --once`` as a user runs them (the Typer app
in this process) on a real database, delivering to a real webhook receiver."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clearway.bootstrap import Runtime, build_runtime
from clearway.config import Settings
from tests.conftest import invoke_cli
from tests.integration.publishing_support import (
    WebhookReceiver,
    add_events,
    running_receiver,
    story,
)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


@pytest.fixture
def sqlite_runtime(sqlite_template: Path, tmp_path: Path) -> Iterator[Runtime]:
    """SQLite only: the commands are the same on both databases, whose stores the other
    publishing tests run on."""
    path = tmp_path / "clearway.db"
    shutil.copy(sqlite_template, path)
    built = build_runtime(Settings(database_url=f"sqlite:///{path}"), prepare=False)
    yield built
    built.engine.dispose()


@pytest.fixture(autouse=True)
def clearway_log_level() -> Iterator[None]:
    """``clearway relay`` sets the level of Clearway's loggers for the process it runs in: here,
    this one, so the level is put back for the tests that follow."""
    logger = logging.getLogger("clearway")
    level = logger.level
    yield
    logger.setLevel(level)


def run(database_url: str, *args: str) -> Any:
    """``clearway ARGS`` on ``database_url``, wide enough for the subscriptions table."""
    return invoke_cli(database_url, *args, COLUMNS="250")


def test_subscribe_relay_once_list_and_remove(
    sqlite_runtime: Runtime, receiver: WebhookReceiver
) -> None:
    runtime = sqlite_runtime
    database_url = runtime.settings.database_url
    added = run(
        database_url,
        "subscriptions",
        "add",
        "border agency",
        "--webhook",
        receiver.url("/in"),
        "--event-type",
        "DeclarationReleased",
        "--event-type",
        "LicenceDrawn",
    )
    assert added.exit_code == 0, added.output
    subscription_id, secret = added.stdout.split()
    assert secret.startswith("whsec_")
    receiver.secrets["/in"] = secret
    add_events(runtime, story(14))

    down = run(database_url, "relay", "--once")
    assert down.exit_code == 1
    assert f"subscription {subscription_id}: cannot reach {receiver.url('/in')}" in down.stderr

    receiver.start()
    # The failed attempt waits out its backoff (a second at most) before the next is due.
    deadline = time.monotonic() + 30
    while True:
        delivered = run(database_url, "relay", "--once")
        assert delivered.exit_code == 0, delivered.output
        if "delivered 4 events" in delivered.stderr or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [d.body["type"] for d in receiver.received] == [
        "DeclarationReleased",
        "LicenceDrawn",
    ] * 2

    listed = run(database_url, "subscriptions", "list")
    assert listed.exit_code == 0, listed.output
    assert subscription_id in listed.stdout
    assert "DeclarationReleased, LicenceDrawn" in listed.stdout

    assert run(database_url, "subscriptions", "remove", subscription_id).exit_code == 0
    again = run(database_url, "subscriptions", "remove", subscription_id)
    assert again.exit_code == 1 and f"no subscription {subscription_id}" in again.stderr
