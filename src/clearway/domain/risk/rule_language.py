"""The selectivity rule language's public face: reading a criterion, compiling it into
closures, evaluating it against a declaration's facts, and writing it back as canonical text.

A criterion reads like ``commodity startswith "6403" and origin in list:high_risk_footwear and
unit_value < 4.50 -> red`` (syntax in ``rule_syntax``, fields and type rules in
``rule_fields``). Selectivity criteria in the sense of the
WCO Risk Management Compendium, Vol. 2 (risk indicators and profiles) and the ASYCUDA World
selectivity module.

Semantics:

- A missing fact (absent or ``None``) makes every comparison that touches it false, ``!=`` and
  ``not in`` included: ``origin != "CN"`` does not match a declaration with no origin. To match
  missing values too, negate the positive test: ``not (origin == "CN")``.
- Text compares case-insensitively (both sides casefolded) for every operator.
- A criterion naming only declaration fields matches the declaration as a whole. One naming any
  item field matches when a single item satisfies the whole condition, read with that item's
  facts over the declaration's (so an origin given once in the header applies to every item);
  every such item is reported.
- ``list:NAME`` names a set of codes supplied at evaluation; a name not supplied raises
  ``UnknownList`` before anything is evaluated (``missing_lists`` checks ahead of going live).

The tree is compiled once, when the rule is parsed, into nested closures, so evaluating does no
dispatch on operator or field names.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clearway.domain.risk.lane import Lane
from clearway.domain.risk.rule_fields import (
    FIELDS,
    Facts,
    FieldKind,
    FieldLevel,
    FieldSpec,
    Lists,
    Value,
    check_comparison,
)
from clearway.domain.risk.rule_syntax import (
    RuleLanguageError,
    RuleSyntaxError,
    parse_condition_tree,
    parse_rule_tree,
)
from clearway.domain.risk.rule_tree import (
    And,
    Comparison,
    Condition,
    Constant,
    FieldRef,
    ListLiteral,
    NamedList,
    Not,
    Operand,
    condition_text,
)

__all__ = [
    "FIELDS",
    "FactTypeError",
    "Facts",
    "FieldKind",
    "FieldLevel",
    "FieldSpec",
    "Lists",
    "ParsedCondition",
    "ParsedRule",
    "RuleEvaluationError",
    "RuleLanguageError",
    "RuleOutcome",
    "RuleSyntaxError",
    "UnknownList",
    "Value",
    "describe",
    "evaluate",
    "missing_lists",
    "parse_condition",
    "parse_rule",
]


Test = Callable[[Facts, Facts, Lists], bool]
"""A compiled condition: (declaration facts, one item's facts, casefolded lists) → matched."""


class RuleEvaluationError(RuleLanguageError):
    """A well-formed rule that cannot be applied to the facts or lists it was given."""


class UnknownList(RuleEvaluationError, LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f'the rule names list:{name}, but no list "{name}" was supplied')
        self.name = name


class FactTypeError(RuleEvaluationError, TypeError):
    """A fact of the wrong Python type for its field: a bug in whoever gathered the facts."""


@dataclass(frozen=True, slots=True)
class ParsedCondition:
    condition: Condition
    fields: frozenset[str]
    lists: frozenset[str]
    item_level: bool
    test: Test = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ParsedRule(ParsedCondition):
    lane: Lane


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    matched: bool
    matched_items: tuple[int, ...] = ()  # item sequence numbers; empty for a declaration rule


def parse_rule(text: str) -> ParsedRule:
    """Read and type-check ``condition -> lane``; raises ``RuleSyntaxError``."""
    condition, lane = parse_rule_tree(text, FIELDS)
    parsed = _Compiler(text).parsed(condition)
    return ParsedRule(
        parsed.condition, parsed.fields, parsed.lists, parsed.item_level, parsed.test, lane
    )


def parse_condition(text: str) -> ParsedCondition:
    """Read and type-check a condition without a lane (replay, what-if); raises
    ``RuleSyntaxError``."""
    return _Compiler(text).parsed(parse_condition_tree(text, FIELDS))


def describe(rule: ParsedCondition) -> str:
    """The rule's canonical text; ``parse_rule(describe(rule)) == rule``."""
    text = condition_text(rule.condition)
    return f"{text} -> {rule.lane}" if isinstance(rule, ParsedRule) else text


def missing_lists(rule: ParsedCondition, lists: Lists) -> frozenset[str]:
    """Names of lists the rule needs that ``lists`` does not supply."""
    return frozenset(name for name in rule.lists if name not in lists)


def evaluate(
    rule: ParsedCondition, declaration: Facts, items: Sequence[Facts], lists: Lists
) -> RuleOutcome:
    """Whether the rule matches the declaration and, for an item rule, which items do.

    Raises ``UnknownList`` for a named list not in ``lists`` and ``FactTypeError`` for a fact of
    the wrong type (text must be ``str``, numbers ``Decimal`` or ``int``, booleans ``bool``).
    """
    folded: dict[str, frozenset[str]] = {}
    for name in rule.lists:
        if name not in lists:
            raise UnknownList(name)
        folded[name] = _casefolded(lists[name])
    test = rule.test
    if not rule.item_level:
        return RuleOutcome(test(declaration, _NO_ITEM, folded))
    matched = tuple(
        _sequence(item, position)
        for position, item in enumerate(items, start=1)
        if test(declaration, item, folded)
    )
    return RuleOutcome(bool(matched), matched)


_NO_ITEM: Facts = {}


@functools.lru_cache(maxsize=256)
def _casefolded(codes: frozenset[str]) -> frozenset[str]:
    # Cached by the set itself: the same reference lists serve every evaluation.
    return frozenset(code.casefold() for code in codes)


def _sequence(item: Facts, position: int) -> int:
    number = item.get("sequence")
    # An item without a sequence number is reported by its 1-based place in the declaration.
    return position if number is None or isinstance(number, bool) else int(number)


# --- compilation ---------------------------------------------------------------------------------

_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, members: value in members,
    "not in": lambda value, members: value not in members,
    "startswith": lambda value, prefix: value.startswith(prefix),
    "contains": operator.contains,
}
_Getter = Callable[[Facts, Facts], Any]
"""Reads one field from (declaration, item): the value normalised (text casefolded) or None."""


