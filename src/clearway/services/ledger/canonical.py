"""RFC 8785 (JSON Canonicalization Scheme) bytes of a JSON value, as the ledger hashes them.

``canonical_json(value)`` is byte for byte what ``rfc8785.dumps(value)`` writes, and refuses
what it refuses with the same exception: ``rfc8785.FloatDomainError`` for NaN and the
infinities, ``rfc8785.IntegerDomainError`` for an integer beyond ±(2^53 - 1), and
``rfc8785.CanonicalizationError`` for a member name that is not a string, a string that is not
Unicode text (a lone surrogate) or a value that is not JSON (a ``Decimal``, a date …). Where a
value holds several of these, the first in canonical order is the one raised, as ``rfc8785``
does.

orjson writes the bytes; this module gives it only what it writes as RFC 8785 does (objects,
arrays, strings, integers, booleans, null), each number that is not an integer already in its
RFC 8785 form (ECMAScript ``Number.prototype.toString``, RFC 8785 §3.2.2.3) and each object
whose member names reach beyond the Basic Multilingual Plane already in RFC 8785 member order
(by UTF-16 code units, §3.2.3, which for such names differs from the code-point order orjson
sorts by). A property test checks the result against ``rfc8785`` itself.
"""

from __future__ import annotations

from typing import Any

import orjson
from rfc8785 import CanonicalizationError, FloatDomainError, IntegerDomainError

__all__ = [
    "CanonicalizationError",
    "FloatDomainError",
    "IntegerDomainError",
    "canonical_json",
    "number_text",
]

_SAFE_INTEGER = 2**53 - 1
_INFINITY = float("inf")
_SORT_KEYS = orjson.OPT_SORT_KEYS


class _Refused(Exception):
    """The value holds something RFC 8785 refuses; the canonical-order pass names it."""


def canonical_json(value: Any) -> bytes:
    """``value`` in RFC 8785 canonical form, exactly as ``rfc8785.dumps`` writes it."""
    try:
        return orjson.dumps(_prepared(value), option=_SORT_KEYS)
    except _Refused:
        _raise_first_refusal(value)
        raise AssertionError("a refused value passed the canonical-order check") from None


def number_text(value: float) -> str:
    """A float as RFC 8785 writes it (§3.2.2.3: ECMAScript's shortest round-trip form).

    Integral values below 10^21 are written as integers (``1e+16`` → ``10000000000000000``),
    magnitudes from 10^-6 up without an exponent (``0.000001``), others with a signed exponent
    (``1e+21``, ``1e-7``); negative zero is ``0``. NaN and the infinities have no JSON form.
    """
    if value != value or value == _INFINITY or value == -_INFINITY:
        raise FloatDomainError(value)
    if value == 0:
        return "0"
    # Python's repr is the shortest string that reads back as the same double, as ECMAScript's
    # is; only the layout differs (repr uses an exponent below 1e-4 and from 1e16).
    text = float.__repr__(value)
    mantissa, has_exponent, exponent = text.partition("e")
    if not has_exponent:
        return text[:-2] if text.endswith(".0") else text
    sign = ""
    if mantissa.startswith("-"):
        sign, mantissa = "-", mantissa[1:]
    power = int(exponent)
    if 0 < power < 21:
        digits = mantissa.replace(".", "")
        return sign + digits + "0" * (power + 1 - len(digits))
    if -7 < power < 0:
        return sign + "0." + "0" * (-power - 1) + mantissa.replace(".", "")
    return f"{sign}{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _prepared(value: Any) -> Any:
    """``value`` as orjson is to write it: floats and objects with names beyond the Basic
    Multilingual Plane as pre-written fragments, the rest as the plain built-in types."""
    kind = type(value)
    if kind is str:
        if not value.isascii():
            _check_text(value)
        return value
    if kind is dict:
        prepared = {}
        for name, item in value.items():
            if type(name) is not str:
                if not isinstance(name, str):
                    raise _Refused
                return _prepared(_plain_names(value))
            if not name.isascii():
                _check_text(name)
                if max(name) > "\uffff":
                    return orjson.Fragment(_utf16_ordered_object(value))
            # Strings, integers, booleans and null are most of an event: kept without a call.
            kind = type(item)
            kept = (
                (kind is str and item.isascii())
                or item is None
                or kind is bool
                or (kind is int and -_SAFE_INTEGER <= item <= _SAFE_INTEGER)
            )
            prepared[name] = item if kept else _prepared(item)
        return prepared
    if kind is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        raise _Refused
    if kind is float:
        return orjson.Fragment(_number_fragment(value))
    if value is None or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [_prepared(item) for item in value]
    return _prepared_subclass(value)


def _prepared_subclass(value: Any) -> Any:
    """Subclasses of the JSON types (a ``str`` enum, an ``OrderedDict``) as ``rfc8785`` reads
    them: by their value as the base type."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _prepared(int(value))
    if isinstance(value, float):
        return _prepared(float(value))
    if isinstance(value, str):
        return _prepared(str.__str__(value))
    if isinstance(value, list | tuple):
        return [_prepared(item) for item in value]
    if isinstance(value, dict):
        return _prepared(dict(value))
    raise _Refused


def _number_fragment(value: float) -> bytes:
    try:
        return number_text(value).encode()
    except FloatDomainError:
        raise _Refused from None


def _check_text(text: str) -> None:
    try:
        text.encode()
    except UnicodeEncodeError:
        raise _Refused from None


def _plain_names(value: dict[Any, Any]) -> dict[str, Any]:
    """The object with member names of ``str`` subclasses as plain strings."""
    if not all(isinstance(name, str) for name in value):
        raise _Refused
    return {str.__str__(name): item for name, item in value.items()}


def _utf16_ordered_object(value: dict[str, Any]) -> bytes:
    try:
        names = sorted(value, key=_utf16_order)
    except UnicodeEncodeError:
        raise _Refused from None
    members = [
        orjson.dumps(name) + b":" + orjson.dumps(_prepared(value[name]), option=_SORT_KEYS)
        for name in names
    ]
    return b"{" + b",".join(members) + b"}"


def _utf16_order(name: str) -> bytes:
    """RFC 8785 §3.2.3 sorts member names by their UTF-16 code units (big-endian bytes
    compare the same way); a lone surrogate is not text and is refused here."""
    return name.encode("utf-16-be")


def _raise_first_refusal(value: Any) -> None:
    """Raise what ``rfc8785`` raises for ``value``: its first refusal in canonical order."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -_SAFE_INTEGER <= int(value) <= _SAFE_INTEGER:
            raise IntegerDomainError(int(value))
    elif isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError as error:
            raise CanonicalizationError("input contains non-UTF-8 codepoints") from error
    elif isinstance(value, float):
        number_text(float(value))
    elif isinstance(value, list | tuple):
        for item in value:
            _raise_first_refusal(item)
    elif isinstance(value, dict):
        ordered = []
        for name in value:
            if not isinstance(name, str):
                raise CanonicalizationError("object keys must be strings")
            # As in rfc8785, a lone surrogate in a name fails the sort itself.
            ordered.append((_utf16_order(name), name))
        ordered.sort(key=lambda pair: pair[0])
        for _, name in ordered:
            _raise_first_refusal(value[name])
    else:
        raise CanonicalizationError(f"unsupported type: {type(value)}")
