"""What the analyst's pages share: who may open them, reading their forms, and showing a rule
that does not read with a caret under the character where reading stopped."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Request
from starlette.datastructures import FormData

from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.rule_language import (
    ParsedCondition,
    RuleSyntaxError,
    parse_condition,
    parse_rule,
)
from clearway.entrypoints.web.session import page_for

Page = Annotated[Principal, page_for(Action.MANAGE_RISK)]
# The API's pattern for rule ids (``risk_rules.RuleId``).
RULE_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")
# What each lane means for the goods, in the words officers and traders use.
LANE_MEANING = {
    Lane.GREEN.value: "released",
    Lane.BLUE.value: "released, audit after release",
    Lane.YELLOW.value: "held for a document check",
    Lane.RED.value: "held for a physical inspection",
}
UNITS = {
    "KGM": "per kg of net mass",
    "NAR": "per article",
    "NPR": "per pair",
    "LTR": "per litre",
    "MTK": "per square metre",
}

Errors = dict[str, str]


@dataclass(frozen=True, slots=True)
class SyntaxNote:
    """Where a rule stops reading, as an editor shows it: line and column (from 1), the line
    itself and a caret under the culprit."""

    line: int
    column: int
    reason: str
    text: str
    caret: str

    @property
    def message(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.reason}"


def syntax_note(expression: str, *, condition_allowed: bool = False) -> SyntaxNote | None:
    """None when ``expression`` reads as a rule (or, with ``condition_allowed``, a bare
    condition, as replay takes); else where and why it does not."""
    try:
        read_expression(expression, condition_allowed=condition_allowed)
    except RuleSyntaxError as error:
        return note_of(error)
    return None


def read_expression(expression: str, *, condition_allowed: bool = False) -> ParsedCondition:
    """The parsed rule, or condition when allowed and there is no ``-> lane``."""
    if condition_allowed and "->" not in expression:
        return parse_condition(expression)
    return parse_rule(expression)


def note_of(error: RuleSyntaxError) -> SyntaxNote:
    text, position = error.text, error.position
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line_text = text[start : end if end != -1 else len(text)]
    column = position - start + 1
    # Tabs stay tabs under the culprit, so the caret lines up in a monospaced font.
    padding = "".join("\t" if char == "\t" else " " for char in line_text[: column - 1])
    return SyntaxNote(
        text.count("\n", 0, position) + 1, column, error.reason, line_text, padding + "^"
    )


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def raw_text_of(form: FormData, name: str) -> str:
    """A field as typed (a rule's line breaks and indentation are the analyst's)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def date_of(
    form: FormData, name: str, errors: Errors, *, label: str, required: bool
) -> dt.date | None:
    """The date in a date field (``YYYY-MM-DD``); a problem in ``errors`` when it is not one."""
    text = text_of(form, name)
    if not text:
        if required:
            errors[name] = f"Enter the {label}"
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"The {label} must be a date, like 2026-12-31"
        return None


def summary(errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The error summary's entries, each linking to its field."""
    return [{"href": f"#f-{name}", "text": text} for name, text in errors.items()]


async def form_of(request: Request) -> FormData:
    return await request.form()


def today(runtime: Runtime) -> dt.date:
    return runtime.context.now().date()
