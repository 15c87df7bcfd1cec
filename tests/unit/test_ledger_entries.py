"""Ledger entries: an event's bytes are its RFC 8785 canonical JSON, whichever writer makes
them, and reading them back refuses anything else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearway.domain.events import Event
from clearway.services.ledger.entries import EntryError, canonical_json, event_entry, read_entry

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_the_fast_writer_agrees_with_rfc8785_byte_for_byte(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception as error:
        with pytest.raises(type(error)):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_names_beyond_the_basic_plane_sort_by_utf16_code_units() -> None:
    # U+1F600 is D83D DE00 in UTF-16, before U+E000; by code point it would come after.
    assert canonical_json({"\ue000": 1, "\U0001f600": 2}) == rfc8785.dumps(
        {"\U0001f600": 2, "\ue000": 1}
    )
    assert canonical_json({"\ue000": 1, "\U0001f600": 2}).index("😀".encode()) < 10


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
