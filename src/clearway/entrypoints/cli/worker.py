"""``clearway worker``: the ledger's integrator and the event relay, pass after pass in the
foreground, out of the API's request path; and the one such process that ``clearway serve``
and ``clearway demo`` start beside their API workers and stop with them.

The worker opens the database and what the two loops need (the ledger's signing key, the
webhook and NATS publishers), not the clearance runtime: no reference data, tariff, screening
index or risk model is read, so it starts in the time the command line takes to import.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine
from clearway.config import InsecureSettings, Settings, get_settings
from clearway.domain.ledger import LedgerError
from clearway.entrypoints.cli.output import fail, make_console
from clearway.entrypoints.ledger_worker import Integrator, settings_ledger_store
from clearway.entrypoints.logging_setup import configure_logging
from clearway.entrypoints.relay_worker import BackgroundLoop, Loop, settings_relay
from clearway.services.publishing import Relay

log = logging.getLogger("clearway.worker")
console = make_console(stderr=True)

# What `clearway worker` does when the settings leave it unsaid (0 turns a loop off).
WORKER_DEFAULTS: dict[str, Any] = {"relay_interval_seconds": 1.0, "ledger_interval_seconds": 1.0}
# What `clearway serve` and `clearway demo` do when the settings leave it unsaid.
SERVE_DEFAULTS: dict[str, Any] = {**WORKER_DEFAULTS, "background": "process"}
# Seconds a stopping server gives its worker to finish the batches in hand.
STOP_SECONDS = 60.0
# Seconds between the worker's looks at the schema while the server migrates it.
SCHEMA_POLL_SECONDS = 0.5


def unsaid(settings: Settings, defaults: dict[str, Any]) -> dict[str, Any]:
    """The ``defaults`` the settings do not set themselves."""
    return {
        name: value for name, value in defaults.items() if name not in settings.model_fields_set
    }


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings given (from the environment, a ``.env`` file or code) as ``CLEARWAY_*``
    variables, for a process that must read the same ones."""
    return {
        f"CLEARWAY_{name.upper()}": str(value)
        for name in settings.model_fields_set
        if (value := getattr(settings, name)) is not None
    }


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def background_process(settings: Settings) -> Iterator[subprocess.Popen[bytes] | None]:
    """One ``clearway worker`` in a process of its own while the block runs, when the settings
    put the background there (``background`` is ``process``) and an interval is on.

    SIGTERM ends the block (uvicorn, having shut down, raises the signal again) so that the
    worker is stopped whichever way the server stops; a worker whose server is killed outright
    sees it gone and stops itself."""
    on = settings.relay_interval_seconds > 0 or settings.ledger_interval_seconds > 0
    if settings.background != "process" or not on:
        yield None
        return
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_exit) if main_thread else None
    command = [sys.executable, "-m", "clearway", "worker", "--stop-with", str(os.getpid())]
    child = subprocess.Popen(command, env={**os.environ, **settings_environment(settings)})
    try:
        yield child
    finally:
        # A second SIGTERM while the worker finishes stops the server as it would have.
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the background worker did not stop within %s s; killed", STOP_SECONDS)
            child.kill()
            child.wait()


def worker(
    once: Annotated[
        bool,
        typer.Option("--once", help="One pass of each (integrate, publish), then exit"),
    ] = False,
    stop_with: Annotated[
        int | None, typer.Option(hidden=True, help="Stop when the process of this id is gone")
    ] = None,
) -> None:
    """Integrate new events into the ledger and publish them to subscribers, pass after pass
    (CLEARWAY_LEDGER_INTERVAL_SECONDS, CLEARWAY_RELAY_INTERVAL_SECONDS: 1 s each unless set; 0
    turns one off), until Ctrl-C or SIGTERM, each finishing the batch in hand.

    Without a ledger key the ledger is not integrated and events are still published.
    With --once: one pass of each, then exit, non-zero if a subscription failed."""
    settings = get_settings()
    settings = settings.model_copy(update=unsaid(settings, WORKER_DEFAULTS))
    if not once:
        configure_logging(settings.log_format)
    engine = create_database_engine(settings.database_url)
    try:
        loops = _loops(engine, settings, once)
        if once:
            _one_pass(engine, *loops)
        else:
            _follow(engine, settings, *loops, stop_with=stop_with)
    finally:
        engine.dispose()


