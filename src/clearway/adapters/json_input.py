"""JSON from outside: API bodies, uploaded files, ``clearway lodge`` files and JSON Lines.

One parser for all of them, stricter than the standard library's defaults:

* UTF-8 only, without a byte order mark (RFC 8259 §8.1). Any other encoding is refused rather
  than guessed at: ``json.loads`` on bytes would quietly read UTF-16 and UTF-32 too.
* Numbers exact: fractions become ``Decimal``, never binary floats, so an amount is never
  rounded; ``NaN`` and ``Infinity`` are refused (RFC 8259 §6).
* A name at most once in an object. RFC 8259 §4 leaves duplicates to the receiver and the
  standard library keeps the last one silently, so ``{"lrn": "A", "lrn": "B"}`` would lodge B
  while whoever reads the file sees A.

JSON Lines are read a line at a time with a cap on a line's size: a line over the cap is
skipped to its end in chunks, so it costs neither its size in memory nor the time to parse it.

Reference data files read as text (``text_files.decode_text``: CSV, tariff records) keep
their own rule, which drops a byte order mark, since spreadsheets write one; JSON from a
client or a trader's file does not get that leeway.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from clearway.domain.errors import DuplicateKey, MalformedJson, NotUtf8

__all__ = [
    "DuplicateKeyError",
    "JsonInputError",
    "JsonLine",
    "LineTooLong",
    "NotUtf8Error",
    "as_problem",
    "file_utf8_problem",
    "json_lines",
    "parse_json",
    "utf8_problem",
]

_BOM = codecs.BOM_UTF8
# Bytes a line is skipped by once it is known to be over the cap, and a file is checked by.
_CHUNK = 1024 * 1024


class JsonInputError(ValueError):
    """JSON text refused for more than its syntax: ``code`` names the reason, ``pointer``
    (RFC 6901) the place, when there is one.

    A ``ValueError``, as the standard library's ``json.JSONDecodeError`` is, so that code
    catching "not JSON" catches these too.
    """

    code: ClassVar[str] = "JSON.refused"

    def __init__(self, detail: str, pointer: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer


class NotUtf8Error(JsonInputError):
    """Not UTF-8, or UTF-8 behind a byte order mark."""

    code = "JSON.not_utf8"


class DuplicateKeyError(JsonInputError):
    """A name twice in one object; ``pointer`` is the member's, ``key`` the name."""

    code = "JSON.duplicate_key"

    def __init__(self, key: str, pointer: str) -> None:
        super().__init__(f"duplicate key {json.dumps(key, ensure_ascii=False)} at {pointer}")
        self.key = key
        self.pointer = pointer


def as_problem(error: JsonInputError) -> MalformedJson:
    """The problem (400) the API answers, and the command line reports, for ``error``."""
    if isinstance(error, DuplicateKeyError):
        return DuplicateKey(error.detail, error.pointer)
    if isinstance(error, NotUtf8Error):
        return NotUtf8(error.detail)
    return MalformedJson(error.detail)


def utf8_problem(data: bytes, subject: str = "the body") -> str | None:
    """Why ``data`` is not JSON's encoding (UTF-8 without a byte order mark), or None."""
    if data.startswith(_BOM):
        return _with_bom(subject)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return _bad_byte(subject, data, 0, error.start)
    return _bad_byte(subject, data, 0, len(data))


def _with_bom(subject: str) -> str:
    # RFC 8259 §8.1 lets a receiver ignore a byte order mark; it is refused instead, so that
    # a text means the same to every JSON parser it may be handed on to, and so that a file
    # saved as "UTF-8 with BOM" is fixed where it is made.
    return f"{subject} starts with a UTF-8 byte order mark; send UTF-8 without one"


def _bad_byte(subject: str, chunk: bytes, offset: int, invalid: int) -> str | None:
    """The message for the first bad byte of ``chunk`` (which starts at ``offset``): a NUL
    before ``invalid``, else the byte at ``invalid`` (None at the chunk's end).

    A NUL byte is valid UTF-8 but never in JSON text (control characters in strings must be
    escaped); it is what UTF-16 or UTF-32 of ASCII text looks like without a byte order mark.
    """
    nul = chunk.find(b"\x00", 0, max(invalid, 0))
    if nul >= 0:
        return (
            f"{subject} is not UTF-8 (byte 0x00 at offset {offset + nul:,}; "
            "it looks like UTF-16 or UTF-32)"
        )
    if invalid >= len(chunk):
        return None
    return f"{subject} is not UTF-8 (byte 0x{chunk[invalid]:02x} at offset {offset + invalid:,})"


