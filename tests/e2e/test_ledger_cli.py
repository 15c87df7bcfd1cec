"""``clearway ledger …`` as a user runs it: making keys, verifying a receipt with nothing but
the receipt and the log's public key, and auditing the ledger's tables on each database.

Most runs go through the same Typer app in this process (a fresh settings read each) to spare
a Python start-up; one runs the installed ``clearway`` command to prove it is wired in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, insert, select, update
from typer.testing import CliRunner, Result

from clearway.adapters.database import create_database_engine
from clearway.adapters.ledger_reading import (
    audit_bounds,
    read_checkpoints,
    read_leaf_hashes,
    read_log_entries,
    read_outbox_events,
)
from clearway.adapters.ledger_tables import ledger_checkpoints, ledger_entries, ledger_nodes
from clearway.adapters.tables import events
from clearway.config import get_settings
from clearway.domain.ledger import COSIGNATURE_V1, ED25519
from clearway.entrypoints.cli.main import app
from clearway.services.ledger.signing import (
    SigningKey,
    read_signing_key,
    read_verifier_key,
    write_key_files,
)
from tests.unit.test_ledger_receipts import NOW, ORIGIN, SmallLog

CLEARWAY = str(Path(sys.executable).with_name("clearway"))


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["ledger", *args], env=env)
    finally:
        get_settings.cache_clear()


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: "), message
    return message.removeprefix("error: ")


@pytest.fixture(scope="module")
def log() -> SmallLog:
    return SmallLog.of(5, 12)


@pytest.fixture
def log_public_key(log: SmallLog, tmp_path: Path) -> Path:
    path = tmp_path / "log.pub"
    path.write_text(f"{log.key.verifier_key()}\n")
    return path


def write_receipt(path: Path, receipt: dict[str, Any]) -> Path:
    path.write_bytes(orjson.dumps(receipt, option=orjson.OPT_INDENT_2))
    return path


def test_keygen_writes_a_key_pair_the_ledger_signs_and_verifies_with(tmp_path: Path) -> None:
    private, public = tmp_path / "log.key", tmp_path / "log.pub"
    done = subprocess.run(
        [
            CLEARWAY,
            "ledger",
            "keygen",
            "customs.example/ledger",
            "--private",
            str(private),
            "--public",
            str(public),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    key = read_signing_key(private)
    vkey = read_verifier_key(public)
    assert done.stdout.strip() == str(vkey)
    assert (vkey.name, vkey.signature_type) == ("customs.example/ledger", ED25519)
    assert key.verifier_key() == vkey
    assert private.stat().st_mode & 0o077 == 0
    assert f"wrote {private} (keep it secret) and {public}" in done.stderr


def test_keygen_for_a_witness_writes_its_cosignature_key(tmp_path: Path) -> None:
    private, public = tmp_path / "w.key", tmp_path / "w.pub"
    done = invoke(
        "keygen",
        "agency.example/witness",
        "--private",
        str(private),
        "--public",
        str(public),
        "--witness",
    )
    assert done.exit_code == 0, done.output
    vkey = read_verifier_key(public)
    assert vkey.signature_type == COSIGNATURE_V1
    assert vkey == read_signing_key(private).verifier_key(COSIGNATURE_V1)


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    private, public = tmp_path / "log.key", tmp_path / "log.pub"
    public.write_text("someone's key\n")
    message = one_line_error(
        invoke("keygen", "log", "--private", str(private), "--public", str(public))
    )
    assert message == f"{public} already exists; a key file is never overwritten"
    assert not private.exists()
    assert public.read_text() == "someone's key\n"


def test_verify_receipt_says_what_the_receipt_proves(
    log: SmallLog, log_public_key: Path, tmp_path: Path
) -> None:
    receipt = write_receipt(tmp_path / "receipt.json", log.receipt(8, 12))
    done = invoke("verify-receipt", str(receipt), "--key", str(log_public_key))
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "verified: declaration 0195a3c2-0000-7000-8000-000000000002: DeclarationReleased "
        f"(released, version 3) is leaf 8 of {ORIGIN} at tree size 12\n"
    )
    as_json = invoke("verify-receipt", str(receipt), "--key", str(log_public_key), "--json")
    document = orjson.loads(as_json.stdout)
    assert document["verified"] is True
    assert document["claims"]["status"] == "released"
    assert (document["leaf_index"], document["tree_size"]) == (8, 12)
    assert document["occurred_at"] == (NOW + timedelta(seconds=240)).isoformat().replace(
        "+00:00", "Z"
    )


def test_verify_receipt_refuses_a_tampered_receipt_in_one_line(
    log: SmallLog, log_public_key: Path, tmp_path: Path
) -> None:
    altered = log.receipt(8, 12)
    altered["claims"]["status"] = "cancelled"
    receipt = write_receipt(tmp_path / "receipt.json", altered)
    assert one_line_error(invoke("verify-receipt", str(receipt), "--key", str(log_public_key))) == (
        "not verified: the entry's status is 'released', the receipt claims 'cancelled'"
    )
    as_json = invoke("verify-receipt", str(receipt), "--key", str(log_public_key), "--json")
    assert as_json.exit_code == 1
    assert orjson.loads(as_json.stdout) == {
        "verified": False,
        "reason": "the entry's status is 'released', the receipt claims 'cancelled'",
    }


def test_verify_receipt_against_another_logs_key_is_refused(log: SmallLog, tmp_path: Path) -> None:
    other = tmp_path / "other.pub"
    other_key = SigningKey.generate(ORIGIN).verifier_key()
    other.write_text(f"{other_key}\n")
    receipt = write_receipt(tmp_path / "receipt.json", log.receipt(3, 5))
    assert one_line_error(invoke("verify-receipt", str(receipt), "--key", str(other))) == (
        f"not verified: the checkpoint is not signed by the log key {ORIGIN}+{other_key.key_id:08x}"
    )


def test_verify_receipt_says_which_input_it_cannot_read(
    log: SmallLog, log_public_key: Path, tmp_path: Path
) -> None:
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{receipt")
    assert one_line_error(
        invoke("verify-receipt", str(garbled), "--key", str(log_public_key))
    ).startswith(f"{garbled} is not JSON")
    private = tmp_path / "log.key"
    private.write_text(log.key.signer_key() + "\n")
    receipt = write_receipt(tmp_path / "receipt.json", log.receipt(3, 5))
    assert one_line_error(invoke("verify-receipt", str(receipt), "--key", str(private))).startswith(
        f"{private} is not a verifier key file: "
    )
    missing = tmp_path / "missing.json"
    assert (
        one_line_error(invoke("verify-receipt", str(missing), "--key", str(log_public_key)))
        == f"cannot read {missing}: No such file or directory"
    )


def store_outbox(database_url: str, log: SmallLog) -> None:
    """The log's events in the outbox, none of them integrated yet."""
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        _insert_events(connection, log)
    engine.dispose()