def _loops(
    engine: Engine, settings: Settings, once: bool
) -> tuple[Integrator | None, Relay | None]:
    """The integrator and the relay the settings ask for (None for one turned off); a ledger
    key that is not configured is warned about, one that does not read is refused."""
    integrator = None
    if settings.ledger_interval_seconds > 0:
        key_file = settings.ledger_key_file
        try:
            integrator = Integrator(settings_ledger_store(engine, settings))
        except InsecureSettings as error:
            if once:
                console.print(f"warning: the ledger is not integrated: {error}", highlight=False)
            else:
                log.warning("the ledger is not integrated: %s", error)
        except OSError as error:
            fail(f"cannot read {key_file}: {error.strerror}")
        except (LedgerError, ValueError) as error:
            fail(f"{key_file} is not a signer key file: {error}")
    relay = settings_relay(engine, settings) if settings.relay_interval_seconds > 0 else None
    return integrator, relay


def _one_pass(engine: Engine, integrator: Integrator | None, relay: Relay | None) -> None:
    migrate.upgrade(engine)
    if integrator is not None:
        try:
            added = integrator.run_once()
        except LedgerError as error:
            fail(str(error))
        typer.echo(f"integrated {added} events into the ledger")
    if relay is None:
        return
    try:
        report = relay.run_once()
    finally:
        relay.close()
    typer.echo(f"published {report.delivered} events")
    for subscription_id, problem in report.errors.items():
        console.print(f"subscription {subscription_id}: {problem}", highlight=False)
    if report.failures:
        raise typer.Exit(code=1)


def _follow(
    engine: Engine,
    settings: Settings,
    integrator: Integrator | None,
    relay: Relay | None,
    *,
    stop_with: int | None,
) -> None:
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    planned: list[tuple[Loop | None, float, str]] = [
        (integrator, settings.ledger_interval_seconds, "clearway-ledger"),
        (relay, settings.relay_interval_seconds, "clearway-relay"),
    ]
    loops = [BackgroundLoop(loop, interval, name) for loop, interval, name in planned if loop]
    if not loops:
        log.warning("nothing to run: neither the ledger's integrator nor the relay is on")
        return
    if not _schema_ready(engine, stopping):
        for loop in loops:
            loop.loop.close()
        return
    for loop in loops:
        loop.start()
    log.info(
        "worker running: %s",
        ", ".join(f"{name} every {interval:g} s" for loop, interval, name in planned if loop),
    )
    while not stopping.wait(1.0):
        if stop_with is not None and os.getppid() != stop_with:
            log.warning("the server that started this worker is gone; stopping")
            break
    for loop in loops:
        loop.loop.stop()  # both finish their batch in hand at once, then each is joined
    for loop in loops:
        loop.stop()
    log.info("worker stopped")


def _schema_ready(engine: Engine, stopping: threading.Event) -> bool:
    """Wait for the database to be at the newest schema: beside a starting server, the server
    migrates it, and a loop querying half-made tables would only log errors. False if told to
    stop first."""
    head = migrate.head_revision()
    told = False
    while not stopping.is_set():
        try:
            if migrate.current_revision(engine) == head:
                return True
        except Exception as error:  # the database is not up yet: look again
            log.debug("the schema is not readable yet: %s", error)
        if not told:
            log.info("waiting for the database schema (clearway db upgrade, or the server)")
            told = True
        stopping.wait(SCHEMA_POLL_SECONDS)
    return False
