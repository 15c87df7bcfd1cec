"""Reads that every request makes (the token's account, the reference data's counters), and
the reads of declarations, their history and the officers' queue, go on while a writer holds
its transaction open, and see what was last committed; on SQLite every other transaction takes
the write lock from its start, so without this a request would wait for each lodging batch and
ledger pass ahead of it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from clearway.adapters.accounts import UserStore
from clearway.adapters.database import create_database_engine
from clearway.adapters.reference_state import reference_state
from clearway.adapters.tables import declarations, users
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal, Role
from clearway.services.queries import get_visible, history
from clearway.services.risk_ports import QueueFilter
from clearway.services.work_queue import list_work
from tests.conftest import example


@contextmanager
def writer_holding(engine: Engine, change: Callable[[Any], None]) -> Iterator[Callable[[], bool]]:
    """A writer that makes ``change`` and keeps its transaction open (20 s at most) while the
    block runs; gives a check that it still holds it."""
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with engine.begin() as connection:
            change(connection)
            holding.set()
            release.wait(20)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(20)
        yield lambda: not release.is_set() and thread.is_alive()
    finally:
        release.set()
        thread.join()


def test_a_token_is_checked_while_a_writer_holds_its_transaction(database_url: str) -> None:
    engine = create_database_engine(database_url)
    accounts = UserStore(engine)
    trader = accounts.create("reads-trader", "a long enough passphrase 1", Role.TRADER, "GB1")
    with engine.connect() as connection:
        account = connection.execute(
            select(users.c.id, users.c.token_version).where(users.c.username == "reads-trader")
        ).one()

    def disable(connection: Any) -> None:
        connection.execute(
            update(users).where(users.c.username == "reads-trader").values(active=False)
        )

    with writer_holding(engine, disable) as still_held:
        principal = accounts.principal_for_token(account.id, account.token_version)
        state = reference_state(engine)
        checked_while_held = still_held()
    # Answered while the write was still open, from what was committed: the account active.
    assert checked_while_held
    assert principal.username == trader.username == "reads-trader"
    assert state.rates.rates > 0
    engine.dispose()


def test_a_declaration_its_history_and_the_queue_are_read_while_a_writer_holds_its_transaction(
    runtime: Runtime, lodge: Any
) -> None:
    lodged = lodge(example("import")).json()
    officer = Principal("officer", Role.OFFICER)

    def cancel_it(connection: Any) -> None:  # uncommitted while the reads run
        connection.execute(
            update(declarations).where(declarations.c.id == lodged["id"]).values(status="cancelled")
        )

    with writer_holding(runtime.engine, cancel_it) as still_held:
        with runtime.reads() as uow:
            record = get_visible(uow, officer, lodged["mrn"])
            events = history(uow, officer, record.id)
        queue, _ = list_work(runtime.reads(), officer, QueueFilter(), None, 10)
        read_while_held = still_held()
    assert read_while_held
    # What was committed: the declaration held for a document check, not the cancellation.
    assert (record.id, record.status.value) == (lodged["id"], "held")
    assert [event.type for event in events][-1] == "DeclarationHeld"
    assert [entry.item.declaration_id for entry in queue] == [lodged["id"]]


def test_a_unit_of_work_for_reads_refuses_to_commit(runtime: Runtime) -> None:
    with runtime.reads() as uow, pytest.raises(RuntimeError, match="reads only"):
        uow.commit()
