"""``clearway backup`` and ``clearway restore`` on each database, as an administrator runs them.

A backup taken while clients lodge declarations over HTTP (and the server integrates them into
the ledger) restores to a consistent prefix of what was lodged: every declaration with all its
events, no more than had been sent when the backup ended and no fewer than had been answered
when it began, a ledger that audits clean, and an API that answers for it. A restore never
replaces a database unasked, nor with a file that is no sound backup; a backup never creates
the database it was asked to copy. The commands run through the Typer app in this process.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from typer.testing import Result

from clearway.adapters.backup.postgres import _client, database
from clearway.adapters.database import create_database_engine
from clearway.adapters.ledger_tables import ledger_entries
from clearway.adapters.tables import declaration_versions, declarations, events, users
from clearway.bootstrap import Runtime, build_runtime
from clearway.config import Settings
from clearway.entrypoints.api.app import create_app
from tests.conftest import (
    LEDGER_ORIGIN,
    POSTGRES_URL,
    SECRET,
    _schema_url,
    example,
    invoke_cli,
    one_line_error,
    store_user,
)

DECLARATIONS = "/api/v1/declarations"


def invoke(*args: str, url: str | None = None, **env: str) -> Result:
    return invoke_cli(url, *args, **env)


@pytest.fixture
def settings(database_url: str, ledger_keys: tuple[Path, Path]) -> Settings:
    """The shared settings, with the ledger integrated in the background as ``clearway serve``
    does, so that backups are taken while ledger rows are being written too."""
    return Settings(
        database_url=database_url,
        secret_key=SECRET,
        ledger_key_file=str(ledger_keys[0]),
        ledger_origin=LEDGER_ORIGIN,
        ledger_interval_seconds=0.2,
    )


@pytest.fixture
def restored_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into: a new SQLite file, or a new schema
    of the PostgreSQL test database (made as the conftest makes its own, dropped after)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    assert POSTGRES_URL
    schema = f"cw_restore_{uuid.uuid4().hex[:10]}"
    admin = create_database_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


class Lodging:
    """Clients lodging the import example with LRNs of their own, over HTTP, until stopped;
    counts the requests sent and the declarations answered as lodged."""

    def __init__(self, server: str, headers: dict[str, str], clients: int = 3) -> None:
        self.server, self.headers = server, headers
        self.sent, self.lodged = 0, 0
        self.refusals: list[str] = []
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._lodge) for _ in range(clients)]

    def _lodge(self) -> None:
        with httpx.Client(base_url=self.server, timeout=60) as client:
            while not self.stop.is_set():
                with self.lock:
                    self.sent += 1
                    number = self.sent
                payload = example("import")
                payload["lrn"] = f"BKP-2026-{number:06d}"
                answer = client.post(DECLARATIONS, json=payload, headers=self.headers)
                with self.lock:
                    if answer.status_code == 201:
                        self.lodged += 1
                    else:
                        self.refusals.append(f"{answer.status_code} {answer.text}")

    def __enter__(self) -> Lodging:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def wait_for(self, lodged: int) -> None:
        deadline = time.monotonic() + 60
        while self.lodged < lodged and not self.refusals:
            assert time.monotonic() < deadline, f"only {self.lodged} lodged in 60 s"
            time.sleep(0.02)
        assert not self.refusals, self.refusals


def ledger_has_entries(url: str) -> None:
    """Wait until the server's integrator has put events in the ledger (every 0.2 s; slower on
    a busy machine)."""
    engine = create_database_engine(url)
    deadline = time.monotonic() + 60
    try:
        while True:
            with engine.connect() as connection:
                entries = connection.execute(
                    select(func.count()).select_from(ledger_entries)
                ).scalar_one()
            if entries:
                return
            assert time.monotonic() < deadline, "the ledger took no entry in 60 s"
            time.sleep(0.05)
    finally:
        engine.dispose()


def histories(url: str) -> dict[str, tuple[str, list[str]]]:
    """Each declaration's LRN and the types of its events, in the order they happened."""
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            found: dict[str, tuple[str, list[str]]] = {
                row.id: (row.lrn, []) for row in connection.execute(select(declarations))
            }
            happened = connection.execute(
                select(events.c.declaration_id, events.c.type).order_by(events.c.sequence)
            )
            for declaration_id, event_type in happened:
                if declaration_id is not None:
                    found[declaration_id][1].append(event_type)
            versions = connection.execute(
                select(func.count()).select_from(declaration_versions)
            ).scalar_one()
    finally:
        engine.dispose()
    assert versions == len(found)  # each lodged once: one version each
    return found


