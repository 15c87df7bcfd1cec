"""Tampering with the ledger of real clearances, on SQLite and PostgreSQL: declarations are
lodged through the API and integrated by the log's own integrator; then rows are changed,
deleted, inserted or reordered behind its back and ``clearway ledger audit`` names each one
by its index, and a log that rewrites its history is refused by a partner agency's witness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import delete, insert, select, update
from typer.testing import CliRunner, Result

from clearway.adapters.ledger_http import run_witness
from clearway.adapters.ledger_tables import (
    ledger_checkpoints,
    ledger_cosignatures,
    ledger_entries,
    ledger_nodes,
)
from clearway.adapters.tables import events
from clearway.bootstrap import Runtime
from clearway.config import Settings, get_settings
from clearway.entrypoints.cli.main import app
from clearway.entrypoints.ledger_worker import ledger_store
from clearway.services.ledger.signing import SigningKey
from clearway.services.ledger.witness import WitnessRefusal
from tests.conftest import add_user, example

WITNESS = "agency.example/witness"


def audit(settings: Settings) -> Result:
    env = {
        "CLEARWAY_DATABASE_URL": settings.database_url,
        "CLEARWAY_LEDGER_KEY_FILE": str(settings.ledger_key_file),
        "CLEARWAY_LEDGER_ORIGIN": settings.ledger_origin,
    }
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["ledger", "audit"], env=env)
    finally:
        get_settings.cache_clear()


def lodge_and_integrate(runtime: Runtime, lodge: Any, lrn: str) -> None:
    payload = example("import")
    payload["lrn"] = lrn
    assert lodge(payload).status_code == 201
    ledger_store(runtime).integrate_all()


@pytest.fixture
def logged(runtime: Runtime, lodge: Any) -> list[bytes]:
    """Two declarations' events in the ledger; their entries in leaf order."""
    lodge_and_integrate(runtime, lodge, "TAMPER-0001")
    lodge_and_integrate(runtime, lodge, "TAMPER-0002")
    with runtime.engine.connect() as connection:
        return list(
            connection.execute(select(ledger_entries.c.entry).order_by("leaf_index")).scalars()
        )


def test_a_sound_ledger_passes_the_audit(runtime: Runtime, logged: list[bytes]) -> None:
    done = audit(runtime.settings)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"audited {len(logged)} entries, 2 checkpoints")
    assert done.stdout.endswith("no problem found\n")


def test_a_changed_entry_is_named(runtime: Runtime, logged: list[bytes]) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(
            update(ledger_entries)
            .where(ledger_entries.c.leaf_index == 2)
            .values(entry=logged[2].replace(b'"actor":"broker"', b'"actor":"someone"'))
        )
    done = audit(runtime.settings)
    assert done.exit_code == 1
    assert done.stdout.startswith("leaf 2: ")
    assert "leaf 2 is the first whose hash differs" in done.stdout


def test_a_deleted_entry_is_named(runtime: Runtime, logged: list[bytes]) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(delete(ledger_entries).where(ledger_entries.c.leaf_index == 3))
    done = audit(runtime.settings)
    assert done.exit_code == 1
    assert done.stdout.startswith("leaf 3: "), done.stdout
    assert "missing" in done.stdout.splitlines()[0]


def test_an_inserted_entry_is_named(runtime: Runtime, logged: list[bytes]) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(
            insert(ledger_entries).values(leaf_index=len(logged), sequence=10_000, entry=logged[0])
        )
    done = audit(runtime.settings)
    assert done.exit_code == 1
    assert f"leaf {len(logged)}: " in done.stdout, done.stdout


def test_reordered_entries_are_named(runtime: Runtime, logged: list[bytes]) -> None:
    with runtime.engine.begin() as connection:
        for index, entry in ((1, logged[4]), (4, logged[1])):
            connection.execute(
                update(ledger_entries)
                .where(ledger_entries.c.leaf_index == index)
                .values(entry=entry)
            )
    done = audit(runtime.settings)
    assert done.exit_code == 1
    named = {line.split(":")[0] for line in done.stdout.splitlines()[:-1]}
    assert {"leaf 1", "leaf 4"} <= named, done.stdout


