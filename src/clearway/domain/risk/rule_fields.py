"""What a selectivity rule may test: the catalogue of fields, each with its kind and level, the
types of the facts evaluation reads, and the type rules a comparison must obey.

The catalogue is data: a field is added here, with a one-line description that serves the
analysts' documentation and error messages, and the parser, the type rules and evaluation
pick it up. Declaration fields describe the declaration as a whole; item fields one goods item.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from clearway.domain.risk.rule_syntax import RuleSyntaxError
from clearway.domain.risk.rule_tree import (
    ORDERING,
    Comparison,
    Constant,
    FieldRef,
    ListLiteral,
    NamedList,
    operand_text,
)


class FieldKind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"


class FieldLevel(enum.StrEnum):
    DECLARATION = "declaration"
    ITEM = "item"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: FieldKind
    level: FieldLevel
    description: str


_T, _N, _B = FieldKind.TEXT, FieldKind.NUMBER, FieldKind.BOOLEAN
_D, _I = FieldLevel.DECLARATION, FieldLevel.ITEM

FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("type", _T, _D, "IM for an import, EX for an export"),
        FieldSpec("procedure", _T, _D, "customs procedure code requested, e.g. 4000"),
        FieldSpec("office", _T, _D, "customs office of lodgement"),
        FieldSpec("declarant", _T, _D, "EORI of the declarant, who lodged the declaration"),
        FieldSpec("importer", _T, _D, "EORI of the importer (consignee)"),
        FieldSpec("exporter", _T, _D, "EORI of the exporter (consignor)"),
        FieldSpec("trader", _T, _D, "the importer of an import, the exporter of an export"),
        FieldSpec("dispatch_country", _T, _D, "ISO 3166 alpha-2 country of dispatch"),
        FieldSpec("destination_country", _T, _D, "ISO 3166 alpha-2 country of destination"),
        FieldSpec("transport_mode", _T, _D, "mode of transport at the border, e.g. 1 sea, 4 air"),
        FieldSpec("incoterm", _T, _D, "Incoterms 2020 rule, e.g. FOB"),
        FieldSpec("invoice_currency", _T, _D, "ISO 4217 currency of the invoice"),
        FieldSpec("total_value", _N, _D, "customs value of all items, national currency"),
        FieldSpec("item_count", _N, _D, "number of goods items"),
        FieldSpec("aeo", _B, _D, "the declarant or trader is an authorised economic operator"),
        FieldSpec("new_trader", _B, _D, "the trader has never been seen before"),
        FieldSpec("risk_score", _N, _D, "0 to 1 from the learned model; absent if not scored"),
        FieldSpec("commodity", _T, _I, "10-digit commodity code"),
        FieldSpec("hs6", _T, _I, "the commodity code's first six digits (HS subheading)"),
        FieldSpec("origin", _T, _I, "ISO 3166 alpha-2 country of origin"),
        FieldSpec("preference", _T, _I, "preference code claimed, e.g. 100 none, 300 tariff"),
        FieldSpec("description", _T, _I, "description of the goods as declared"),
        FieldSpec("customs_value", _N, _I, "customs value of the item, national currency"),
        FieldSpec("net_mass", _N, _I, "net mass in kilograms"),
        FieldSpec("unit_value", _N, _I, "customs value per value-control unit"),
        FieldSpec("value_min", _N, _I, "lower bound of the value-control band; absent if none"),
        FieldSpec("value_max", _N, _I, "upper bound of the value-control band; absent if none"),
        FieldSpec("duty", _N, _I, "total duty of the applied duty option, national currency"),
        FieldSpec("supplementary_unit", _N, _I, "quantity in the supplementary unit, if any"),
    )
}

Value = str | Decimal | bool | None
"""A fact: text as ``str``, numbers as ``Decimal`` (``int`` is accepted), ``None`` when absent."""
Facts = Mapping[str, Value]
Lists = Mapping[str, frozenset[str]]
"""Named lists of codes, e.g. ``{"high_risk_footwear": frozenset({"CN", "VN"})}``."""

_PHRASES = {_T: "text", _N: "a number", _B: "true or false"}


def check_comparison(comparison: Comparison, text: str) -> FieldSpec:
    """The spec of the compared field, once the comparison is known to mean something.

    Ordering only between numbers, ``startswith``/``contains`` only on text, booleans only with
    ``==``/``!=``, ``in``/``not in`` only against a list (named lists hold codes, so text), and
    both sides of the same kind. Raises ``RuleSyntaxError`` at the operator or the value.
    """
    spec = FIELDS[comparison.field.name]
    op, operand, at = comparison.operator, comparison.operand, comparison.position
    described = f"{spec.name} is {_PHRASES[spec.kind]}"
    if op in ORDERING and spec.kind is not _N:
        raise RuleSyntaxError(f'"{op}" compares numbers, but {described}', text, at)
    if op in ("startswith", "contains") and spec.kind is not _T:
        raise RuleSyntaxError(f'"{op}" compares text, but {described}', text, at)
    if spec.kind is _B and op not in ("==", "!="):
        raise RuleSyntaxError(f'{described}: compare it with == or !=, not "{op}"', text, at)
    if op not in ("in", "not in"):
        if isinstance(operand, ListLiteral | NamedList):
            reason = f'"{op}" takes one value; use "in" for a list'
            raise RuleSyntaxError(reason, text, operand.position)
        _expect_kind(operand, spec, text)
    elif isinstance(operand, NamedList):
        if spec.kind is not _T:
            raise RuleSyntaxError(f"named lists hold codes (text), but {described}", text, at)
    elif isinstance(operand, ListLiteral):
        for element in operand.elements:
            if isinstance(element, ListLiteral | NamedList):
                raise RuleSyntaxError("a list cannot hold another list", text, element.position)
            _expect_kind(element, spec, text)
    else:
        raise RuleSyntaxError(f'"{op}" needs a list: [..] or list:NAME', text, operand.position)
    return spec


def _expect_kind(operand: FieldRef | Constant, spec: FieldSpec, text: str) -> None:
    if isinstance(operand, FieldRef):
        other = FIELDS[operand.name]
        kind = other.kind
        reason = (
            f"cannot compare {spec.name} ({_PHRASES[spec.kind]}) with "
            f"{other.name} ({_PHRASES[kind]})"
        )
    else:
        value = operand.value
        kind = _B if isinstance(value, bool) else _N if isinstance(value, Decimal) else _T
        reason = (
            f"{spec.name} is {_PHRASES[spec.kind]}, but {operand_text(operand)} is {_PHRASES[kind]}"
        )
    if kind is not spec.kind:
        raise RuleSyntaxError(reason, text, operand.position)
