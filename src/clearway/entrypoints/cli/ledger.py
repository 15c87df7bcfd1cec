"""``clearway ledger …``: make keys, verify a receipt offline, audit the ledger's tables, and run
a witness that cosigns the log's checkpoints (c2sp.org/tlog-cosignature)."""

from __future__ import annotations

import base64
import contextlib
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from sqlalchemy import Engine

from clearway.adapters import migrate
from clearway.adapters.database import (
    MissingDatabase,
    create_database_engine,
    require_existing_database,
)
from clearway.adapters.ledger_http import LedgerHttpError, log_client, run_witness
from clearway.adapters.ledger_reading import (
    audit_bounds,
    read_checkpoints,
    read_leaf_hashes,
    read_log_entries,
    read_outbox_events,
)
from clearway.adapters.ledger_store import SqlAlchemyLedgerStore
from clearway.bootstrap import LedgerOriginMismatch, ledger_origin
from clearway.config import InsecureSettings, Settings, get_settings
from clearway.domain.ledger import COSIGNATURE_V1, ED25519, LedgerError, VerifierKey
from clearway.entrypoints.cli.output import fail as _fail
from clearway.entrypoints.cli.output import make_console
from clearway.services.ledger.audit import AuditReport, audit_log
from clearway.services.ledger.receipts import ReceiptError, VerifiedReceipt, verify_receipt
from clearway.services.ledger.signing import (
    SigningKey,
    read_signing_key,
    read_verifier_key,
    write_key_files,
)
from clearway.services.ledger.witness import (
    WitnessRefusal,
    WitnessStateError,
)

ledger_app = typer.Typer(
    help="The verifiable ledger: keys, receipts, audit, witness.", no_args_is_help=True
)
console = make_console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]


def _print_json(document: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


def _verifier_key_file(path: Path) -> VerifierKey:
    try:
        return read_verifier_key(path)
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror}")
    except LedgerError as error:
        _fail(f"{path} is not a verifier key file: {error}")


def _signing_key_file(path: Path) -> SigningKey:
    try:
        return read_signing_key(path)
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror}")
    except (LedgerError, ValueError) as error:
        _fail(f"{path} is not a signer key file: {error}")


@ledger_app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="Key name, e.g. the log's origin or the witness")],
    private: Annotated[Path, typer.Option("--private", help="Signer key file to create")],
    public: Annotated[Path, typer.Option("--public", help="Verifier key file to create")],
    witness: Annotated[
        bool,
        typer.Option("--witness", help="Write the public key as a cosignature key (type 0x04)"),
    ] = False,
) -> None:
    """Make an Ed25519 key pair for a log or a witness; existing files are never overwritten.

    Prints the verifier key, the one to give to those who verify (or to register a witness).
    """
    existing = [str(path) for path in (private, public) if path.exists()]
    if existing:
        _fail(f"{', '.join(existing)} already exists; a key file is never overwritten")
    try:
        key = SigningKey.generate(name)
    except LedgerError as error:
        _fail(str(error))
    signature_type = COSIGNATURE_V1 if witness else ED25519
    try:
        write_key_files(key, private, public, signature_type)
    except OSError as error:
        _fail(f"cannot write the key files: {error}")
    console.print(f"wrote {private} (keep it secret) and {public}", highlight=False)
    typer.echo(str(key.verifier_key(signature_type)))


def _receipt_document(verified: VerifiedReceipt) -> dict[str, Any]:
    entry = verified.entry
    return {
        "verified": True,
        "origin": verified.origin,
        "declaration_id": verified.declaration_id,
        "claims": {
            "sequence": entry.sequence,
            "type": entry.type,
            "status": entry.status,
            "version": entry.version,
            "declaration_id": entry.declaration_id,
        },
        "occurred_at": entry.occurred_at,
        "leaf_index": verified.leaf_index,
        "tree_size": verified.tree_size,
        "root_hash": base64.b64encode(verified.checkpoint.root_hash).decode(),
        "unverified_cosigners": list(verified.cosigners),
    }


@ledger_app.command("verify-receipt")
def verify_receipt_command(
    file: Annotated[Path, typer.Argument(help="The receipt (JSON) as the API served it")],
    key: Annotated[Path, typer.Option("--key", help="The log's verifier key file")],
    as_json: JsonOption = False,
) -> None:
    """Verify a receipt offline: the log's signature, the inclusion proof, the claims."""
    log_key = _verifier_key_file(key)
    try:
        receipt = orjson.loads(file.read_bytes())
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror}")
    except orjson.JSONDecodeError as error:
        _fail(f"{file} is not JSON: {error}")
    try:
        verified = verify_receipt(receipt, log_key)
    except ReceiptError as error:
        if as_json:
            _print_json({"verified": False, "reason": str(error)})
        _fail(f"not verified: {error}")
    if as_json:
        _print_json(_receipt_document(verified))
        return
    entry = verified.entry
    typer.echo(
        f"verified: declaration {verified.declaration_id}: {entry.type} ({entry.status}, "
        f"version {entry.version}) is leaf {verified.leaf_index} of {verified.origin} at tree "
        f"size {verified.tree_size}"
    )


