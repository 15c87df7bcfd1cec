"""The SQL store on SQLite and PostgreSQL: migrations, atomicity, concurrent lodging."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from clearway.adapters import migrate
from clearway.adapters.tables import declaration_items, declarations, events, metadata
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal, Role
from clearway.domain.errors import ValidationFailed
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations
from tests.conftest import example

BROKER = Principal("broker", Role.TRADER, "GB123456789000")


def command(payload: dict[str, Any], actor: Principal = BROKER) -> LodgeDeclaration:
    parsed = parse_declaration(payload)
    return LodgeDeclaration(parsed.declaration, parsed.document, actor)


def count(runtime: Runtime, table: Any) -> int:
    with runtime.engine.connect() as connection:
        rows: int = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return rows


def test_schema_is_at_head_and_matches_the_tables(runtime: Runtime) -> None:
    assert migrate.current_revision(runtime.engine) == migrate.head_revision()
    with runtime.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_batch_with_refusals_stores_only_the_good_ones(runtime: Runtime) -> None:
    good = example("import")
    bad = example("import")
    bad["lrn"] = "NWT-2026-000124"
    bad["items"][0]["gross_mass_kg"] = "1"
    second_good = example("import")
    second_good["lrn"] = "NWT-2026-000125"
    outcomes = lodge_declarations(
        [command(good), command(bad), command(second_good)], runtime.uow(), runtime.context
    )
    assert [type(outcome) for outcome in outcomes] == [Lodged, ValidationFailed, Lodged]
    assert count(runtime, declarations) == 2
    assert count(runtime, declaration_items) == 2
    # lodged, accepted, assessed, risk-scored, laned and held for each
    assert count(runtime, events) == 12


def test_same_lrn_twice_in_one_batch_is_stored_once(runtime: Runtime) -> None:
    outcomes = lodge_declarations(
        [command(example("import")), command(example("import"))], runtime.uow(), runtime.context
    )
    assert isinstance(outcomes[0], Lodged) and outcomes[0].created
    assert isinstance(outcomes[1], Lodged) and not outcomes[1].created
    assert outcomes[0].record.id == outcomes[1].record.id
    assert count(runtime, declarations) == 1


def test_a_failure_while_writing_leaves_nothing(runtime: Runtime, monkeypatch: Any) -> None:
    from clearway.adapters import repository

    def broken(self: Any, new_events: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(repository.SqlAlchemyEventStore, "add_many", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        lodge_declarations([command(example("import"))], runtime.uow(), runtime.context)
    assert count(runtime, declarations) == 0
    assert count(runtime, declaration_items) == 0


def test_concurrent_lodging_of_one_lrn_yields_one_declaration(runtime: Runtime) -> None:
    results: list[Any] = []
    barrier = threading.Barrier(6)

    def lodge_once() -> None:
        barrier.wait()
        results.extend(
            lodge_declarations([command(example("import"))], runtime.uow(), runtime.context)
        )

    threads = [threading.Thread(target=lodge_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert all(isinstance(outcome, Lodged) for outcome in results)
    assert len({outcome.record.id for outcome in results}) == 1
    assert sum(outcome.created for outcome in results) == 1
    assert count(runtime, declarations) == 1
    assert count(runtime, events) == 6


def test_event_sequence_follows_the_order_of_changes(runtime: Runtime) -> None:
    payloads = []
    for number in range(5):
        payload = example("import")
        payload["lrn"] = f"NWT-2026-{number:06d}"
        payloads.append(command(payload))
    lodge_declarations(payloads, runtime.uow(), runtime.context)
    with runtime.uow() as uow:
        stored = uow.events.since(0, 100)
    assert [event.sequence for event in stored] == list(range(1, 31))
    assert [event.type for event in stored[:6]] == [
        "DeclarationLodged",
        "DeclarationAccepted",
        "DeclarationAssessed",
        "DeclarationRiskScored",
        "DeclarationLaned",
        "DeclarationHeld",
    ]
