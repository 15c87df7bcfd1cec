"""The declaration form: its fields, and the way between them and the wire format.

Every input is named after its place in the JSON document, with dots for the slashes of a JSON
pointer (``items.0.gross_mass_kg`` is ``/items/0/gross_mass_kg``), so that each violation the
schema or the rules find lands next to the field it is about. Blank fields are left out, and a
party, an address, a payment or a package line left wholly blank is left out with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clearway.domain.rules import Violation

PARTY_ROLES = (
    ("declarant", "Declarant"),
    ("importer", "Importer"),
    ("exporter", "Exporter"),
    ("consignee", "Consignee"),
    ("end_user", "End user"),
)
PARTY_FIELDS = (
    "id",
    "name",
    "country",
    "address.street",
    "address.city",
    "address.postcode",
    "address.country",
)
HEADER_FIELDS = (
    "type",
    "procedure",
    "lrn",
    "office",
    "dispatch_country",
    "destination_country",
    "transport.mode",
    "transport.identity",
    "transport.nationality",
    "transport.container",
    "incoterm.code",
    "incoterm.place",
    "invoice.number",
    "invoice.currency",
    "invoice.amount",
    "invoice.date",
    "freight.currency",
    "freight.amount",
    "insurance.currency",
    "insurance.amount",
)
ITEM_FIELDS = (
    "commodity_code",
    "description",
    "origin_country",
    "preference",
    "invoice_amount",
    "net_mass_kg",
    "gross_mass_kg",
    "supplementary_units.quantity",
    "supplementary_units.unit",
    "packages.kind",
    "packages.count",
    "packages.marks",
    "additional_codes",
    "quantities",
    "control.list",
    "control.entry",
)
DOCUMENT_FIELDS = ("type", "reference")
LIST_ITEM_FIELDS = frozenset({"additional_codes", "quantities"})
SINGLE_ITEM_FIELDS = tuple(name for name in ITEM_FIELDS if name not in LIST_ITEM_FIELDS)
INTEGERS = frozenset({"packages.count"})
MAX_ITEMS = 999
MAX_DOCUMENTS = 99

# What a person calls each field (the WCO data element's name, in plain words).
LABELS = {
    "type": "Declaration type",
    "procedure": "Procedure",
    "lrn": "Local reference number (LRN)",
    "office": "Customs office",
    "dispatch_country": "Country of dispatch",
    "destination_country": "Country of destination",
    "transport.mode": "Mode of transport",
    "transport.identity": "Vessel, flight or vehicle",
    "transport.nationality": "Nationality of the means of transport",
    "transport.container": "Goods in containers",
    "incoterm.code": "Incoterm",
    "incoterm.place": "Incoterm place",
    "invoice.number": "Invoice number",
    "invoice.currency": "Invoice currency",
    "invoice.amount": "Invoice total",
    "invoice.date": "Invoice date",
    "freight.currency": "Freight currency",
    "freight.amount": "Freight amount",
    "insurance.currency": "Insurance currency",
    "insurance.amount": "Insurance amount",
    "id": "EORI number",
    "name": "Name",
    "country": "Country",
    "address.street": "Street",
    "address.city": "City",
    "address.postcode": "Postcode",
    "address.country": "Address country",
    "commodity_code": "Commodity code",
    "description": "Description of goods",
    "origin_country": "Country of origin",
    "preference": "Preference",
    "invoice_amount": "Item price",
    "net_mass_kg": "Net mass (kg)",
    "gross_mass_kg": "Gross mass (kg)",
    "supplementary_units.quantity": "Supplementary units",
    "supplementary_units.unit": "Supplementary unit",
    "packages.kind": "Kind of packages",
    "packages.count": "Number of packages",
    "packages.marks": "Shipping marks",
    "additional_codes": "Additional codes",
    "quantities": "Other quantities",
    "control.list": "Control list",
    "control.entry": "Control list entry",
    "sequence": "Item number",
    "documents": "Documents",
}


@dataclass
class FormState:
    """What the form shows: the values typed, how many items and documents, and errors."""

    values: dict[str, str] = field(default_factory=dict)
    item_count: int = 1
    document_counts: list[int] = field(default_factory=lambda: [1])
    errors: dict[str, str] = field(default_factory=dict)
    summary: list[dict[str, str | None]] = field(default_factory=list)

    def names(self) -> list[str]:
        """Every field's name, in the order the form shows them."""
        names = list(HEADER_FIELDS[:6])
        names += [f"{role}.{name}" for role, _ in PARTY_ROLES for name in PARTY_FIELDS]
        names += HEADER_FIELDS[6:]
        for index in range(self.item_count):
            names += [f"items.{index}.{name}" for name in ITEM_FIELDS]
            for number in range(self.document_counts[index]):
                names += [f"items.{index}.documents.{number}.{name}" for name in DOCUMENT_FIELDS]
        return names

    def value(self, name: str) -> str:
        return self.values.get(name, "")


