"""Shared fixtures: the real databases (SQLite always, PostgreSQL when configured), a runtime
wired to them with a fixed clock, and an API client with a token per role."""

from __future__ import annotations

import functools
import gc
import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import argon2
import orjson
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, text

from clearway.adapters import security
from clearway.adapters.cds_code_lists import install_cds_code_lists
from clearway.adapters.control_list_store import load_illustrative_control_list
from clearway.adapters.database import create_database_engine
from clearway.adapters.security import hash_password, issue_token
from clearway.adapters.tables import metadata, users
from clearway.adapters.tariff_store import load_illustrative_tariff
from clearway.bootstrap import Runtime, build_runtime, prepare_database
from clearway.config import Settings
from clearway.domain.access import Principal, Role
from clearway.domain.risk.lane import SEVERITY
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets
from clearway.domain.risk.selectivity import Selectivity, SelectivityRule
from tests.template_data import TEMPLATE

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
# Screening indexes built by one test process are read by the others (and by the next run):
# a folder of the suite's own, never the user's cache.
os.environ.setdefault(
    "CLEARWAY_SCREENING_CACHE_DIR", str(Path("/tmp") / f"clearway-tests-screening-{os.getuid()}")
)
# One thread per LightGBM fit (and BLAS call), in this process and those it starts: the suite
# runs a test process per core, and threads beyond that spin-wait on each other (a training
# the CLI or the tests ask for with the default, all cores, then takes ten times as long).
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Sign-in tests check which passwords are taken, not what a guess costs: in the test processes
# Argon2 runs at its cheapest parameters instead of 64 MiB and three passes (a quarter of a
# second for each sign-in and each account made). A hash carries its parameters, so either
# kind verifies; the processes the tests start hash as shipped.
security._HASHER = PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)

POSTGRES_URL = os.environ.get("CLEARWAY_TEST_POSTGRES_URL")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SECRET = "test-secret-key-that-is-long-enough-0123456789"
# Tables that reference data lives in: kept between tests; everything else is emptied.
REFERENCE_TABLES = {
    "code_lists",
    "hs_nomenclature",
    "exchange_rates",
    "alembic_version",
    # the tariff: loaded once per session, read by every test
    "goods_nomenclature",
    "geographical_areas",
    "geographical_area_members",
    "measures",
    "measure_excluded_areas",
    "measure_components",
    "measure_conditions",
    "measure_condition_components",
    "quota_definitions",
    # the illustrative control list, version 1 (later versions are removed between tests)
    "control_list_versions",
}


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_FreezeWhatLives(), "clearway-freeze-what-lives")
    install_cds_code_lists()  # as every runtime does: the rules on WCO formalities check them
    """The browser tests' screenshots are of this run only: cleared once, by the controlling
    process, not by each test worker (which would delete the others' pictures)."""
    if not hasattr(config, "workerinput"):
        folder = Path(os.environ.get("CLEARWAY_SCREENSHOTS", ROOT / "build" / "screenshots"))
        shutil.rmtree(folder, ignore_errors=True)


class _FreezeWhatLives:
    """Move everything alive once the tests are collected and after each session fixture is
    made (modules, collected tests, the screener's index of tens of thousands of names …) out
    of the garbage collector's sight: it lives to the end of the session anyway, and each full
    collection, which the interpreter runs as objects pile up and ``invoke_cli`` runs after
    every command, would otherwise walk all of it (a quarter of a second each, once the index
    is built). A plugin rather than hooks of this file, whose hooks pytest does not call for
    fixtures of the whole session."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self) -> None:
        self.freeze()

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any) -> Any:
        value = yield
        if fixturedef.scope == "session":
            self.freeze()
        return value

    @staticmethod
    def freeze() -> None:
        gc.collect()
        gc.freeze()


def example(name: str) -> dict[str, Any]:
    """One of the shared example payloads (``import`` or ``export``), as a fresh dict."""
    payload: dict[str, Any] = orjson.loads((EXAMPLES / f"{name}-declaration.json").read_bytes())
    return payload


def certified(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with a phytosanitary certificate (N851) on every item: the illustrative
    tariff restricts fresh fruit and vegetables, the import example's tomatoes among them, to
    goods that carry one, and holds the rest for a document check."""
    for item in payload["items"]:
        item["documents"] = [*item.get("documents", []), {"type": "N851", "reference": "GB-PH-1"}]
    return payload


