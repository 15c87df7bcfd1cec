"""Reference data in the database: loading the shipped lists and rates, reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import Engine, delete, func, select, tuple_

from clearway.adapters.reference_files import (
    CodeRow,
    build_reference,
    code_rows,
    hs_rows,
    shipped_rates,
)
from clearway.adapters.tables import code_lists, exchange_rates, hs_nomenclature
from clearway.adapters.tariff_files import shipped_geography
from clearway.adapters.tariff_store import store_geography
from clearway.domain.events import utc_now
from clearway.domain.reference import ExchangeRate, ReferenceData


def load_reference(engine: Engine) -> dict[str, int]:
    """Replace the code lists and HS nomenclature with the shipped ones; add shipped rates.

    Returns how many rows each table now holds. One transaction: all or nothing.
    """
    codes = [asdict(row) for row in code_rows()]
    nomenclature = [asdict(row) for row in hs_rows()]
    with engine.begin() as connection:
        connection.execute(delete(code_lists))
        connection.execute(code_lists.insert(), codes)
        connection.execute(delete(hs_nomenclature))
        connection.execute(hs_nomenclature.insert(), nomenclature)
    rates = load_rates(engine, shipped_rates())
    areas = store_geography(engine, shipped_geography())
    return {
        "code_lists": len(codes),
        "hs_nomenclature": len(nomenclature),
        "exchange_rates": rates,
        "geographical_areas": areas,
    }


def load_rates(engine: Engine, rates: Sequence[ExchangeRate]) -> int:
    """Insert or replace rates by (currency, valid_from); returns the rates now stored."""
    loaded_at = utc_now()
    rows = [
        {
            "currency": rate.currency,
            "valid_from": rate.valid_from,
            "valid_to": rate.valid_to,
            "rate": rate.rate,
            "loaded_at": loaded_at,
        }
        for rate in rates
    ]
    keys = list({(row["currency"], row["valid_from"]) for row in rows})
    with engine.begin() as connection:
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            connection.execute(
                delete(exchange_rates).where(
                    tuple_(exchange_rates.c.currency, exchange_rates.c.valid_from).in_(chunk)
                )
            )
        connection.execute(exchange_rates.insert(), rows)
        stored: int = connection.execute(
            select(func.count()).select_from(exchange_rates)
        ).scalar_one()
    return stored


def reference_loaded(engine: Engine) -> bool:
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(hs_nomenclature)).scalar_one()
    return bool(count)


def read_reference(engine: Engine) -> ReferenceData:
    """Every code list and rate, from the database, as the validation needs them."""
    with engine.connect() as connection:
        codes = [
            CodeRow(row.list, row.code, row.description, row.attributes)
            for row in connection.execute(select(code_lists))
        ]
        subheadings = (
            connection.execute(select(hs_nomenclature.c.code).where(hs_nomenclature.c.level == 6))
            .scalars()
            .all()
        )
        rates = [
            ExchangeRate(row.currency, row.valid_from, row.valid_to, row.rate)
            for row in connection.execute(select(exchange_rates))
        ]
    return build_reference(codes, subheadings, rates)
