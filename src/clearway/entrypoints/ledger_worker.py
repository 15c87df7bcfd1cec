"""The ledger's integrator as the entry points run it: the signing key and origin from
settings, new outbox events integrated pass after pass in the foreground (``clearway ledger
integrate --follow``, ``clearway worker``) or on a thread of its own beside the API server."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from clearway.adapters.ledger_log import LedgerReader
from clearway.adapters.ledger_store import INTEGRATION_BATCH, SqlAlchemyLedgerStore
from clearway.bootstrap import Runtime, ledger_origin
from clearway.config import InsecureSettings, Settings
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError
from clearway.domain.events import utc_now
from clearway.entrypoints.relay_worker import BackgroundLoop
from clearway.services.ledger.signing import SigningKey, read_signing_key
from clearway.services.queries import receipt_event

log = logging.getLogger("clearway.ledger")


class LedgerUnavailable(ClearwayError):
    """No signing key is configured, so the ledger has no checkpoints to serve."""

    status, slug, title = 503, "ledger-unavailable", "Ledger unavailable"


def ledger_key(settings: Settings) -> SigningKey:
    """The log's signing key, read from ``ledger_key_file``."""
    if not settings.ledger_key_file:
        raise InsecureSettings(
            "CLEARWAY_LEDGER_KEY_FILE must name the ledger's signing key "
            "(make one with: clearway ledger keygen NAME --private FILE --public FILE)"
        )
    path = Path(settings.ledger_key_file)
    if not path.is_file():
        raise InsecureSettings(f"the ledger key file {path} does not exist")
    return _read_key(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read_key(path: Path, modified: int) -> SigningKey:
    """Read once per file version: every ledger request needs the key, and a replaced file
    (a new modification time) is read afresh."""
    return read_signing_key(path)


def ledger_store(runtime: Runtime) -> SqlAlchemyLedgerStore:
    """The integrator over the runtime's database, signing with the configured key."""
    key = ledger_key(runtime.settings)
    return SqlAlchemyLedgerStore(
        runtime.engine, key.note_signer(), runtime.settings.ledger_origin, runtime.context.now
    )


def settings_ledger_store(engine: Engine, settings: Settings) -> SqlAlchemyLedgerStore:
    """The integrator over ``engine`` alone, as ``clearway ledger integrate`` runs it: signing
    with the key the settings name, under the log's origin (the key's name; a different
    CLEARWAY_LEDGER_ORIGIN is refused with ``LedgerOriginMismatch``). Nothing else of the
    clearance runtime (reference data, tariff, screening, risk) is read.

    ``InsecureSettings`` without a key file; a key file that does not read raises what
    ``read_signing_key`` raises (``OSError``, ``LedgerError``, ``ValueError``)."""
    key = ledger_key(settings)
    origin = ledger_origin(settings, key.name)
    return SqlAlchemyLedgerStore(engine, key.note_signer(), origin, utc_now)


def ledger_reader(runtime: Runtime) -> LedgerReader:
    """The log as the API serves it; ``LedgerUnavailable`` without a key."""
    try:
        key = ledger_key(runtime.settings)
    except InsecureSettings as error:
        raise LedgerUnavailable(str(error)) from None
    return LedgerReader(runtime.engine, runtime.settings.ledger_origin, key.verifier_key())


def declaration_receipt(runtime: Runtime, principal: Principal, reference: str) -> dict[str, Any]:
    """The receipt ``principal`` gets for a declaration: of its newest logged event, or for
    its declarant of the newest event that says nothing of the selection
    (``domain/disclosure.py``)."""
    with runtime.uow() as uow:
        declaration_id, sequence = receipt_event(uow, principal, reference)
    reader = ledger_reader(runtime)
    if sequence is None:
        return reader.receipt(declaration_id)
    return reader.event_receipt(declaration_id, sequence)


class Integrator:
    """Integrates the outbox into the ledger every ``interval`` seconds until stopped."""

    def __init__(self, store: SqlAlchemyLedgerStore) -> None:
        self.store = store
        self._stopping = threading.Event()

    def run_once(self) -> int:
        """Integrate until the outbox is all in the log, batch by batch, or until ``stop`` (then
        after the batch in hand, so that a long backlog does not hold up a shutdown); the
        number of events integrated."""
        added = 0
        while True:
            done = self.store.integrate(INTEGRATION_BATCH)
            added += done.appended
            if done.appended < INTEGRATION_BATCH or self._stopping.is_set():
                return added

    def run_forever(self, interval: float) -> None:
        """Pass after pass; a pass that fails is logged and the next one tries again."""
        while not self._stopping.is_set():
            try:
                added = self.run_once()
                if added:
                    log.info("integrated %s events into the ledger", added)
            except Exception:
                log.exception("ledger integration failed; trying again in %s s", interval)
            self._stopping.wait(interval)

    def stop(self) -> None:
        self._stopping.set()

    def close(self) -> None:
        """Nothing to let go of: each pass opens and closes its own transaction."""


def start_background_integrator(runtime: Runtime) -> BackgroundLoop | None:
    """The integrator the API server runs, or None when ``ledger_interval_seconds`` is 0 or no
    key is configured (the server then logs why and serves no checkpoints)."""
    interval = runtime.settings.ledger_interval_seconds
    if interval <= 0:
        return None
    try:
        store = ledger_store(runtime)
    except InsecureSettings as error:
        log.warning("the ledger is not integrated: %s", error)
        return None
    background = BackgroundLoop(Integrator(store), interval, "clearway-ledger")
    background.start()
    return background