def label_of(name: str) -> str:
    """``items.0.gross_mass_kg`` → ``Item 1: Gross mass (kg)``."""
    parts = name.split(".")
    if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
        item = f"Item {int(parts[1]) + 1}"
        rest = parts[2:]
        if rest[:1] == ["documents"] and len(rest) > 2 and rest[1].isdigit():
            kind = "type" if rest[2] == "type" else "reference"
            return f"{item}: document {int(rest[1]) + 1} {kind}"
        return f"{item}: {LABELS.get('.'.join(rest), 'goods item')}" if rest else item
    for role, title in PARTY_ROLES:
        if parts[0] == role:
            return f"{title}: {LABELS.get('.'.join(parts[1:]), 'details')}"
    return LABELS.get(name, name.replace("_", " ").capitalize())


def state_from_fields(fields: Mapping[str, str]) -> FormState:
    """The form as posted (or as a draft saved it); counts follow the highest numbers seen."""
    values = {name: value for name, value in fields.items() if not name.startswith("_")}
    item_count = 1
    documents: dict[int, int] = {}
    for name in values:
        match = re.match(r"^items\.(\d+)\.(?:documents\.(\d+)\.)?", name)
        if match is None:
            continue
        index = int(match.group(1))
        if index >= MAX_ITEMS:
            continue
        item_count = max(item_count, index + 1)
        if match.group(2) is not None:
            documents[index] = max(documents.get(index, 0), int(match.group(2)) + 1)
    counts = [max(1, min(documents.get(index, 1), MAX_DOCUMENTS)) for index in range(item_count)]
    return FormState(values, item_count, counts)


def add_item(state: FormState) -> int:
    """Append a blank item; its number (0-based), to move the focus to it."""
    if state.item_count < MAX_ITEMS:
        state.item_count += 1
        state.document_counts.append(1)
    return state.item_count - 1


def remove_item(state: FormState, index: int) -> None:
    """Drop an item and renumber those after it, keeping what was typed in them."""
    if state.item_count <= 1 or not 0 <= index < state.item_count:
        return
    moved: dict[str, str] = {}
    for name, value in state.values.items():
        match = re.match(r"^items\.(\d+)\.(.*)$", name)
        if match is None:
            moved[name] = value
            continue
        number = int(match.group(1))
        if number == index:
            continue
        moved[f"items.{number - 1 if number > index else number}.{match.group(2)}"] = value
    state.values = moved
    state.item_count -= 1
    del state.document_counts[index]


def add_document(state: FormState, index: int) -> None:
    if 0 <= index < state.item_count and state.document_counts[index] < MAX_DOCUMENTS:
        state.document_counts[index] += 1