def example_bytes(name: str) -> bytes:
    return (EXAMPLES / f"{name}-declaration.json").read_bytes()


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_database_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return str(error).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with reference data, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_database_engine(f"sqlite:///{path}")
    prepare_database(engine)
    load_illustrative_tariff(engine, "GB")
    load_illustrative_control_list(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    TEMPLATE.made(path)
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A private schema in the PostgreSQL test database, migrated once, dropped at the end."""
    with _private_schema() as url:
        engine = create_database_engine(url)
        TEMPLATE.made_postgres(engine)
        engine.dispose()
        yield url


@contextmanager
def _private_schema() -> Iterator[str]:
    """A new schema in the PostgreSQL test database, migrated and holding the reference data
    every test starts with, dropped when done; the test is skipped without PostgreSQL."""
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need CLEARWAY_TEST_POSTGRES_URL (e.g. "
            "postgresql://postgres@127.0.0.1:5432/test)"
        )
    problem = _postgres_reachable(POSTGRES_URL)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(
                f"CLEARWAY_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {problem}"
            )
        pytest.skip(f"PostgreSQL at CLEARWAY_TEST_POSTGRES_URL is unreachable: {problem}")
    schema = f"cw_test_{uuid.uuid4().hex[:10]}"
    admin = create_database_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _schema_url(schema)
    engine = create_database_engine(url)
    prepare_database(engine)
    load_illustrative_tariff(engine, "GB")
    load_illustrative_control_list(engine)
    _empty_tables(engine)  # as every test finds it
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _schema_url(schema: str) -> str:
    assert POSTGRES_URL
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


# The sequences of these tables that have handed out a number since they were last reset.
_DRAWN_SEQUENCES = text(
    """
    SELECT sequence.oid::regclass::text
    FROM pg_class AS sequence
    JOIN pg_depend AS owner
      ON owner.classid = 'pg_class'::regclass AND owner.objid = sequence.oid
     AND owner.deptype IN ('a', 'i')
    JOIN pg_class AS owning ON owning.oid = owner.refobjid
    JOIN pg_sequences AS state
      ON state.schemaname = current_schema() AND state.sequencename = sequence.relname
    WHERE sequence.relkind = 'S' AND sequence.relnamespace = current_schema()::regnamespace
      AND owning.relname = ANY(:tables) AND state.last_value IS NOT NULL
    """
)


def _empty_tables(engine: Engine) -> None:
    """What ``TRUNCATE`` (every table but the reference data's) ``RESTART IDENTITY CASCADE``
    leaves, done to the tables a test wrote to only: truncating some forty tables takes
    PostgreSQL a third of a second or more, finding the few that hold rows a few milliseconds."""
    names = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    holding = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in names
    )
    with engine.begin() as connection:
        written = connection.execute(text(holding)).scalars().all()
        if written:
            connection.execute(text(f"TRUNCATE {', '.join(written)} RESTART IDENTITY CASCADE"))
        # A number drawn by a row since deleted or rolled back leaves no row to find.
        for sequence in connection.execute(_DRAWN_SEQUENCES, {"tables": names}).scalars():
            connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
        connection.execute(text("DELETE FROM control_list_versions WHERE id > 1"))
        # Only when it changes: a row rewritten is a write (``tests/template_data.py``).
        connection.execute(
            text("UPDATE control_list_versions SET current = TRUE WHERE NOT current")
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database ready for use (migrated, reference data loaded), empty of declarations."""
    if request.param == "sqlite":
        path = tmp_path / "clearway.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_schema")
    engine = create_database_engine(url)
    _empty_tables(engine)
    engine.dispose()
    return url


LEDGER_ORIGIN = "clearway.test/ledger"


@pytest.fixture(scope="session")
def ledger_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The ledger's signing key file and its public key file, made once per session."""
    from clearway.services.ledger.signing import SigningKey, write_key_files

    folder = tmp_path_factory.mktemp("ledger")
    private, public = folder / "ledger.key", folder / "ledger.pub"
    write_key_files(SigningKey.generate(LEDGER_ORIGIN), private, public)
    return private, public


def _settings(database_url: str, ledger_keys: tuple[Path, Path]) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET,
        ledger_key_file=str(ledger_keys[0]),
        ledger_origin=LEDGER_ORIGIN,
    )


