"""Licences in SQL: terms, lines with the amounts used, and every draw.

Draws are taken under the licence's row lock (``FOR UPDATE`` on PostgreSQL; SQLite's single
writer serialises them), and the used amounts are summed in ``Decimal`` by the caller that
holds the lock, so concurrent releases can never take more than a line allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from clearway.adapters.bulk import insert_rows
from clearway.adapters.export_control_tables import licence_draws, licence_items, licences
from clearway.domain.export_control.licence import (
    Licence,
    LicenceDraw,
    LicenceItem,
    LicenceState,
    LicenceType,
)
from clearway.domain.identifiers import new_id
from clearway.services.ports import AbstractLicenceStore, StoredDraw


class SqlAlchemyLicenceStore(AbstractLicenceStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, licence: Licence, actor: str, at: datetime) -> None:
        self._connection.execute(
            insert(licences),
            {
                **_terms(licence),
                "issued_by": actor,
                "issued_at": at,
                "updated_by": actor,
                "updated_at": at,
            },
        )
        insert_rows(
            self._connection, licence_items, [_line(licence, item) for item in licence.items]
        )

    def replace(self, licence: Licence, actor: str, at: datetime) -> None:
        self._connection.execute(
            update(licences)
            .where(licences.c.number == licence.number)
            .values(**_terms(licence), updated_by=actor, updated_at=at)
        )
        self._connection.execute(
            delete(licence_items).where(licence_items.c.licence_number == licence.number)
        )
        insert_rows(
            self._connection, licence_items, [_line(licence, item) for item in licence.items]
        )

    def get_many(self, numbers: Sequence[str], *, lock: bool) -> dict[str, Licence]:
        wanted = sorted(set(numbers))
        if not wanted:
            return {}
        query = select(licences).where(licences.c.number.in_(wanted)).order_by(licences.c.number)
        if lock:
            query = query.with_for_update()
        heads = self._connection.execute(query).all()
        return {licence.number: licence for licence in self._with_items(heads)}

    def find(self, holder_id: str | None, state: str | None) -> list[Licence]:
        query = select(licences).order_by(licences.c.issued_at.desc(), licences.c.number)
        if holder_id is not None:
            query = query.where(licences.c.holder_id == holder_id)
        if state is not None:
            query = query.where(licences.c.state == state)
        return self._with_items(self._connection.execute(query).all())

    def _with_items(self, heads: Sequence[Row[Any]]) -> list[Licence]:
        if not heads:
            return []
        lines: dict[str, list[LicenceItem]] = {}
        for row in self._connection.execute(
            select(licence_items)
            .where(licence_items.c.licence_number.in_([head.number for head in heads]))
            .order_by(licence_items.c.licence_number, licence_items.c.line)
        ):
            lines.setdefault(row.licence_number, []).append(_item(row))
        return [_licence(head, lines.get(head.number, [])) for head in heads]

    def add_draws(
        self, draws: Sequence[LicenceDraw], declaration_id: str, version: int, at: datetime
    ) -> None:
        for draw in draws:
            self._add_to_line(draw.licence_number, draw.line, draw.quantity, draw.value)
        insert_rows(
            self._connection,
            licence_draws,
            [
                {
                    "id": new_id(),
                    "licence_number": draw.licence_number,
                    "line": draw.line,
                    "declaration_id": declaration_id,
                    "declaration_version": version,
                    "item_sequence": draw.sequence,
                    "quantity": draw.quantity,
                    "unit": draw.unit,
                    "value": draw.value,
                    "currency": draw.currency,
                    "drawn_at": at,
                }
                for draw in draws
            ],
        )

    def _add_to_line(self, number: str, line: int, quantity: Decimal, value: Decimal) -> None:
        where = (licence_items.c.licence_number == number, licence_items.c.line == line)
        used = self._connection.execute(
            select(licence_items.c.quantity_used, licence_items.c.value_used).where(*where)
        ).one()
        self._connection.execute(
            update(licence_items)
            .where(*where)
            .values(quantity_used=used.quantity_used + quantity, value_used=used.value_used + value)
        )

    def draws(
        self, *, licence_number: str | None = None, declaration_id: str | None = None
    ) -> list[StoredDraw]:
        query = select(licence_draws).order_by(licence_draws.c.drawn_at, licence_draws.c.id)
        if licence_number is not None:
            query = query.where(licence_draws.c.licence_number == licence_number)
        if declaration_id is not None:
            query = query.where(licence_draws.c.declaration_id == declaration_id)
        return [_stored_draw(row) for row in self._connection.execute(query)]

    def credit(self, declaration_id: str, at: datetime) -> list[StoredDraw]:
        taken = [
            draw for draw in self.draws(declaration_id=declaration_id) if draw.credited_at is None
        ]
        if not taken:
            return []
        self.get_many([draw.draw.licence_number for draw in taken], lock=True)
        for stored in taken:
            draw = stored.draw
            self._add_to_line(draw.licence_number, draw.line, -draw.quantity, -draw.value)
        self._connection.execute(
            update(licence_draws)
            .where(licence_draws.c.id.in_([draw.id for draw in taken]))
            .values(credited_at=at)
        )
        return taken


def _terms(licence: Licence) -> dict[str, Any]:
    return {
        "number": licence.number,
        "type": licence.type.value,
        "authorisation": licence.authorisation,
        "holder_id": licence.holder_id,
        "holder_name": licence.holder_name,
        "consignees": list(licence.consignees),
        "end_users": list(licence.end_users),
        "destinations": sorted(licence.destinations),
        "valid_from": licence.valid_from,
        "valid_to": licence.valid_to,
        "conditions": licence.conditions,
        "state": licence.state.value,
        "version": licence.version,
    }


def _line(licence: Licence, item: LicenceItem) -> dict[str, Any]:
    return {
        "licence_number": licence.number,
        "line": item.line,
        "description": item.description,
        "commodity_code": item.commodity_code,
        "control_entry": item.control_entry,
        "quantity": item.quantity,
        "unit": item.unit,
        "value": item.value,
        "currency": item.currency,
        "quantity_used": item.quantity_used,
        "value_used": item.value_used,
    }


def _item(row: Row[Any]) -> LicenceItem:
    return LicenceItem(
        line=row.line,
        description=row.description,
        commodity_code=row.commodity_code,
        control_entry=row.control_entry,
        quantity=row.quantity,
        unit=row.unit,
        value=row.value,
        currency=row.currency,
        quantity_used=row.quantity_used,
        value_used=row.value_used,
    )


def _licence(row: Row[Any], items: list[LicenceItem]) -> Licence:
    return Licence(
        number=row.number,
        type=LicenceType(row.type),
        holder_id=row.holder_id,
        holder_name=row.holder_name,
        destinations=frozenset(row.destinations),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        items=tuple(items),
        consignees=tuple(row.consignees),
        end_users=tuple(row.end_users),
        authorisation=row.authorisation,
        conditions=row.conditions,
        state=LicenceState(row.state),
        version=row.version,
        issued_by=row.issued_by,
        issued_at=row.issued_at,
    )


def _stored_draw(row: Row[Any]) -> StoredDraw:
    return StoredDraw(
        id=row.id,
        draw=LicenceDraw(
            row.licence_number,
            row.line,
            row.item_sequence,
            row.quantity,
            row.unit,
            row.value,
            row.currency,
        ),
        declaration_id=row.declaration_id,
        declaration_version=row.declaration_version,
        drawn_at=row.drawn_at,
        credited_at=row.credited_at,
    )
