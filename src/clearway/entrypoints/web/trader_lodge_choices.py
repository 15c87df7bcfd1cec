"""The select lists of the declaration form, from the code lists the runtime holds: a trader
picks from the short lists and types the long ones (countries, commodity codes) with a hint."""

from __future__ import annotations

from collections.abc import Iterable

from clearway.domain.incoterms import INCOTERMS_2020
from clearway.domain.reference import ReferenceData

Options = list[tuple[str, str]]
DECLARATION_TYPES: Options = [("IM", "Import"), ("EX", "Export")]
TYPE_NAMES = {"IM": "Import", "EX": "Export"}


def _with_current(options: Options, current: str, blank: str | None) -> Options:
    """The options, led by a blank choice when the field is optional, and keeping a value
    that is not on the list (an amended declaration's old code) so it is not silently lost."""
    known = {value for value, _ in options}
    head: Options = [("", blank)] if blank is not None else []
    if current and current not in known:
        head.append((current, f"{current} (not on the list)"))
    return head + options


def _plain(codes: Iterable[str]) -> Options:
    return [(code, code) for code in sorted(codes)]


def form_choices(reference: ReferenceData, values: dict[str, str]) -> dict[str, Options]:
    """Every select's options, by field (item fields by their name within the item)."""
    procedures = [
        (
            code,
            f"{code} · {TYPE_NAMES.get(p.declaration_type, p.declaration_type)}: {p.description}",
        )
        for code, p in sorted(reference.procedures.items())
    ]
    modes = [
        (code, code.replace("_", " ").capitalize()) for code in sorted(reference.transport_modes)
    ]
    incoterms = [(code, f"{code} · {rule.name}") for code, rule in INCOTERMS_2020.items()]
    packages = [
        (code, f"{code} · {kind.description}")
        for code, kind in sorted(reference.package_kinds.items())
    ]
    documents = [
        (code, f"{code} · {text}") for code, text in sorted(reference.document_types.items())
    ]
    currencies = _plain(reference.currencies)

    def pick(name: str, options: Options, blank: str | None = "Choose") -> Options:
        return _with_current(options, values.get(name, ""), blank)

    choices = {
        "type": pick("type", DECLARATION_TYPES, None),
        "procedure": pick("procedure", procedures),
        "office": pick("office", _plain(reference.offices)),
        "transport.mode": pick("transport.mode", modes),
        "incoterm.code": pick("incoterm.code", incoterms),
        "invoice.currency": pick("invoice.currency", currencies),
        "freight.currency": pick("freight.currency", currencies, "None"),
        "insurance.currency": pick("insurance.currency", currencies, "None"),
    }
    # Items share their lists; a value off the list is kept by the item that has it.
    for name, options in {
        "packages.kind": packages,
        "control.list": _plain(reference.control_lists),
        "documents.type": documents,
    }.items():
        extra = {
            value
            for key, value in values.items()
            if value and key.startswith("items.") and _item_field(key) == name
        }
        known = {value for value, _ in options}
        choices[name] = (
            [("", "None")]
            + [(value, f"{value} (not on the list)") for value in sorted(extra - known)]
            + options
        )
    return choices


def _item_field(name: str) -> str:
    """``items.0.documents.1.type`` → ``documents.type``; ``items.0.packages.kind`` → itself."""
    parts = [part for part in name.split(".")[2:] if not part.isdigit()]
    return ".".join(parts)
