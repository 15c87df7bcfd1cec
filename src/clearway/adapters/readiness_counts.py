"""How much of each kind of data clearance runs on the database holds: counted, not loaded, so
that the readiness report (``clearway doctor``, ``/ready``, the server's start) costs a handful
of small queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Connection, FromClause, func, or_, select

from clearway.adapters.control_list_store import current_version
from clearway.adapters.model_store import active_version
from clearway.adapters.publishing_tables import subscriptions
from clearway.adapters.risk_tables import lane_targets, selectivity_rules
from clearway.adapters.screening_store import current_versions
from clearway.adapters.tables import code_lists, exchange_rates, hs_nomenclature, users
from clearway.adapters.tariff_tables import measures
from clearway.domain.access import Role
from clearway.domain.screening.entity import ListSource


@dataclass(frozen=True, slots=True)
class ControlListSummary:
    version: int
    label: str
    illustrative: bool
    entries: int


@dataclass(frozen=True, slots=True)
class StoredCounts:
    code_list_entries: int
    hs_codes: int
    exchange_rates: int
    currencies: int
    rates_until: date | None
    """The last day an exchange rate is valid to (rates without an end aside)."""
    rates_in_force: int
    """Rates valid on the day counted: one per currency a declaration of that day can use."""
    tariff_measures: int
    screening_entities: dict[ListSource, int]
    """Entities in the current version of each list loaded."""
    control_list: ControlListSummary | None
    rules_in_force: int
    stored_lane_targets: int
    """Lanes whose targets an analyst set (the others take the defaults)."""
    active_model: int | None
    active_administrators: int
    subscriptions: dict[str, int]
    """Active subscriptions by kind (webhook, nats)."""


def _count(connection: Connection, table: FromClause, *where: ColumnElement[bool]) -> int:
    count: int = connection.execute(
        select(func.count()).select_from(table).where(*where)
    ).scalar_one()
    return count


def count_stored(connection: Connection, jurisdiction: str, on: date) -> StoredCounts:
    """The counts for the tariff of ``jurisdiction`` and the rates and rules in force ``on``."""
    rates = connection.execute(
        select(
            func.count(),
            func.count(exchange_rates.c.currency.distinct()),
            func.max(exchange_rates.c.valid_to),
        )
    ).one()
    in_force = _count(
        connection,
        exchange_rates,
        exchange_rates.c.valid_from <= on,
        or_(exchange_rates.c.valid_to.is_(None), exchange_rates.c.valid_to >= on),
    )
    stored_list = current_version(connection)
    control_list = (
        None
        if stored_list is None
        else ControlListSummary(
            stored_list.version.id,
            stored_list.version.label,
            stored_list.version.illustrative,
            len(stored_list.control_list.entries),
        )
    )
    kinds = connection.execute(
        select(subscriptions.c.kind, func.count())
        .where(subscriptions.c.active)
        .group_by(subscriptions.c.kind)
    ).all()
    return StoredCounts(
        code_list_entries=_count(connection, code_lists),
        hs_codes=_count(connection, hs_nomenclature),
        exchange_rates=rates[0],
        currencies=rates[1],
        rates_until=rates[2],
        rates_in_force=in_force,
        tariff_measures=_count(connection, measures, measures.c.jurisdiction == jurisdiction),
        screening_entities={
            version.source: version.entity_count for version in current_versions(connection)
        },
        control_list=control_list,
        rules_in_force=_count(
            connection,
            selectivity_rules,
            selectivity_rules.c.current,
            selectivity_rules.c.valid_from <= on,
            or_(selectivity_rules.c.valid_to.is_(None), selectivity_rules.c.valid_to >= on),
        ),
        stored_lane_targets=_count(connection, lane_targets),
        active_model=active_version(connection),
        active_administrators=_count(
            connection, users, users.c.role == Role.ADMIN.value, users.c.active
        ),
        subscriptions={kind: count for kind, count in kinds},
    )
