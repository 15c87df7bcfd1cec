"""Golden tests for every validation rule: one declaration that passes it, one that breaks it.

The cases are data, in ``tests/golden/rules.json``. Each names a rule (and, when a rule has
several, a ``case`` label), a ``base`` example from ``shared/examples`` and two RFC 6902 patches
on it. The ``passing`` patch sits at the rule's boundary and must leave the declaration free of
any violation; the ``failing`` patch must break the rule exactly once, at ``pointer``, and break
no other rule except those listed in ``also``. ``reference`` adds entries to dict code lists of
the shipped reference data (e.g. ``offices``) for rules the shipped lists cannot trip.

Cases the wire format already refuses (over 999 items, control characters in text) are built
as domain objects at the end of this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import jsonpatch
import jsonpointer
import pytest
from pydantic import ValidationError

from clearway.adapters.reference_files import shipped_reference
from clearway.domain.declaration import Declaration
from clearway.domain.reference import ReferenceData
from clearway.domain.rules import RULES, RuleContext, validate
from clearway.entrypoints.schemas import parse_declaration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / ".." / "shared" / "examples"
BASES: dict[str, dict[str, Any]] = {
    base: json.loads((EXAMPLES / f"{base}-declaration.json").read_text(encoding="utf-8"))
    for base in ("import", "export")
}
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "golden" / "rules.json").read_text(encoding="utf-8")
)
TODAY = date(2026, 11, 23)
# Rules whose failing declaration the wire format refuses, tested on domain objects below, or
# that the shipped reference data cannot trip: CL013 needs an unusable stored rate, tested in
# test_rates_parsing.py and (lodging) tests/e2e/test_reference_checks.py.
BUILT_IN_PYTHON = frozenset({"BR031", "CL013"})


def _case_id(case: dict[str, Any]) -> str:
    return "-".join(part for part in (case["rule"], case.get("case")) if part)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return shipped_reference()


def _context(case: dict[str, Any], reference: ReferenceData) -> RuleContext:
    extended_lists: dict[str, Any] = {
        name: {**getattr(reference, name), **entries}
        for name, entries in case.get("reference", {}).items()
    }
    return RuleContext(replace(reference, **extended_lists), "GB", "GBP", TODAY)


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=f"{_case_id(case)}-passing") for case in CASES]
)
def test_passing_declaration_breaks_no_rule(case: dict[str, Any], reference: ReferenceData) -> None:
    document = jsonpatch.apply_patch(BASES[case["base"]], case["passing"])
    declaration = parse_declaration(document).declaration
    assert validate(declaration, _context(case, reference)) == []


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=f"{_case_id(case)}-failing") for case in CASES]
)
def test_failing_declaration_breaks_the_rule_at_its_pointer(
    case: dict[str, Any], reference: ReferenceData
) -> None:
    document = jsonpatch.apply_patch(BASES[case["base"]], case["failing"])
    declaration = parse_declaration(document).declaration
    violations = validate(declaration, _context(case, reference))

    assert [v.pointer for v in violations if v.code == case["rule"]] == [case["pointer"]]
    assert all(v.message.strip() for v in violations)
    assert {v.code for v in violations} == {case["rule"], *case.get("also", ())}
    # The pointer names a field of the payload: its parent is there even when it is missing.
    parent = jsonpointer.JsonPointer(case["pointer"]).parts[:-1]
    assert isinstance(jsonpointer.JsonPointer.from_parts(parent).resolve(document), dict | list)


def test_every_rule_has_golden_cases() -> None:
    covered = {case["rule"] for case in CASES} | BUILT_IN_PYTHON
    assert sorted(set(RULES) - covered) == [], "rules without golden cases"
    assert sorted(covered - set(RULES)) == [], "golden cases for rules that do not exist"
    ids = [_case_id(case) for case in CASES]
    assert len(ids) == len(set(ids)), "give cases of the same rule distinct 'case' labels"


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_says_what_it_checks_and_where_it_comes_from(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code
    assert rule.title.strip()
    assert rule.basis.strip()


def test_at_most_999_goods_items(reference: ReferenceData) -> None:
    declaration = parse_declaration(BASES["import"]).declaration
    item = declaration.items[0]
    context = RuleContext(reference, "GB", "GBP", TODAY)

    def with_items(count: int) -> Declaration:
        items = tuple(replace(item, sequence=n) for n in range(1, count + 1))
        return replace(declaration, items=items)

    assert RULES["BR031"].run(with_items(999), context) == []
    [violation] = RULES["BR031"].run(with_items(1000), context)
    assert violation.pointer == "/items"
    assert "1000" in violation.message
    # Why this case is built here: the wire format refuses it before any rule runs.
    too_many = jsonpatch.apply_patch(BASES["import"], [])
    too_many["items"] = [too_many["items"][0]] * 1000
    with pytest.raises(ValidationError):
        parse_declaration(too_many)


def _bidi_override_in_exporter_name(declaration: Declaration) -> Declaration:
    assert declaration.exporter is not None
    return replace(
        declaration, exporter=replace(declaration.exporter, name="Souss \u202eLRAS\u202c Primeurs")
    )


def _zero_width_space_in_importer_street(declaration: Declaration) -> Declaration:
    assert declaration.importer is not None and declaration.importer.address is not None
    address = replace(declaration.importer.address, street="12 Dock\u200bRoad")
    return replace(declaration, importer=replace(declaration.importer, address=address))


def _control_character_in_description(declaration: Declaration) -> Declaration:
    item = replace(declaration.items[0], description="Fresh cherry tomatoes\x07, loose")
    return replace(declaration, items=(item,))


@pytest.mark.parametrize(
    ("code", "corrupt", "pointer"),
    [
        ("BR024", _bidi_override_in_exporter_name, "/exporter/name"),
        ("BR024", _zero_width_space_in_importer_street, "/importer/address/street"),
        ("BR036", _control_character_in_description, "/items/0/description"),
    ],
    ids=["BR024-bidi-name", "BR024-zero-width-street", "BR036-control-character"],
)
def test_invisible_characters_the_wire_refuses_are_caught_in_the_domain_too(
    code: str,
    corrupt: Callable[[Declaration], Declaration],
    pointer: str,
    reference: ReferenceData,
) -> None:
    declaration = corrupt(parse_declaration(BASES["import"]).declaration)
    violations = validate(declaration, RuleContext(reference, "GB", "GBP", TODAY))
    assert [(v.code, v.pointer) for v in violations] == [(code, pointer)]
    assert "invisible" in violations[0].message