class _Compiler:
    def __init__(self, text: str) -> None:
        self.text = text
        self.fields: set[str] = set()
        self.lists: set[str] = set()

    def parsed(self, condition: Condition) -> ParsedCondition:
        test = self.compile(condition)
        item_level = any(FIELDS[name].level is FieldLevel.ITEM for name in self.fields)
        return ParsedCondition(
            condition, frozenset(self.fields), frozenset(self.lists), item_level, test
        )

    def compile(self, condition: Condition) -> Test:
        if isinstance(condition, Comparison):
            return self.comparison(condition)
        if isinstance(condition, Not):
            inner = self.compile(condition.operand)
            return lambda declaration, item, lists: not inner(declaration, item, lists)
        parts = tuple(self.compile(part) for part in condition.operands)
        if isinstance(condition, And):

            def every(declaration: Facts, item: Facts, lists: Lists) -> bool:
                return all(part(declaration, item, lists) for part in parts)

            return every

        def some(declaration: Facts, item: Facts, lists: Lists) -> bool:
            return any(part(declaration, item, lists) for part in parts)

        return some

    def comparison(self, comparison: Comparison) -> Test:
        check_comparison(comparison, self.text)
        read = self.getter(comparison.field)
        relation = _RELATIONS[comparison.operator]
        operand = comparison.operand
        if _is_constant(operand):
            constant = _normalised_constant(operand)

            def against_constant(declaration: Facts, item: Facts, lists: Lists) -> bool:
                value = read(declaration, item)
                return value is not None and relation(value, constant)

            return against_constant
        other = self.operand(operand)

        def against_facts(declaration: Facts, item: Facts, lists: Lists) -> bool:
            value = read(declaration, item)
            if value is None:
                return False
            compared = other(declaration, item, lists)
            return compared is not None and relation(value, compared)

        return against_facts

    def operand(self, operand: Operand) -> Callable[[Facts, Facts, Lists], Any]:
        if isinstance(operand, FieldRef):
            read = self.getter(operand)
            return lambda declaration, item, lists: read(declaration, item)
        if isinstance(operand, NamedList):
            self.lists.add(operand.name)
            name = operand.name
            return lambda declaration, item, lists: lists[name]
        assert isinstance(operand, ListLiteral)  # constants were taken before
        known = frozenset(
            _normalised_constant(element) for element in operand.elements if _is_constant(element)
        )
        readers = tuple(
            self.getter(element) for element in operand.elements if isinstance(element, FieldRef)
        )

        def members(declaration: Facts, item: Facts, lists: Lists) -> frozenset[Any]:
            found = (read(declaration, item) for read in readers)
            return known | {value for value in found if value is not None}

        return members

    def getter(self, reference: FieldRef) -> _Getter:
        spec = FIELDS[reference.name]
        self.fields.add(spec.name)
        name, normalise = spec.name, _NORMALISERS[spec.kind]
        if spec.level is FieldLevel.DECLARATION:

            def from_declaration(declaration: Facts, item: Facts) -> Any:
                value = declaration.get(name)
                return None if value is None else normalise(name, value)

            return from_declaration

        def from_item(declaration: Facts, item: Facts) -> Any:
            value = item[name] if name in item else declaration.get(name)
            return None if value is None else normalise(name, value)

        return from_item


def _is_constant(operand: Operand) -> bool:
    if isinstance(operand, ListLiteral):
        return all(isinstance(element, Constant) for element in operand.elements)
    return isinstance(operand, Constant)


def _normalised_constant(operand: Operand) -> Any:
    if isinstance(operand, ListLiteral):
        return frozenset(_normalised_constant(element) for element in operand.elements)
    assert isinstance(operand, Constant)
    value = operand.value
    return value.casefold() if isinstance(value, str) else value


def _text(name: str, value: object) -> str:
    if isinstance(value, str):
        return value.casefold()
    raise FactTypeError(f"{name} should be text, got {value!r}")


def _number(name: str, value: object) -> Decimal | int:
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise FactTypeError(f"{name} should be a Decimal, got {value!r}")


def _boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise FactTypeError(f"{name} should be true or false, got {value!r}")


_NORMALISERS: dict[FieldKind, Callable[[str, object], Any]] = {
    FieldKind.TEXT: _text,
    FieldKind.NUMBER: _number,
    FieldKind.BOOLEAN: _boolean,
}