def test_a_backup_taken_while_declarations_are_lodged_restores_a_consistent_prefix(
    database_url: str,
    runtime: Runtime,
    server: str,
    restored_url: str,
    ledger_keys: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    headers = {"Authorization": f"Bearer {store_user(runtime.engine, 'broker')}"}
    backup_file = tmp_path / "clearway.backup"
    with Lodging(server, headers) as lodging:
        lodging.wait_for(8)
        ledger_has_entries(database_url)  # so that the backup catches a ledger under way
        answered_before = lodging.lodged
        backed_up = invoke("backup", str(backup_file), url=database_url)
        sent_by_the_end = lodging.sent
        lodging.wait_for(sent_by_the_end + 3)  # still lodging after the backup
    assert not lodging.refusals, lodging.refusals
    assert backed_up.exit_code == 0, backed_up.output
    assert backed_up.stdout.startswith(f"wrote {backup_file} from ")
    assert "(the newest)" in backed_up.stdout

    restored = invoke("restore", str(backup_file), url=restored_url)
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"restored {backup_file} into ")

    kept, source = histories(restored_url), histories(database_url)
    assert answered_before <= len(kept) <= sent_by_the_end < len(source)
    for declaration_id, (lrn, happened) in kept.items():
        # Lodged and laned in one transaction: all of its events or none of it.
        assert happened[0] == "DeclarationLodged" and "DeclarationLaned" in happened, happened
        assert (lrn, happened) == source[declaration_id]

    # The ledger as the backup caught it (integrated up to some point) audits clean, and so
    # does the whole of it once the rest of the events are integrated on the restored copy.
    ledger = {
        "CLEARWAY_LEDGER_KEY_FILE": str(ledger_keys[0]),
        "CLEARWAY_LEDGER_ORIGIN": LEDGER_ORIGIN,
    }
    first = invoke("ledger", "audit", "--json", url=restored_url, **ledger)
    assert first.exit_code == 0, first.output
    assert orjson.loads(first.stdout)["ok"] and orjson.loads(first.stdout)["entries"] > 0
    integrated = invoke("ledger", "integrate", url=restored_url, **ledger)
    assert integrated.exit_code == 0, integrated.output
    audited = invoke("ledger", "audit", "--json", url=restored_url, **ledger)
    assert audited.exit_code == 0, audited.output
    report = orjson.loads(audited.stdout)
    assert report["ok"] and report["problems"] == []
    assert report["entries"] == sum(len(happened) for _, happened in kept.values())

    # The restored database serves: the same trader's token reads a declaration it holds and
    # its ledger receipt; one lodged after the backup is not there.
    settings = Settings(
        database_url=restored_url,
        secret_key=SECRET,
        ledger_key_file=str(ledger_keys[0]),
        ledger_origin=LEDGER_ORIGIN,
    )
    restored_runtime = build_runtime(settings, prepare=False)
    try:
        with TestClient(create_app(runtime=restored_runtime)) as client:
            held = next(iter(kept))
            shown = client.get(f"{DECLARATIONS}/{held}", headers=headers)
            assert shown.status_code == 200, shown.text
            assert shown.json()["lrn"] == kept[held][0]
            receipt = client.get(f"{DECLARATIONS}/{held}/receipt", headers=headers)
            assert receipt.status_code == 200, receipt.text
            later = next(found for found in source if found not in kept)
            assert client.get(f"{DECLARATIONS}/{later}", headers=headers).status_code == 404
    finally:
        restored_runtime.engine.dispose()
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_bytes(receipt.content)
    verified = invoke("ledger", "verify-receipt", str(receipt_file), "--key", str(ledger_keys[1]))
    assert verified.exit_code == 0, verified.output


