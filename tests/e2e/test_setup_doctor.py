"""``clearway setup`` and ``clearway doctor`` as an operator runs them on a fresh database
(SQLite, and PostgreSQL when configured); what the server says at start and on ``/ready``; and
the ledger commands refusing a database that is not there and taking the origin from the key.

The commands run through the Typer app in this process (a fresh settings read each); the
sanctions lists are the shipped BIS Denied Persons List alone, the smallest of the three.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text
from typer.testing import Result

from clearway.adapters.accounts import UserStore
from clearway.adapters.control_list_tables import control_list_versions
from clearway.adapters.database import create_database_engine
from clearway.adapters.sanctions_files import SHIPPED_DIR
from clearway.adapters.screening_tables import screening_list_versions
from clearway.adapters.tables import hs_nomenclature, users
from clearway.bootstrap import LedgerOriginMismatch, build_runtime
from clearway.config import Settings
from clearway.domain.access import Role
from clearway.entrypoints.api.app import create_app
from clearway.entrypoints.ledger_worker import ledger_store
from clearway.reference import DATA_DIR
from clearway.services.ledger.signing import SigningKey, read_verifier_key, write_key_files
from tests.conftest import (
    NOW,
    POSTGRES_URL,
    SECRET,
    _schema_url,
    add_user,
    example_bytes,
    invoke_cli,
    one_line_error,
)

ORIGIN = "customs.example.gov/ledger"
PASSWORD = "correct horse battery staple"
SCHEDULE = DATA_DIR / "tariff" / "schedule-illustrative.csv"
# Every variable the commands read that the surrounding shell might have set.
CLEAN = {
    "CLEARWAY_DATABASE_URL": None,
    "CLEARWAY_LEDGER_KEY_FILE": None,
    "CLEARWAY_LEDGER_ORIGIN": None,
    "CLEARWAY_SECRET_KEY": SECRET,
    "COLUMNS": "200",
}


def invoke(*args: str, input: str | None = None, **env: str | None) -> Result:
    return invoke_cli(None, *args, input=input, **{**CLEAN, **env})


def doctor(database_url: str, **env: str | None) -> tuple[int, dict[str, Any]]:
    done = invoke("doctor", "--json", **{"CLEARWAY_DATABASE_URL": database_url, **env})
    report: dict[str, Any] = orjson.loads(done.stdout)
    assert report["exit_code"] == done.exit_code
    return done.exit_code, {check["name"]: check for check in report["checks"]}


def count(database_url: str, table: Any) -> int:
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        rows: int = connection.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return rows


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a SQLite file not yet there, or an empty schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'production.db'}"
        return
    request.getfixturevalue("postgres_schema")  # skips, with the reason, without PostgreSQL
    assert POSTGRES_URL
    schema = f"cw_setup_{uuid.uuid4().hex[:10]}"
    admin = create_database_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def small_lists(tmp_path: Path) -> Path:
    """The shipped BIS Denied Persons List alone (459 entities, against some 20,000 for all
    three lists)."""
    folder = tmp_path / "lists"
    folder.mkdir()
    shutil.copy(SHIPPED_DIR / "dpl.txt.gz", folder)
    return folder


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "admin-password"
    path.write_text(f"{PASSWORD}\n")
    return path


def test_setup_makes_a_fresh_database_ready_and_a_second_run_changes_nothing(
    fresh_database_url: str, small_lists: Path, password_file: Path, tmp_path: Path
) -> None:
    key = tmp_path / "keys" / "ledger.key"
    key.parent.mkdir()
    arguments = [
        "setup",
        "--database-url",
        fresh_database_url,
        "--lists",
        str(small_lists),
        "--ledger-key",
        str(key),
        "--ledger-origin",
        ORIGIN,
        "--admin-username",
        "root",
        "--admin-password-file",
        str(password_file),
    ]
    done = invoke(*arguments, "--tariff-csv", str(SCHEDULE))
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"schema: migrated from nothing to revision \d{4}", lines[0])
    # 606 of ISO, Incoterms and the shipped CSVs; 596 more of the CDS lists (offices, countries,
    # package kinds, procedures).
    assert lines[1].startswith("reference data: code_lists 1,202, hs_nomenclature 6,936")
    assert lines[2:7] == [
        "tariff: GB: 332 measures from schedule-illustrative.csv",
        "screening lists: bis-dpl: version 1, 459 entities",
        "control list: version 1, 47 entries, ILLUSTRATIVE: not the legal text",
        f"ledger key: made {key} (mode 0600, keep it secret) and "
        f"{key.with_suffix('.pub')}, origin {ORIGIN}",
        "administrator: created root",
    ]
    assert f"serve with CLEARWAY_LEDGER_KEY_FILE={key}" in lines
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert read_verifier_key(key.with_suffix(".pub")).name == ORIGIN
    # The administrator signs in with the password from the file, without its newline.
    engine = create_database_engine(fresh_database_url)
    assert UserStore(engine).authenticate("root", PASSWORD).role is Role.ADMIN
    engine.dispose()

    # Everything required is there; the model and the rules cannot be until there is history.
    code, checks = doctor(fresh_database_url, CLEARWAY_LEDGER_KEY_FILE=str(key))
    assert code == 2
    required = {name for name, check in checks.items() if check["required"]}
    assert required == {"database", "schema", "reference_data", "secret_key", "administrator"}
    assert all(checks[name]["state"] == "ok" for name in required)
    assert checks["tariff"]["detail"] == "332 measures for GB"
    assert checks["ledger_key"] == {
        "stage": "ledger",
        "name": "ledger_key",
        "state": "ok",
        "required": False,
        "detail": f"{key}, origin {ORIGIN}",
        "fix": "",
    }
    assert checks["screening_lists"]["state"] == "warning"
    assert checks["screening_lists"]["detail"] == ("bis-dpl 459 entities; no ofac-sdn, no un list")
    assert {checks["risk_model"]["state"], checks["selectivity"]["state"]} == {"missing"}

    again = invoke(*arguments)
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:8] == [
        lines[0].replace("migrated from nothing to", "at") + " already",
        "reference data: loaded already (clearway reference load replaces it)",
        "tariff: skipped (give --tariff-uk DIR or --tariff-csv FILE)",
        "screening lists: bis-dpl loaded already (version 1)",
        "control list: the shipped list is in force already (version 1)",
        f"ledger key: {key} there already (origin {ORIGIN})",
        "administrator: skipped (root is an active administrator)",
        "nothing changed: all done already",
    ]
    assert [
        count(fresh_database_url, table)
        for table in (screening_list_versions, control_list_versions, users)
    ] == [1, 1, 1]


def test_doctor_names_what_a_database_without_tariff_or_model_lacks(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bare.db'}"
    # No tariff, no lists; the administrator's password typed twice at the prompt.
    done = invoke(
        "setup",
        "--database-url",
        database_url,
        "--no-lists",
        "--admin-username",
        "root",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert done.exit_code == 0, done.output
    assert "screening lists: skipped (--no-lists)" in done.stdout
    assert "administrator: created root" in done.stdout
    code, checks = doctor(database_url)
    assert code == 2
    assert checks["tariff"]["state"] == "missing"
    assert checks["tariff"]["detail"] == (
        "no tariff measures for GB: duty, risk and lane are skipped and declarations stay accepted"
    )
    assert checks["risk_model"]["state"] == "missing"
    assert checks["screening_lists"]["state"] == "missing"
    assert checks["ledger_key"]["detail"].startswith("CLEARWAY_LEDGER_KEY_FILE is not set")
    # The table says the same, a row per check, and what to run.
    table = invoke("doctor", CLEARWAY_DATABASE_URL=database_url)
    assert table.exit_code == 2
    assert re.search(r"│ assessment\s+│ tariff\s+│ missing\s+│ no tariff measures", table.stdout)
    assert "clearway setup --tariff-uk DIR or --tariff-csv FILE" in table.stdout
    assert table.stdout.rstrip().endswith(
        "ready; missing: tariff, screening_lists, selectivity, risk_model, ledger_key; "
        "to look at: control_list"
    )
    # Without a secret key the service cannot run: exit 1.
    code, checks = doctor(database_url, CLEARWAY_SECRET_KEY=None)
    assert code == 1
    assert checks["secret_key"]["detail"] == "CLEARWAY_SECRET_KEY is not set"


def test_doctor_refuses_a_sqlite_file_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    done = invoke("doctor", "--database-url", f"sqlite:///{missing}")
    assert one_line_error(done) == f"no database at {missing}"
    assert not missing.exists()
    # An empty file is a database without a schema: required parts missing, nothing created.
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    code, checks = doctor(f"sqlite:///{empty}")
    assert code == 1
    assert checks["schema"]["detail"] == "no schema"
    assert checks["tariff"]["detail"] == "not checked: no schema"
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_the_server_logs_a_line_for_each_part_missing_at_start(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="clearway.readiness"),
        TestClient(create_app(settings)),
    ):
        pass
    lines = [r.getMessage() for r in caplog.records if r.name == "clearway.readiness"]
    # The test database has reference data, a tariff and the illustrative control list.
    assert [line.split(":")[0] for line in lines] == [
        "screening_lists missing",
        "control_list warning",
        "selectivity missing",
        "risk_model missing",
        "administrator missing",
    ]
    assert lines[0] == (
        "screening_lists missing: no sanctions lists: parties are not screened (fix: clearway "
        "setup (the shipped lists) or clearway screening load DIR)"
    )


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A SQLite copy of the test database, whose reference data this test may remove."""
    path = tmp_path / "ready.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_ready_lists_the_checks_and_is_unready_without_reference_data(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, secret_key=SECRET)
    runtime = build_runtime(settings, prepare=False)
    with TestClient(create_app(runtime=runtime)) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200
        body = ready.json()
        assert body["status"] == "ready"
        assert [check["name"] for check in body["checks"]] == [
            "database",
            "schema",
            "reference_data",
            "tariff",
            "screening_lists",
            "control_list",
            "selectivity",
            "risk_model",
            "ledger_key",
            "publishing",
            "secret_key",
            "administrator",
        ]
        states = {check["name"]: check["state"] for check in body["checks"]}
        assert (states["tariff"], states["ledger_key"], states["risk_model"]) == (
            "ok",
            "missing",
            "missing",
        )
        with runtime.engine.begin() as connection:
            connection.execute(delete(hs_nomenclature))
        unready = client.get("/ready")
        assert unready.status_code == 503
        assert unready.headers["content-type"] == "application/problem+json"
        problem = unready.json()
        assert problem["detail"] == "failed: reference_data"
        assert {c["name"]: c["state"] for c in problem["checks"]}["reference_data"] == "missing"
        operation = client.get("/openapi.json").json()["paths"]["/ready"]["get"]
        assert "application/problem+json" in operation["responses"]["503"]["content"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ReadyPublic"
        }


