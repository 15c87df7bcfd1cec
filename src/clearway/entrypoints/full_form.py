"""What a full declaration in Clearway's own form must state, as schema errors.

A declaration without an additional declaration type (UCC 1/2) is a full declaration: it names
every party, states the incoterm and the invoice, and gives each item its commodity code,
description, origin, price and net mass. A WCO declaration of a given type states what that type
requires instead, so the wire schema leaves these fields optional and this module reports each
one missing from a full declaration exactly as the schema reports a missing field.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

HEADER = ("destination_country", "transport", "incoterm", "invoice")
PARTIES = ("declarant", "importer", "exporter", "consignee", "end_user", "carrier", "consignor")
ITEM = ("commodity_code", "description", "origin_country", "invoice_amount", "net_mass_kg")


def _missing(location: tuple[int | str, ...], parent: dict[str, Any]) -> InitErrorDetails:
    return {"type": "missing", "loc": location, "input": parent}


def missing_in_full_form(data: dict[str, Any]) -> list[InitErrorDetails]:
    """One ``missing`` error for each field a full declaration lacks, at its location."""
    errors = [_missing((name,), data) for name in HEADER if name not in data]
    transport = data.get("transport")
    if isinstance(transport, dict) and "mode" not in transport:
        errors.append(_missing(("transport", "mode"), transport))
    invoice = data.get("invoice")
    if isinstance(invoice, dict) and "number" not in invoice:
        errors.append(_missing(("invoice", "number"), invoice))
    for role in PARTIES:
        party = data.get(role)
        if isinstance(party, dict) and "name" not in party:
            errors.append(_missing((role, "name"), party))
    items = data.get("items")
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                errors.extend(
                    _missing(("items", index, name), item) for name in ITEM if name not in item
                )
                errors.extend(_missing_in_parts(index, item))
    return errors


def _missing_in_parts(index: int, item: dict[str, Any]) -> list[InitErrorDetails]:
    """The parts of an item a full declaration states whole: units with their unit, packages
    with their kind, documents with their reference."""
    errors = []
    for part, name in (
        ("supplementary_units", "unit"),
        ("packages", "kind"),
        ("packages", "count"),
    ):
        value = item.get(part)
        if isinstance(value, dict) and name not in value:
            errors.append(_missing(("items", index, part, name), value))
    documents = item.get("documents")
    if isinstance(documents, list):
        for position, document in enumerate(documents):
            if isinstance(document, dict) and "reference" not in document:
                errors.append(
                    _missing(("items", index, "documents", position, "reference"), document)
                )
    return errors


def reraised(error: ValidationError) -> list[InitErrorDetails]:
    """The errors of ``error`` in the form that builds a new ``ValidationError``."""
    return [
        {
            "type": PydanticCustomError(
                detail["type"], detail["msg"].replace("{", "(").replace("}", ")")
            ),
            "loc": detail["loc"],
            "input": detail["input"],
        }
        for detail in error.errors(include_url=False)
    ]
