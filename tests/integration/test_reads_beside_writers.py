"""Reads that every request makes (the token's account, the reference data's counters) go on
while a writer holds its transaction open, and see what was last committed; on SQLite every
other transaction takes the write lock from its start, so without this a request would wait
for each lodging batch and ledger pass ahead of it."""

from __future__ import annotations

import threading

from sqlalchemy import select, update

from clearway.adapters.accounts import UserStore
from clearway.adapters.database import create_database_engine
from clearway.adapters.reference_state import reference_state
from clearway.adapters.tables import users
from clearway.domain.access import Role


def test_a_token_is_checked_while_a_writer_holds_its_transaction(database_url: str) -> None:
    engine = create_database_engine(database_url)
    accounts = UserStore(engine)
    trader = accounts.create("reads-trader", "a long enough passphrase 1", Role.TRADER, "GB1")
    with engine.connect() as connection:
        account = connection.execute(
            select(users.c.id, users.c.token_version).where(users.c.username == "reads-trader")
        ).one()
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        # Disables the account and keeps the transaction open until told (or 20 s pass).
        with engine.begin() as connection:
            connection.execute(
                update(users).where(users.c.username == "reads-trader").values(active=False)
            )
            holding.set()
            release.wait(20)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(20)
        principal = accounts.principal_for_token(account.id, account.token_version)
        state = reference_state(engine)
        checked_while_held = not release.is_set() and thread.is_alive()
    finally:
        release.set()
        thread.join()
    # Answered while the write was still open, from what was committed: the account active.
    assert checked_while_held
    assert principal.username == trader.username == "reads-trader"
    assert state.rates.rates > 0
    engine.dispose()
