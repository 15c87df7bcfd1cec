"""Selectivity settings in the database: rules (every version kept), named lists, value-control
bands and lane targets, read back as one ``Selectivity``; and the stored decisions a rule is
replayed over.

Value-control bands are replaced as a whole set, as analysts maintain them as one table; lane
targets likewise, all three lanes at once. Each ``SqlAlchemySelectivityStore`` block is one
transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from clearway.adapters.reference_versions import Kind, bump
from clearway.adapters.risk_store import replay_facts
from clearway.adapters.risk_tables import (
    lane_targets,
    risk_lists,
    selectivity_rules,
    value_controls,
)
from clearway.adapters.transaction import SqlAlchemyTransaction
from clearway.domain.errors import Conflict, NotFound
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets
from clearway.domain.risk.rule_language import RuleSyntaxError
from clearway.domain.risk.selectivity import DEFAULT_TARGETS, Selectivity, ValueBand
from clearway.services.selectivity_admin import (
    AbstractSelectivityStore,
    ReplayFact,
    RiskList,
    RuleDraft,
    StoredRule,
)

log = logging.getLogger(__name__)

_NUMBERED_ID = re.compile(r"R(\d+)")
_TARGET_LANES = (Lane.RED, Lane.YELLOW, Lane.BLUE)


# --- reading ------------------------------------------------------------------------------------


def read_selectivity(connection: Connection) -> Selectivity:
    """Everything the criteria stage applies: the current version of every rule, every list,
    every band, and the lane targets (the defaults for a lane with none stored)."""
    rules = []
    for stored in read_rules(connection):
        try:
            rules.append(stored.selectivity_rule())
        except RuleSyntaxError as error:
            # A rule the catalogue no longer reads must not stop the service starting.
            log.error("selectivity rule %s v%s skipped: %s", stored.rule_id, stored.version, error)
    lists = {name: stored_list.codes for name, stored_list in read_lists(connection).items()}
    return Selectivity(tuple(rules), lists, tuple(read_bands(connection)), read_targets(connection))


def read_rules(connection: Connection) -> list[StoredRule]:
    query = (
        select(selectivity_rules)
        .where(selectivity_rules.c.current)
        .order_by(selectivity_rules.c.rule_id)
    )
    return [_rule(row) for row in connection.execute(query)]


def read_rule(connection: Connection, rule_id: str, *, lock: bool = False) -> StoredRule | None:
    query = select(selectivity_rules).where(
        selectivity_rules.c.rule_id == rule_id, selectivity_rules.c.current
    )
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _rule(row)


def rule_versions(connection: Connection, rule_id: str) -> list[StoredRule]:
    query = (
        select(selectivity_rules)
        .where(selectivity_rules.c.rule_id == rule_id)
        .order_by(selectivity_rules.c.version)
    )
    return [_rule(row) for row in connection.execute(query)]


def read_lists(connection: Connection) -> dict[str, RiskList]:
    return {
        row.name: RiskList(
            row.name, row.description, frozenset(row.codes), row.updated_by, row.updated_at
        )
        for row in connection.execute(select(risk_lists).order_by(risk_lists.c.name))
    }


def read_bands(connection: Connection) -> list[ValueBand]:
    query = select(value_controls).order_by(
        value_controls.c.commodity_prefix, value_controls.c.unit
    )
    return [
        ValueBand(row.commodity_prefix, row.unit, row.min_unit_value, row.max_unit_value)
        for row in connection.execute(query)
    ]


def read_targets(connection: Connection) -> LaneTargets:
    stored = {
        Lane(row.lane): LaneTarget(
            Lane(row.lane),
            row.expected_rate,
            row.random_rate,
            row.aeo_expected_rate,
            row.aeo_random_rate,
        )
        for row in connection.execute(select(lane_targets))
    }
    return LaneTargets.validated(
        stored.get(lane) or DEFAULT_TARGETS.for_lane(lane) for lane in _TARGET_LANES
    )


def _rule(row: Row[Any]) -> StoredRule:
    draft = RuleDraft(
        row.expression,
        row.owner,
        row.reason,
        row.valid_from,
        row.valid_to,
        row.applies_to_aeo,
    )
    return StoredRule(
        row.rule_id,
        row.version,
        draft,
        Lane(row.lane),
        row.current,
        row.created_by,
        row.created_at,
    )


# --- writing ------------------------------------------------------------------------------------


def add_rule(
    connection: Connection,
    draft: RuleDraft,
    lane: Lane,
    *,
    rule_id: str | None,
    actor: str,
    at: datetime,
) -> StoredRule:
    """Version 1 of a new rule; without ``rule_id`` the next of R0001, R0002 …"""
    if rule_id is None:
        rule_id = _next_rule_id(connection)
    elif connection.execute(
        select(selectivity_rules.c.rule_id).where(selectivity_rules.c.rule_id == rule_id)
    ).first():
        raise Conflict(f"rule {rule_id} exists; revise it instead")
    return _insert_version(connection, rule_id, 1, draft, lane, actor, at)


def add_version(
    connection: Connection,
    rule_id: str,
    draft: RuleDraft,
    lane: Lane,
    *,
    actor: str,
    at: datetime,
) -> StoredRule:
    """Version n+1 of a rule, made current; version n is kept as it was, no longer current."""
    current = read_rule(connection, rule_id, lock=True)
    if current is None:
        raise NotFound(f"no rule {rule_id}")
    connection.execute(
        update(selectivity_rules)
        .where(
            selectivity_rules.c.rule_id == rule_id,
            selectivity_rules.c.version == current.version,
        )
        .values(current=False)
    )
    return _insert_version(connection, rule_id, current.version + 1, draft, lane, actor, at)


def _next_rule_id(connection: Connection) -> str:
    numbers = [
        int(match.group(1))
        for rule_id in connection.execute(
            select(selectivity_rules.c.rule_id)
            .distinct()
            .where(selectivity_rules.c.rule_id.like("R%"))
        ).scalars()
        if (match := _NUMBERED_ID.fullmatch(rule_id))
    ]
    return f"R{max(numbers, default=0) + 1:04d}"


def _insert_version(
    connection: Connection,
    rule_id: str,
    version: int,
    draft: RuleDraft,
    lane: Lane,
    actor: str,
    at: datetime,
) -> StoredRule:
    try:
        connection.execute(
            insert(selectivity_rules).values(
                rule_id=rule_id,
                version=version,
                expression=draft.expression,
                lane=lane.value,
                owner=draft.owner,
                reason=draft.reason,
                valid_from=draft.valid_from,
                valid_to=draft.valid_to,
                applies_to_aeo=draft.applies_to_aeo,
                current=True,
                created_by=actor,
                created_at=at,
            )
        )
    except IntegrityError as error:
        # Another analyst wrote the same rule id or version first.
        raise Conflict(f"rule {rule_id} version {version} was written meanwhile; retry") from error
    bump(
        connection,
        Kind.SELECTIVITY,
        "rule.written",
        rule_id,
        version=version,
        expression=draft.expression,
        lane=lane.value,
        valid_from=draft.valid_from.isoformat(),
        valid_to=draft.valid_to.isoformat() if draft.valid_to else None,
    )
    return StoredRule(rule_id, version, draft, lane, True, actor, at)


def put_list(connection: Connection, risk_list: RiskList) -> bool:
    """Store a list, replacing any of the same name; True when the name is new."""
    removed = connection.execute(delete(risk_lists).where(risk_lists.c.name == risk_list.name))
    bump(
        connection,
        Kind.SELECTIVITY,
        "risk_list.put",
        risk_list.name,
        codes=len(risk_list.codes),
        new=removed.rowcount == 0,
    )
    connection.execute(
        insert(risk_lists).values(
            name=risk_list.name,
            description=risk_list.description,
            codes=sorted(risk_list.codes),
            updated_by=risk_list.updated_by,
            updated_at=risk_list.updated_at,
        )
    )
    return removed.rowcount == 0


def delete_list(connection: Connection, name: str) -> bool:
    bump(connection, Kind.SELECTIVITY, "risk_list.deleted", name)
    return connection.execute(delete(risk_lists).where(risk_lists.c.name == name)).rowcount > 0


def put_bands(
    connection: Connection, bands: Sequence[ValueBand], *, actor: str, at: datetime
) -> None:
    """Replace the whole set of value-control bands."""
    bump(connection, Kind.SELECTIVITY, "value_bands.put", None, bands=len(bands))
    connection.execute(delete(value_controls))
    if bands:
        connection.execute(
            insert(value_controls),
            [
                {
                    "commodity_prefix": band.commodity_prefix,
                    "unit": band.unit,
                    "min_unit_value": band.min_unit_value,
                    "max_unit_value": band.max_unit_value,
                    "updated_by": actor,
                    "updated_at": at,
                }
                for band in bands
            ],
        )


def put_targets(connection: Connection, targets: LaneTargets, *, actor: str, at: datetime) -> None:
    bump(
        connection,
        Kind.SELECTIVITY,
        "lane_targets.put",
        None,
        **{
            f"{target.lane.value}_expected_rate": str(target.expected_rate)
            for target in targets.in_severity_order
        },
    )
    connection.execute(delete(lane_targets))
    connection.execute(
        insert(lane_targets),
        [
            {
                "lane": target.lane.value,
                "expected_rate": target.expected_rate,
                "random_rate": target.random_rate,
                "aeo_expected_rate": target.aeo_expected_rate,
                "aeo_random_rate": target.aeo_random_rate,
                "updated_by": actor,
                "updated_at": at,
            }
            for target in targets.in_severity_order
        ],
    )


# --- the unit the handlers use ------------------------------------------------------------------


class SqlAlchemySelectivityStore(SqlAlchemyTransaction, AbstractSelectivityStore):
    """The store over one SQL transaction per ``with store:`` block."""

    def rules(self) -> list[StoredRule]:
        return read_rules(self.connection)

    def rule(self, rule_id: str) -> StoredRule | None:
        return read_rule(self.connection, rule_id)

    def rule_versions(self, rule_id: str) -> list[StoredRule]:
        return rule_versions(self.connection, rule_id)

    def add_rule(
        self, draft: RuleDraft, lane: Lane, rule_id: str | None, actor: str, at: datetime
    ) -> StoredRule:
        return add_rule(self.connection, draft, lane, rule_id=rule_id, actor=actor, at=at)

    def add_version(
        self, rule_id: str, draft: RuleDraft, lane: Lane, actor: str, at: datetime
    ) -> StoredRule:
        return add_version(self.connection, rule_id, draft, lane, actor=actor, at=at)

    def lists(self) -> dict[str, RiskList]:
        return read_lists(self.connection)

    def put_list(self, risk_list: RiskList) -> bool:
        return put_list(self.connection, risk_list)

    def delete_list(self, name: str) -> bool:
        return delete_list(self.connection, name)

    def bands(self) -> list[ValueBand]:
        return read_bands(self.connection)

    def put_bands(self, bands: Sequence[ValueBand], actor: str, at: datetime) -> None:
        put_bands(self.connection, bands, actor=actor, at=at)

    def targets(self) -> LaneTargets:
        return read_targets(self.connection)

    def put_targets(self, targets: LaneTargets, actor: str, at: datetime) -> None:
        put_targets(self.connection, targets, actor=actor, at=at)

    def replay_facts(self, date_from: date, date_to: date, limit: int) -> Iterator[ReplayFact]:
        return replay_facts(self.connection, date_from, date_to, limit)
