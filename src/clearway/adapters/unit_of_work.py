"""The SQL unit of work: one connection, one transaction, repositories bound to it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from clearway.adapters.database import reading
from clearway.adapters.licence_store import SqlAlchemyLicenceStore
from clearway.adapters.quota_store import draw_quota
from clearway.adapters.referral_store import SqlAlchemyReferralStore
from clearway.adapters.repository import SqlAlchemyDeclarationRepository, SqlAlchemyEventStore
from clearway.adapters.risk_state import SqlAlchemyHistoryStore, SqlAlchemyLaneWindowStore
from clearway.adapters.risk_store import SqlAlchemyRiskStore
from clearway.adapters.screening_store import SqlAlchemyDismissalStore
from clearway.services.ports import AbstractQuotaStore, AbstractUnitOfWork


class SqlAlchemyQuotaStore(AbstractQuotaStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def draw(
        self,
        *,
        jurisdiction: str,
        order_number: str,
        on: date,
        amount: Decimal,
        declaration_id: str,
        item_sequence: int,
        at: datetime,
    ) -> bool:
        return draw_quota(
            self._connection,
            jurisdiction=jurisdiction,
            order_number=order_number,
            on=on,
            amount=amount,
            declaration_id=declaration_id,
            item_sequence=item_sequence,
            at=at,
        )


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    def __init__(self, engine: Engine, *, reads_only: bool = False) -> None:
        self._engine = engine
        self._reads_only = reads_only
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        # One that only reads (a page, a queue, a declaration shown) reads the last committed
        # state beside a writer instead of waiting for SQLite's write lock (``reading``).
        self._connection = reading(self._engine) if self._reads_only else self._engine.connect()
        self._connection.begin()
        self.declarations = SqlAlchemyDeclarationRepository(self._connection)
        self.events = SqlAlchemyEventStore(self._connection)
        self.quotas = SqlAlchemyQuotaStore(self._connection)
        self.risk = SqlAlchemyRiskStore(self._connection)
        self.licences = SqlAlchemyLicenceStore(self._connection)
        self.referrals = SqlAlchemyReferralStore(self._connection)
        self.dismissals = SqlAlchemyDismissalStore(self._connection)
        self.history = SqlAlchemyHistoryStore(self._connection)
        self.lanes = SqlAlchemyLaneWindowStore(self._connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def commit(self) -> None:
        if self._reads_only:
            raise RuntimeError("a unit of work opened for reads only was asked to commit")
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()