def _nest(values: Mapping[str, str], prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The group of fields under ``prefix`` as nested objects, blanks left out (an object
    whose fields are all blank is left out too)."""
    group: dict[str, Any] = {}
    for name in names:
        raw = values.get(f"{prefix}{name}", "").strip()
        if not raw:
            continue
        value: Any = raw
        if name in INTEGERS and re.fullmatch(r"-?\d{1,12}", raw):
            value = int(raw)
        target = group
        *path, last = name.split(".")
        for part in path:
            target = target.setdefault(part, {})
        target[last] = value
    return group


def _codes(raw: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", raw.strip()) if code]


def _quantities(raw: str) -> list[dict[str, str]] | str:
    """``12.5 ASV, 3 HLT`` → the schema's quantities; the raw text when it does not read so."""
    found = []
    for part in (piece.strip() for piece in re.split(r"[,;]", raw) if piece.strip()):
        match = re.fullmatch(r"(\S+)\s+(\S+)", part)
        if match is None:
            return raw
        found.append({"amount": match.group(1), "unit": match.group(2).upper()})
    return found


@dataclass
class Converted:
    """The payload the form makes, and where each part of the payload came from."""

    payload: dict[str, Any]
    # JSON pointer prefix in the payload → field name prefix in the form (for documents that
    # moved up when a blank row before them was left out).
    moved: dict[str, str]
    problems: dict[str, str]


def to_payload(state: FormState) -> Converted:
    """The wire format the API takes, made from what was typed."""
    values = state.values
    payload = _nest(values, "", HEADER_FIELDS)
    payload.pop("transport", None)
    transport = _nest(values, "transport.", ("mode", "identity", "nationality"))
    transport["container"] = values.get("transport.container", "") in ("on", "true", "1")
    payload["transport"] = transport
    for role, _ in PARTY_ROLES:
        party = _nest(values, f"{role}.", PARTY_FIELDS)
        if party:
            payload[role] = party
    problems: dict[str, str] = {}
    moved: dict[str, str] = {}
    items = []
    for index in range(state.item_count):
        prefix = f"items.{index}."
        item = _nest(values, prefix, SINGLE_ITEM_FIELDS)
        item["sequence"] = index + 1
        codes = _codes(values.get(f"{prefix}additional_codes", ""))
        if codes:
            item["additional_codes"] = codes
        raw_quantities = values.get(f"{prefix}quantities", "").strip()
        if raw_quantities:
            quantities = _quantities(raw_quantities)
            if isinstance(quantities, str):
                problems[f"{prefix}quantities"] = (
                    "Write each quantity as an amount and a unit code, like 12.5 ASV, 3 HLT"
                )
            else:
                item["quantities"] = quantities
        documents: list[dict[str, Any]] = []
        for number in range(state.document_counts[index]):
            document = _nest(values, f"{prefix}documents.{number}.", DOCUMENT_FIELDS)
            if document:
                moved[f"/items/{index}/documents/{len(documents)}"] = f"{prefix}documents.{number}"
                documents.append(document)
        item["documents"] = documents
        items.append(item)
    payload["items"] = items
    return Converted(payload, moved, problems)


def _flatten(value: Any, prefix: str, into: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}{key}.", into)
    elif isinstance(value, bool):
        into[prefix[:-1]] = "on" if value else ""
    elif value is not None:
        into[prefix[:-1]] = str(value)


def state_from_payload(payload: Mapping[str, Any]) -> FormState:
    """The form showing a stored declaration (to amend it)."""
    values: dict[str, str] = {}
    header = {key: value for key, value in payload.items() if key != "items"}
    _flatten(header, "", values)
    items = payload.get("items") or [{}]
    counts = []
    for index, item in enumerate(items):
        prefix = f"items.{index}."
        rest = {
            key: value
            for key, value in item.items()
            if key not in {"documents", "additional_codes", "quantities", "sequence"}
        }
        _flatten(rest, prefix, values)
        values[f"{prefix}additional_codes"] = ", ".join(item.get("additional_codes") or ())
        values[f"{prefix}quantities"] = ", ".join(
            f"{quantity['amount']} {quantity['unit']}" for quantity in item.get("quantities") or ()
        )
        documents = item.get("documents") or []
        for number, document in enumerate(documents):
            _flatten(document, f"{prefix}documents.{number}.", values)
        counts.append(max(1, len(documents)))
    return FormState(values, len(items), counts)


def field_for(pointer: str, state: FormState, moved: Mapping[str, str]) -> str | None:
    """The field a violation's JSON pointer is about (the nearest one holding it)."""
    for source, target in moved.items():
        if pointer == source or pointer.startswith(source + "/"):
            pointer = target.replace(".", "/") + pointer[len(source) :]
            pointer = "/" + pointer.lstrip("/")
            break
    name = ".".join(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:])
    names = state.names()
    known = set(names)
    if name.endswith(".sequence"):
        name = name.removesuffix(".sequence") + ".commodity_code"
    candidate = name
    while candidate:
        if candidate in known:
            return candidate
        inside = next((other for other in names if other.startswith(candidate + ".")), None)
        if inside is not None:
            return inside
        candidate = candidate.rpartition(".")[0]
    return None


def context_of(name: str) -> str:
    """What a field belongs to, as a summary line names it: ``Item 2``, ``Importer``."""
    label = label_of(name)
    return label.partition(":")[0] if ":" in label else ""


def show_violations(
    state: FormState, violations: list[Violation], moved: Mapping[str, str]
) -> None:
    """Put each violation next to its field and all of them in the summary, in form order;
    a field with several problems shows them together. Schema messages already name their
    field; a business rule's message is prefixed with the field it is about."""
    by_field: dict[str, list[str]] = {}
    named: set[str] = set()
    loose: list[str] = []
    for violation in violations:
        text = violation.message[:1].upper() + violation.message[1:]
        name = field_for(violation.pointer, state, moved)
        if name is None:
            loose.append(text)
            continue
        if text not in by_field.setdefault(name, []):
            by_field[name].append(text)
        if violation.code.startswith("SCHEMA."):
            named.add(name)
    for name, texts in by_field.items():
        state.errors[name] = "; ".join(texts)
    order = {name: position for position, name in enumerate(state.names())}
    state.summary = [{"text": text, "href": None} for text in loose]
    for name in sorted(by_field, key=lambda name: order.get(name, len(order))):
        prefix = context_of(name) if name in named else label_of(name)
        text = f"{prefix}: {state.errors[name]}" if prefix else state.errors[name]
        state.summary.append({"text": text, "href": f"#f-{name}"})
