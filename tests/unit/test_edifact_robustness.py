"""Damaged interchanges (hypothesis): the shipped CUSDEC and the shipped examples as CUSDEC, cut,
spliced and sprinkled with service characters, are either read or refused with an
``EdifactRefused`` of a known reason, never another exception; every message read maps to a
wire object whose positions are segments of that message, and Clearway's schema either accepts
it or reports its errors."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from clearway.adapters.messages.edifact import (
    EdifactRefused,
    map_cusdec,
    read_interchange,
    to_cusdec,
    write_interchange,
)
from clearway.entrypoints.schemas import parse_declaration
from tests.conftest import ROOT, example

SHIPPED = ROOT.parent / "shared" / "data" / "edifact" / "messages"
REASONS = {
    "too_large",
    "character_set",
    "service_string",
    "syntax",
    "truncated",
    "no_interchange_header",
    "no_control_reference",
    "after_trailer",
    "too_many_messages",
    "too_many_segments",
    "functional_groups",
    "outside_message",
    "unterminated_message",
    "unsupported_message",
    "unsupported_version",
    "segment_count",
    "reference_mismatch",
    "message_count",
}
SOURCES = [
    "".join((SHIPPED / "ts-edifact_AU-ICS_CUSDEC_D99B.edi").read_text("latin-1").splitlines()),
    write_interchange(
        [to_cusdec(example("import"), "1"), to_cusdec(example("export"), "2", "D99B")],
        sender="GB123456789000",
        recipient="GBCUSTOMS",
        control_reference="CW0001",
        prepared=datetime(2026, 3, 16, 9, 30, tzinfo=UTC),
        service_string=":+.? '",
    ),
]


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        insert = draw(st.text(alphabet="+:'? UNHTZSBA019.,", max_size=12))
        if draw(st.booleans()):
            text = text[:start] + insert + text[end:]
        else:
            text = text[:start] + text[end:] + text[start:end]
    return text


@settings(max_examples=400, deadline=None)
@given(damaged())
def test_a_damaged_interchange_is_read_or_refused_never_a_crash(text: str):
    try:
        interchange = read_interchange(text)
    except EdifactRefused as refused:
        assert refused.reason in REASONS
        return
    for message in interchange.messages:
        mapped = map_cusdec(message)
        assert all(1 <= n <= len(message.segments) for n in mapped.positions.values())
        with contextlib.suppress(ValidationError):
            parse_declaration(mapped.declaration)


@st.composite
def odd_values(draw: st.DrawFn) -> str:
    """A well-formed interchange whose element values are replaced at random."""
    declaration = example(draw(st.sampled_from(["import", "export"])))
    segments = to_cusdec(declaration, "1", draw(st.sampled_from(["D96B", "D99B"])))
    for _ in range(draw(st.integers(1, 8))):
        segment = segments[draw(st.integers(1, len(segments) - 2))]
        index = draw(st.integers(0, max(0, len(segment.elements) - 1)))
        value = draw(
            st.one_of(
                st.text(alphabet="0123456789,.-+:'?AZKGMNT ", max_size=12),
                st.lists(st.text(alphabet="09AZ,.: ", max_size=6), min_size=2, max_size=5),
            )
        )
        segment.elements[index] = value
    return write_interchange(
        [segments], sender="A", recipient="B", control_reference="C1", service_string=None
    )


@settings(max_examples=300, deadline=None)
@given(odd_values())
def test_odd_values_in_a_well_formed_message_map_or_are_refused_by_the_schema(text: str):
    try:
        interchange = read_interchange(text)
    except EdifactRefused as refused:
        # A value can still change the message's envelope, e.g. its UNH identifier.
        assert refused.reason in REASONS
        return
    (message,) = interchange.messages
    mapped = map_cusdec(message)
    with contextlib.suppress(ValidationError):
        parse_declaration(mapped.declaration)
