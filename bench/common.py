"""Helpers the benchmarks share."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import text

from clearway.adapters.database import create_database_engine

if TYPE_CHECKING:
    from clearway.entrypoints.cli.demo import DemoModel


def fresh_postgres_schema(url: str) -> str:
    """A URL for a new, empty schema in the PostgreSQL database at ``url``."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_database_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def trained_database(url: str, *, past: int | None = None, seed: int = 2026) -> DemoModel:
    """Make the database at ``url`` ready to score: migrated, reference data and the
    illustrative tariff loaded, and an active risk model trained, as the demo's is, on ``past``
    simulated declarations (the demo's 2,000 by default) with a finding on each suspicious one
    (about two seconds).

    The trader history holds that past, so declarations are scored against it. A flow that
    continues it (the same partners abroad) is ``simulate(past + n, seed, suspicious_share=
    SUSPICIOUS_SHARE)`` without its first ``past``; any other flow shares its traders."""
    # Imported here: the benchmarks that only need a schema do not load LightGBM.
    from clearway.adapters.tariff_store import load_illustrative_tariff
    from clearway.bootstrap import build_runtime
    from clearway.config import Settings
    from clearway.entrypoints.cli.demo import PAST_DECLARATIONS, SUSPICIOUS_SHARE, seed_risk_model
    from clearway.services.simulation import simulate_labelled

    runtime = build_runtime(Settings(database_url=url, demo=True))
    try:
        load_illustrative_tariff(runtime.engine, runtime.settings.country)
        runtime.sync(force=True)
        simulated = simulate_labelled(
            PAST_DECLARATIONS if past is None else past,
            seed,
            reference=runtime.context.reference,
            suspicious_share=SUSPICIOUS_SHARE,
        )
        return seed_risk_model(runtime, list(simulated))
    finally:
        runtime.engine.dispose()
