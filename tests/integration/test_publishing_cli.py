"""``clearway subscriptions …`` and ``clearway relay --once`` as a user runs them: real processes
on a real database, delivering to a real webhook receiver."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearway.bootstrap import Runtime, build_runtime
from clearway.config import Settings
from tests.integration.publishing_support import (
    WebhookReceiver,
    add_events,
    running_receiver,
    story,
)

CLEARWAY = str(Path(sys.executable).with_name("clearway"))


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


@pytest.fixture
def sqlite_runtime(sqlite_template: Path, tmp_path: Path) -> Iterator[Runtime]:
    """SQLite only: the commands are the same on both databases, whose stores the other
    publishing tests run on, and each command here is a process that takes seconds to start."""
    path = tmp_path / "clearway.db"
    shutil.copy(sqlite_template, path)
    built = build_runtime(Settings(database_url=f"sqlite:///{path}"), prepare=False)
    yield built
    built.engine.dispose()


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLEARWAY_DATABASE_URL": database_url, "COLUMNS": "250"}
    return subprocess.run([CLEARWAY, *args], env=env, capture_output=True, text=True, timeout=120)


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
    assert added.returncode == 0, added.stderr
    subscription_id, secret = added.stdout.split()
    assert secret.startswith("whsec_")
    receiver.secrets["/in"] = secret
    add_events(runtime, story(14))

    down = run(database_url, "relay", "--once")
    assert down.returncode == 1
    assert f"subscription {subscription_id}: cannot reach {receiver.url('/in')}" in down.stderr

    receiver.start()
    # The failed attempt waits out its backoff (a second at most) before the next is due.
    for _ in range(20):
        delivered = run(database_url, "relay", "--once")
        assert delivered.returncode == 0, delivered.stderr
        if "delivered 4 events" in delivered.stderr:
            break
    assert [d.body["type"] for d in receiver.received] == [
        "DeclarationReleased",
        "LicenceDrawn",
    ] * 2

    listed = run(database_url, "subscriptions", "list")
    assert listed.returncode == 0, listed.stderr
    assert subscription_id in listed.stdout
    assert "DeclarationReleased, LicenceDrawn" in listed.stdout

    assert run(database_url, "subscriptions", "remove", subscription_id).returncode == 0
    again = run(database_url, "subscriptions", "remove", subscription_id)
    assert again.returncode == 1 and f"no subscription {subscription_id}" in again.stderr
