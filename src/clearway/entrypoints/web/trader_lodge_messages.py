"""What the declaration form says when the schema refuses a field: plain words naming the
field and saying what to enter, instead of the validator's own text."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from clearway.domain.rules import Violation
from clearway.entrypoints.schemas import pointer
from clearway.entrypoints.web.trader_lodge_form import LABELS

# How each coded field is written, for "not in the right format" messages.
FORMATS = {
    "lrn": "letters, digits and . _ / - only, up to 35 characters",
    "id": "an EORI number: 3 to 17 capital letters and digits, like GB123456789000",
    "office": "8 characters, like GBFXT001",
    "procedure": "4 digits, like 4000",
    "commodity_code": "6 to 10 digits, like 0702000007",
    "preference": "3 digits, like 300",
    "country": "a 2-letter country code, like GB",
    "currency": "a 3-letter currency code, like EUR",
    "supplementary_units.unit": "a 3-character unit code, like NAR",
    "packages.kind": "a 2 or 3-character package code, like CT",
    "documents.type": "a 4-character document code, like N380",
    "additional_codes": "4-character codes, like B107",
    "quantities.unit": "a unit code, like ASV or HLT",
    "control.list": "a control list name",
    "control.entry": "a control list entry, like 2B350.i",
}


def _short_label(location: tuple[int | str, ...]) -> tuple[str, str]:
    """The field's own label (without its item or party) and its format key."""
    parts = [str(part) for part in location if not isinstance(part, int)]
    if parts and parts[0] == "items":
        parts = parts[1:]
    if parts and parts[0] in {"declarant", "importer", "exporter", "consignee", "end_user"}:
        parts = parts[1:]
    name = ".".join(parts)
    if name.startswith("documents."):
        return f"document {parts[-1]}", "documents.type"
    if name.startswith("quantities."):
        return "quantity unit" if parts[-1] == "unit" else "quantity", f"quantities.{parts[-1]}"
    label = LABELS.get(name, name.replace("_", " ") or "declaration")
    key = name
    if name.endswith("country"):
        key = "country"
    elif name.endswith("currency"):
        key = "currency"
    # "Net mass" reads "net mass" mid-sentence; "EORI number" keeps its capitals.
    if label[1:2].islower():
        label = label[:1].lower() + label[1:]
    return label, key


def _message(detail: Any) -> str:
    kind = detail["type"]
    context = detail.get("ctx") or {}
    label, key = _short_label(tuple(detail["loc"]))
    if kind == "json_invalid":
        return f"This is not valid JSON ({context.get('error', 'it does not parse')})"
    if kind == "model_type" and not detail["loc"]:
        return "This is not a declaration: a declaration is one JSON object"
    if kind == "missing":
        return f"Enter the {label}"
    if kind == "string_too_short":
        return f"Enter the {label}"
    if kind == "string_too_long":
        return f"The {label} must be {context.get('max_length')} characters or fewer"
    if kind == "string_pattern_mismatch":
        written = FORMATS.get(key)
        return f"Enter the {label} as {written}" if written else f"The {label} is not valid"
    if kind in {"decimal_parsing", "decimal_type", "finite_number"}:
        return f"Enter the {label} as a number, like 1250.50"
    if kind == "decimal_max_places":
        return f"The {label} can have at most {context.get('decimal_places')} decimal places"
    if kind in {"decimal_max_digits", "decimal_whole_digits"}:
        return f"The {label} has too many digits"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"Enter the {label} as a whole number, like 120"
    if kind in {"greater_than_equal", "less_than_equal"}:
        return f"The {label} is out of range"
    if kind.startswith("date"):
        return f"Enter the {label} as a real date"
    if kind == "literal_error":
        return f"Choose the {label}"
    if kind == "too_long":
        return f"There are too many {label}s"
    if kind == "too_short":
        return "Add at least one goods item"
    if kind == "text_not_printable":
        return f"The {label} contains characters that cannot be printed"
    return f"The {label} is not valid"


def schema_messages(error: ValidationError) -> list[Violation]:
    """One violation per schema error, pointing where the validator did, in plain words."""
    return [
        Violation(f"SCHEMA.{detail['type']}", pointer(tuple(detail["loc"])), _message(detail))
        for detail in error.errors(include_url=False)
    ]
