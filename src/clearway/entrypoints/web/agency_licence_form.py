"""The licence form: its fields read into the API's ``LicenceIn`` (so the page checks exactly
what the API checks), and a licence written back into the fields to amend it.

Lines are rows of fields named ``items-<row>-<part>``; a row left empty is no line, and the
problems of a line point at the row it was typed in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from pydantic import ValidationError

from clearway.domain.export_control.licence import Licence, LicenceType
from clearway.domain.rules.base import Violation
from clearway.entrypoints.api.routers.licences import LicenceIn
from clearway.entrypoints.web.agency_base import Problem, pydantic_problems, violation_problems

ITEM_PARTS = (
    "description",
    "commodity_code",
    "control_entry",
    "quantity",
    "unit",
    "value",
    "currency",
)
BLANK_ROWS = 1
MAX_ROWS = 50
LABELS = {
    "number": "Licence number",
    "type": "Type",
    "authorisation": "General authorisation",
    "holder_id": "Holder EORI",
    "holder_name": "Holder name",
    "consignees": "Consignees",
    "end_users": "End users",
    "destinations": "Destination countries",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "conditions": "Conditions",
    "items": "Lines",
    "item-description": "Description",
    "item-commodity_code": "Commodity code",
    "item-control_entry": "Control-list entry",
    "item-quantity": "Quantity",
    "item-unit": "Unit",
    "item-value": "Value",
    "item-currency": "Currency",
}
TYPES = [(kind.value, kind.value.capitalize()) for kind in LicenceType]
AUTHORISATIONS = (
    [("", "None")]
    + [(f"EU00{n}", f"EU00{n}") for n in range(1, 9)]
    + [("NATIONAL", "National general authorisation")]
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def row_count(fields: Mapping[str, str]) -> int:
    """How many line rows the form had (and so shows again)."""
    rows = [
        int(match.group(1))
        for name in fields
        if (match := re.fullmatch(r"items-(\d+)-\w+", name)) and int(match.group(1)) < MAX_ROWS
    ]
    return max(rows, default=-1) + 1


def read_licence(fields: Mapping[str, str]) -> tuple[LicenceIn | None, list[Problem]]:
    """The licence the form describes, or the problems with it (each tied to its field)."""
    rows: list[int] = []
    items: list[dict[str, object]] = []
    for row in range(row_count(fields)):
        parts = {part: fields.get(f"items-{row}-{part}", "").strip() for part in ITEM_PARTS}
        if not any(parts.values()):
            continue  # a row left empty is no line
        line = fields.get(f"items-{row}-line", "").strip()
        rows.append(row)
        items.append(
            {
                "line": int(line) if line.isdigit() else len(items) + 1,
                "description": parts["description"],
                **{
                    part: (parts[part].upper() if part in ("unit", "currency") else parts[part])
                    or None
                    for part in ITEM_PARTS
                    if part != "description"
                },
            }
        )
    document = {
        "number": fields.get("number", "").strip().upper(),
        "type": fields.get("type", ""),
        "authorisation": fields.get("authorisation") or None,
        "holder_id": fields.get("holder_id", "").strip().upper(),
        "holder_name": fields.get("holder_name", "").strip(),
        "consignees": _lines(fields.get("consignees", "")),
        "end_users": _lines(fields.get("end_users", "")),
        "destinations": [
            code.upper() for code in re.split(r"[\s,;]+", fields.get("destinations", "")) if code
        ],
        "valid_from": fields.get("valid_from", ""),
        "valid_to": fields.get("valid_to", ""),
        "conditions": fields.get("conditions", "").strip(),
        "items": items,
    }
    try:
        return LicenceIn.model_validate(document), []
    except ValidationError as error:
        problems = pydantic_problems(error, LABELS)
    return None, [_in_row(problem, rows) for problem in problems]


def service_problems(violations: list[Violation], fields: Mapping[str, str]) -> list[Problem]:
    """The licensing handler's problems (pointers into the licence), on the form's fields."""
    rows = [
        row
        for row in range(row_count(fields))
        if any(fields.get(f"items-{row}-{part}", "").strip() for part in ITEM_PARTS)
    ]
    return [_in_row(problem, rows) for problem in violation_problems(violations, LABELS)]


def _in_row(problem: Problem, rows: list[int]) -> Problem:
    """A problem of the n-th line sent, moved to the form row it was typed in."""
    match = re.fullmatch(r"items-(\d+)(-.*)?", problem.field)
    if not match or int(match.group(1)) >= len(rows):
        return problem
    row = rows[int(match.group(1))]
    field = f"items-{row}{match.group(2) or '-description'}"
    text = re.sub(r"^Line \d+", f"Line {row + 1}", problem.text)
    return Problem(field, text)


def licence_fields(licence: Licence) -> dict[str, str]:
    """The form filled in with a licence's terms, to amend them."""
    fields = {
        "number": licence.number,
        "type": licence.type.value,
        "authorisation": licence.authorisation or "",
        "holder_id": licence.holder_id,
        "holder_name": licence.holder_name,
        "consignees": "\n".join(licence.consignees),
        "end_users": "\n".join(licence.end_users),
        "destinations": ", ".join(sorted(licence.destinations)),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat(),
        "conditions": licence.conditions,
        "version": str(licence.version),
    }
    for row, item in enumerate(licence.items):
        fields.update(
            {
                f"items-{row}-line": str(item.line),
                f"items-{row}-description": item.description,
                f"items-{row}-commodity_code": item.commodity_code or "",
                f"items-{row}-control_entry": item.control_entry or "",
                f"items-{row}-quantity": _text(item.quantity),
                f"items-{row}-unit": item.unit or "",
                f"items-{row}-value": _text(item.value),
                f"items-{row}-currency": item.currency or "",
            }
        )
    return fields
