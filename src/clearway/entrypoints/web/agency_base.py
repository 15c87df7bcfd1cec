"""What the agency's pages share: who may open them, the form they were sent, and the problems
with it, each tied to its field and listed together at the top of the page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError

from clearway.domain.access import Action, Principal
from clearway.domain.rules.base import Violation
from clearway.entrypoints.web.session import page_for

Page = Annotated[Principal, page_for(Action.MANAGE_EXPORT_CONTROL)]


async def _form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (files are read by the routes that take them)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with a form: the field it is about (its ``name``) and what is wrong."""

    field: str
    text: str

    @property
    def href(self) -> str:
        return f"#f-{self.field}" if self.field else ""


def field_of(pointer: str | Sequence[str | int]) -> str:
    """The form field a JSON pointer (``/items/0/quantity``) or a pydantic location
    (``("items", 0, "quantity")``) names: ``items-0-quantity``."""
    parts = pointer.strip("/").split("/") if isinstance(pointer, str) else pointer
    return "-".join(str(part) for part in parts if part != "")


def pydantic_problems(error: ValidationError, labels: Mapping[str, str]) -> list[Problem]:
    """The problems pydantic found, in words a form's user reads: the field's label first."""
    problems = []
    for detail in error.errors():
        name = field_of(detail["loc"])
        problems.append(Problem(name, f"{_label(name, labels)}: {_plain(detail)}"))
    return problems


def violation_problems(violations: Iterable[Violation], labels: Mapping[str, str]) -> list[Problem]:
    return [
        Problem(field_of(v.pointer), f"{_label(field_of(v.pointer), labels)}: {v.message}")
        for v in violations
    ]


def by_field(problems: Iterable[Problem]) -> dict[str, str]:
    """The message to show beside each field (the first, if a field has several)."""
    shown: dict[str, str] = {}
    for problem in problems:
        shown.setdefault(problem.field, problem.text)
    return shown


def _label(name: str, labels: Mapping[str, str]) -> str:
    if name in labels:
        return labels[name]
    head, _, rest = name.partition("-")
    if head == "items" and rest:
        line, _, part = rest.partition("-")
        what = labels.get(f"item-{part}", part.replace("_", " ")) if part else "line"
        return f"Line {int(line) + 1}, {what.lower()}" if line.isdigit() else what
    return labels.get(head, name.replace("_", " ").capitalize() or "The form")


def _plain(detail: Mapping[str, Any]) -> str:
    """Pydantic's message, said for a person filling in a form."""
    kind = detail.get("type", "")
    if kind == "missing" or (kind == "string_too_short" and not detail.get("input")):
        return "enter a value"
    if kind == "too_short":
        return "enter at least one"
    if kind == "string_pattern_mismatch":
        return "this is not in the expected form"
    if kind.startswith(("decimal", "float", "int")) and "parsing" in kind:
        return "enter a number"
    if kind.startswith("date"):
        return "enter a date"
    message = str(detail.get("msg", "is not valid"))
    return message[:1].lower() + message[1:]


__all__ = [
    "FormFields",
    "Page",
    "Problem",
    "by_field",
    "field_of",
    "pydantic_problems",
    "violation_problems",
]
