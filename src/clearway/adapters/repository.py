"""SQL repositories for declarations and the event outbox (SQLAlchemy Core, batch inserts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, exists, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from clearway.adapters.bulk import insert_rows
from clearway.adapters.declaration_rows import (
    declaration_row,
    item_row_dicts,
    message_rows,
    party_rows,
    version_row,
)
from clearway.adapters.export_control_tables import referrals
from clearway.adapters.referral_store import SqlAlchemyReferralStore
from clearway.adapters.risk_store import risk_document
from clearway.adapters.tables import (
    declaration_items,
    declaration_messages,
    declaration_parties,
    declaration_versions,
    declarations,
    events,
)
from clearway.domain.access import Principal, Scope, visibility
from clearway.domain.events import Event
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord, ReceivedMessage, StoredEvent
from clearway.services.ports import (
    AbstractDeclarationRepository,
    AbstractEventStore,
    Cursor,
    DuplicateDeclaration,
    ItemRow,
    ListFilter,
)

# The advisory lock that orders outbox inserts by commit on PostgreSQL ("CWOUTBOX" in ASCII).
OUTBOX_LOCK_KEY = 0x43574F5554424F58

_RECORD_COLUMNS = (
    *declarations.c,
    declaration_versions.c.payload,
    declaration_versions.c.valuation,
    declaration_versions.c.assessment,
)


def _is_duplicate_lrn(error: IntegrityError) -> bool:
    message = str(error.orig).lower()
    return "lrn" in message


class SqlAlchemyDeclarationRepository(AbstractDeclarationRepository):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, record: DeclarationRecord, items: Sequence[ItemRow]) -> None:
        self.add_many([(record, items)])

    def add_many(self, records: Sequence[tuple[DeclarationRecord, Sequence[ItemRow]]]) -> None:
        connection = self._connection
        try:
            insert_rows(
                connection, declarations, [declaration_row(record) for record, _ in records]
            )
        except IntegrityError as error:
            if _is_duplicate_lrn(error):
                raise DuplicateDeclaration(str(error.orig)) from error
            raise
        insert_rows(
            connection,
            declaration_versions,
            [version_row(record, record.lodged_by) for record, _ in records],
        )
        item_rows = [row for record, items in records for row in item_row_dicts(record, items)]
        insert_rows(connection, declaration_items, item_rows)
        parties = [row for record, _ in records for row in party_rows(record)]
        insert_rows(connection, declaration_parties, parties)
        insert_rows(connection, declaration_messages, message_rows([r for r, _ in records]))

    def add_version(self, record: DeclarationRecord, items: Sequence[ItemRow], actor: str) -> None:
        connection = self._connection
        insert_rows(connection, declaration_versions, [version_row(record, actor)])
        insert_rows(connection, declaration_items, item_row_dicts(record, items))
        values = declaration_row(record)
        del values["id"]
        connection.execute(update(declarations).where(declarations.c.id == record.id), values)
        connection.execute(
            declaration_parties.delete().where(declaration_parties.c.declaration_id == record.id)
        )
        insert_rows(connection, declaration_parties, party_rows(record))
        insert_rows(connection, declaration_messages, message_rows([record]))

    def message(self, declaration_id: str, version: int) -> ReceivedMessage | None:
        """The standard message a version came in, if it came as one."""
        row = self._connection.execute(
            select(declaration_messages.c.format, declaration_messages.c.content).where(
                declaration_messages.c.declaration_id == declaration_id,
                declaration_messages.c.version == version,
            )
        ).first()
        return ReceivedMessage(row.format, bytes(row.content)) if row else None

    def update_assessment(self, record: DeclarationRecord) -> None:
        self._connection.execute(
            update(declaration_versions)
            .where(
                declaration_versions.c.declaration_id == record.id,
                declaration_versions.c.version == record.version,
            )
            .values(assessment=record.assessment)
        )

    def update_status(self, record: DeclarationRecord) -> None:
        self._connection.execute(
            update(declarations)
            .where(declarations.c.id == record.id)
            .values(status=record.status.value, updated_at=record.updated_at)
        )

    def _select(self) -> Any:
        return select(*_RECORD_COLUMNS).join(
            declaration_versions,
            and_(
                declaration_versions.c.declaration_id == declarations.c.id,
                declaration_versions.c.version == declarations.c.version,
            ),
        )

    def _records(self, rows: Sequence[Row[Any]]) -> list[DeclarationRecord]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        parties: dict[str, set[str]] = {}
        for declaration_id, company_id in self._connection.execute(
            select(declaration_parties.c.declaration_id, declaration_parties.c.company_id).where(
                declaration_parties.c.declaration_id.in_(ids),
                declaration_parties.c.company_id.is_not(None),
            )
        ):
            parties.setdefault(declaration_id, set()).add(company_id)
        return [
            DeclarationRecord(
                id=row.id,
                type=row.type,
                lrn=row.lrn,
                declarant_id=row.declarant_id,
                status=Status(row.status),
                version=row.version,
                payload=row.payload,
                payload_hash=row.payload_hash,
                lodged_by=row.lodged_by,
                lodged_at=row.lodged_at,
                updated_at=row.updated_at,
                mrn=row.mrn,
                accepted_at=row.accepted_at,
                customs_value=row.customs_value,
                valuation=row.valuation,
                assessment=row.assessment,
                party_ids=frozenset(parties.get(row.id, ())),
            )
            for row in rows
        ]

    def get(self, declaration_id: str, *, lock: bool = False) -> DeclarationRecord | None:
        if lock and not self._lock(declarations.c.id == declaration_id):
            return None
        rows = self._connection.execute(
            self._select().where(declarations.c.id == declaration_id)
        ).all()
        return self._with_risk(self._records(rows))

    def get_by_mrn(self, mrn: str, *, lock: bool = False) -> DeclarationRecord | None:
        if lock and not self._lock(declarations.c.mrn == mrn):
            return None
        rows = self._connection.execute(self._select().where(declarations.c.mrn == mrn)).all()
        return self._with_risk(self._records(rows))

    def try_lock(self, declaration_id: str) -> bool:
        # SKIP LOCKED: a row another transaction holds is passed over rather than waited for.
        found = self._connection.execute(
            select(declarations.c.id)
            .where(declarations.c.id == declaration_id)
            .with_for_update(skip_locked=True)
        ).first()
        return found is not None

    def _lock(self, where: Any) -> bool:
        """Hold the declaration's row until commit (PostgreSQL ``FOR UPDATE``; SQLite has
        taken the database's write lock at ``BEGIN IMMEDIATE``). The reads that follow, each a
        new snapshot under READ COMMITTED, see whatever the previous holder committed."""
        found = self._connection.execute(
            select(declarations.c.id).where(where).with_for_update()
        ).first()
        return found is not None

    def _with_risk(self, found: list[DeclarationRecord]) -> DeclarationRecord | None:
        if not found:
            return None
        record = found[0]
        record.risk = risk_document(self._connection, record.id, record.version)
        referred = SqlAlchemyReferralStore(self._connection).for_declaration(record.id)
        record.referral = referred[0] if referred else None
        return record

    def find_by_lrn(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], DeclarationRecord]:
        wanted = set(keys)
        found: dict[tuple[str, str], DeclarationRecord] = {}
        unique = list(wanted)
        for start in range(0, len(unique), 400):
            chunk = unique[start : start + 400]
            # Two IN lists rather than a row-value IN: both SQLite and PostgreSQL then probe
            # the (declarant_id, lrn) index instead of scanning the table.
            rows = self._connection.execute(
                self._select().where(
                    declarations.c.declarant_id.in_({declarant for declarant, _ in chunk}),
                    declarations.c.lrn.in_({lrn for _, lrn in chunk}),
                )
            ).all()
            for record in self._records(rows):
                key = (record.declarant_id, record.lrn)
                if key in wanted:
                    found[key] = record
        return found

    def list(
        self,
        principal: Principal,
        filters: ListFilter,
        after: Cursor | None,
        limit: int,
    ) -> list[DeclarationRecord]:
        query = self._select()
        scope = visibility(principal)
        if scope is Scope.OWN_COMPANY:
            query = query.where(
                declarations.c.id.in_(
                    select(declaration_parties.c.declaration_id).where(
                        declaration_parties.c.company_id == principal.company_id
                    )
                )
            )
        elif scope is Scope.REFERRED:
            query = query.where(declarations.c.id.in_(select(referrals.c.declaration_id)))
        for column, value in (
            (declarations.c.status, filters.status),
            (declarations.c.type, filters.type),
            (declarations.c.lrn, filters.lrn),
            (declarations.c.declarant_id, filters.declarant_id),
            (declarations.c.office, filters.office),
        ):
            if value is not None:
                query = query.where(column == value)
        if filters.lodged_from is not None:
            query = query.where(declarations.c.lodged_at >= filters.lodged_from)
        if filters.lodged_to is not None:
            query = query.where(declarations.c.lodged_at < filters.lodged_to)
        if filters.commodity_code is not None:
            query = query.where(
                exists().where(
                    declaration_items.c.declaration_id == declarations.c.id,
                    declaration_items.c.version == declarations.c.version,
                    declaration_items.c.commodity_code.startswith(filters.commodity_code),
                )
            )
        if after is not None:
            query = query.where(
                or_(
                    declarations.c.lodged_at < after.lodged_at,
                    and_(declarations.c.lodged_at == after.lodged_at, declarations.c.id < after.id),
                )
            )
        query = query.order_by(declarations.c.lodged_at.desc(), declarations.c.id.desc())
        rows = self._connection.execute(query.limit(limit)).all()
        return self._records(rows)

    def version_assessment(self, declaration_id: str, version: int) -> dict[str, Any] | None:
        assessment: dict[str, Any] | None = self._connection.execute(
            select(declaration_versions.c.assessment).where(
                declaration_versions.c.declaration_id == declaration_id,
                declaration_versions.c.version == version,
            )
        ).scalar_one_or_none()
        return assessment

    def version_payload(self, declaration_id: str, version: int) -> dict[str, Any] | None:
        payload: dict[str, Any] | None = self._connection.execute(
            select(declaration_versions.c.payload).where(
                declaration_versions.c.declaration_id == declaration_id,
                declaration_versions.c.version == version,
            )
        ).scalar_one_or_none()
        return payload


def _stored_event(row: Row[Any]) -> StoredEvent:
    return StoredEvent(
        sequence=row.sequence,
        id=row.id,
        type=row.type,
        declaration_id=row.declaration_id,
        version=row.version,
        status=row.status,
        actor=row.actor,
        occurred_at=row.occurred_at,
        data=row.data,
        licence_id=row.licence_id,
    )


class SqlAlchemyEventStore(AbstractEventStore):
    """The outbox. Rows are inserted in the order given, so sequence follows event order."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_many(self, new_events: Sequence[Event]) -> None:
        if not new_events:
            return
        if self._connection.dialect.name == "postgresql":
            # Sequences are drawn in insert order but transactions commit in their own order;
            # holding this lock from the insert to the commit makes the two orders the same,
            # so the relay and the ledger never pass over an event that commits late.
            self._connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_LOCK_KEY}
            )
        insert_rows(
            self._connection,
            events,
            [
                {
                    "id": event.id,
                    "type": event.type,
                    "declaration_id": event.declaration_id,
                    "version": event.version,
                    "status": event.status,
                    "actor": event.actor,
                    "occurred_at": event.occurred_at,
                    "data": event.data,
                    "licence_id": event.licence_id,
                }
                for event in new_events
            ],
        )

    def for_declaration(self, declaration_id: str) -> list[StoredEvent]:
        rows = self._connection.execute(
            select(events)
            .where(events.c.declaration_id == declaration_id)
            .order_by(events.c.sequence)
        ).all()
        return [_stored_event(row) for row in rows]

    def since(self, sequence: int, limit: int) -> list[StoredEvent]:
        rows = self._connection.execute(
            select(events)
            .where(events.c.sequence > sequence)
            .order_by(events.c.sequence)
            .limit(limit)
        ).all()
        return [_stored_event(row) for row in rows]