def file_utf8_problem(path: Path, subject: str) -> str | None:
    """``utf8_problem`` for a file of any size, read a chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        offset = 0
        while chunk := handle.read(_CHUNK):
            if offset == 0 and chunk.startswith(_BOM):
                return _with_bom(subject)
            # The decoder holds back a character cut by the chunk's end and reads it first
            # with the next chunk.
            held = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                invalid = error.start - held
                if invalid < 0:
                    return _bad_byte(subject, error.object, offset - held, error.start)
            else:
                invalid = len(chunk)
            problem = _bad_byte(subject, chunk, offset, invalid)
            if problem is not None:
                return problem
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return _bad_byte(subject, error.object, offset - len(error.object), error.start)
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259 section 6)")


class _Duplicate(Exception):
    """Raised from inside the parser; the place is found by ``_first_duplicate`` afterwards."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # The one Python call per object on the way through: a dict, and its size compared.
    document = dict(pairs)
    if len(document) != len(pairs):
        raise _Duplicate
    return document


class _Pairs(list[tuple[str, Any]]):
    """An object's members in document order, duplicates kept (the slow path only)."""


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _first_duplicate(text: str) -> DuplicateKeyError:
    """The duplicate that comes first in the text: members are visited in document order, a
    member's name before its value."""
    document = json.loads(
        text, parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_Pairs
    )
    # Each frame: the members of an object or array still to visit, the names seen so far
    # (None in an array) and the pointer to it. An explicit stack, so that nesting as deep as
    # the parser took cannot overflow here.
    stack: list[tuple[Iterator[tuple[str, Any]], set[str] | None, str]] = []

    def enter(value: Any, pointer: str) -> None:
        if isinstance(value, _Pairs):
            stack.append((iter(value), set(), pointer))
        elif isinstance(value, list):
            stack.append((((str(i), item) for i, item in enumerate(value)), None, pointer))

    enter(document, "")
    while stack:
        members, seen, pointer = stack[-1]
        member = next(members, None)
        if member is None:
            stack.pop()
            continue
        name, value = member
        here = f"{pointer}/{_escape(name)}"
        if seen is not None:
            if name in seen:
                return DuplicateKeyError(name, here)
            seen.add(name)
        enter(value, here)
    raise AssertionError("the parser found a duplicate name that is not in the text")


def parse_json(data: bytes | str, *, subject: str = "the body") -> Any:
    """Decode JSON from outside as the module docstring says.

    Raises ``NotUtf8Error`` or ``DuplicateKeyError`` (``subject`` names the text in the
    first); ``json.JSONDecodeError`` for syntax and ``ValueError`` for ``NaN``, as the
    standard library does; ``RecursionError`` for nesting deeper than the parser goes.
    """
    if isinstance(data, bytes):
        # One decode on the way through; the bytes are looked at again only to explain why
        # they are refused.
        try:
            text = data.decode("utf-8")
            plain = not text.startswith("\ufeff") and "\x00" not in text
        except UnicodeDecodeError:
            plain = False
        if not plain:
            raise NotUtf8Error(utf8_problem(data, subject) or f"{subject} is not UTF-8")
    else:
        text = data
        if text.startswith("\ufeff"):
            raise NotUtf8Error(_with_bom(subject))
    try:
        return json.loads(
            text, parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_unique
        )
    except _Duplicate:
        raise _first_duplicate(text) from None


@dataclass(frozen=True, slots=True)
class JsonLine:
    """A non-blank line of a JSON Lines file: its 1-based number, its bytes (line end
    included) and the offset just after it."""

    number: int
    data: bytes
    end: int


@dataclass(frozen=True, slots=True)
class LineTooLong:
    """A line over the cap, not kept: its number, its size without the line end, the cap."""

    number: int
    size: int
    limit: int
    end: int

    @property
    def detail(self) -> str:
        return f"line {self.number} is {self.size:,} bytes; the limit is {self.limit:,}"


def _line_end(line: bytes, before: bytes = b"") -> int:
    """The length of the line end (``\\n`` or ``\\r\\n``) ``line`` finishes with; ``before`` is
    the piece of the line read before it."""
    if not line.endswith(b"\n"):
        return 0
    return 2 if (line[-2:-1] or before[-1:]) == b"\r" else 1


def json_lines(handle: BinaryIO, max_line_bytes: int) -> Iterator[JsonLine | LineTooLong]:
    """The non-blank lines of a JSON Lines file, none held longer than ``max_line_bytes``
    (without its line end): a longer one is read past in chunks and reported by its size."""
    offset = 0
    number = 0
    # Room for the line end too, so that a line at the limit is read in one piece.
    while line := handle.readline(max_line_bytes + 2):
        number += 1
        size, end = len(line), _line_end(line)
        if not end and size > max_line_bytes:
            piece = line[-1:]
            line = b""  # not kept while the rest is skipped
            while not end and (rest := handle.readline(_CHUNK)):
                size += len(rest)
                end, piece = _line_end(rest, piece), rest[-1:]
        offset += size
        if size - end > max_line_bytes:
            yield LineTooLong(number, size - end, max_line_bytes, offset)
        elif line.strip():
            yield JsonLine(number, line, offset)