def _insert_events(connection: Connection, log: SmallLog) -> None:
    connection.execute(
        insert(events),
        [
            {
                "sequence": log.sequence(i),
                "id": event.id,
                "type": event.type,
                "declaration_id": event.declaration_id,
                "version": event.version,
                "status": event.status,
                "actor": event.actor,
                "occurred_at": event.occurred_at,
                "data": event.data,
                "licence_id": event.licence_id,
            }
            for i, event in enumerate(log.events)
        ],
    )


def store_log(database_url: str, log: SmallLog) -> None:
    """The rows the integrator would have written: the outbox, entries, nodes, checkpoints."""
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        _insert_events(connection, log)
        connection.execute(
            insert(ledger_entries),
            [
                {
                    "leaf_index": i,
                    "sequence": log.sequence(i),
                    "entry": entry,
                }
                for i, entry in enumerate(log.entries)
            ],
        )
        connection.execute(
            insert(ledger_nodes),
            [
                {"level": level, "position": position, "hash": value}
                for (level, position), value in log.nodes.items()
            ],
        )
        connection.execute(
            insert(ledger_checkpoints),
            [
                {"tree_size": size, "root_hash": log.root(size), "note": note, "signed_at": NOW}
                for size, note in log.checkpoints.items()
            ],
        )
    engine.dispose()


def audit_env(database_url: str, **more: str) -> dict[str, str]:
    return {"CLEARWAY_DATABASE_URL": database_url, "CLEARWAY_LEDGER_ORIGIN": ORIGIN, **more}


def test_integrate_logs_the_outbox_with_nothing_but_the_database_and_the_key(
    database_url: str, log: SmallLog, tmp_path: Path
) -> None:
    store_outbox(database_url, log)
    private = tmp_path / "ledger.key"
    private.write_text(log.key.signer_key() + "\n")
    env = audit_env(database_url, CLEARWAY_LEDGER_KEY_FILE=str(private))
    done = invoke("integrate", env=env)
    assert done.exit_code == 0, done.output
    assert done.stdout == "integrated 12 events into the ledger\n"
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        logged = connection.execute(
            select(ledger_entries.c.entry).order_by(ledger_entries.c.leaf_index)
        ).scalars()
        assert [bytes(entry) for entry in logged] == log.entries
        signed = connection.execute(select(ledger_checkpoints.c.root_hash)).scalars().all()
        assert [bytes(root) for root in signed] == [log.root(12)]
    engine.dispose()
    again = invoke("integrate", env=env)
    assert (again.exit_code, again.stdout) == (0, "integrated 0 events into the ledger\n")
    assert invoke("audit", env=env).stdout == (
        "audited 12 entries, 1 checkpoints, 12 outbox events: no problem found\n"
    )


