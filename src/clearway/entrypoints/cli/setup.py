"""``clearway setup``: make a database ready for production, step by step, each step printed as
it runs and each skipped when its work is done already (a second run changes nothing), then
the readiness report (``clearway doctor``).

The steps call what the single-purpose commands call (``db upgrade``, ``reference load``,
``tariff load-uk``/``load-csv``, ``screening load``, ``control-list load``, ``ledger keygen``,
``users create``): setup only puts them in order.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy import Engine

from clearway.adapters import migrate
from clearway.adapters.accounts import UserStore
from clearway.adapters.control_list_files import (
    ControlListFileError,
    ControlListFiles,
    read_control_list_files,
)
from clearway.adapters.control_list_store import SqlAlchemyControlListStore, current_version
from clearway.adapters.database import create_database_engine
from clearway.adapters.reference_store import load_reference, reference_loaded
from clearway.adapters.sanctions_files import SHIPPED_DIR, SanctionsFileError, read_lists
from clearway.adapters.screening_store import load_list
from clearway.adapters.tariff_files import TariffFileError, read_schedule
from clearway.adapters.tariff_store import store_records
from clearway.adapters.uk_tariff_files import read_uk_directory
from clearway.bootstrap import build_runtime, prepare_database
from clearway.config import InsecureSettings, Settings
from clearway.domain.access import Principal, Role
from clearway.domain.errors import ClearwayError
from clearway.domain.events import utc_now
from clearway.domain.export_control.control_list_document import control_list_document
from clearway.domain.ledger import LedgerError
from clearway.entrypoints.cli.doctor import DatabaseUrlOption, print_report
from clearway.entrypoints.cli.output import fail as _fail
from clearway.entrypoints.cli.output import make_console
from clearway.entrypoints.cli.tariff import store_uk_tariff
from clearway.entrypoints.readiness import readiness
from clearway.services.control_list_admin import LoadControlList, load_control_list
from clearway.services.ledger.signing import SigningKey, read_signing_key, write_key_files

out = make_console(highlight=False)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _step(name: str, message: str) -> None:
    out.print(Text.assemble((name, "bold"), ": ", message))


def _schema(engine: Engine) -> bool:
    before = migrate.current_revision(engine)
    prepare_database(engine, load_if_empty=False)
    after = migrate.current_revision(engine)
    if before == after:
        _step("schema", f"at revision {after} already")
        return False
    _step("schema", f"migrated from {before or 'nothing'} to revision {after}")
    return True


def _reference(engine: Engine) -> bool:
    if reference_loaded(engine):
        _step("reference data", "loaded already (clearway reference load replaces it)")
        return False
    counts = load_reference(engine)
    _step("reference data", ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))
    return True


def _tariff(settings: Settings, engine: Engine, uk: Path | None, schedule: Path | None) -> bool:
    if uk is None and schedule is None:
        _step("tariff", "skipped (give --tariff-uk DIR or --tariff-csv FILE)")
        return False
    if uk is not None:
        try:
            loaded = read_uk_directory(uk)
        except TariffFileError as error:
            _fail(str(error))
        try:
            runtime = build_runtime(settings, prepare=False)
        except InsecureSettings as error:
            _fail(str(error))
        try:
            store_uk_tariff(runtime, loaded)
        finally:
            runtime.engine.dispose()
        _step("tariff", f"UK Trade Tariff records from {uk} loaded")
    if schedule is not None:
        try:
            records = read_schedule(schedule, settings.country)
        except TariffFileError as error:
            _fail(str(error))
        counts = store_records(engine, records)
        _step(
            "tariff",
            f"{records.jurisdiction}: {counts['measures']:,} measures from {schedule.name}",
        )
    return True


def _lists(engine: Engine, directory: Path | None, skip: bool) -> bool:
    if skip:
        _step("screening lists", "skipped (--no-lists)")
        return False
    try:
        lists = read_lists(directory or SHIPPED_DIR)
    except SanctionsFileError as error:
        _fail(str(error))
    at = utc_now()
    with engine.begin() as connection:
        outcomes = [load_list(connection, lst, actor=_actor(), at=at) for lst in lists]
    for outcome in outcomes:
        version = outcome.version
        if outcome.unchanged:
            _step(
                "screening lists", f"{version.source.value} loaded already (version {version.id})"
            )
        else:
            _step(
                "screening lists",
                f"{version.source.value}: version {version.id}, {version.entity_count:,} entities",
            )
    return not all(outcome.unchanged for outcome in outcomes)


def _control_list(engine: Engine) -> bool:
    files = ControlListFiles.shipped()
    try:
        control_list = read_control_list_files(files)
    except ControlListFileError as error:
        _fail(str(error))
    with engine.connect() as connection:
        stored = current_version(connection)
    if stored is not None and control_list_document(stored.control_list) == control_list_document(
        control_list
    ):
        _step("control list", f"the shipped list is in force already (version {stored.version.id})")
        return False
    actor = Principal(_actor(), Role.ADMIN)
    command = LoadControlList(control_list, actor, files.source, at_console=True)
    try:
        loaded = load_control_list(command, SqlAlchemyControlListStore(engine), utc_now())
    except ClearwayError as error:
        _fail(error.detail)
    marked = ", ILLUSTRATIVE: not the legal text" if control_list.illustrative else ""
    _step(
        "control list",
        f"version {loaded.version.id}, {len(control_list.entries)} entries{marked}",
    )
    return True


def public_key_path(private: Path) -> Path:
    """Where the verifier key goes: beside the signer key, ``.pub`` for its suffix."""
    return (
        private.with_suffix(".pub") if private.suffix else private.with_name(f"{private.name}.pub")
    )


def _ledger_key(path: Path | None, origin: str | None) -> bool:
    if path is None:
        _step("ledger key", "skipped (give --ledger-key PATH --ledger-origin NAME)")
        return False
    if path.exists():
        try:
            key = read_signing_key(path)
        except OSError as error:
            _fail(f"cannot read {path}: {error.strerror}")
        except (LedgerError, ValueError) as error:
            _fail(f"{path} is not a signer key file: {error}")
        if origin is not None and origin != key.name:
            _fail(f"the ledger key {path} is for the origin {key.name!r}, not {origin!r}")
        _step("ledger key", f"{path} there already (origin {key.name})")
        return False
    if origin is None:
        _fail(f"no ledger key at {path}: give --ledger-origin (e.g. customs.example.gov/ledger)")
    public = public_key_path(path)
    if public == path or public.exists():
        _fail(f"{public} already exists; a key file is never overwritten")
    try:
        key = SigningKey.generate(origin)
        write_key_files(key, path, public)
    except LedgerError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write the key files: {error}")
    _step("ledger key", f"made {path} (mode 0600, keep it secret) and {public}, origin {origin}")
    return True


def _password(username: str, password_file: Path | None) -> str:
    if password_file is None:
        prompted: str = typer.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
        return prompted
    try:
        return password_file.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        _fail(f"cannot read {password_file}: {error.strerror}")


def _administrator(engine: Engine, username: str | None, password_file: Path | None) -> bool:
    store = UserStore(engine)
    admins = [u.username for u in store.list_users() if u.role is Role.ADMIN and u.active]
    if admins:
        _step("administrator", f"skipped ({admins[0]} is an active administrator)")
        return False
    if username is None:
        _step("administrator", "none yet (give --admin-username NAME)")
        return False
    password = _password(username, password_file)
    try:
        store.create(username, password, Role.ADMIN)
    except ClearwayError as error:
        _fail(error.detail)
    except ValueError as error:
        _fail(str(error))
    _step("administrator", f"created {username}")
    return True


def setup(
    database_url: DatabaseUrlOption = None,
    tariff_uk: Annotated[
        Path | None, typer.Option("--tariff-uk", help="UK Trade Tariff records (uk/ and xi/)")
    ] = None,
    tariff_csv: Annotated[
        Path | None,
        typer.Option("--tariff-csv", help="National schedule (docs/tariff-schedule.md)"),
    ] = None,
    lists: Annotated[
        Path | None,
        typer.Option("--lists", help="Sanctions lists folder (default: the shipped copies)"),
    ] = None,
    no_lists: Annotated[
        bool, typer.Option("--no-lists", help="Load no sanctions lists now")
    ] = False,
    ledger_key: Annotated[
        Path | None,
        typer.Option(
            "--ledger-key",
            help="The ledger's signing key file, made if it is not there (default: "
            "CLEARWAY_LEDGER_KEY_FILE)",
        ),
    ] = None,
    ledger_origin: Annotated[
        str | None,
        typer.Option(
            "--ledger-origin", help="The log's name, to make a key: e.g. customs.example.gov/ledger"
        ),
    ] = None,
    admin_username: Annotated[
        str | None,
        typer.Option("--admin-username", help="The first administrator, if there is none"),
    ] = None,
    admin_password_file: Annotated[
        Path | None,
        typer.Option(
            "--admin-password-file", help="File holding its password (default: asked for)"
        ),
    ] = None,
) -> None:
    """Migrate, load reference data, a tariff, the lists and the control list, make the ledger
    key and the first administrator, then check (exit 1 if a required part is still missing).

    Steps whose work is done already are skipped, so it can be run again after an upgrade."""
    settings = Settings() if database_url is None else Settings(database_url=database_url)
    key_path = ledger_key or (Path(settings.ledger_key_file) if settings.ledger_key_file else None)
    engine = create_database_engine(settings.database_url)
    try:
        # One step after the other, each printed as it runs.
        steps = {
            "schema": _schema(engine),
            "reference data": _reference(engine),
            "tariff": _tariff(settings, engine, tariff_uk, tariff_csv),
            "screening lists": _lists(engine, lists, no_lists),
            "control list": _control_list(engine),
            "ledger key": _ledger_key(key_path, ledger_origin),
            "administrator": _administrator(engine, admin_username, admin_password_file),
        }
        changed = [name for name, done in steps.items() if done]
        out.print(
            f"changed: {', '.join(changed)}" if changed else "nothing changed: all done already"
        )
        if key_path is not None and str(key_path) != settings.ledger_key_file:
            # The report is of the service as it will run, with the key just made or checked.
            settings = settings.model_copy(update={"ledger_key_file": str(key_path)})
            out.print(f"serve with CLEARWAY_LEDGER_KEY_FILE={key_path}")
        report = readiness(settings, engine, probe_network=True)
    finally:
        engine.dispose()
    print_report(report, settings.database_url, out)
    if report.required_missing():
        raise typer.Exit(code=1)
