"""The selectivity rule language: criteria read, type-checked and evaluated against concrete
declarations, written back canonically, and refused with the column of the mistake."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from decimal import Decimal

import pytest

from clearway.domain.risk.lane import Lane, most_severe
from clearway.domain.risk.rule_language import (
    FIELDS,
    Facts,
    FactTypeError,
    FieldKind,
    FieldLevel,
    RuleOutcome,
    RuleSyntaxError,
    UnknownList,
    Value,
    describe,
    evaluate,
    missing_lists,
    parse_condition,
    parse_rule,
)

EXAMPLE = (
    'commodity startswith "6403" and origin in list:high_risk_footwear and unit_value < 4.50 -> red'
)
LISTS = {"high_risk_footwear": frozenset({"CN", "VN"})}
DECLARATION: dict[str, Value] = {
    "type": "IM",
    "procedure": "4000",
    "trader": "GB123456789000",
    "incoterm": "FOB",
    "aeo": False,
    "new_trader": True,
    "total_value": Decimal("1840.00"),
    "item_count": Decimal(3),
}


def footwear(sequence: int, unit_value: str, origin: str = "CN", **more: Value) -> dict[str, Value]:
    """Leather-soled footwear, 6403 99 10 00, declared per pair."""
    item: dict[str, Value] = {
        "sequence": Decimal(sequence),
        "commodity": "6403991000",
        "hs6": "640399",
        "origin": origin,
        "unit_value": Decimal(unit_value),
    }
    item.update(more)
    return item


def holds(condition: str, item: Mapping[str, Value], declaration: Facts = DECLARATION) -> bool:
    return evaluate(parse_condition(condition), declaration, [item], LISTS).matched


# --- the worked example -----------------------------------------------------------------------


def test_cheap_chinese_footwear_goes_red() -> None:
    rule = parse_rule(EXAMPLE)

    outcome = evaluate(rule, DECLARATION, [footwear(1, "3.20")], LISTS)

    assert outcome == RuleOutcome(matched=True, matched_items=(1,))
    assert rule.lane is Lane.RED


def test_footwear_at_5_10_a_pair_is_above_the_threshold() -> None:
    outcome = evaluate(parse_rule(EXAMPLE), DECLARATION, [footwear(1, "5.10")], LISTS)

    assert outcome == RuleOutcome(matched=False, matched_items=())


def test_footwear_from_a_country_off_the_list_does_not_match() -> None:
    outcome = evaluate(parse_rule(EXAMPLE), DECLARATION, [footwear(1, "3.20", "IT")], LISTS)

    assert not outcome.matched


def test_rule_knows_what_it_reads() -> None:
    rule = parse_rule(EXAMPLE)

    assert rule.fields == {"commodity", "origin", "unit_value"}
    assert rule.lists == {"high_risk_footwear"}
    assert rule.item_level


# --- item-level and declaration-level matching ------------------------------------------------


def test_every_matching_item_is_reported_by_its_sequence_number() -> None:
    items = [footwear(1, "3.20"), footwear(2, "12.00"), footwear(3, "2.75", "VN")]

    outcome = evaluate(parse_rule(EXAMPLE), DECLARATION, items, LISTS)

    assert outcome == RuleOutcome(matched=True, matched_items=(1, 3))


def test_the_whole_condition_must_hold_on_one_item() -> None:
    # Item 1 is cheap footwear from Italy, item 2 Chinese but trainers (6404): no single item
    # is cheap Chinese 6403, so the rule must not combine facts across items.
    italian = footwear(1, "3.20", "IT")
    trainers = footwear(2, "3.20", commodity="6404110000")

    outcome = evaluate(parse_rule(EXAMPLE), DECLARATION, [italian, trainers], LISTS)

    assert not outcome.matched


def test_declaration_rule_matches_the_declaration_as_a_whole() -> None:
    rule = parse_rule("new_trader == true and total_value > 1000 -> yellow")

    outcome = evaluate(rule, DECLARATION, [footwear(1, "3.20"), footwear(2, "9.00")], LISTS)

    assert not rule.item_level
    assert outcome == RuleOutcome(matched=True, matched_items=())
    quiet = {**DECLARATION, "total_value": Decimal("999.99")}
    assert not evaluate(rule, quiet, [footwear(1, "3.20")], LISTS).matched


def test_item_rule_on_a_declaration_without_items_does_not_match() -> None:
    assert evaluate(parse_rule(EXAMPLE), DECLARATION, [], LISTS) == RuleOutcome(False, ())


def test_origin_given_in_the_header_applies_to_every_item() -> None:
    header_origin = {**DECLARATION, "origin": "VN"}
    no_origin: Facts = {"sequence": Decimal(1), "commodity": "6403991000", "unit_value": Decimal(3)}
    from_italy: Facts = {**no_origin, "sequence": Decimal(2), "origin": "IT"}
    items = [no_origin, from_italy]

    outcome = evaluate(parse_rule(EXAMPLE), header_origin, items, LISTS)

    assert outcome.matched_items == (1,)


def test_item_without_sequence_is_reported_by_its_place() -> None:
    unnumbered: Facts = {"commodity": "6403991000", "origin": "CN", "unit_value": Decimal(1)}
    items = [footwear(1, "9.00"), unnumbered]

    assert evaluate(parse_rule(EXAMPLE), DECLARATION, items, LISTS).matched_items == (2,)


# --- operators --------------------------------------------------------------------------------

SHOE = footwear(
    1,
    "3.20",
    description="Men's LEATHER boots",
    net_mass=Decimal("12.50"),
    value_min=Decimal("4.00"),
)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('origin == "CN"', True),
        ('origin == "VN"', False),
        ('origin != "VN"', True),
        ('origin != "CN"', False),
        ("unit_value < 4.50", True),
        ("unit_value < 3.20", False),
        ("unit_value <= 3.20", True),
        ("unit_value <= 3.19", False),
        ("unit_value > 3", True),
        ("unit_value > 3.2", False),
        ("unit_value >= 3.2", True),
        ("unit_value >= 3.21", False),
        ("unit_value > -3", True),
        ("net_mass == 12.5", True),  # numbers compare by value: 12.50 is 12.5
        ('origin in ["VN", "CN"]', True),
        ('origin in ["VN", "BD"]', False),
        ('origin not in ["VN", "BD"]', True),
        ('origin not in ["CN"]', False),
        ("unit_value in [3.2, 5]", True),
        ("unit_value in [3.21, 5]", False),
        ('commodity startswith "6403"', True),
        ('commodity startswith "6404"', False),
        ('description contains "leather"', True),
        ('description contains "rubber"', False),
        ("aeo == false", True),
        ("aeo == true", False),
        ("aeo != true", True),
        ("new_trader != true", False),
    ],
)
def test_operator(condition: str, expected: bool) -> None:
    assert holds(condition, SHOE) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # "and" binds tighter than "or": CN or (VN and > 10) → true
        ('origin == "CN" or origin == "VN" and unit_value > 10', True),
        ('(origin == "CN" or origin == "VN") and unit_value > 10', False),
        # "not" binds tighter than "and": (not CN) and < 4 → false
        ('not origin == "CN" and unit_value < 4', False),
        ('not (origin == "CN" and unit_value > 4)', True),
        ('not not origin == "CN"', True),
        (
            'origin == "VN" or (commodity startswith "64" and (unit_value < 1 or aeo == false))',
            True,
        ),
    ],
)
def test_precedence_and_parentheses(condition: str, expected: bool) -> None:
    assert holds(condition, SHOE) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("unit_value < value_min", True),  # 3.20 declared against a band starting at 4.00
        ("unit_value >= value_min", False),
        ("unit_value < value_max", False),  # no upper bound known
        ("not (unit_value < value_max)", True),
        ('origin in [dispatch_country, "VN"]', False),
    ],
)
def test_field_against_field(condition: str, expected: bool) -> None:
    assert holds(condition, SHOE) is expected


def test_field_inside_a_list_literal_is_read_from_the_facts() -> None:
    from_china = {**DECLARATION, "dispatch_country": "CN"}

    assert holds('origin in [dispatch_country, "VN"]', SHOE, from_china)


# --- missing facts and case --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('origin == "CN"', False),
        ('origin != "CN"', False),  # missing is not "different from CN"
        ('origin not in ["CN", "VN"]', False),
        ("origin in list:high_risk_footwear", False),
        ('not (origin == "CN")', True),  # the way to say "anything but CN, or unknown"
        ("risk_score > 0.8", False),
        ("risk_score <= 0.8", False),
        ("not (risk_score <= 0.8)", True),
        ("aeo == false", False),
    ],
)
def test_missing_facts_make_comparisons_false(condition: str, expected: bool) -> None:
    no_origin: Facts = {"sequence": Decimal(1), "commodity": "6403991000", "origin": None}
    no_aeo = {key: value for key, value in DECLARATION.items() if key != "aeo"}

    assert holds(condition, no_origin, no_aeo) is expected


def test_text_compares_regardless_of_case() -> None:
    lower = footwear(1, "3.20", "cn", description="men's leather BOOTS", commodity="6403991000")
    lists = {"high_risk_footwear": frozenset({"Cn", "vn"})}
    fob = {**DECLARATION, "incoterm": "fob"}

    assert evaluate(parse_rule(EXAMPLE), fob, [lower], lists).matched
    for condition in (
        'origin == "CN"',
        'origin in ["Cn"]',
        'description contains "Leather boots"',
        'incoterm == "FOB"',
        'not (origin != "cN")',
    ):
        assert holds(condition, lower, fob), condition


def test_keywords_and_field_names_are_case_insensitive() -> None:
    rule = parse_rule('ORIGIN == "CN" AND Not (Unit_Value >= 4.5) OR aeo == TRUE -> RED')

    assert describe(rule) == 'origin == "CN" and not (unit_value >= 4.5) or aeo == true -> red'
    assert evaluate(rule, DECLARATION, [SHOE], LISTS).matched


# --- named lists --------------------------------------------------------------------------------


def test_named_list_not_supplied_is_refused_before_evaluating() -> None:
    rule = parse_rule('origin == "IT" and origin in list:embargoed -> red')

    assert missing_lists(rule, LISTS) == {"embargoed"}
    assert missing_lists(rule, {**LISTS, "embargoed": frozenset({"KP"})}) == frozenset()
    with pytest.raises(UnknownList, match="embargoed") as raised:
        evaluate(rule, DECLARATION, [SHOE], LISTS)
    assert raised.value.name == "embargoed"


def test_named_list_membership_follows_the_list_supplied() -> None:
    rule = parse_condition("origin in list:high_risk_footwear")

    assert evaluate(rule, DECLARATION, [SHOE], LISTS).matched
    assert not evaluate(
        rule, DECLARATION, [SHOE], {"high_risk_footwear": frozenset({"BD"})}
    ).matched


def test_fact_of_the_wrong_type_is_a_clear_error() -> None:
    with pytest.raises(FactTypeError, match="unit_value should be a Decimal"):
        holds("unit_value < 4.50", {"unit_value": "3.20"})


# --- canonical text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        (EXAMPLE, EXAMPLE),
        (
            "  commodity   STARTSWITH '6403'AND(origin=='CN'or origin=='VN')->Yellow",
            'commodity startswith "6403" and (origin == "CN" or origin == "VN") -> yellow',
        ),
        (
            '(origin == "CN" and aeo == false) and unit_value<=1000 -> blue',
            'origin == "CN" and aeo == false and unit_value <= 1000 -> blue',
        ),
        (
            "not(origin NOT IN ['CN','VN']) -> green",
            'not (origin not in ["CN", "VN"]) -> green',
        ),
        (
            r"""description contains "12\" \\ inch" or description contains 'it\'s' -> red""",
            r"""description contains "12\" \\ inch" or description contains "it's" -> red""",
        ),
        ("unit_value < -0.0000001 -> red", "unit_value < -0.0000001 -> red"),
        ("unit_value < value_min -> red", "unit_value < value_min -> red"),
    ],
)
def test_describe_writes_canonical_text_that_reads_back_the_same(
    written: str, canonical: str
) -> None:
    rule = parse_rule(written)

    assert describe(rule) == canonical
    assert parse_rule(describe(rule)) == rule


def test_condition_alone_describes_without_a_lane() -> None:
    condition = parse_condition('origin=="CN"')

    assert describe(condition) == 'origin == "CN"'
    assert parse_condition(describe(condition)) == condition


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "phrase"),
    [
        ("", 0, "the rule is empty"),
        ("   ", 0, "the rule is empty"),
        (
            'comodity startswith "6403" -> red',
            0,
            'unknown field "comodity"; did you mean commodity',
        ),
        ("origin == CN -> red", 10, 'text values need quotes: "CN"'),
        ('origin = "CN" -> red', 7, 'unknown operator "="'),
        ('origin like "C%" -> red', 7, 'unknown operator "like"'),
        ('origin "CN" -> red', 7, 'expected an operator after "origin"'),
        ('origin not "CN" -> red', 11, 'expected "in" after "not"'),
        ('origin == "CN -> red', 10, "unterminated string"),
        (r'origin == "C\N" -> red', 12, 'unknown escape "\\N"'),
        ("unit_value < 4.5.0 -> red", 13, 'bad number "4.5.0"'),
        ("unit_value < 1e5 -> red", 13, 'bad number "1e5"'),
        ("unit_value < 4. -> red", 13, 'bad number "4."'),
        ('origin == "CN"', 14, 'expected "->" and a lane'),
        ('origin == "CN" red', 15, 'expected "and", "or" or "->", found "red"'),
        ('origin == "CN" -> orange', 18, 'unknown lane "orange"'),
        ('origin == "CN" ->', 17, 'expected a lane after "->"'),
        ('(origin == "CN" -> red', 16, 'expected ")" to close the "(" at column 1'),
        ('origin == "CN") -> red', 14, 'unbalanced ")"'),
        ('origin == "CN" -> red now', 22, 'unexpected "now" after the lane'),
        ("unit_value < -> red", 13, 'expected a value after "<", found "->"'),
        ("unit_value <", 12, 'expected a value after "<", found end of rule'),
        ('origin == "CN" and -> red', 19, 'expected a field name, found "->"'),
        ('"CN" == origin -> red', 0, 'expected a field name, found text "CN"'),
        ("origin in [] -> red", 11, 'expected a value after "[", found "]"'),
        ('origin in ["CN" "VN"] -> red', 16, 'expected "," or "]"'),
        ("origin in list: x -> red", 15, 'expected a list name after "list:"'),
        ('origin == "CN" ; -> red', 15, 'unexpected character ";"'),
        ("(" * 51 + 'origin == "CN"' + ")" * 51 + " -> red", 50, "nested more than 50 deep"),
    ],
)
def test_unreadable_rule_is_refused_at_its_column(text: str, position: int, phrase: str) -> None:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule(text)

    assert raised.value.position == position
    assert raised.value.text == text
    assert str(raised.value).startswith(f"at column {position + 1}: ")
    assert phrase in str(raised.value)


@pytest.mark.parametrize(
    ("text", "position", "phrase"),
    [
        ('unit_value startswith "1" -> red', 11, '"startswith" compares text, but unit_value'),
        ("origin < 3 -> red", 7, '"<" compares numbers, but origin is text'),
        ('commodity > "x" -> red', 10, '">" compares numbers, but commodity is text'),
        ("aeo < 1 -> red", 4, '"<" compares numbers, but aeo is true or false'),
        ("aeo in [true] -> red", 4, "compare it with == or !="),
        ('unit_value == "4.50" -> red', 14, 'unit_value is a number, but "4.50" is text'),
        ("origin == 156 -> red", 10, "origin is text, but 156 is a number"),
        ("new_trader == 1 -> red", 14, "new_trader is true or false, but 1 is a number"),
        ('origin in "CN" -> red', 10, '"in" needs a list'),
        ('origin == ["CN"] -> red', 10, 'use "in" for a list'),
        ("unit_value in list:x -> red", 11, "named lists hold codes (text)"),
        ('origin in ["CN", 3] -> red', 17, "origin is text, but 3 is a number"),
        ('origin in [["CN"]] -> red', 11, "a list cannot hold another list"),
        ("unit_value < origin -> red", 13, "cannot compare unit_value (a number) with origin"),
    ],
)
def test_meaningless_comparison_is_refused_at_its_column(
    text: str, position: int, phrase: str
) -> None:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule(text)

    assert raised.value.position == position
    assert phrase in str(raised.value)


def test_condition_alone_refuses_a_lane() -> None:
    with pytest.raises(RuleSyntaxError, match='at column 16: unexpected "->"'):
        parse_condition('origin == "CN" -> red')


def test_caret_points_under_the_mistake() -> None:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule('origin == "CN" -> orange')

    assert raised.value.caret() == 'origin == "CN" -> orange\n                  ^'


# --- no Python is ever evaluated ------------------------------------------------------------------


def test_python_in_a_rule_is_just_an_unknown_word() -> None:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule('commodity == __import__("os") -> red')
    assert raised.value.position == 13
    assert 'unknown field "__import__"' in str(raised.value)

    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule("origin in list:x.__class__ -> red")
    assert raised.value.position == 16
    assert 'unexpected character "."' in str(raised.value)


def test_rules_are_read_and_applied_without_eval_or_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rule language must not run Python")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    sneaky = footwear(1, "3.20", description="__import__('os').system('true')")

    rule = parse_rule("description == \"__import__('os').system('true')\" -> red")

    assert evaluate(rule, DECLARATION, [sneaky], LISTS).matched
    assert evaluate(parse_rule(EXAMPLE), DECLARATION, [sneaky], LISTS).matched


# --- the catalogue and lanes ----------------------------------------------------------------------


def test_catalogue_types_the_fields_analysts_use() -> None:
    assert FIELDS["unit_value"].kind is FieldKind.NUMBER
    assert FIELDS["unit_value"].level is FieldLevel.ITEM
    assert FIELDS["trader"].level is FieldLevel.DECLARATION
    assert FIELDS["aeo"].kind is FieldKind.BOOLEAN
    assert all(spec.description and spec.name == name for name, spec in FIELDS.items())


def test_most_severe_lane_wins() -> None:
    assert most_severe([Lane.GREEN, Lane.BLUE, Lane.YELLOW]) is Lane.YELLOW
    assert most_severe([Lane.BLUE, Lane.RED]) is Lane.RED
    assert most_severe([]) is Lane.GREEN
