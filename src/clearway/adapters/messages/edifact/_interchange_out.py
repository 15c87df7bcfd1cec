"""UN/EDIFACT interchanges written (ISO 9735): messages enclosed in UNH ... UNT with their
segment count, and in UNB ... UNZ with their message count, under a UNA when asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pydifact.control.characters import Characters
from pydifact.segments import Segment
from pydifact.serializer import Serializer

from clearway.adapters.messages.edifact._segments import build
from clearway.adapters.messages.edifact.interchange import DEFAULT_SERVICE_STRING, RELEASES

REPEATING_SERVICE_STRING = ":+.?*'"


def message_segments(
    reference: str, message_type: str, version: str, body: Sequence[Segment]
) -> list[Segment]:
    """``body`` enclosed in UNH and UNT, UNT counting every segment from UNH to itself."""
    header = build("UNH", reference, [message_type, "D", RELEASES[version], "UN"])
    trailer = build("UNT", str(len(body) + 2), reference)
    return [header, *body, trailer]


def write_interchange(
    messages: Sequence[Sequence[Segment]],
    *,
    sender: str,
    recipient: str,
    control_reference: str,
    prepared: datetime | None = None,
    service_string: str | None = None,
) -> str:
    """One interchange of ``messages`` (each UNH ... UNT), with UNB and UNZ. With
    ``service_string`` (the six UNA characters) the interchange opens with that UNA and uses
    its separators and release character; a release character of " " (none) becomes "?" (or
    another mark the UNA does not use), since the texts written may hold a separator. The
    syntax is UNOC (Latin-1), version 3, or UNOW (UTF-8), version 4, when a text needs
    characters Latin-1 lacks."""
    advice = service_string
    if advice is not None and advice[3] == " ":
        release = next(mark for mark in "?!\\#" if mark not in advice)
        advice = advice[:3] + release + advice[4:]
    body = [segment for message in messages for segment in message]
    latin = all(_latin(segment) for segment in body)
    syntax, version = ("UNOC", "3") if latin else ("UNOW", "4")
    # Syntax version 4 makes UNA5 the repetition separator, "*" when no UNA is sent.
    default = DEFAULT_SERVICE_STRING if latin else REPEATING_SERVICE_STRING
    characters = _Characters.from_str(advice or default)
    moment = prepared or datetime.now(UTC)
    date = f"{moment:%y%m%d}" if latin else f"{moment:%Y%m%d}"
    header = build(
        "UNB", [syntax, version], sender, recipient, [date, f"{moment:%H%M}"], control_reference
    )
    trailer = build("UNZ", str(len(messages)), control_reference)
    return Serializer(characters).serialize(
        [header, *body, trailer], with_una_header=advice is not None
    )


class _Characters(Characters):
    """The service characters, releasing the repetition separator too (ISO 9735 version 4)."""

    @property
    def escaped_syntax_dic(self) -> dict[str, str]:
        released: dict[str, str] = super().escaped_syntax_dic
        if self.reserved_character != " ":
            released[self.reserved_character] = self.escape_character + self.reserved_character
        return released


def _latin(segment: Segment) -> bool:
    values = [segment.tag]
    for element in segment.elements:
        values.extend([element] if isinstance(element, str) else element)
    try:
        "".join(values).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