@pytest.fixture
def settings(database_url: str, ledger_keys: tuple[Path, Path]) -> Settings:
    return _settings(database_url, ledger_keys)


@contextmanager
def _runtime(settings: Settings) -> Iterator[Runtime]:
    with TEMPLATE.reading():
        built = build_runtime(settings, prepare=False, clock=lambda: NOW)
    # No random sampling or top-up, and one criterion sending every declaration to the yellow
    # lane: goods stay held (amendable, releasable by an officer) unless a test says otherwise.
    built.context.risk.use_selectivity(HOLD_EVERYTHING)
    try:
        yield built
    finally:
        built.engine.dispose()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    with _runtime(settings) as built:
        yield built


NO_SAMPLING = LaneTargets.validated(LaneTarget(lane, 0.0, 0.0) for lane in SEVERITY[:3])
HOLD_EVERYTHING = Selectivity(
    rules=(
        SelectivityRule(
            "T0001", 1, "total_value >= 0 -> yellow", "tests", "document check", date(2020, 1, 1)
        ),
    ),
    targets=NO_SAMPLING,
)

USERS = {
    "broker": (Role.TRADER, "GB123456789000"),  # declarant of the import example
    "northwind": (Role.TRADER, "GB987654321000"),  # importer of the import example
    "acme": (Role.TRADER, "GB555000111000"),  # declarant and exporter of the export example
    "stranger": (Role.TRADER, "GB000000000001"),
    "cds-agent": (Role.TRADER, "GB603202734852"),  # declarant of the CDS pack's TT_IM001a
    "officer": (Role.OFFICER, None),
    "officer2": (Role.OFFICER, None),
    "supervisor": (Role.SUPERVISOR, None),
    "analyst": (Role.RISK_ANALYST, None),
    "agency": (Role.AGENCY, None),
    "auditor": (Role.AUDITOR, None),
    "admin": (Role.ADMIN, None),
}
PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def add_user(runtime: Runtime, username: str) -> str:
    """Store one of ``USERS`` (password ``PASSWORD``) and return a bearer token for it."""
    return store_user(runtime.engine, username)


def store_user(engine: Engine, username: str) -> str:
    """Store one of ``USERS`` in this database and return a bearer token for it.

    The Argon2 hash is computed once per session and the token minted directly, so that
    tests other than the login tests do not pay for password hashing.
    """
    role, company = USERS[username]
    with engine.begin() as connection:
        user_id = connection.execute(
            users.insert()
            .values(
                username=username,
                password_hash=password_hash(),
                role=role.value,
                company_id=company,
                active=True,
                created_at=NOW,
                token_version=1,
                failed_logins=0,
            )
            .returning(users.c.id)
        ).scalar_one()
    principal = Principal(username, role, company, user_id=user_id)
    return issue_token(principal, SECRET, timedelta(minutes=30)).token


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Any]:
    """An API client; ``api.as_(username)`` gives headers with that user's bearer token."""
    with _client(runtime) as client:
        yield client