def test_ledger_commands_refuse_a_sqlite_file_that_is_not_there(
    tmp_path: Path, ledger_keys: tuple[Path, Path]
) -> None:
    missing = tmp_path / "clearway.db"
    env = {"CLEARWAY_DATABASE_URL": f"sqlite:///{missing}"}
    for command in ("audit", "integrate"):
        done = invoke("ledger", command, CLEARWAY_LEDGER_KEY_FILE=str(ledger_keys[0]), **env)
        assert one_line_error(done) == (
            f"no database at {missing} (CLEARWAY_DATABASE_URL names the server's database)"
        )
        assert not missing.exists()


@pytest.fixture
def demo_like(database_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A database as ``clearway demo`` leaves it: a key beside it naming the demo's origin,
    no origin in the settings, and a lodged declaration in the ledger."""
    key, public = tmp_path / "demo.db.ledger.key", tmp_path / "demo.db.ledger.pub"
    write_key_files(SigningKey.generate("clearway.demo/ledger"), key, public)
    settings = Settings(database_url=database_url, secret_key=SECRET, ledger_key_file=str(key))
    runtime = build_runtime(settings, prepare=False, clock=lambda: NOW)
    assert runtime.settings.ledger_origin == "clearway.demo/ledger"
    with TestClient(create_app(runtime=runtime)) as client:
        headers = {"Authorization": f"Bearer {add_user(runtime, 'broker')}"}
        lodged = client.post(
            "/api/v1/declarations",
            content=example_bytes("import"),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert lodged.status_code == 201, lodged.text
        assert ledger_store(runtime).integrate_all() > 0
    return database_url, key


def test_the_ledger_origin_comes_from_the_key_file(demo_like: tuple[str, Path]) -> None:
    database_url, key = demo_like
    env = {"CLEARWAY_DATABASE_URL": database_url, "CLEARWAY_LEDGER_KEY_FILE": str(key)}
    done = invoke("ledger", "audit", **env)
    assert done.exit_code == 0, done.output
    assert re.fullmatch(
        r"audited (\d+) entries, 1 checkpoints, \1 outbox events: no problem found\n",
        done.stdout,
    )
    # Both set and different: refused by the commands, the doctor and the server alike.
    mismatch = (
        f"the ledger key {key} is for the origin 'clearway.demo/ledger' but "
        "CLEARWAY_LEDGER_ORIGIN is 'clearway.local/ledger': unset CLEARWAY_LEDGER_ORIGIN or "
        "give the key of that log"
    )
    other = {**env, "CLEARWAY_LEDGER_ORIGIN": "clearway.local/ledger"}
    assert one_line_error(invoke("ledger", "audit", **other)) == mismatch
    _, checks = doctor(database_url, **other)
    assert (checks["ledger_key"]["state"], checks["ledger_key"]["required"]) == ("missing", True)
    assert checks["ledger_key"]["detail"] == mismatch
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        ledger_key_file=str(key),
        ledger_origin="clearway.local/ledger",
    )
    with pytest.raises(LedgerOriginMismatch, match=r"'clearway\.demo/ledger'"):
        build_runtime(settings, prepare=False)