def fingerprint(url: str) -> tuple[list[str], int]:
    """The usernames stored and the number of tables: what a replaced database would change."""
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            names = sorted(connection.execute(select(users.c.username)).scalars())
            tables = len(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    return names, tables


def sqlite_file_digest(url: str) -> str | None:
    if not url.startswith("sqlite"):
        return None
    database_file = Path(str(make_url(url).database))
    return hashlib.sha256(database_file.read_bytes()).hexdigest()


def add_user(url: str, username: str) -> None:
    engine = create_database_engine(url)
    try:
        store_user(engine, username)
    finally:
        engine.dispose()


def test_restore_replaces_a_database_only_when_forced(database_url: str, tmp_path: Path) -> None:
    add_user(database_url, "broker")
    backup_file = tmp_path / "before-officer.backup"
    assert invoke("backup", str(backup_file), url=database_url).exit_code == 0
    add_user(database_url, "officer")
    as_it_was, digest = fingerprint(database_url), sqlite_file_digest(database_url)

    refused = invoke("restore", str(backup_file), url=database_url)
    message = one_line_error(refused)
    assert message.endswith("; give --force to replace it with the backup"), message
    assert fingerprint(database_url) == as_it_was == (["broker", "officer"], as_it_was[1])
    assert sqlite_file_digest(database_url) == digest

    forced = invoke("restore", str(backup_file), "--force", url=database_url)
    assert forced.exit_code == 0, forced.output
    assert fingerprint(database_url) == (["broker"], as_it_was[1])


def test_a_file_that_is_no_sound_backup_leaves_the_database_as_it_was(
    database_url: str, tmp_path: Path, sqlite_template: Path
) -> None:
    add_user(database_url, "broker")
    backup_file = tmp_path / "good.backup"
    assert invoke("backup", str(backup_file), url=database_url).exit_code == 0
    as_it_was, digest = fingerprint(database_url), sqlite_file_digest(database_url)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a backup at all\n")
    truncated = tmp_path / "truncated.backup"
    whole = backup_file.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    cases = {garbage: "is not a Clearway backup (neither a SQLite database nor a pg_dump archive)"}
    if database_url.startswith("sqlite"):
        cases[truncated] = "is not a sound Clearway database: database disk image is malformed"
        foreign = tmp_path / "other-application.db"
        with sqlite3.connect(foreign) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        connection.close()
        cases[foreign] = "holds no Clearway schema (no alembic_version row)"
    else:
        cases[truncated] = (
            "pg_restore failed and nothing was restored: could not read from input file: "
            "end of file"
        )
        cases[sqlite_template] = "is a SQLite backup, not a PostgreSQL one"
    for bad, expected in cases.items():
        message = one_line_error(invoke("restore", str(bad), "--force", url=database_url))
        assert message.endswith(expected), message
        assert fingerprint(database_url) == as_it_was
        assert sqlite_file_digest(database_url) == digest
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []


def test_a_backup_of_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-such.db"
    target = tmp_path / "backup.db"
    message = one_line_error(invoke("backup", str(target), url=f"sqlite:///{missing}"))
    assert message == f"no SQLite database at {missing}; nothing to back up"
    assert list(tmp_path.iterdir()) == []

    # Nor is a backup ever written over the database it copies.
    with sqlite3.connect(missing) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    digest = hashlib.sha256(missing.read_bytes()).hexdigest()
    message = one_line_error(invoke("backup", str(missing), url=f"sqlite:///{missing}"))
    assert message == f"{missing} is the database itself; write the backup elsewhere"
    assert hashlib.sha256(missing.read_bytes()).hexdigest() == digest


def test_postgresql_without_its_client_programs_says_which_is_missing(tmp_path: Path) -> None:
    url = "postgresql+psycopg://clearway:secret@127.0.0.1:1/clearway"
    empty = tmp_path / "bin"
    empty.mkdir()
    message = one_line_error(invoke("backup", str(tmp_path / "b.dump"), url=url, PATH=str(empty)))
    assert message.startswith("pg_dump not found on PATH: install the PostgreSQL client programs")
    archive = tmp_path / "a.dump"
    archive.write_bytes(b"PGDMP" + bytes(100))
    message = one_line_error(invoke("restore", str(archive), url=url, PATH=str(empty)))
    assert message.startswith("pg_restore not found on PATH")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.dump", "bin"]


def test_the_client_programs_get_the_password_in_their_environment_only() -> None:
    url = make_url(
        "postgresql+psycopg://clearway:s3cr%27t@db.example:5433/customs"
        "?options=-csearch_path%3Dclearway&sslmode=require"
    )
    conninfo, environment = _client(database(url))
    assert conninfo == (
        "host='db.example' port='5433' user='clearway' dbname='customs' "
        "options='-csearch_path=clearway' sslmode='require'"
    )
    assert environment["PGPASSWORD"] == "s3cr't"
    assert database(url).schema == "clearway"