@contextmanager
def _client(runtime: Runtime) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from clearway.entrypoints.api.app import create_app

    with TestClient(create_app(runtime=runtime)) as client:
        tokens: dict[str, str] = {}

        def as_(username: str) -> dict[str, str]:
            if username not in tokens:
                tokens[username] = add_user(runtime, username)
            return {"Authorization": f"Bearer {tokens[username]}"}

        client.as_ = as_  # type: ignore[attr-defined]
        client.runtime = runtime  # type: ignore[attr-defined]
        yield client


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def refusing_api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    ledger_keys: tuple[Path, Path],
) -> Iterator[Any]:
    """An API client, as ``api``, shared by the tests of one module that store nothing (each
    request refused, or only reading): one database, runtime and server for all of them, so
    that a hundred refusals do not each pay for their own. A test using it must leave the
    database empty of declarations, as it found it (``api.runtime`` is its runtime); the
    first that does not fails, and those after it."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            path = tmp_path_factory.mktemp("refusing") / "clearway.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        else:
            url = stack.enter_context(_private_schema())
        runtime = stack.enter_context(_runtime(_settings(url, ledger_keys)))
        yield stack.enter_context(_client(runtime))


@pytest.fixture
def server(runtime: Runtime) -> Iterator[str]:
    """The API on a real socket (uvicorn in a thread, its own worker threads): for clients
    reaching it over HTTP, many at once."""
    import socket
    import threading

    import uvicorn

    from clearway.entrypoints.api.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime=runtime), host="127.0.0.1", port=port, lifespan="on", log_level="error"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def officers_view(api: Any, declaration_id: str) -> dict[str, Any]:
    """The declaration as customs sees it, with the whole risk decision (its declarant sees
    only the outcome and the documents required)."""
    shown: dict[str, Any] = api.get(
        f"/api/v1/declarations/{declaration_id}", headers=api.as_("officer")
    ).json()
    return shown


def invoke_cli(
    database_url: str | None, *args: str, input: str | None = None, **env: str | None
) -> Any:
    """``clearway ARGS`` in this process (Typer's runner) on ``database_url`` (None: as ``env``
    says; a variable set to None is unset), with settings read afresh for it and dropped
    after, so that no other test sees its environment."""
    from typer.testing import CliRunner

    from clearway.config import get_settings
    from clearway.entrypoints.cli.main import app

    variables: dict[str, str | None] = {"COLUMNS": "200"}
    if database_url is not None:
        variables["CLEARWAY_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    try:
        with TEMPLATE.reading():
            return CliRunner().invoke(app, list(args), env={**variables, **env}, input=input)
    finally:
        get_settings.cache_clear()
        # Some commands (``process``) leave closing their database connections to the end of
        # the process; in this one, close them now rather than in a later test's teardown.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()


def one_line_error(result: Any) -> str:
    """The one line a refused command printed (``error: …``, exit status 1), without its
    prefix."""
    assert result.exit_code == 1, result.output
    message: str = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: "), message
    return message.removeprefix("error: ")


@pytest.fixture
def lodge(api: Any) -> Callable[..., Any]:
    """Lodge a payload through the API as a user; returns the response."""

    def _lodge(payload: dict[str, Any], username: str = "broker") -> Any:
        return api.post("/api/v1/declarations", json=payload, headers=api.as_(username))

    return _lodge


@pytest.fixture(scope="session")
def shipped_lists() -> list[Any]:
    """The OFAC SDN, BIS DPL and UN lists shipped with Clearway, read once per session."""
    from clearway.adapters.sanctions_files import read_shipped_lists

    return read_shipped_lists()


@pytest.fixture(scope="session")
def screener_full(shipped_lists: list[Any]) -> Any:
    """A screener over the full shipped lists, built once per session (building takes
    seconds). It also seeds the store's cache, so a runtime that loads the same lists reuses
    its index; the default ``runtime`` keeps an empty screener."""
    from clearway.adapters.screening_store import seed_screener
    from clearway.services.screening import Screener

    screener = Screener(entity for listed in shipped_lists for entity in listed.entities)
    seed_screener(((listed.source, listed.sha256) for listed in shipped_lists), screener)
    return screener
