"""Tariff quotas in the database: definitions with their balances, read as at a date and
drawn down under a row lock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from clearway.adapters.tariff_files import QuotaDefinition
from clearway.adapters.tariff_tables import quota_definitions, quota_drawings
from clearway.domain.tariff.measures import QuotaBalance
from clearway.domain.tariff.units import optional_unit


def store_quotas(
    engine: Engine, jurisdiction: str, source: str, quotas: Iterable[QuotaDefinition]
) -> int:
    """Insert or replace quota definitions by (order number, start); returns how many."""
    rows = [
        {
            "jurisdiction": jurisdiction,
            "order_number": quota.order_number,
            "valid_from": quota.valid_from,
            "valid_to": quota.valid_to,
            "description": quota.description,
            "initial_volume": quota.initial_volume,
            "balance": quota.balance,
            "unit": quota.unit.code if quota.unit else None,
            "qualifier": (quota.unit.qualifier or None) if quota.unit else None,
            "source": source,
        }
        for quota in quotas
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(
                delete(quota_definitions).where(
                    quota_definitions.c.jurisdiction == jurisdiction,
                    quota_definitions.c.order_number == row["order_number"],
                    quota_definitions.c.valid_from == row["valid_from"],
                )
            )
        if rows:
            connection.execute(insert(quota_definitions), rows)
    return len(rows)


def _in_force(on: date) -> Any:
    return and_(quota_definitions.c.valid_from <= on, quota_definitions.c.valid_to >= on)


def quota_balances(connection: Connection, jurisdiction: str, on: date) -> dict[str, QuotaBalance]:
    """The balance of every quota whose period covers ``on``."""
    rows = connection.execute(
        select(quota_definitions).where(
            quota_definitions.c.jurisdiction == jurisdiction, _in_force(on)
        )
    )
    return {
        row.order_number: QuotaBalance(
            order_number=row.order_number,
            balance=row.balance,
            unit=optional_unit(row.unit, row.qualifier),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            initial_volume=row.initial_volume,
        )
        for row in rows
    }


def draw_quota(
    connection: Connection,
    *,
    jurisdiction: str,
    order_number: str,
    on: date,
    amount: Decimal,
    declaration_id: str,
    item_sequence: int,
    at: datetime,
) -> bool:
    """Take ``amount`` from the quota's balance if it is there; False when it is not.

    The row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction serialises
    writers), so two releases cannot both take the last of a balance.
    """
    row = connection.execute(
        select(quota_definitions.c.valid_from, quota_definitions.c.balance)
        .where(
            quota_definitions.c.jurisdiction == jurisdiction,
            quota_definitions.c.order_number == order_number,
            _in_force(on),
        )
        .with_for_update()
    ).first()
    if row is None:
        return True  # no balance is tracked for this quota
    if row.balance < amount:
        return False
    connection.execute(
        update(quota_definitions)
        .where(
            quota_definitions.c.jurisdiction == jurisdiction,
            quota_definitions.c.order_number == order_number,
            quota_definitions.c.valid_from == row.valid_from,
        )
        .values(balance=row.balance - amount)
    )
    connection.execute(
        insert(quota_drawings),
        {
            "jurisdiction": jurisdiction,
            "order_number": order_number,
            "valid_from": row.valid_from,
            "declaration_id": declaration_id,
            "item_sequence": item_sequence,
            "amount": amount,
            "drawn_at": at,
        },
    )
    return True
