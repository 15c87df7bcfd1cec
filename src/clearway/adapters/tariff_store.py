"""The tariff in the database: storing loaded records, reading the tariff back into memory,
and quota balances (read as at a date, drawn down under a row lock)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from clearway.adapters.quota_store import store_quotas
from clearway.adapters.reference_versions import Kind, bump
from clearway.adapters.tariff_files import (
    TariffRecords,
    read_quotas,
    read_schedule,
    shipped_file,
)
from clearway.adapters.tariff_tables import (
    geographical_area_members,
    geographical_areas,
    goods_nomenclature,
    measure_components,
    measure_condition_components,
    measure_conditions,
    measure_excluded_areas,
    measures,
)
from clearway.domain.tariff.expressions import DutyComponent
from clearway.domain.tariff.measures import (
    Action,
    Geography,
    Measure,
    MeasureCondition,
    MeasureType,
    Threshold,
)
from clearway.domain.tariff.tariff import Tariff, significant
from clearway.domain.tariff.units import optional_unit


def store_geography(engine: Engine, records: TariffRecords) -> int:
    with engine.begin() as connection:
        _store_geography(connection, records)
        bump(connection, Kind.TARIFF, "tariff_geography.loaded", None, areas=len(records.areas))
    return len(records.areas)


def load_illustrative_tariff(engine: Engine, jurisdiction: str) -> dict[str, int]:
    """The shipped illustrative schedule and quotas (for the demo and tests, not production)."""
    schedule = read_schedule(shipped_file("schedule-illustrative.csv"), jurisdiction)
    counts = store_records(engine, schedule)
    counts["quotas"] = store_quotas(
        engine,
        jurisdiction,
        "quotas-illustrative.csv",
        read_quotas(shipped_file("quotas-illustrative.csv")),
    )
    return counts


def store_records(engine: Engine, records: TariffRecords) -> dict[str, int]:
    """Replace what ``records.source`` held for its jurisdiction; one transaction."""
    with engine.begin() as connection:
        _store_geography(connection, records)
        ids = select(measures.c.id).where(
            measures.c.jurisdiction == records.jurisdiction, measures.c.source == records.source
        )
        condition_ids = select(measure_conditions.c.id).where(
            measure_conditions.c.measure_id.in_(ids)
        )
        connection.execute(
            delete(measure_condition_components).where(
                measure_condition_components.c.condition_id.in_(condition_ids)
            )
        )
        for table in (measure_conditions, measure_components, measure_excluded_areas):
            connection.execute(delete(table).where(table.c.measure_id.in_(ids)))
        connection.execute(
            delete(measures).where(
                measures.c.jurisdiction == records.jurisdiction,
                measures.c.source == records.source,
            )
        )
        connection.execute(
            delete(goods_nomenclature).where(
                goods_nomenclature.c.jurisdiction == records.jurisdiction,
                goods_nomenclature.c.source == records.source,
            )
        )
        _store_nomenclature(connection, records)
        for measure in records.measures:
            _store_measure(connection, records, measure)
        bump(connection, Kind.TARIFF, "tariff.loaded", None, measures=len(records.measures))
    return {
        "measures": len(records.measures),
        "commodities": len(records.commodities),
        "areas": len(records.areas),
    }


def _store_geography(connection: Connection, records: TariffRecords) -> None:
    if not records.areas:
        return
    known = set(connection.execute(select(geographical_areas.c.area)).scalars())
    fresh = [
        {"area": area, "kind": _area_kind(area), "description": description or area}
        for area, description in records.areas.items()
        if area not in known
    ]
    if fresh:
        connection.execute(insert(geographical_areas), fresh)
    if records.members:
        groups = list(records.members)
        connection.execute(
            delete(geographical_area_members).where(geographical_area_members.c.area.in_(groups))
        )
        connection.execute(
            insert(geographical_area_members),
            [
                {"area": group, "member": member}
                for group, members in records.members.items()
                for member in sorted(members)
            ],
        )


def _area_kind(area: str) -> str:
    return "group" if area.isdigit() else "country"


def _store_nomenclature(connection: Connection, records: TariffRecords) -> None:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for commodity in records.commodities:
        rows[(commodity.code, commodity.suffix)] = {
            "jurisdiction": records.jurisdiction,
            "code": commodity.code,
            "suffix": commodity.suffix,
            "source": records.source,
            "indent": commodity.indent,
            "description": commodity.description,
            "valid_from": None,
            "valid_to": None,
        }
    if rows:
        existing = select(goods_nomenclature.c.code, goods_nomenclature.c.suffix).where(
            goods_nomenclature.c.jurisdiction == records.jurisdiction
        )
        for code, suffix in connection.execute(existing):
            rows.pop((code, suffix), None)
    if rows:
        connection.execute(insert(goods_nomenclature), list(rows.values()))


def _component_rows(
    components: Sequence[DutyComponent], key: str, owner: int
) -> list[dict[str, Any]]:
    return [
        {
            key: owner,
            "sequence": index,
            "duty_expression": component.expression,
            "amount": component.amount,
            "currency": component.currency,
            "unit": component.unit.code if component.unit else None,
            "qualifier": (component.unit.qualifier or None) if component.unit else None,
        }
        for index, component in enumerate(components)
    ]


def _store_measure(connection: Connection, records: TariffRecords, measure: Measure) -> None:
    measure_id = connection.execute(
        insert(measures).returning(measures.c.id),
        {
            "jurisdiction": records.jurisdiction,
            "source": records.source,
            "sid": measure.sid,
            "measure_type": measure.measure_type.id,
            "series": measure.measure_type.series,
            "type_description": measure.measure_type.description,
            "commodity_code": significant(measure.commodity_code),
            "area": measure.area,
            "additional_code": measure.additional_code,
            "additional_code_description": records.additional_codes.get(
                measure.additional_code or ""
            ),
            "order_number": measure.order_number,
            "valid_from": measure.valid_from,
            "valid_to": measure.valid_to,
            "footnotes": list(measure.footnotes),
        },
    ).scalar_one()
    if measure.excluded:
        connection.execute(
            insert(measure_excluded_areas),
            [{"measure_id": measure_id, "area": area} for area in sorted(measure.excluded)],
        )
    if measure.components:
        connection.execute(
            insert(measure_components),
            _component_rows(measure.components, "measure_id", measure_id),
        )
    for condition in measure.conditions:
        threshold = condition.threshold
        condition_id = connection.execute(
            insert(measure_conditions).returning(measure_conditions.c.id),
            {
                "measure_id": measure_id,
                "condition_code": condition.code,
                "sequence": condition.sequence,
                "action": condition.action.value,
                "document": condition.document,
                "requirement": condition.requirement,
                "threshold": threshold.amount if threshold else None,
                "threshold_currency": threshold.currency if threshold else None,
                "threshold_unit": threshold.unit.code if threshold and threshold.unit else None,
                "threshold_qualifier": (threshold.unit.qualifier or None)
                if threshold and threshold.unit
                else None,
            },
        ).scalar_one()
        if condition.components:
            connection.execute(
                insert(measure_condition_components),
                _component_rows(condition.components, "condition_id", condition_id),
            )


def _component(row: Any) -> DutyComponent:
    return DutyComponent(
        row.duty_expression, row.amount, row.currency, optional_unit(row.unit, row.qualifier)
    )


def read_tariff(engine: Engine, jurisdiction: str) -> Tariff:
    """The whole tariff of a jurisdiction, in memory (a few queries, no per-measure query)."""
    with engine.connect() as connection:
        geography = read_geography(connection)
        rows = connection.execute(
            select(measures).where(measures.c.jurisdiction == jurisdiction).order_by(measures.c.id)
        ).all()
        wanted = select(measures.c.id).where(measures.c.jurisdiction == jurisdiction)
        excluded: dict[int, set[str]] = defaultdict(set)
        for row in connection.execute(
            select(measure_excluded_areas).where(measure_excluded_areas.c.measure_id.in_(wanted))
        ):
            excluded[row.measure_id].add(row.area)
        components: dict[int, list[DutyComponent]] = defaultdict(list)
        for row in connection.execute(
            select(measure_components)
            .where(measure_components.c.measure_id.in_(wanted))
            .order_by(measure_components.c.measure_id, measure_components.c.sequence)
        ):
            components[row.measure_id].append(_component(row))
        condition_rows = connection.execute(
            select(measure_conditions)
            .where(measure_conditions.c.measure_id.in_(wanted))
            .order_by(measure_conditions.c.measure_id, measure_conditions.c.sequence)
        ).all()
        condition_components: dict[int, list[DutyComponent]] = defaultdict(list)
        condition_ids = select(measure_conditions.c.id).where(
            measure_conditions.c.measure_id.in_(wanted)
        )
        for row in connection.execute(
            select(measure_condition_components)
            .where(measure_condition_components.c.condition_id.in_(condition_ids))
            .order_by(
                measure_condition_components.c.condition_id,
                measure_condition_components.c.sequence,
            )
        ):
            condition_components[row.condition_id].append(_component(row))
        descriptions = {
            significant(row.code): row.description
            for row in connection.execute(
                select(goods_nomenclature.c.code, goods_nomenclature.c.description).where(
                    goods_nomenclature.c.jurisdiction == jurisdiction
                )
            )
        }
    conditions: dict[int, list[MeasureCondition]] = defaultdict(list)
    for row in condition_rows:
        threshold = None
        if row.threshold is not None:
            threshold = Threshold(
                row.threshold,
                row.threshold_currency,
                optional_unit(row.threshold_unit, row.threshold_qualifier),
            )
        conditions[row.measure_id].append(
            MeasureCondition(
                code=row.condition_code,
                sequence=row.sequence,
                action=Action(row.action),
                document=row.document,
                threshold=threshold,
                components=tuple(condition_components.get(row.id, ())),
                requirement=row.requirement,
            )
        )
    types: dict[tuple[str, str, str], MeasureType] = {}
    loaded = []
    for row in rows:
        key = (row.measure_type, row.series, row.type_description)
        measure_type = types.setdefault(key, MeasureType(*key))
        loaded.append(
            Measure(
                sid=row.sid,
                measure_type=measure_type,
                commodity_code=row.commodity_code,
                area=row.area,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                excluded=frozenset(excluded.get(row.id, ())),
                components=tuple(components.get(row.id, ())),
                conditions=tuple(conditions.get(row.id, ())),
                additional_code=row.additional_code,
                order_number=row.order_number,
                footnotes=tuple(row.footnotes or ()),
                source=row.source,
            )
        )
    return Tariff(loaded, geography, descriptions)


def read_geography(connection: Connection) -> Geography:
    descriptions = {
        row.area: row.description for row in connection.execute(select(geographical_areas))
    }
    members: dict[str, set[str]] = defaultdict(set)
    for row in connection.execute(select(geographical_area_members)):
        members[row.area].add(row.member)
    return Geography(descriptions, members)
