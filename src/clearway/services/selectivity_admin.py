"""What risk analysts do to the selectivity criteria: write, revise and retire rules, and keep
the named lists, value-control bands and lane targets (replaying rules is ``selectivity_replay``).

Everything is checked before anything is written (the rule reads, every ``list:NAME`` exists,
dates are in order, owner and reason are given), and each command is one transaction: a refused
or failed command leaves nothing behind. Rules are never edited in place: a revision or a
retirement is a new version, the old one kept as it was (WCO Risk Management Compendium, Vol. 2:
risk profiles are documented, reviewed and their history kept).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from clearway.domain.errors import Conflict, NotFound, RuleRejected
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets
from clearway.domain.risk.rule_language import (
    Lists,
    ParsedCondition,
    ParsedRule,
    RuleSyntaxError,
    missing_lists,
    parse_rule,
)
from clearway.domain.risk.selectivity import SelectivityRule, ValueBand
from clearway.services.ports import AbstractTransaction

# --- what is stored -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule as an analyst writes it: ``expression`` is ``condition -> lane``."""

    expression: str
    owner: str
    reason: str
    valid_from: date
    valid_to: date | None = None
    applies_to_aeo: bool = True


@dataclass(frozen=True, slots=True)
class StoredRule:
    """One stored version of a rule, with who wrote it and when."""

    rule_id: str
    version: int
    draft: RuleDraft
    lane: Lane
    current: bool
    created_by: str
    created_at: datetime

    def retired(self, today: date) -> bool:
        """Out of force for good: its last day has passed."""
        return self.draft.valid_to is not None and self.draft.valid_to < today

    def selectivity_rule(self) -> SelectivityRule:
        draft = self.draft
        return SelectivityRule(
            self.rule_id,
            self.version,
            draft.expression,
            draft.owner,
            draft.reason,
            draft.valid_from,
            draft.valid_to,
            draft.applies_to_aeo,
        )


@dataclass(frozen=True, slots=True)
class RiskList:
    name: str
    description: str
    codes: frozenset[str]
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReplayFact:
    """A past declaration as the risk stage saw it: its stored facts, the lane it took, and
    whether an officer's finding on it exists (and says fraud)."""

    declaration_id: str
    lane: str
    aeo: bool
    facts: Mapping[str, Any]
    with_finding: bool
    fraud: bool


