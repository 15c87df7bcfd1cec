"""The rule object, its registry and the function that runs them all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from clearway.domain.declaration import Declaration
from clearway.domain.reference import ReferenceData


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem: which rule, where (RFC 6901 JSON pointer into the payload), and why."""

    code: str
    pointer: str
    message: str


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What rules need besides the declaration: code lists, the administration, the date."""

    reference: ReferenceData
    country: str
    national_currency: str
    today: date
    import_basis: str = "CIF"


Check = Callable[[Declaration, RuleContext], Iterator[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str
    basis: str
    check: Check

    def run(self, declaration: Declaration, context: RuleContext) -> list[Violation]:
        return [
            Violation(self.code, pointer, message)
            for pointer, message in self.check(declaration, context)
        ]


RULES: dict[str, Rule] = {}


def rule(code: str, title: str, *, basis: str) -> Callable[[Check], Check]:
    """Register a check as a rule. The check yields ``(pointer, message)`` pairs."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule {code} is registered twice")
        RULES[code] = Rule(code, title, basis, check)
        return check

    return register


def validate(declaration: Declaration, context: RuleContext) -> list[Violation]:
    """Every violation of every rule, in rule-code order."""
    # The hot path of bulk lodging: call the checks directly, build objects only for findings.
    return [
        Violation(code, pointer, message)
        for code, check in _in_order()
        for pointer, message in check(declaration, context)
    ]


def _in_order() -> list[tuple[str, Check]]:
    if len(_ORDERED) != len(RULES):
        _ORDERED[:] = [(code, RULES[code].check) for code in sorted(RULES)]
    return _ORDERED


_ORDERED: list[tuple[str, Check]] = []
