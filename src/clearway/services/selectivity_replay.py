"""Replaying selectivity rules over past declarations: how often a rule, new or stored, would
have hit, in which lanes those declarations ended, and how many hits an officer found fraud in.

The facts are those the risk stage stored with its current decision on each declaration
(``facts.facts_document``), applied with today's lists; parsing happens once per rule and
decoding once per declaration, so a replay runs at tens of thousands of declarations a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from clearway.domain.errors import RuleRejected
from clearway.domain.risk.facts import facts_from_document
from clearway.domain.risk.lane import SEVERITY, Lane
from clearway.domain.risk.rule_language import (
    FactTypeError,
    ParsedCondition,
    ParsedRule,
    RuleSyntaxError,
    evaluate,
    parse_condition,
    parse_rule,
)
from clearway.services.selectivity_admin import (
    AbstractSelectivityStore,
    ReplayFact,
    StoredRule,
    list_codes,
    require_lists,
    syntax_rejection,
)

SAMPLE_SIZE = 20


@dataclass(frozen=True, slots=True)
class ReplayRules:
    """Apply rules (new ``expressions`` and/or stored ``rule_ids``) to past declarations.

    An expression may be a whole rule (``condition -> lane``) or a condition alone."""

    date_from: date
    date_to: date
    expressions: Sequence[str] = ()
    rule_ids: Sequence[str] = ()
    limit: int = 50_000


@dataclass(slots=True)
class RuleReplay:
    """How one rule would have fared: hits overall, by the lane each declaration took, and
    among declarations an officer examined (``precision``: fraud hits over hits with a
    finding)."""

    expression: str
    lane: Lane | None
    rule_id: str | None = None
    version: int | None = None
    examined: int = 0
    hits: int = 0
    hits_by_lane: dict[str, int] = field(
        default_factory=lambda: {lane.value: 0 for lane in SEVERITY}
    )
    with_finding: int = 0
    fraud_hits: int = 0
    unreadable: int = 0  # declarations whose stored facts the rule could not be applied to
    sample: list[str] = field(default_factory=list)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.examined if self.examined else 0.0

    @property
    def precision(self) -> float | None:
        return self.fraud_hits / self.with_finding if self.with_finding else None


@dataclass(frozen=True, slots=True)
class ReplayReport:
    date_from: date
    date_to: date
    examined: int
    truncated: bool  # more declarations were decided in the range than the limit
    rules: list[RuleReplay]


@dataclass(frozen=True, slots=True)
class _Candidate:
    parsed: ParsedCondition
    exempts_aeo: bool
    result: RuleReplay


def replay_rules(command: ReplayRules, store: AbstractSelectivityStore) -> ReplayReport:
    if not command.expressions and not command.rule_ids:
        raise RuleRejected("give expressions, rule_ids or both")
    if command.date_to < command.date_from:
        raise RuleRejected("date_to is before date_from", "/date_to")
    candidates = [
        _new_candidate(text, f"/expressions/{index}")
        for index, text in enumerate(command.expressions)
    ]
    examined, truncated = 0, False
    with store:
        for index, rule_id in enumerate(command.rule_ids):
            stored = store.rule(rule_id)
            if stored is None:
                raise RuleRejected(f"no rule {rule_id}", f"/rule_ids/{index}")
            candidates.append(_stored_candidate(stored, f"/rule_ids/{index}"))
        lists = list_codes(store)
        for candidate in candidates:
            pointer = "/expressions" if candidate.result.rule_id is None else "/rule_ids"
            require_lists(candidate.parsed, lists, pointer)
        for fact in store.replay_facts(command.date_from, command.date_to, command.limit + 1):
            if examined == command.limit:
                truncated = True
                break
            examined += 1
            declaration, items = facts_from_document(fact.facts)
            for candidate in candidates:
                result = candidate.result
                result.examined += 1
                if candidate.exempts_aeo and fact.aeo:
                    continue
                try:
                    matched = evaluate(candidate.parsed, declaration, items, lists).matched
                except FactTypeError:
                    result.unreadable += 1
                    continue
                if matched:
                    _count_hit(result, fact)
    return ReplayReport(
        command.date_from,
        command.date_to,
        examined,
        truncated,
        [candidate.result for candidate in candidates],
    )


def _count_hit(result: RuleReplay, fact: ReplayFact) -> None:
    result.hits += 1
    result.hits_by_lane[fact.lane] = result.hits_by_lane.get(fact.lane, 0) + 1
    if fact.with_finding:
        result.with_finding += 1
        result.fraud_hits += fact.fraud
    if len(result.sample) < SAMPLE_SIZE:
        result.sample.append(fact.declaration_id)


def _new_candidate(text: str, pointer: str) -> _Candidate:
    parsed: ParsedCondition
    try:
        parsed = parse_condition(text)
    except RuleSyntaxError as error:
        # A whole rule fails as a condition exactly at its arrow: read it as a rule instead.
        if not text.startswith("->", error.position):
            raise syntax_rejection(error, pointer) from error
        try:
            parsed = parse_rule(text)
        except RuleSyntaxError as rule_error:
            raise syntax_rejection(rule_error, pointer) from rule_error
    lane = parsed.lane if isinstance(parsed, ParsedRule) else None
    return _Candidate(parsed, False, RuleReplay(text, lane))


def _stored_candidate(stored: StoredRule, pointer: str) -> _Candidate:
    try:
        parsed = parse_rule(stored.draft.expression)
    except RuleSyntaxError as error:
        raise syntax_rejection(error, pointer) from error
    result = RuleReplay(stored.draft.expression, stored.lane, stored.rule_id, stored.version)
    return _Candidate(parsed, not stored.draft.applies_to_aeo, result)