class AbstractSelectivityStore(AbstractTransaction):
    """Selectivity settings storage; ``with store:`` is one transaction, committed on success."""

    @abc.abstractmethod
    def rules(self) -> list[StoredRule]:
        """The current version of every rule."""

    @abc.abstractmethod
    def rule(self, rule_id: str) -> StoredRule | None:
        """The current version of one rule."""

    @abc.abstractmethod
    def rule_versions(self, rule_id: str) -> list[StoredRule]:
        """Every version of a rule, oldest first."""

    @abc.abstractmethod
    def add_rule(
        self, draft: RuleDraft, lane: Lane, rule_id: str | None, actor: str, at: datetime
    ) -> StoredRule:
        """Version 1 of a new rule, under ``rule_id`` or the next free ``R0001``-style id."""

    @abc.abstractmethod
    def add_version(
        self, rule_id: str, draft: RuleDraft, lane: Lane, actor: str, at: datetime
    ) -> StoredRule:
        """Version n+1 of a rule, made current; version n stays as it was."""

    @abc.abstractmethod
    def lists(self) -> dict[str, RiskList]: ...

    @abc.abstractmethod
    def put_list(self, risk_list: RiskList) -> bool:
        """Store a list, replacing one of the same name; True when it is new."""

    @abc.abstractmethod
    def delete_list(self, name: str) -> bool: ...

    @abc.abstractmethod
    def bands(self) -> list[ValueBand]: ...

    @abc.abstractmethod
    def put_bands(self, bands: Sequence[ValueBand], actor: str, at: datetime) -> None:
        """Replace every value-control band with ``bands``."""

    @abc.abstractmethod
    def targets(self) -> LaneTargets: ...

    @abc.abstractmethod
    def put_targets(self, targets: LaneTargets, actor: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def replay_facts(self, date_from: date, date_to: date, limit: int) -> Iterator[ReplayFact]:
        """The current decision of each declaration decided in the range, newest first."""


# --- commands and handlers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddRule:
    draft: RuleDraft
    actor: str
    rule_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReviseRule:
    rule_id: str
    draft: RuleDraft
    actor: str


@dataclass(frozen=True, slots=True)
class RetireRule:
    """Take a rule out of force from ``retire_from`` on: its last day is the day before."""

    rule_id: str
    retire_from: date
    actor: str


@dataclass(frozen=True, slots=True)
class PutList:
    name: str
    description: str
    codes: Sequence[str]
    actor: str


@dataclass(frozen=True, slots=True)
class DeleteList:
    name: str
    today: date


@dataclass(frozen=True, slots=True)
class PutValueBands:
    bands: Sequence[ValueBand]
    actor: str
    known_units: frozenset[str] = frozenset({"KGM"})


@dataclass(frozen=True, slots=True)
class LaneRates:
    lane: Lane
    expected_rate: float
    random_rate: float
    aeo_expected_rate: float | None = None
    aeo_random_rate: float | None = None


@dataclass(frozen=True, slots=True)
class PutLaneTargets:
    targets: Sequence[LaneRates]
    actor: str


def add_rule(command: AddRule, store: AbstractSelectivityStore, now: datetime) -> StoredRule:
    parsed = checked_draft(command.draft)
    with store:
        require_lists(parsed, list_codes(store), "/expression")
        if command.rule_id is not None and store.rule(command.rule_id) is not None:
            raise Conflict(f"rule {command.rule_id} exists; revise it instead")
        return store.add_rule(command.draft, parsed.lane, command.rule_id, command.actor, now)


def revise_rule(command: ReviseRule, store: AbstractSelectivityStore, now: datetime) -> StoredRule:
    parsed = checked_draft(command.draft)
    with store:
        _current(store, command.rule_id)
        require_lists(parsed, list_codes(store), "/expression")
        return store.add_version(command.rule_id, command.draft, parsed.lane, command.actor, now)


def retire_rule(command: RetireRule, store: AbstractSelectivityStore, now: datetime) -> StoredRule:
    """A new version whose ``valid_to`` is the day before ``retire_from``; a rule retired on or
    before its first day never comes into force."""
    last_day = command.retire_from - timedelta(days=1)
    with store:
        current = _current(store, command.rule_id)
        valid_to = current.draft.valid_to
        if valid_to is not None and valid_to <= last_day:
            raise Conflict(
                f"rule {command.rule_id} is already out of force after {valid_to.isoformat()}"
            )
        draft = replace(current.draft, valid_to=last_day)
        return store.add_version(command.rule_id, draft, current.lane, command.actor, now)


def put_list(
    command: PutList, store: AbstractSelectivityStore, now: datetime
) -> tuple[RiskList, bool]:
    """Replace a list's codes (upper-cased, stripped, blanks dropped); True when it is new."""
    codes = frozenset(code.strip().upper() for code in command.codes if code.strip())
    risk_list = RiskList(command.name, command.description.strip(), codes, command.actor, now)
    with store:
        return risk_list, store.put_list(risk_list)


def delete_list(command: DeleteList, store: AbstractSelectivityStore) -> None:
    """Refused while a rule not yet retired names the list."""
    with store:
        users = sorted(
            rule.rule_id
            for rule in store.rules()
            if not rule.retired(command.today) and _names_list(rule, command.name)
        )
        if users:
            raise Conflict(f"list {command.name} is used by rule(s) {', '.join(users)}")
        if not store.delete_list(command.name):
            raise NotFound(f"no list {command.name}")


def put_value_bands(
    command: PutValueBands, store: AbstractSelectivityStore, now: datetime
) -> list[ValueBand]:
    """Replace every band; one band per commodity prefix and unit."""
    seen: set[tuple[str, str]] = set()
    for index, band in enumerate(command.bands):
        where = f"/{index}"
        key = (band.commodity_prefix, band.unit)
        if key in seen:
            raise RuleRejected(f"{key[0]} in {key[1]} has more than one band", where)
        seen.add(key)
        if band.unit not in command.known_units:
            raise RuleRejected(f"{band.unit} is not a known unit", f"{where}/unit")
        low, high = band.min_unit_value, band.max_unit_value
        if low is None and high is None:
            raise RuleRejected("give min_unit_value, max_unit_value or both", where)
        if low is not None and high is not None and low > high:
            raise RuleRejected(f"min_unit_value {low} exceeds max_unit_value {high}", where)
    with store:
        store.put_bands(command.bands, command.actor, now)
        return store.bands()


def put_lane_targets(
    command: PutLaneTargets, store: AbstractSelectivityStore, now: datetime
) -> LaneTargets:
    targets, problems = lane_target_problems(command.targets)
    if problems:
        raise problems[0]
    assert targets is not None  # no problem means every lane's rates hold together
    with store:
        store.put_targets(targets, command.actor, now)
    return targets


def lane_target_problems(
    rates: Sequence[LaneRates],
) -> tuple[LaneTargets | None, list[RuleRejected]]:
    """The targets, or what is wrong with each lane's rates (all lanes at once, so a form can
    show every problem); the lanes are checked together only once each reads on its own."""
    given, problems = [], []
    for index, r in enumerate(rates):
        try:
            given.append(
                LaneTarget(
                    r.lane, r.expected_rate, r.random_rate, r.aeo_expected_rate, r.aeo_random_rate
                )
            )
        except ValueError as error:
            problems.append(RuleRejected(str(error), f"/{index}", code="RISK.lane_targets"))
    if problems:
        return None, problems
    try:
        return LaneTargets.validated(given), []
    except ValueError as error:
        return None, [RuleRejected(str(error), code="RISK.lane_targets")]


def checked_draft(draft: RuleDraft) -> ParsedRule:
    """The parsed rule, once the draft is fit to store (lists are checked against the store)."""
    parsed, problems = draft_problems(draft)
    if problems:
        raise problems[0]
    assert parsed is not None  # no problem means the expression read
    return parsed


def draft_problems(
    draft: RuleDraft, lists: Lists | None = None
) -> tuple[ParsedRule | None, list[RuleRejected]]:
    """Everything wrong with a draft at once, so a form can show it all in one go: the rule
    parsed (None when it does not read) and the problems, in the order of the draft's fields.
    With ``lists``, a ``list:NAME`` they do not hold is a problem too."""
    problems: list[RuleRejected] = []
    if not draft.owner.strip():
        problems.append(RuleRejected("owner must not be empty", "/owner"))
    if not draft.reason.strip():
        problems.append(RuleRejected("reason must not be empty", "/reason"))
    if draft.valid_to is not None and draft.valid_to < draft.valid_from:
        problems.append(
            RuleRejected(
                f"valid_to {draft.valid_to.isoformat()} is before valid_from "
                f"{draft.valid_from.isoformat()}",
                "/valid_to",
            )
        )
    parsed: ParsedRule | None = None
    try:
        parsed = parse_rule(draft.expression)
    except RuleSyntaxError as error:
        problems.append(syntax_rejection(error, "/expression"))
    if parsed is not None and lists is not None:
        try:
            require_lists(parsed, lists, "/expression")
        except RuleRejected as missing:
            problems.append(missing)
    return parsed, problems


def syntax_rejection(error: RuleSyntaxError, pointer: str) -> RuleRejected:
    return RuleRejected(str(error), pointer, code="RULE.syntax", position=error.position)


def list_codes(store: AbstractSelectivityStore) -> dict[str, frozenset[str]]:
    return {name: stored.codes for name, stored in store.lists().items()}


def require_lists(parsed: ParsedCondition, lists: Lists, pointer: str) -> None:
    missing = sorted(missing_lists(parsed, lists))
    if missing:
        named = ", ".join(f"list:{name}" for name in missing)
        raise RuleRejected(
            f"the rule names {named}, but no such list exists", pointer, code="RULE.unknown_list"
        )


def _current(store: AbstractSelectivityStore, rule_id: str) -> StoredRule:
    current = store.rule(rule_id)
    if current is None:
        raise NotFound(f"no rule {rule_id}")
    return current


def _names_list(rule: StoredRule, name: str) -> bool:
    try:
        return name in parse_rule(rule.draft.expression).lists
    except RuleSyntaxError:
        return False
