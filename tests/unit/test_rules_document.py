"""The published rule table matches the rules the code runs."""

from __future__ import annotations

from clearway.domain.rules import RULES
from clearway.domain.rules.catalogue import rules_markdown
from tests.conftest import ROOT


def test_docs_list_every_rule_as_the_code_defines_it() -> None:
    published = (ROOT / "docs" / "validation-rules.md").read_text()
    assert published == rules_markdown(), "regenerate with: clearway reference rules"
    assert len(RULES) >= 25
    for code in RULES:
        assert f"| {code} |" in published
