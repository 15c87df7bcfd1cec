"""Reference data in the database: loading the shipped lists and rates, reading them back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, Engine, String, delete, func, select, tuple_, type_coerce

from clearway.adapters.reference_files import (
    CodeRow,
    LargeRateChanges,
    build_reference,
    code_rows,
    hs_rows,
    shipped_rates,
)
from clearway.adapters.reference_versions import Kind, bump
from clearway.adapters.tables import code_lists, exchange_rates, hs_nomenclature
from clearway.adapters.tariff_files import shipped_geography
from clearway.adapters.tariff_store import store_geography
from clearway.domain.events import utc_now
from clearway.domain.reference import (
    LARGE_CHANGE_FACTOR,
    ExchangeRate,
    LargeChange,
    ReferenceData,
    large_changes,
)

log = logging.getLogger("clearway.reference")


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
        bump(
            connection,
            Kind.REFERENCE,
            "code_lists.loaded",
            "shipped",
            codes=len(codes),
            hs_codes=len(nomenclature),
        )
    # The shipped rates are published figures checked by the tests, not typed by an operator:
    # the band that catches typing mistakes does not apply to them.
    rates = load_rates(engine, shipped_rates(), allow_large_changes=True).stored
    areas = store_geography(engine, shipped_geography())
    return {
        "code_lists": len(codes),
        "hs_nomenclature": len(nomenclature),
        "exchange_rates": rates,
        "geographical_areas": areas,
    }


@dataclass(frozen=True, slots=True)
class StoredRates:
    loaded: int
    stored: int
    """The rates the table holds after the load."""
    large_changes: tuple[LargeChange, ...] = ()
    """Rates loaded although they move more than the band, because that was allowed."""


def load_rates(
    engine: Engine,
    rates: Sequence[ExchangeRate],
    *,
    places: Sequence[str] = (),
    allow_large_changes: bool = False,
) -> StoredRates:
    """Insert or replace rates by (currency, valid_from), in one transaction.

    A rate more than the plausible band away from the rate before it (``large_changes``) is
    refused with ``LargeRateChanges``, naming its place (``places[i]`` for ``rates[i]``), and
    nothing is stored; with ``allow_large_changes`` it is stored and reported back.
    """
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
        changes = _large_changes(connection, rates)
        if changes and not allow_large_changes:
            raise _refusal(changes, places)
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            connection.execute(
                delete(exchange_rates).where(
                    tuple_(exchange_rates.c.currency, exchange_rates.c.valid_from).in_(chunk)
                )
            )
        connection.execute(exchange_rates.insert(), rows)
        bump(
            connection,
            Kind.REFERENCE,
            "exchange_rates.loaded",
            None,
            rates=len(rows),
            currencies=len({row["currency"] for row in rows}),
            large_changes_allowed=bool(changes),
        )
        stored: int = connection.execute(
            select(func.count()).select_from(exchange_rates)
        ).scalar_one()
    for change in changes:
        log.warning("large exchange-rate change allowed: %s", change.describe())
    return StoredRates(len(rows), stored, tuple(changes))


def check_rate_changes(
    engine: Engine, rates: Sequence[ExchangeRate], places: Sequence[str] = ()
) -> None:
    """Raise ``LargeRateChanges`` as ``load_rates`` would, storing nothing: for a load that
    stores other records first and must not stop half-way."""
    with engine.connect() as connection:
        changes = _large_changes(connection, rates)
    if changes:
        raise _refusal(changes, places)


def _large_changes(connection: Connection, rates: Sequence[ExchangeRate]) -> list[LargeChange]:
    currencies = sorted({rate.currency for rate in rates})
    return large_changes(_stored_rates(connection, currencies), rates)


def _refusal(changes: Sequence[LargeChange], places: Sequence[str]) -> LargeRateChanges:
    first = changes[0]
    place = places[first.index] if first.index < len(places) else f"rate {first.index + 1}"
    more = len(changes) - 1
    also = f" (and {more} more such rate{'s' if more > 1 else ''})" if more else ""
    return LargeRateChanges(
        f"{place}: {first.describe()}{also}; a move of more than a factor of "
        f"{LARGE_CHANGE_FACTOR} is refused unless large changes are allowed",
        changes,
    )


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
        rates = _stored_rates(connection)
    return build_reference(codes, subheadings, rates)


def _stored_rates(
    connection: Connection, currencies: Sequence[str] | None = None
) -> list[ExchangeRate]:
    # The rate as the database holds it, so that a value that is not a number at all (SQLite
    # keeps rates as text) reads as NaN, an unusable rate, rather than failing the whole read.
    query = select(
        exchange_rates.c.currency,
        exchange_rates.c.valid_from,
        exchange_rates.c.valid_to,
        type_coerce(exchange_rates.c.rate, String()).label("rate"),
    )
    if currencies is not None:
        query = query.where(exchange_rates.c.currency.in_(currencies))
    return [
        ExchangeRate(row.currency, row.valid_from, row.valid_to, _stored_rate(row.rate))
        for row in connection.execute(query)
    ]


def _stored_rate(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return Decimal("NaN")
