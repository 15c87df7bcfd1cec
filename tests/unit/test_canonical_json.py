"""The ledger's canonical JSON writer against the ``rfc8785`` library and RFC 8785's own
examples: the same bytes for every JSON value, and the same refusal for what the scheme has no
form for."""

from __future__ import annotations

import enum
import math
import struct
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clearway.services.ledger.canonical import canonical_json, number_text

SAFE = 2**53 - 1

EDGE_FLOATS = [
    0.0,
    -0.0,
    1e21,
    -1e21,
    1e-7,
    1e-6,
    9.999999999999999e20,
    1e20,
    1e16,
    1e15,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    2.225073858507201e-308,
    1.7976931348623157e308,
    float(2**53),
    float(2**53 + 2),
    123456789012345680000.0,
    0.1,
    1 / 3,
    1.5e-5,
    100.0,
]

FLOATS = (
    st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-2.3e-308, max_value=2.3e-308)  # subnormals and their neighbours
    | st.floats(min_value=1e15, max_value=1e22)  # where the exponent form starts
    | st.floats(min_value=1e-8, max_value=1e-3)  # and where it stops, below 1
    | st.sampled_from(EDGE_FLOATS)
)
INTEGERS = st.integers(min_value=-SAFE, max_value=SAFE) | st.sampled_from([SAFE, -SAFE, 0, -1])
# Member names and text with control characters, quotes, the top of the Basic Multilingual
# Plane (U+E000 to U+FFFF) and characters beyond it, where UTF-16 order differs from code points.
CHARACTERS = st.characters(min_codepoint=0, max_codepoint=0x10FFFF) | st.sampled_from(
    ["\x00", "\x1f", "\x7f", '"', "\\", "/", "\u2028", "\ue000", "\uffff", "\U00010000", "😀"]
)
TEXT = st.text(CHARACTERS, max_size=8)

JSON = st.recursive(
    st.none() | st.booleans() | INTEGERS | FLOATS | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=30,
)


def assert_same_as_rfc8785(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception as error:
        with pytest.raises(type(error)) as refused:
            canonical_json(value)
        assert type(refused.value) is type(error)
        assert str(refused.value) == str(error)
        return
    assert canonical_json(value) == expected


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
@example({"\ue000": 1, "\U0001f600": {"\uffff": 0.5, "\U00010000": [-0.0]}})
@example([1e21, 1e-7, 5e-324, 9007199254740991, -9007199254740991, "\U0001f600\x00"])
def test_writes_what_rfc8785_writes_byte_for_byte(value: Any) -> None:
    assert_same_as_rfc8785(value)


REFUSED = st.sampled_from(
    [
        math.nan,
        math.inf,
        -math.inf,
        SAFE + 1,
        -SAFE - 1,
        2**64,
        Decimal("1.50"),
        datetime(2026, 11, 23, tzinfo=UTC),
        b"bytes",
        "\ud800",
        {1: "a member named by a number"},
        {"\udc00": "a member named by a lone surrogate"},
        {"\U0001f600": 1, "\udfff": 2},
        {(1, 2): "a tuple"},
    ]
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | INTEGERS | FLOATS | TEXT | REFUSED,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_refuses_what_rfc8785_refuses_with_its_error(value: Any) -> None:
    # With several refusals in one value, the first in canonical order is the one raised.
    assert_same_as_rfc8785(value)


def test_nan_and_the_infinities_have_no_form() -> None:
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(rfc8785.FloatDomainError, match="is not representable in JCS"):
            canonical_json({"score": value})
    with pytest.raises(rfc8785.IntegerDomainError, match="exceeds safe integer domain"):
        canonical_json({"sequence": 2**53})
    with pytest.raises(rfc8785.CanonicalizationError, match="unsupported type"):
        canonical_json({"duty": Decimal("12.50")})


def _double(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


# RFC 8785 Appendix B: IEEE 754 doubles (as hex) and the text the scheme gives each.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_numbers_as_rfc8785_appendix_b_writes_them(bits: str, text: str) -> None:
    assert number_text(_double(bits)) == text
    assert canonical_json([_double(bits)]) == f"[{text}]".encode()


def test_rfc8785_section_3_2_2_example() -> None:
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    assert (
        canonical_json(value)
        == (
            '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
        ).encode()
    )


def test_members_sort_by_utf16_code_units_as_in_rfc8785_section_3_2_3() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    written = canonical_json(value).decode()
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 (by code point, after).
    names = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    positions = [written.index(f'"{name}"' if name != "\r" else '"\\r"') for name in names]
    assert positions == sorted(positions)


class Lane(enum.StrEnum):
    GREEN = "green"


class Version(enum.IntEnum):
    SECOND = 2


def test_subclasses_of_the_json_types_are_written_by_their_value() -> None:
    value: Any = OrderedDict(
        [("lane", Lane.GREEN), ("version", Version.SECOND), (Lane.GREEN, (1.5, True))]
    )
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value) == b'{"green":[1.5,true],"lane":"green","version":2}'
