"""UN/EDIFACT interchanges (ISO 9735) read: the service string advice (UNA), the interchange
envelope (UNB ... UNZ) and the messages in it (UNH ... UNT), bounded and checked.

An interchange is read with pydifact's tokenizer and parser, under the separators and release
character its UNA gives (ISO 9735 defaults ``:+.? '`` without one). It is refused, with an
``EdifactRefused`` naming the reason and the segment, when it is larger than 5 MiB, holds more
than 999 messages or a message more than 10,000 segments, is cut short, holds segments outside a
message, has a UNT whose segment count or reference does not match its message, a UNZ whose
message count or reference does not match the interchange, or a message of a type or directory
Clearway does not read (CUSDEC and CUSRES of the D.96B and D.99B directories).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.exceptions import ValidationError as PydifactValidationError
from pydifact.parser import Parser, TokenIterator
from pydifact.segments import Segment, SegmentFactory
from pydifact.token import Token
from pydifact.tokenizer import Tokenizer

from clearway.adapters.messages.edifact._segments import code, component

MIB = 1024 * 1024
MAX_BYTES = 5 * MIB
MAX_MESSAGES = 999
MAX_SEGMENTS = 10_000
# ISO 9735: the service characters when no UNA is given (syntax versions 1 to 3).
DEFAULT_SERVICE_STRING = ":+.? '"
# UNH S009 0054 (release) -> the directory names Clearway uses; both are "D" (0052), "UN" (0051).
DIRECTORIES = {"96B": "D96B", "99B": "D99B"}
RELEASES = {directory: release for release, directory in DIRECTORIES.items()}
# UNB S001 0001 (syntax identifier, UNSL 0001) -> the character set the bytes are in.
CHARACTER_SETS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOW": "utf-8",
}
# A release character of " " in UNA means none is used; this one never occurs in text.
_NO_RELEASE = "\udfff"


@dataclass(frozen=True, slots=True)
class Position:
    """Where in an interchange: its control reference (UNB 0020), the message (UNH 0062) and
    the segment, counted from 1 within the message (UNH is 1), or within the interchange (UNB
    is 1) for a segment outside any message."""

    control_reference: str | None
    message_reference: str | None = None
    segment: int | None = None

    def __str__(self) -> str:
        parts = [f"interchange {self.control_reference or '(unknown)'}"]
        if self.message_reference is not None:
            parts.append(f"message {self.message_reference}")
        if self.segment is not None:
            parts.append(f"segment {self.segment}")
        return ", ".join(parts)


class EdifactRefused(ValueError):
    """An interchange Clearway does not read: ``reason`` a short code (``segment_count``,
    ``truncated`` …), ``detail`` a sentence for the sender, ``position`` where it is."""

    def __init__(self, reason: str, detail: str, position: Position) -> None:
        super().__init__(f"{detail} ({position})")
        self.reason = reason
        self.detail = detail
        self.position = position


@dataclass(frozen=True, slots=True)
class Message:
    """One message of an interchange: segment ``n`` of the message is ``segments[n - 1]``."""

    reference: str
    type: str
    version: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Interchange:
    """An interchange as read: its envelope and its messages, in order. ``test`` is UNB's test
    indicator (0035 = 1): the sender asks that the interchange be processed as a test."""

    service_string: str | None
    syntax: str
    syntax_version: str
    sender: str
    recipient: str
    control_reference: str
    messages: tuple[Message, ...]
    test: bool


class _UncheckedFactory(SegmentFactory):
    """Segments as sent; Clearway checks the envelope itself and the content by mapping it."""

    @staticmethod
    def create_segment(
        name: str,
        *elements: str | list[str],
        validate: bool = True,
        version: str = "",
        directory: str = "",
    ) -> Segment:
        return Segment(name, *(elements or ("",)))


def read_interchange(
    data: str | bytes,
    *,
    message_types: Collection[str] = ("CUSDEC",),
    max_bytes: int = MAX_BYTES,
    max_messages: int = MAX_MESSAGES,
    max_segments: int = MAX_SEGMENTS,
) -> Interchange:
    """Read one interchange holding messages of ``message_types``; raises ``EdifactRefused``."""
    text = _text(data, max_bytes).lstrip("\ufeff \t\r\n")
    service_string, characters, body = _service_string(text)
    stream = _parse(body, characters)
    header = next(stream, None)
    if header is None or header.tag != "UNB":
        raise EdifactRefused(
            "no_interchange_header",
            "an interchange starts with UNB (after UNA, when given)",
            Position(None, None, 1),
        )
    control = component(header, 4).strip()
    if not control:
        raise EdifactRefused(
            "no_control_reference", "UNB has no control reference", Position(None, None, 1)
        )
    messages: list[Message] = []
    current: list[Segment] | None = None
    trailer: tuple[int, Segment] | None = None
    index = 1
    try:
        for segment in stream:
            index += 1
            if trailer is not None:
                raise EdifactRefused(
                    "after_trailer", f"{segment.tag} follows UNZ", Position(control, None, index)
                )
            if current is None:
                if segment.tag == "UNH":
                    if len(messages) == max_messages:
                        raise EdifactRefused(
                            "too_many_messages",
                            f"more than {max_messages} messages in one interchange",
                            Position(control, component(segment, 0), 1),
                        )
                    current = [segment]
                elif segment.tag == "UNZ":
                    trailer = (index, segment)
                elif segment.tag in ("UNG", "UNE"):
                    raise EdifactRefused(
                        "functional_groups",
                        "functional groups (UNG ... UNE) are not read: send messages directly "
                        "in the interchange",
                        Position(control, None, index),
                    )
                else:
                    raise EdifactRefused(
                        "outside_message",
                        f"{segment.tag} is outside any message (UNH ... UNT)",
                        Position(control, None, index),
                    )
                continue
            current.append(segment)
            reference = component(current[0], 0)
            if len(current) > max_segments:
                raise EdifactRefused(
                    "too_many_segments",
                    f"more than {max_segments} segments in one message",
                    Position(control, reference, len(current)),
                )
            if segment.tag in ("UNH", "UNZ"):
                raise EdifactRefused(
                    "unterminated_message",
                    f"message {reference} has no UNT before {segment.tag}",
                    Position(control, reference, len(current)),
                )
            if segment.tag == "UNT":
                messages.append(_message(current, control, message_types))
                current = None
    except EdifactRefused as refused:
        if refused.position.control_reference is not None:
            raise
        # A syntax error: the segment after the last one read.
        where = (
            Position(control, component(current[0], 0), len(current) + 1)
            if current
            else Position(control, None, index + 1)
        )
        raise EdifactRefused(refused.reason, refused.detail, where) from None
    if current is not None:
        raise EdifactRefused(
            "truncated",
            "the interchange ends inside a message (no UNT)",
            Position(control, component(current[0], 0), len(current)),
        )
    if trailer is None:
        raise EdifactRefused(
            "truncated", "the interchange has no UNZ", Position(control, None, None)
        )
    _check_trailer(trailer, control, len(messages))
    return Interchange(
        service_string=service_string,
        syntax=code(header, 0, 0),
        syntax_version=code(header, 0, 1),
        sender=component(header, 1),
        recipient=component(header, 2),
        control_reference=control,
        messages=tuple(messages),
        test=code(header, 10) == "1",
    )


def _text(data: str | bytes, max_bytes: int) -> str:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise EdifactRefused(
            "too_large",
            f"the interchange is {size} bytes, more than the {max_bytes} accepted",
            Position(None),
        )
    if isinstance(data, str):
        return data
    found = re.search(rb"UNB.(UNO[A-Z])", data[:64], re.DOTALL)
    syntax = found.group(1).decode("ascii") if found else "UNOC"
    codec = CHARACTER_SETS.get(syntax)
    if codec is None:
        raise EdifactRefused(
            "character_set", f"syntax identifier {syntax} is not read", Position(None, None, 1)
        )
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise EdifactRefused(
            "character_set",
            f"byte {error.start} is not in the character set {syntax} ({codec}) UNB declares",
            Position(None),
        ) from None


def _service_string(text: str) -> tuple[str | None, Characters, str]:
    """The UNA characters (when given), the characters to read with, and the text after UNA."""
    if not text.startswith("UNA"):
        return None, Characters.from_str(DEFAULT_SERVICE_STRING), text
    advice = text[3:9]
    if len(advice) < 6:
        raise EdifactRefused("truncated", "the interchange ends inside UNA", Position(None))
    component_separator, data_separator, decimal_mark = advice[0], advice[1], advice[2]
    release, terminator = advice[3], advice[5]
    separators = [component_separator, data_separator, terminator]
    if release != " ":
        separators.append(release)
    if (
        len(set(separators)) != len(separators)
        or any(character.isalnum() or character == " " for character in separators)
        or decimal_mark not in ",."
    ):
        raise EdifactRefused(
            "service_string",
            f"UNA{advice!r} does not give distinct separators, release character and a decimal "
            "mark (ISO 9735)",
            Position(None),
        )
    characters = Characters.from_str(advice)
    if release == " ":
        characters.escape_character = _NO_RELEASE
    return advice, characters, text[9:].lstrip("\r\n")


def _parse(body: str, characters: Characters) -> Iterator[Segment]:
    """The segments of ``body``, lazily, so that a limit stops the reading at once."""
    parser = Parser(factory=_UncheckedFactory(), characters=characters)
    last: list[Token.Type] = []

    def tokens() -> Iterator[Token]:
        for token in Tokenizer().get_tokens(body, characters):
            last[:] = [token.type]
            yield token

    try:
        for raw in parser.convert_tokens_to_raw_segments(TokenIterator(tokens())):
            if not raw or not isinstance(raw[0], str):
                raise EDISyntaxError("a segment tag is missing or has components")
            yield parser.convert_raw_segment_to_segment(raw)
    except (EDISyntaxError, PydifactValidationError, ValueError, IndexError, TypeError) as error:
        if isinstance(error, EdifactRefused):
            raise
        reason = "truncated" if "end of EDI" in str(error) else "syntax"
        raise EdifactRefused(reason, str(error), Position(None)) from None
    if last and last[0] != Token.Type.TERMINATOR:
        raise EdifactRefused("truncated", "the interchange ends inside a segment", Position(None))


def _message(segments: list[Segment], control: str, message_types: Collection[str]) -> Message:
    header, trailer = segments[0], segments[-1]
    reference = component(header, 0)
    message_type = code(header, 1, 0)
    release = code(header, 1, 2)
    if message_type not in message_types:
        raise EdifactRefused(
            "unsupported_message",
            f"message type {message_type or '(none)'} is not read here; "
            f"{' or '.join(sorted(message_types))} is",
            Position(control, reference, 1),
        )
    if code(header, 1, 1) != "D" or release not in DIRECTORIES or code(header, 1, 3) != "UN":
        identifier = ":".join(component(header, 1, index) for index in range(4))
        raise EdifactRefused(
            "unsupported_version",
            f"message identifier {identifier} is not read; "
            f"{message_type}:D:96B:UN and {message_type}:D:99B:UN are",
            Position(control, reference, 1),
        )
    count = code(trailer, 0)
    if count != str(len(segments)):
        raise EdifactRefused(
            "segment_count",
            f"UNT counts {count or '(nothing)'} segments; message {reference} has "
            f"{len(segments)} (UNH to UNT)",
            Position(control, reference, len(segments)),
        )
    if component(trailer, 1) != reference:
        raise EdifactRefused(
            "reference_mismatch",
            f"UNT names message {component(trailer, 1) or '(none)'}, UNH {reference}",
            Position(control, reference, len(segments)),
        )
    return Message(reference, message_type, DIRECTORIES[release], tuple(segments))


def _check_trailer(trailer: tuple[int, Segment], control: str, messages: int) -> None:
    index, segment = trailer
    if code(segment, 0) != str(messages):
        raise EdifactRefused(
            "message_count",
            f"UNZ counts {code(segment, 0) or '(nothing)'} messages; the interchange has "
            f"{messages}",
            Position(control, None, index),
        )
    if component(segment, 1) != control:
        raise EdifactRefused(
            "reference_mismatch",
            f"UNZ names interchange {component(segment, 1) or '(none)'}, UNB {control}",
            Position(control, None, index),
        )
