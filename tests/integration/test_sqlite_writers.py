"""Writers to one SQLite file take turns at the lock file beside it (``sqlite_writers``): a
writer in another process or thread waits for the turn and goes on as soon as it is given back,
and a transaction that fails, is abandoned or discarded gives the turn back."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine, text

from clearway.adapters.database import create_database_engine

HOLDER = """
import sys
from sqlalchemy import text
from clearway.adapters.database import create_database_engine
engine = create_database_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(text("INSERT INTO marks VALUES ('other process')"))
    print("holding", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""


def _database(tmp_path: Path) -> tuple[str, Engine, Path]:
    database = tmp_path / "writers.db"
    url = f"sqlite:///{database}"
    engine = create_database_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE marks (who TEXT NOT NULL)"))
    return url, engine, tmp_path / "writers.db-writers"


def _turn_is_free(lock_file: Path) -> bool:
    """Whether a program that honours the lock could take the turn now."""
    handle = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(handle)
    return True


def _marks(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT who FROM marks")).scalars())


def _write_in_thread(engine: Engine, who: str) -> threading.Thread:
    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO marks VALUES (:who)"), {"who": who})

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_writer_waits_for_another_process_s_turn_and_goes_on_when_it_commits(
    tmp_path: Path,
) -> None:
    url, engine, lock_file = _database(tmp_path)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        try:
            assert holder.stdout.readline().strip() == "holding"
            assert not _turn_is_free(lock_file)
            waiting = _write_in_thread(engine, "this process")
            waiting.join(0.5)
            assert waiting.is_alive()  # its turn comes after the other process's transaction
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "committed"
            waiting.join(20)
            assert not waiting.is_alive()
        finally:
            holder.kill()
    assert _marks(engine) == ["other process", "this process"]
    assert _turn_is_free(lock_file)
    engine.dispose()


def test_a_failed_an_abandoned_and_a_discarded_transaction_each_give_the_turn_back(
    tmp_path: Path,
) -> None:
    _url, engine, lock_file = _database(tmp_path)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO marks VALUES ('rolled back')"))
            raise ValueError("the request failed")
    except ValueError:
        pass
    assert _turn_is_free(lock_file)

    abandoned = engine.connect()
    abandoned.begin()
    abandoned.execute(text("INSERT INTO marks VALUES ('abandoned')"))
    assert not _turn_is_free(lock_file)
    abandoned.close()  # back to the pool, which rolls it back
    assert _turn_is_free(lock_file)

    discarded = engine.connect()
    discarded.begin()
    discarded.execute(text("INSERT INTO marks VALUES ('discarded')"))
    discarded.invalidate()  # the pool closes the driver's connection
    discarded.close()
    assert _turn_is_free(lock_file)

    after = _write_in_thread(engine, "after")
    after.join(20)  # a turn kept by any of the above would hold this for 30 s
    assert not after.is_alive()
    assert _marks(engine) == ["after"]
    engine.dispose()
