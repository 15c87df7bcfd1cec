"""Validation rules: code lists and business rules, each a small declared object.

A rule has a stable code, a title, the legal basis or standard it comes from, and a check that
yields a ``Violation`` (JSON pointer to the offending field and a plain message) for every
problem it finds. ``validate`` runs every rule and returns all violations together.
"""

from clearway.domain.rules import (  # noqa: F401  (registers)
    codelists,
    formalities,
    header,
    items,
    parties,
)
from clearway.domain.rules.base import RULES, Rule, RuleContext, Violation, rule, validate

__all__ = ["RULES", "Rule", "RuleContext", "Violation", "rule", "validate"]