def test_integrate_says_in_one_line_what_is_wrong_with_the_key(
    database_url: str, log: SmallLog, tmp_path: Path
) -> None:
    assert one_line_error(
        invoke("integrate", env=audit_env(database_url, CLEARWAY_LEDGER_KEY_FILE=""))
    ).startswith("CLEARWAY_LEDGER_KEY_FILE must name the ledger's signing key")
    missing = tmp_path / "missing.key"
    assert (
        one_line_error(
            invoke("integrate", env=audit_env(database_url, CLEARWAY_LEDGER_KEY_FILE=str(missing)))
        )
        == f"the ledger key file {missing} does not exist"
    )
    public = tmp_path / "log.pub"
    public.write_text(f"{log.key.verifier_key()}\n")
    assert one_line_error(
        invoke("integrate", env=audit_env(database_url, CLEARWAY_LEDGER_KEY_FILE=str(public)))
    ).startswith(f"{public} is not a signer key file: ")
    private = tmp_path / "ledger.key"
    private.write_text(log.key.signer_key() + "\n")
    other_origin = audit_env(
        database_url,
        CLEARWAY_LEDGER_KEY_FILE=str(private),
        CLEARWAY_LEDGER_ORIGIN="customs.example/ledger",
    )
    assert one_line_error(invoke("integrate", env=other_origin)) == (
        f"the ledger key {private} is for the origin {ORIGIN!r} but CLEARWAY_LEDGER_ORIGIN is "
        "'customs.example/ledger': unset CLEARWAY_LEDGER_ORIGIN or give the key of that log"
    )


def test_audit_passes_a_sound_ledger_and_names_a_changed_entry(
    database_url: str, log: SmallLog, log_public_key: Path
) -> None:
    store_log(database_url, log)
    env = audit_env(database_url)
    done = invoke("audit", "--key", str(log_public_key), env=env)
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "audited 12 entries, 2 checkpoints, 12 outbox events: no problem found\n"
    )

    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            update(ledger_entries)
            .where(ledger_entries.c.leaf_index == 4)
            .values(entry=log.entries[4].replace(b'"accepted"', b'"rejected"'))
        )
    engine.dispose()
    tampered = invoke("audit", "--key", str(log_public_key), env=env)
    assert tampered.exit_code == 1
    lines = tampered.stdout.splitlines()
    assert lines[0] == (
        "leaf 4: the entry's leaf hash differs from the stored leaf hash: the entry or the "
        "node was changed"
    )
    assert lines[1].startswith(f"leaf 4: the entry differs from outbox event {log.events[4].id}")
    assert lines[2].startswith("checkpoint 5: the entries give root ")
    assert lines[2].endswith("; leaf 4 is the first whose hash differs from the stored leaf hashes")
    assert lines[-1] == "audited 12 entries, 2 checkpoints, 12 outbox events: 4 problems"

    as_json = orjson.loads(invoke("audit", "--key", str(log_public_key), "--json", env=env).stdout)
    assert as_json["ok"] is False
    assert [(p["leaf_index"], p["tree_size"]) for p in as_json["problems"]] == [
        (4, None),
        (4, None),
        (None, 5),
        (None, 12),
    ]


def test_audit_takes_the_log_key_from_the_settings(
    database_url: str, log: SmallLog, tmp_path: Path
) -> None:
    store_log(database_url, log)
    private = tmp_path / "ledger.key"
    private.write_text(log.key.signer_key() + "\n")
    done = invoke("audit", env=audit_env(database_url, CLEARWAY_LEDGER_KEY_FILE=str(private)))
    assert done.exit_code == 0, done.output
    # Another log's key: every signed checkpoint is named.
    other_private, other_public = tmp_path / "other.key", tmp_path / "other.pub"
    write_key_files(SigningKey.generate(ORIGIN), other_private, other_public)
    done = invoke("audit", "--key", str(other_public), env=audit_env(database_url))
    assert done.stdout.splitlines()[:2] == [
        "checkpoint 5: the checkpoint is not signed by the log key",
        "checkpoint 12: the checkpoint is not signed by the log key",
    ]


def test_audit_without_a_log_key_says_how_to_give_one(database_url: str) -> None:
    env = audit_env(database_url, CLEARWAY_LEDGER_KEY_FILE="")
    assert one_line_error(invoke("audit", env=env)) == (
        "no log key: give --key FILE (the log's verifier key) or set CLEARWAY_LEDGER_KEY_FILE"
    )


def test_the_audit_reads_each_table_in_chunks_up_to_where_it_began(
    database_url: str, log: SmallLog
) -> None:
    store_log(database_url, log)
    engine = create_database_engine(database_url)
    bounds = audit_bounds(engine)
    # Rows written after the audit began (the integrator at work) are left out of every stream.
    with engine.begin() as connection:
        connection.execute(insert(ledger_entries).values(leaf_index=12, sequence=25, entry=b"{}"))
        connection.execute(insert(ledger_nodes).values(level=0, position=12, hash=bytes(32)))
    entries = list(read_log_entries(engine, bounds, chunk=5))
    assert entries == [(i, log.sequence(i), entry) for i, entry in enumerate(log.entries)]
    hashes = list(read_leaf_hashes(engine, bounds, chunk=5))
    assert hashes == [(i, log.nodes[(0, i)]) for i in range(12)]
    assert [size for size, _, _ in read_checkpoints(engine, bounds, chunk=1)] == [5, 12]
    outbox = list(read_outbox_events(engine, bounds, chunk=5))
    assert outbox == [(log.sequence(i), event) for i, event in enumerate(log.events)]
    engine.dispose()