def _audit_key(key: Path | None, settings: Settings) -> tuple[VerifierKey, str]:
    """``--key``, else the public half of the log's own key file from the settings; with the
    origin the checkpoints must name (the key's, unless CLEARWAY_LEDGER_ORIGIN says so too)."""
    if key is not None:
        verifier, key_file = _verifier_key_file(key), str(key)
    elif settings.ledger_key_file:
        key_file = settings.ledger_key_file
        verifier = _signing_key_file(Path(key_file)).verifier_key()
    else:
        _fail(
            "no log key: give --key FILE (the log's verifier key) or set CLEARWAY_LEDGER_KEY_FILE"
        )
    try:
        return verifier, ledger_origin(settings, verifier.name, key_file)
    except LedgerOriginMismatch as error:
        _fail(str(error))


def _existing_database(settings: Settings) -> None:
    """Refuse a SQLite file that is not there: opening it would make an empty ledger that
    audits clean."""
    try:
        require_existing_database(settings.database_url)
    except MissingDatabase as error:
        _fail(f"{error} (CLEARWAY_DATABASE_URL names the server's database)")


def _report_document(report: AuditReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "entries": report.entries,
        "checkpoints": report.checkpoints,
        "events": report.events,
        "problems": [
            {
                "leaf_index": problem.leaf_index,
                "tree_size": problem.tree_size,
                "sequence": problem.sequence,
                "message": problem.message,
            }
            for problem in report.problems
        ],
        "omitted": report.omitted,
    }


@ledger_app.command("integrate")
def integrate(
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep integrating new events until interrupted")
    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes with --follow")] = 1.0,
) -> None:
    """Integrate the outbox events not yet in the ledger and sign the grown tree (the server
    does this itself every CLEARWAY_LEDGER_INTERVAL_SECONDS)."""
    from clearway.entrypoints.ledger_worker import Integrator

    settings = get_settings()
    _existing_database(settings)
    engine = create_database_engine(settings.database_url)
    try:
        store = _integrator_store(engine, settings)
        migrate.upgrade(engine)
        if follow:
            with contextlib.suppress(KeyboardInterrupt):
                Integrator(store).run_forever(interval)
            return
        added = store.integrate_all()
    except LedgerError as error:
        _fail(str(error))
    finally:
        engine.dispose()
    typer.echo(f"integrated {added} events into the ledger")


def _integrator_store(engine: Engine, settings: Settings) -> SqlAlchemyLedgerStore:
    """The integrator on the settings' database and key, or a one-line error naming what is
    missing or wrong (no key file, a key of another origin, a file that is not a key)."""
    from clearway.entrypoints.ledger_worker import settings_ledger_store

    key_file = settings.ledger_key_file
    try:
        return settings_ledger_store(engine, settings)
    except InsecureSettings as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot read {key_file}: {error.strerror}")
    except (LedgerError, ValueError) as error:
        _fail(f"{key_file} is not a signer key file: {error}")


@ledger_app.command("audit")
def audit(
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The log's verifier key file (default: from the settings)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check the ledger's tables against each other and the outbox; exit 1 on any problem.

    Every entry against its stored leaf hash and its outbox event, every signed checkpoint
    against the root recomputed from the entries, leaf indexes and sequences for gaps and
    reorderings. The checkpoints must name the key's origin (CLEARWAY_LEDGER_ORIGIN, when set,
    must be the same). A SQLite database that is not there is refused, not created.
    """
    settings = get_settings()
    log_key, origin = _audit_key(key, settings)
    _existing_database(settings)
    engine = create_database_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        bounds = audit_bounds(engine)
        report = audit_log(
            read_log_entries(engine, bounds),
            read_leaf_hashes(engine, bounds),
            read_checkpoints(engine, bounds),
            log_key,
            read_outbox_events(engine, bounds),
            origin=origin,
        )
    finally:
        engine.dispose()
    if as_json:
        _print_json(_report_document(report))
    else:
        for problem in report.problems:
            typer.echo(f"{problem.where}: {problem.message}")
        if report.omitted:
            typer.echo(f"… and {report.omitted} more problems")
        found = len(report.problems) + report.omitted
        verdict = "no problem found" if report.ok else f"{found} problems"
        typer.echo(
            f"audited {report.entries} entries, {report.checkpoints} checkpoints, "
            f"{report.events} outbox events: {verdict}"
        )
    if not report.ok:
        raise typer.Exit(code=1)


@ledger_app.command("witness")
def witness(
    url: Annotated[str, typer.Option("--url", help="The Clearway server, e.g. https://…")],
    key: Annotated[Path, typer.Option("--key", help="The witness's signer key file")],
    state: Annotated[Path, typer.Option("--state", help="The witness's state file (JSON)")],
    log_key: Annotated[
        Path | None,
        typer.Option("--log-key", help="Pin the log's verifier key (default: trust it at first)"),
    ] = None,
) -> None:
    """Cosign the log's newest checkpoint if it extends the last one this witness cosigned."""
    witness_key = _signing_key_file(key)
    pinned = _verifier_key_file(log_key) if log_key is not None else None
    client = log_client(url)
    try:
        cosigned = run_witness(client, state, witness_key, pinned)
    except WitnessRefusal as error:
        _fail(f"refused to cosign: {error}")
    except (WitnessStateError, LedgerHttpError) as error:
        _fail(str(error))
    finally:
        client.close()
    checkpoint = cosigned.checkpoint
    root = base64.b64encode(checkpoint.root_hash).decode()
    typer.echo(f"cosigned {checkpoint.origin} at tree size {checkpoint.size} (root {root})")
