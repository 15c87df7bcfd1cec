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


def _numbered(numbers: range) -> list[LodgeDeclaration]:
    commands = []
    for number in numbers:
        payload = example("import")
        payload["lrn"] = f"NWT-2026-{number:06d}"
        commands.append(command(payload))
    return commands


def test_a_large_batch_stores_what_a_declaration_lodged_alone_stores(runtime: Runtime) -> None:
    # Twelve rows and more of a table go in as one stream on PostgreSQL (COPY), fewer as
    # statements: both must read back the same, to the type of every value.
    lodge_declarations(_numbered(range(1)), runtime.uow(), runtime.context)
    lodge_declarations(_numbered(range(1, 13)), runtime.uow(), runtime.context)
    first_key, seventh_key = (
        ("GB123456789000", "NWT-2026-000000"),
        ("GB123456789000", "NWT-2026-000007"),
    )
    with runtime.uow() as uow:
        found = uow.declarations.find_by_lrn([first_key, seventh_key])
        stored = uow.events.since(0, 200)
    alone, batched = found[first_key], found[seventh_key]
    assert {**batched.payload, "lrn": alone.lrn} == alone.payload
    assert batched.valuation == alone.valuation and batched.assessment == alone.assessment
    assert batched.customs_value == alone.customs_value and batched.customs_value is not None
    assert batched.status == alone.status and batched.mrn is not None
    assert batched.lodged_at.tzinfo is not None and batched.accepted_at is not None
    assert [event.sequence for event in stored] == list(range(1, 79))
    by_declaration: dict[str, list[Any]] = {}
    for event in stored:
        by_declaration.setdefault(event.declaration_id, []).append(event)
    first, seventh = by_declaration[alone.id], by_declaration[batched.id]
    assert [event.type for event in seventh] == [event.type for event in first]
    for one, other in zip(first, seventh, strict=True):
        assert one.occurred_at.tzinfo is not None and other.occurred_at.tzinfo is not None
        assert set(one.data) == set(other.data)


def test_two_large_batches_of_the_same_lrns_at_once_store_each_once(runtime: Runtime) -> None:
    results: list[list[Any]] = [[], []]
    barrier = threading.Barrier(2)

    def lodge_batch(slot: int) -> None:
        barrier.wait()
        results[slot] = lodge_declarations(_numbered(range(20, 32)), runtime.uow(), runtime.context)

    threads = [threading.Thread(target=lodge_batch, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = results[0] + results[1]
    assert len(outcomes) == 24 and all(isinstance(outcome, Lodged) for outcome in outcomes)
    assert sum(outcome.created for outcome in outcomes) == 12
    assert [a.record.id for a in results[0]] == [b.record.id for b in results[1]]
    assert count(runtime, declarations) == 12
    assert count(runtime, declaration_items) == 12
    assert count(runtime, events) == 72


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
