"""A store that is one SQL transaction per ``with store:`` block."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from clearway.services.ports import AbstractTransaction


class SqlAlchemyTransaction(AbstractTransaction):
    """``with store:`` opens one connection and transaction; committed only on success."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        self._connection = self._engine.connect()
        self._connection.begin()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(kind, error, traceback)
        finally:
            assert self._connection is not None
            self._connection.close()
            self._connection = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the store inside a `with store:` block")
        return self._connection

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()
