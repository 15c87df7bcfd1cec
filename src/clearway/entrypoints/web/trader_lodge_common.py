"""What the lodging and amending pages share: reading the posted form, the buttons that add
and remove items, and checking the form against the schema before any handler sees it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from pydantic import ValidationError

from clearway.domain.access import Action, Principal
from clearway.domain.rules import Violation
from clearway.entrypoints.schemas import DECLARATION
from clearway.entrypoints.web.session import CSRF_FIELD, page_for
from clearway.entrypoints.web.trader_lodge_form import (
    FormState,
    add_document,
    add_item,
    remove_item,
    to_payload,
)
from clearway.entrypoints.web.trader_lodge_messages import schema_messages

LodgePage = Annotated[Principal, page_for(Action.LODGE)]
AmendPage = Annotated[Principal, page_for(Action.AMEND)]
# Fields of the page itself, not of the declaration.
CONTROL_FIELDS = frozenset({CSRF_FIELD, "_action", "_draft", "_version"})


async def posted_fields(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The declaration's fields and the page's own (action, draft, version), as posted."""
    form = await request.form()
    declaration: dict[str, str] = {}
    control: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            (control if name in CONTROL_FIELDS else declaration)[name] = value
    return declaration, control


def edit_structure(state: FormState, action: str) -> str | None:
    """Apply an "Add item", "Remove item" or "Add document" button: the id of the element to
    focus next, or None when the action was none of those."""
    verb, _, argument = action.partition(":")
    index = int(argument) if argument.isdigit() else -1
    if verb == "add_item":
        return f"f-items.{add_item(state)}.commodity_code"
    if verb == "remove_item":
        remove_item(state, index)
        return f"item-{max(0, min(index, state.item_count - 1))}"
    if verb == "add_document" and 0 <= index < state.item_count:
        add_document(state, index)
        return f"f-items.{index}.documents.{state.document_counts[index] - 1}.type"
    return None


def check_form(state: FormState) -> tuple[dict[str, Any] | None, list[Violation], dict[str, str]]:
    """The payload when the schema takes it, else every violation found; and where documents
    moved when blank rows were left out."""
    converted = to_payload(state)
    violations = [
        Violation("SCHEMA.form", "/" + name.replace(".", "/"), text)
        for name, text in converted.problems.items()
    ]
    try:
        DECLARATION.validate_python(converted.payload)
    except ValidationError as error:
        violations = schema_messages(error) + violations
    return (None if violations else converted.payload), violations, converted.moved