def test_an_outbox_event_changed_after_it_was_logged_is_named(
    runtime: Runtime, logged: list[bytes]
) -> None:
    with runtime.engine.begin() as connection:
        first = connection.execute(select(events.c.sequence).order_by("sequence")).scalars().first()
        connection.execute(
            update(events).where(events.c.sequence == first).values(actor="someone else")
        )
    done = audit(runtime.settings)
    assert done.exit_code == 1
    assert "differs from outbox event" in done.stdout


def test_the_witness_cosigns_a_growing_log_and_refuses_a_rewritten_one(
    runtime: Runtime, api: Any, lodge: Any, logged: list[bytes], tmp_path: Path
) -> None:
    witness = SigningKey.generate(WITNESS)
    registered = api.post(
        "/api/v1/ledger/witnesses",
        json={"name": WITNESS, "verifier_key": str(witness.verifier_key(0x04))},
        headers=api.as_("admin"),
    )
    assert registered.status_code == 201
    state = tmp_path / "witness.json"
    first = run_witness(api, state, witness)
    assert first.checkpoint.size == len(logged)
    assert api.get("/api/v1/ledger/checkpoint").text.splitlines()[-1].startswith(f"— {WITNESS} ")

    lodge_and_integrate(runtime, lodge, "TAMPER-0003")
    grown = run_witness(api, state, witness)
    assert grown.checkpoint.size > first.checkpoint.size

    # The operator rewrites history: the ledger is rebuilt from an altered outbox.
    with runtime.engine.begin() as connection:
        for table in (ledger_cosignatures, ledger_checkpoints, ledger_nodes, ledger_entries):
            connection.execute(delete(table))
        connection.execute(update(events).where(events.c.sequence == 1).values(actor="nobody"))
    lodge_and_integrate(runtime, lodge, "TAMPER-0004")
    with pytest.raises(WitnessRefusal) as refused:
        run_witness(api, state, witness)
    assert str(grown.checkpoint.size) in str(refused.value)


def test_the_witness_command_cosigns_over_http_and_refuses_a_rewrite(
    runtime: Runtime, lodge: Any, logged: list[bytes], server: str, tmp_path: Path
) -> None:
    private, public = tmp_path / "witness.key", tmp_path / "witness.pub"
    keygen = ["ledger", "keygen", WITNESS, "--witness"]
    made = CliRunner().invoke(app, [*keygen, "--private", str(private), "--public", str(public)])
    assert made.exit_code == 0, made.output
    token = add_user(runtime, "admin")
    registered = httpx.post(
        f"{server}/api/v1/ledger/witnesses",
        json={"name": WITNESS, "verifier_key": public.read_text().strip()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert registered.status_code == 201, registered.text
    state = tmp_path / "state.json"
    command = ["ledger", "witness", "--url", server, "--key", str(private), "--state", str(state)]

    cosigned = CliRunner().invoke(app, command)
    assert cosigned.exit_code == 0, cosigned.output
    assert str(len(logged)) in cosigned.stdout
    served = httpx.get(f"{server}/api/v1/ledger/checkpoint").text
    assert served.splitlines()[-1].startswith(f"— {WITNESS} ")

    with runtime.engine.begin() as connection:
        for table in (ledger_cosignatures, ledger_checkpoints, ledger_nodes, ledger_entries):
            connection.execute(delete(table))
        connection.execute(update(events).where(events.c.sequence == 2).values(actor="nobody"))
    lodge_and_integrate(runtime, lodge, "TAMPER-0005")
    refused = CliRunner().invoke(app, command)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: refused to cosign: ")
    assert len(refused.stderr.strip().splitlines()) == 1
