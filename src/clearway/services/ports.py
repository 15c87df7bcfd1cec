"""What the handlers need from storage, as abstract interfaces; adapters implement them."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from clearway.domain.access import Principal
from clearway.domain.declaration import Party
from clearway.domain.events import Event
from clearway.domain.export_control.licence import Licence, LicenceDraw
from clearway.domain.export_control.referral import Referral
from clearway.domain.record import DeclarationRecord, ReceivedMessage, StoredEvent
from clearway.services.risk_ports import (
    AbstractHistoryStore,
    AbstractLaneWindowStore,
    AbstractRiskStore,
)


class DuplicateDeclaration(Exception):
    """Another transaction stored the same declarant and LRN first."""


@dataclass(frozen=True, slots=True)
class ItemRow:
    sequence: int
    commodity_code: str | None
    origin_country: str | None
    preference: str | None
    net_mass_kg: Any
    invoice_amount: Any
    customs_value: Any


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Filters for listing declarations; ``None`` means 'any'."""

    status: str | None = None
    type: str | None = None
    lrn: str | None = None
    declarant_id: str | None = None
    office: str | None = None
    commodity_code: str | None = None
    lodged_from: datetime | None = None
    lodged_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position after the last row of a page: rows are ordered newest first."""

    lodged_at: datetime
    id: str


class AbstractDeclarationRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, record: DeclarationRecord, items: Sequence[ItemRow]) -> None: ...

    @abc.abstractmethod
    def add_many(self, records: Sequence[tuple[DeclarationRecord, Sequence[ItemRow]]]) -> None: ...

    @abc.abstractmethod
    def add_version(self, record: DeclarationRecord, items: Sequence[ItemRow], actor: str) -> None:
        """Store ``record.version`` as a new version and make it current."""

    @abc.abstractmethod
    def update_status(self, record: DeclarationRecord) -> None: ...

    @abc.abstractmethod
    def update_assessment(self, record: DeclarationRecord) -> None:
        """Store ``record.assessment`` as the current version's assessment."""

    @abc.abstractmethod
    def get(self, declaration_id: str, *, lock: bool = False) -> DeclarationRecord | None:
        """The declaration; with ``lock``, its row is held for update until commit, so that
        every state change of one declaration happens one after the other."""

    @abc.abstractmethod
    def get_by_mrn(self, mrn: str, *, lock: bool = False) -> DeclarationRecord | None: ...

    @abc.abstractmethod
    def try_lock(self, declaration_id: str) -> bool:
        """Lock the declaration's row unless another transaction holds it (then False)."""

    @abc.abstractmethod
    def find_by_lrn(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], DeclarationRecord]:
        """Stored declarations for ``(declarant_id, lrn)`` pairs, by pair."""

    @abc.abstractmethod
    def list(
        self,
        principal: Principal,
        filters: ListFilter,
        after: Cursor | None,
        limit: int,
    ) -> list[DeclarationRecord]: ...

    @abc.abstractmethod
    def version_payload(self, declaration_id: str, version: int) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def message(self, declaration_id: str, version: int) -> ReceivedMessage | None: ...

    @abc.abstractmethod
    def version_assessment(self, declaration_id: str, version: int) -> dict[str, Any] | None: ...


class AbstractEventStore(abc.ABC):
    @abc.abstractmethod
    def add_many(self, events: Sequence[Event]) -> None: ...

    @abc.abstractmethod
    def for_declaration(self, declaration_id: str) -> list[StoredEvent]: ...

    @abc.abstractmethod
    def since(self, sequence: int, limit: int) -> list[StoredEvent]: ...


class AbstractQuotaStore(abc.ABC):
    @abc.abstractmethod
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
        """Take ``amount`` from the quota balance under a row lock; False if it is not there."""


@dataclass(frozen=True, slots=True)
class StoredDraw:
    """A draw on a licence as stored: which declaration took how much, and when."""

    id: str
    draw: LicenceDraw
    declaration_id: str
    declaration_version: int
    drawn_at: datetime
    credited_at: datetime | None = None


class AbstractLicenceStore(abc.ABC):
    @abc.abstractmethod
    def add(self, licence: Licence, actor: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def replace(self, licence: Licence, actor: str, at: datetime) -> None:
        """Store a new version of the licence's terms; the amounts used stay as they are."""

    @abc.abstractmethod
    def get_many(self, numbers: Sequence[str], *, lock: bool) -> dict[str, Licence]:
        """Licences by number; with ``lock``, held for update until commit (in number order,
        so that two transactions never wait on each other)."""

    @abc.abstractmethod
    def find(self, holder_id: str | None, state: str | None) -> list[Licence]: ...

    @abc.abstractmethod
    def add_draws(
        self, draws: Sequence[LicenceDraw], declaration_id: str, version: int, at: datetime
    ) -> None:
        """Record the draws and add them to the lines' used amounts (lines locked by caller)."""

    @abc.abstractmethod
    def draws(
        self, *, licence_number: str | None = None, declaration_id: str | None = None
    ) -> list[StoredDraw]: ...

    @abc.abstractmethod
    def credit(self, declaration_id: str, at: datetime) -> list[StoredDraw]:
        """Give a cancelled declaration's draws back to their licences; the draws credited."""


class AbstractReferralStore(abc.ABC):
    @abc.abstractmethod
    def add(self, referral: Referral) -> None: ...

    @abc.abstractmethod
    def update(self, referral: Referral) -> None: ...

    @abc.abstractmethod
    def get(self, referral_id: str, *, lock: bool) -> Referral | None: ...

    @abc.abstractmethod
    def for_declaration(self, declaration_id: str) -> list[Referral]:
        """The declaration's referrals, newest first."""

    @abc.abstractmethod
    def queue(self, agency: str, states: Sequence[str], limit: int) -> list[Referral]:
        """Referrals in these states, nearest deadline first."""

    @abc.abstractmethod
    def overdue(self, now: datetime) -> list[Referral]:
        """Open referrals whose deadline has passed (not locked: lock the declaration, then
        read the referral again with ``get(lock=True)``)."""


class AbstractDismissalStore(abc.ABC):
    @abc.abstractmethod
    def add(self, party: Party, entity_id: str, reason: str, actor: str, at: datetime) -> bool:
        """Record that ``entity_id`` is not ``party``; False if that was already recorded."""


class AbstractTransaction(abc.ABC):
    """A store used as ``with store:``: one transaction, committed when the block succeeds."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class AbstractUnitOfWork(abc.ABC):
    """One transaction: everything written through it commits together or not at all."""

    declarations: AbstractDeclarationRepository
    events: AbstractEventStore
    quotas: AbstractQuotaStore
    risk: AbstractRiskStore
    licences: AbstractLicenceStore
    referrals: AbstractReferralStore
    dismissals: AbstractDismissalStore
    history: AbstractHistoryStore
    lanes: AbstractLaneWindowStore

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
