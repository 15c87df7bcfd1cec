"""What reference data is loaded, as an administrator reviews it: how many exchange rates and of
which currencies, each tariff source with its measures and commodities, and when each kind of
reference data last changed (the counters of ``reference_versions``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from clearway.adapters.database import reading
from clearway.adapters.reference_versions import Kind
from clearway.adapters.tables import exchange_rates, reference_versions
from clearway.adapters.tariff_tables import goods_nomenclature, measures


@dataclass(frozen=True, slots=True)
class RatesState:
    rates: int
    currencies: int
    last_loaded_at: datetime | None
    latest_valid_from: date | None


@dataclass(frozen=True, slots=True)
class TariffSource:
    """One loaded tariff file (a national schedule or UK Trade Tariff records)."""

    jurisdiction: str
    source: str
    measures: int
    commodities: int


@dataclass(frozen=True, slots=True)
class ReferenceState:
    rates: RatesState
    tariff: tuple[TariffSource, ...]
    changed_at: dict[Kind, datetime]
    """When each kind last changed; a kind never loaded is absent."""


def reference_state(engine: Engine) -> ReferenceState:
    """Counts and dates of the loaded reference data, in one read."""
    rates_query = select(
        func.count(),
        func.count(func.distinct(exchange_rates.c.currency)),
        func.max(exchange_rates.c.loaded_at),
        func.max(exchange_rates.c.valid_from),
    ).select_from(exchange_rates)
    measure_counts = (
        select(measures.c.jurisdiction, measures.c.source, func.count().label("measures"))
        .group_by(measures.c.jurisdiction, measures.c.source)
        .order_by(measures.c.jurisdiction, measures.c.source)
    )
    commodity_counts = select(
        goods_nomenclature.c.jurisdiction, goods_nomenclature.c.source, func.count()
    ).group_by(goods_nomenclature.c.jurisdiction, goods_nomenclature.c.source)
    with reading(engine) as connection:
        count, currencies, loaded_at, valid_from = connection.execute(rates_query).one()
        commodities = {
            (row[0], row[1]): int(row[2]) for row in connection.execute(commodity_counts)
        }
        tariff = tuple(
            TariffSource(
                row.jurisdiction,
                row.source,
                int(row.measures),
                commodities.get((row.jurisdiction, row.source), 0),
            )
            for row in connection.execute(measure_counts)
        )
        changed = connection.execute(
            select(reference_versions.c.kind, reference_versions.c.changed_at)
        ).all()
    known = {kind.value for kind in Kind}
    return ReferenceState(
        rates=RatesState(int(count), int(currencies), loaded_at, valid_from),
        tariff=tariff,
        changed_at={Kind(kind): at for kind, at in changed if kind in known},
    )
