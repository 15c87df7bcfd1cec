"""The parser for JSON from outside and the bounded JSON Lines reader, at their edges."""

from __future__ import annotations

import codecs
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from clearway.adapters.json_input import (
    DuplicateKeyError,
    JsonLine,
    LineTooLong,
    NotUtf8Error,
    file_utf8_problem,
    json_lines,
    parse_json,
    utf8_problem,
)


def test_numbers_stay_exact_and_nan_is_refused() -> None:
    assert parse_json(b'{"amount": 18400.10, "count": 3}') == {
        "amount": Decimal("18400.10"),
        "count": 3,
    }
    with pytest.raises(ValueError, match="NaN is not a JSON number"):
        parse_json(b'{"amount": NaN}')


@pytest.mark.parametrize(
    ("text", "key", "pointer"),
    [
        ('{"a": 1, "a": 2}', "a", "/a"),
        ('{"x": {"b": [1, {"c": 1, "c": 2}]}}', "c", "/x/b/1/c"),
        # RFC 6901 escapes: "~" is "~0", "/" is "~1".
        ('{"a/b~c": 1, "a/b~c": 2}', "a/b~c", "/a~1b~0c"),
        # The same name once escaped, once not, is the same name.
        ('{"l\\u0072n": "A", "lrn": "B"}', "lrn", "/lrn"),
        ('[{"ok": 1}, {"ok": 1, "ok": 2}]', "ok", "/1/ok"),
        ('{"": 1, "": 2}', "", "/"),
    ],
)
def test_a_duplicate_key_is_named_with_its_pointer(text: str, key: str, pointer: str) -> None:
    with pytest.raises(DuplicateKeyError) as raised:
        parse_json(text.encode())
    assert (raised.value.key, raised.value.pointer) == (key, pointer)
    assert raised.value.detail == f"duplicate key {json.dumps(key)} at {pointer}"


def test_the_duplicate_named_is_the_first_in_the_text() -> None:
    # The parser meets the inner object's end first; the outer "z" repeats earlier in the text.
    text = b'{"z": 1, "z": 2, "inner": {"y": 1, "y": 2}}'
    with pytest.raises(DuplicateKeyError, match='"z" at /z'):
        parse_json(text)
    text = b'{"inner": {"y": 1, "y": 2}, "z": 1, "z": 2}'
    with pytest.raises(DuplicateKeyError, match='"y" at /inner/y'):
        parse_json(text)


def test_a_duplicate_deep_down_is_found_without_recursion() -> None:
    depth = 900
    text = '{"a": ' * depth + '{"k": 1, "k": 2}' + "}" * depth
    with pytest.raises(DuplicateKeyError) as raised:
        parse_json(text.encode())
    assert raised.value.pointer == "/a" * depth + "/k"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ('{"a": 1}'.encode("utf-16"), "the body is not UTF-8 (byte 0xff at offset 0)"),
        (
            '{"a": 1}'.encode("utf-16-be"),
            "the body is not UTF-8 (byte 0x00 at offset 0; it looks like UTF-16 or UTF-32)",
        ),
        ('{"a": "é"}'.encode("latin-1"), "the body is not UTF-8 (byte 0xe9 at offset 7)"),
        (b'{"a": "\xe2\x82"}', "the body is not UTF-8 (byte 0xe2 at offset 7)"),
        (
            codecs.BOM_UTF8 + b"{}",
            "the body starts with a UTF-8 byte order mark; send UTF-8 without one",
        ),
    ],
    ids=["utf-16-bom", "utf-16-be", "latin-1", "cut-sequence", "utf-8-bom"],
)
def test_text_that_is_not_plain_utf8_is_refused_naming_the_byte(data: bytes, detail: str) -> None:
    with pytest.raises(NotUtf8Error) as raised:
        parse_json(data)
    assert raised.value.detail == detail
    assert utf8_problem(data) == detail


def test_a_file_is_checked_a_chunk_at_a_time_across_chunk_ends(tmp_path: Path) -> None:
    path = tmp_path / "flow.jsonl"
    mib = 1024 * 1024
    # "é" cut by the first chunk's end is fine; a stray byte after it is not.
    path.write_bytes(b"a" * (mib - 1) + "é".encode() + b"ok\n")
    assert file_utf8_problem(path, "flow.jsonl") is None
    path.write_bytes(b"a" * (mib - 1) + b"\xc3" + b"(")
    assert file_utf8_problem(path, "flow.jsonl") == (
        f"flow.jsonl is not UTF-8 (byte 0xc3 at offset {mib - 1:,})"
    )
    path.write_bytes(b"a" * (mib + 5) + b"\x00")
    assert file_utf8_problem(path, "flow.jsonl") == (
        f"flow.jsonl is not UTF-8 (byte 0x00 at offset {mib + 5:,}; it looks like UTF-16 or UTF-32)"
    )
    path.write_bytes(b"ok\n" + b"\xe2\x82")  # cut short at the end of the file
    assert (
        file_utf8_problem(path, "flow.jsonl") == "flow.jsonl is not UTF-8 (byte 0xe2 at offset 3)"
    )


def test_json_lines_at_the_limit_are_read_and_over_it_are_skipped_by_size() -> None:
    limit = 10
    data = (
        b"0123456789\n"  # 1: at the limit
        b"\n"  # 2: blank, skipped
        b"0123456789A\n"  # 3: one over
        b"0123456789\r\n"  # 4: at the limit, CRLF
        b"0123456789A\r\n" + b"x" * 100 + b"\n"  # 5: one over, CRLF  # 6: far over
        b"last, no newline"  # 7: over, at the end of the file
    )
    lines = list(json_lines(io.BytesIO(data), limit))
    assert lines == [
        JsonLine(1, b"0123456789\n", 11),
        LineTooLong(3, 11, limit, 24),
        JsonLine(4, b"0123456789\r\n", 36),
        LineTooLong(5, 11, limit, 49),
        LineTooLong(6, 100, limit, 150),
        LineTooLong(7, 16, limit, 166),
    ]
    assert lines[-1].detail == "line 7 is 16 bytes; the limit is 10"
