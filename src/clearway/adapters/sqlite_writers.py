"""Writers to one SQLite file take turns at a lock that wakes the next of them at once.

SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps and
tries again on a fixed schedule (1, 2, 5, 10, 15, 20, 25 ms and on up to 100 ms). A lodging
batch that finds the ledger integrator or the event relay (another process) writing thus waits
18, 33, 53 or 128 ms, however briefly that writer held the lock. Here a writer first takes an
in-process lock and then an exclusive ``flock`` on a file beside the database; the kernel wakes
the next process the moment the lock is let go, and ``BEGIN IMMEDIATE`` then finds SQLite free.
A program that writes without this lock (the ``sqlite3`` shell) is still waited for by the busy
handler, as before.

The lock is held from ``BEGIN IMMEDIATE`` to the commit or rollback that ends the transaction,
and let go if the pool discards the connection in between. A forked child starts with locks of
its own (the parent's open file would be shared, and exclude nothing).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

# How long a writer waits for its turn, and then SQLite's busy handler for the lock (the
# engine's ``PRAGMA busy_timeout``): a writer in this process that keeps the turn longer is
# waited for by the busy handler, which then reports the database locked.
BUSY_SECONDS = 30


class _Turns:
    """One database file's writers in this process: one at a time, then one process at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._threads = threading.Lock()
        self._file: int | None = None

    def take(self) -> bool:
        if not self._threads.acquire(timeout=BUSY_SECONDS):
            return False
        try:
            if self._file is None:
                self._file = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except OSError:
            # No lock file (a read-only folder): the busy handler alone keeps writers apart.
            self._threads.release()
            return False
        return True

    def give_back(self) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_turns: dict[Path, _Turns] = {}
_turns_lock = threading.Lock()


def _forget_after_fork() -> None:
    global _turns_lock
    _turns.clear()
    _turns_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def _turns_for(path: Path) -> _Turns:
    with _turns_lock:
        turns = _turns.get(path)
        if turns is None:
            turns = _turns[path] = _Turns(path)
        return turns


def take_turns(engine: Engine, database: Path) -> Callable[[Connection], None]:
    """Make the write transactions of ``engine`` take turns at ``database``'s lock file.
    Returns the function that starts a write transaction (``BEGIN IMMEDIATE``) in its turn."""
    lock_path = database.with_name(database.name + "-writers")
    held: dict[int, _Turns] = {}  # id of the DBAPI connection -> the turn it holds
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def give_back(connection: Any) -> None:
        # The dialect is handed the pool's proxy, the pool's events the driver's connection.
        turns = held.pop(id(getattr(connection, "dbapi_connection", connection)), None)
        if turns is not None:
            turns.give_back()

    def begin_immediate(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        turns = _turns_for(lock_path)
        if turns.take():
            held[id(dbapi_connection)] = turns
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            give_back(dbapi_connection)
            raise

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            give_back(dbapi_connection)

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            give_back(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "invalidate")
    @event.listens_for(engine, "close")
    def _discarded(dbapi_connection: Any, *_: Any) -> None:
        give_back(dbapi_connection)

    return begin_immediate
