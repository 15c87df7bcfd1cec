"""Ledger entries: an event's bytes are its RFC 8785 canonical JSON (the writer itself is
checked against rfc8785 in test_canonical_json.py), and reading them back refuses anything
else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clearway.domain.events import Event
from clearway.services.ledger.entries import EntryError, event_entry, read_entry


def _event() -> Event:
    return Event(
        type="DeclarationReleased",
        declaration_id="0b8f2c1e-1111-2222-3333-444455556666",
        version=4,
        status="released",
        actor="officer",
        data={"lane": "yellow", "duty": {"total": "123.45", "currency": "GBP"}, "score": 0.25},
        occurred_at=datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC),
        id="6f1c1e0a-0000-4000-8000-000000000001",
    )


def test_an_event_entry_reads_back_with_every_member() -> None:
    entry = event_entry(17, _event())
    assert entry.startswith(b'{"actor":"officer","data":{"duty":{"currency":"GBP"')
    read = read_entry(entry)
    assert read.sequence == 17 and read.type == "DeclarationReleased"
    assert read.occurred_at == "2026-11-23T10:00:00.123456Z"
    assert read.data["score"] == 0.25


def test_bytes_that_are_not_canonical_are_refused() -> None:
    entry = event_entry(17, _event())
    with pytest.raises(EntryError, match="canonical"):
        read_entry(entry.replace(b'{"actor"', b'{ "actor"', 1))
    with pytest.raises(EntryError, match="members"):
        read_entry(b'{"sequence":1}')
    with pytest.raises(EntryError, match="not JSON"):
        read_entry(b"\xff")


def test_json_that_rfc8785_has_no_form_for_is_refused_as_not_canonical() -> None:
    entry = event_entry(17, _event())
    for number in (b"NaN", b"9007199254740993"):
        with pytest.raises(EntryError, match="not in RFC 8785 canonical form: "):
            read_entry(entry.replace(b'"score":0.25', b'"score":' + number))
