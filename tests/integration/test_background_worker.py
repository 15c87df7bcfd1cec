"""``clearway worker --once`` as an operator runs it (the Typer app in this process) on each
database: the events a lodging left in the outbox become leaves of the ledger under a checkpoint
signed by the published key, and go to a real webhook receiver; without a ledger key it says so
and still publishes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymerkle import InmemoryTree
from sqlalchemy import func, select

from clearway.adapters.ledger_log import LedgerReader
from clearway.adapters.ledger_tables import ledger_entries
from clearway.adapters.tables import events
from clearway.bootstrap import Runtime
from clearway.domain.ledger import Checkpoint, open_note
from clearway.domain.subscriptions import SubscriptionKind
from clearway.services.ledger.signing import note_verifier, read_verifier_key
from tests.conftest import LEDGER_ORIGIN, example, invoke_cli
from tests.e2e.test_subscriptions_api import subscribers_sequences
from tests.integration.publishing_support import WebhookReceiver, running_receiver, subscribe


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


@pytest.fixture
def lodged(runtime: Runtime, lodge: Any, receiver: WebhookReceiver) -> int:
    """A webhook subscribed from the start, then the import example lodged over the API (whose
    settings run no background loop); the number of events in the outbox."""
    receiver.start()
    subscription = subscribe(
        runtime, kind=SubscriptionKind.WEBHOOK, url=receiver.url("/in"), from_start=True
    )
    assert subscription.secret is not None
    receiver.secrets["/in"] = subscription.secret
    answer = lodge(example("import"))
    assert answer.status_code == 201, answer.text
    with runtime.engine.connect() as connection:
        stored: int = connection.execute(select(func.count()).select_from(events)).scalar_one()
    return stored


def ledger_size(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        size: int = connection.execute(
            select(func.count()).select_from(ledger_entries)
        ).scalar_one()
    return size


def worker_once(runtime: Runtime, key_file: Path | None) -> Any:
    return invoke_cli(
        runtime.settings.database_url,
        "worker",
        "--once",
        CLEARWAY_LEDGER_KEY_FILE=None if key_file is None else str(key_file),
        CLEARWAY_LEDGER_ORIGIN=LEDGER_ORIGIN,
    )


def test_one_pass_logs_the_lodged_events_and_publishes_them(
    runtime: Runtime, lodged: int, receiver: WebhookReceiver, ledger_keys: tuple[Path, Path]
) -> None:
    assert lodged >= 4  # lodged, accepted, assessed, laned and held …
    assert ledger_size(runtime) == 0
    published = subscribers_sequences(runtime)

    done = worker_once(runtime, ledger_keys[0])
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        f"integrated {lodged} events into the ledger\npublished {len(published)} events\n"
    )
    assert ledger_size(runtime) == lodged
    # The checkpoint is signed by the published key and covers every event, and its root is
    # the one an independent RFC 9162 implementation computes from the stored entries.
    reader = LedgerReader(runtime.engine, LEDGER_ORIGIN, read_verifier_key(ledger_keys[1]))
    opened = open_note(reader.checkpoint(), [note_verifier(read_verifier_key(ledger_keys[1]))])
    checkpoint = Checkpoint.parse(opened.text)
    assert (checkpoint.origin, checkpoint.size) == (LEDGER_ORIGIN, lodged)
    independent = InmemoryTree(algorithm="sha256")
    for logged in reader.entries(0, checkpoint.size):
        independent.append_entry(logged.entry)
    assert independent.get_root(checkpoint.size) == checkpoint.root_hash
    # The receiver checked every signature and got the declaration's events in order.
    assert receiver.bad_signatures == 0
    assert [d.body["sequence"] for d in receiver.received] == published
    assert {d.body["type"] for d in receiver.received} >= {"DeclarationLodged"}

    again = worker_once(runtime, ledger_keys[0])
    assert (again.exit_code, again.stdout) == (
        0,
        "integrated 0 events into the ledger\npublished 0 events\n",
    )
    assert len(receiver.received) == len(published)


def test_without_a_ledger_key_the_worker_warns_and_still_publishes(
    runtime: Runtime, lodged: int, receiver: WebhookReceiver
) -> None:
    done = worker_once(runtime, None)
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        "warning: the ledger is not integrated: CLEARWAY_LEDGER_KEY_FILE must name the "
        "ledger's signing key (make one with: clearway ledger keygen NAME --private FILE "
        "--public FILE)\n"
    )
    published = subscribers_sequences(runtime)
    assert done.stdout == f"published {len(published)} events\n"
    assert [d.body["sequence"] for d in receiver.received] == published
    assert ledger_size(runtime) == 0
