"""The tree a selectivity rule parses into, and the canonical text a tree prints back as.

Positions serve error messages only and take no part in equality, so two texts that read the
same (``A AND b`` and ``a and (b)``) give equal trees. ``And`` and ``Or`` are kept flat.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FieldRef:
    name: str
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Constant:
    value: str | Decimal | bool
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ListLiteral:
    elements: tuple[Operand, ...]
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class NamedList:
    name: str
    position: int = dataclasses.field(default=0, compare=False)


Operand = FieldRef | Constant | ListLiteral | NamedList


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldRef
    operator: str
    operand: Operand
    position: int = dataclasses.field(default=0, compare=False)  # of the operator


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]


Condition = Comparison | Not | And | Or

ORDERING = ("<", "<=", ">", ">=")
OPERATORS = ("==", "!=", *ORDERING, "in", "not in", "startswith", "contains")


def condition_text(condition: Condition) -> str:
    """The condition written canonically: single spaces, lower-case keywords, strings
    double-quoted, parentheses where precedence needs them and after every ``not``."""
    if isinstance(condition, Comparison):
        operand = operand_text(condition.operand)
        return f"{condition.field.name} {condition.operator} {operand}"
    if isinstance(condition, Not):
        # Always bracketed: "not origin == x" is unambiguous to the parser, not to a reader.
        return f"not ({condition_text(condition.operand)})"
    if isinstance(condition, And):
        return " and ".join(
            f"({condition_text(part)})" if isinstance(part, Or) else condition_text(part)
            for part in condition.operands
        )
    return " or ".join(condition_text(part) for part in condition.operands)


def operand_text(operand: Operand) -> str:
    if isinstance(operand, FieldRef):
        return operand.name
    if isinstance(operand, NamedList):
        return f"list:{operand.name}"
    if isinstance(operand, ListLiteral):
        return "[" + ", ".join(operand_text(element) for element in operand.elements) + "]"
    value = operand.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")  # str() would write 0.0000001 as 1E-7, which is not a NUMBER
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
