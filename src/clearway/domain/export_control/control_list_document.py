"""A control list as a JSON-shaped document, the one form it is loaded, stored and sent in:

    {"version": "…", "label": "…", "description": "…", "illustrative": false,
     "entries": [{"code": "2B350.i", "description": "…", "reasons": ["CB"]}],
     "correlation": [{"commodity_code": "841370", "entry": "2B350.i", "note": "…"}],
     "destinations": [{"list": "…", "country": "RU", "action": "prohibit",
                       "scope": "all-dual-use" | "categories" | "entries",
                       "categories": [0, 1], "entries": ["2B350"], "legal_basis": "…"}]}

``parse_control_list`` checks everything and reports every problem at once, each with a JSON
pointer into the document.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from clearway.domain.export_control.control_list import (
    ControlCode,
    ControlCodeError,
    ControlList,
    ControlListEntry,
    ControlListInvalid,
    Correlation,
    DestinationMeasure,
    MeasureAction,
    MeasureScope,
)

_TOP = ("version", "label", "description", "illustrative", "entries", "correlation", "destinations")
_ENTRY = ("code", "description", "reasons")
_CORRELATION = ("commodity_code", "entry", "note")
_MEASURE = ("list", "country", "action", "scope", "categories", "entries", "legal_basis")

Problems = list[tuple[str, str]]
_Choice = TypeVar("_Choice", MeasureAction, MeasureScope)


def parse_control_list(
    document: Mapping[str, Any], *, countries: Collection[str] | None = None
) -> ControlList:
    """The control list ``document`` describes; raises ``ControlListInvalid`` listing every
    problem. With ``countries``, a measure's country must be one of them (ISO 3166-1)."""
    problems: Problems = []
    _known_keys(document, _TOP, "", problems)
    entries = []
    for index, raw in _items(document, "entries", problems):
        pointer = f"/entries/{index}"
        if not _known_keys(raw, _ENTRY, pointer, problems):
            continue
        code = _code(raw.get("code"), f"{pointer}/code", problems)
        description = _text(raw.get("description"), f"{pointer}/description", problems)
        reasons = _texts(raw.get("reasons", []), f"{pointer}/reasons", problems)
        if code is not None and description is not None and reasons is not None:
            try:
                entries.append(ControlListEntry(code, description, reasons))
            except ValueError as error:
                problems.append((pointer, str(error)))
    correlations = []
    for index, raw in _items(document, "correlation", problems):
        pointer = f"/correlation/{index}"
        if not _known_keys(raw, _CORRELATION, pointer, problems):
            continue
        prefix = _text(raw.get("commodity_code"), f"{pointer}/commodity_code", problems)
        code = _code(raw.get("entry"), f"{pointer}/entry", problems)
        note = _text(raw.get("note", ""), f"{pointer}/note", problems, required=False)
        if prefix is not None and code is not None and note is not None:
            try:
                correlations.append(Correlation(prefix, code, note))
            except ValueError as error:
                problems.append((f"{pointer}/commodity_code", str(error)))
    measures = []
    for index, raw in _items(document, "destinations", problems):
        measure = _measure(raw, f"/destinations/{index}", countries, problems)
        if measure is not None:
            measures.append(measure)
    version = _text(document.get("version", ""), "/version", problems, required=False)
    label = _text(document.get("label", ""), "/label", problems, required=False)
    description = _text(document.get("description", ""), "/description", problems, required=False)
    illustrative = document.get("illustrative", False)
    if not isinstance(illustrative, bool):
        problems.append(("/illustrative", "illustrative is true or false"))
    if problems:
        raise ControlListInvalid(problems)
    return ControlList(
        tuple(entries),
        tuple(correlations),
        tuple(measures),
        version=version or "",
        label=label or "",
        description=description or "",
        illustrative=illustrative,
    )


def control_list_document(control_list: ControlList) -> dict[str, Any]:
    """The document ``parse_control_list`` reads back as the same list."""
    return {
        "version": control_list.version,
        "label": control_list.label,
        "description": control_list.description,
        "illustrative": control_list.illustrative,
        "entries": [entry_document(entry) for entry in control_list.entries],
        "correlation": [correlation_document(row) for row in control_list.correlations],
        "destinations": [measure_document(measure) for measure in control_list.measures],
    }


def entry_document(entry: ControlListEntry) -> dict[str, Any]:
    return {
        "code": str(entry.code),
        "description": entry.description,
        "reasons": list(entry.reasons),
    }


def correlation_document(row: Correlation) -> dict[str, Any]:
    return {"commodity_code": row.commodity_prefix, "entry": str(row.entry), "note": row.note}


def measure_document(measure: DestinationMeasure) -> dict[str, Any]:
    document: dict[str, Any] = {
        "list": measure.list_name,
        "country": measure.country,
        "action": measure.action.value,
        "scope": measure.scope.value,
        "legal_basis": measure.legal_basis,
    }
    if measure.scope is MeasureScope.CATEGORIES:
        document["categories"] = sorted(measure.categories)
    if measure.scope is MeasureScope.ENTRIES:
        document["entries"] = [str(code) for code in measure.entries]
    return document


def _measure(
    raw: Mapping[str, Any], pointer: str, countries: Collection[str] | None, problems: Problems
) -> DestinationMeasure | None:
    if not _known_keys(raw, _MEASURE, pointer, problems):
        return None
    list_name = _text(raw.get("list"), f"{pointer}/list", problems)
    legal_basis = _text(raw.get("legal_basis"), f"{pointer}/legal_basis", problems)
    country = _text(raw.get("country"), f"{pointer}/country", problems)
    if country is not None and countries is not None and country not in countries:
        problems.append((f"{pointer}/country", f"{country!r} is not an ISO 3166 country code"))
        country = None
    action = _choice(raw.get("action"), MeasureAction, f"{pointer}/action", problems)
    scope = _choice(raw.get("scope"), MeasureScope, f"{pointer}/scope", problems)
    categories = _categories(raw.get("categories", []), f"{pointer}/categories", problems)
    codes = _codes(raw.get("entries", []), f"{pointer}/entries", problems)
    if (
        list_name is None
        or legal_basis is None
        or country is None
        or action is None
        or scope is None
        or categories is None
        or codes is None
    ):
        return None
    try:
        return DestinationMeasure(list_name, country, action, legal_basis, scope, categories, codes)
    except ValueError as error:
        problems.append((pointer, str(error)))
        return None


def _items(
    document: Mapping[str, Any], key: str, problems: Problems
) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects of the list ``document[key]`` with their indexes (none is an empty list)."""
    value = document.get(key, [])
    if not isinstance(value, list):
        problems.append((f"/{key}", f"{key} is a list"))
        return []
    items = []
    for index, item in enumerate(value):
        if isinstance(item, Mapping):
            items.append((index, item))
        else:
            problems.append((f"/{key}/{index}", "each item is an object"))
    return items


def _known_keys(
    raw: Mapping[str, Any], known: tuple[str, ...], pointer: str, problems: Problems
) -> bool:
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        problems.append(
            (pointer, f"unknown field {unknown[0]!r} (the fields are {', '.join(known)})")
        )
    return not unknown


def _text(value: Any, pointer: str, problems: Problems, *, required: bool = True) -> str | None:
    name = pointer.rsplit("/", 1)[-1]
    if not isinstance(value, str):
        problems.append((pointer, f"{name} is text" if value is not None else f"{name} is missing"))
        return None
    if required and not value.strip():
        problems.append((pointer, f"{name} is empty"))
        return None
    return value.strip()


def _texts(value: Any, pointer: str, problems: Problems) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append((pointer, f"{pointer.rsplit('/', 1)[-1]} is a list of text"))
        return None
    return tuple(item.strip() for item in value)


def _code(value: Any, pointer: str, problems: Problems) -> ControlCode | None:
    text = _text(value, pointer, problems)
    if text is None:
        return None
    try:
        return ControlCode.parse(text)
    except ControlCodeError as error:
        problems.append((pointer, str(error)))
        return None


def _codes(value: Any, pointer: str, problems: Problems) -> tuple[ControlCode, ...] | None:
    if not isinstance(value, list):
        problems.append((pointer, "entries are a list of entry codes"))
        return None
    codes = [_code(text, f"{pointer}/{index}", problems) for index, text in enumerate(value)]
    return tuple(code for code in codes if code is not None) if None not in codes else None


def _categories(value: Any, pointer: str, problems: Problems) -> frozenset[int] | None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 9 for item in value
    ):
        problems.append((pointer, "categories are a list of digits 0 to 9"))
        return None
    return frozenset(value)


def _choice(value: Any, kind: type[_Choice], pointer: str, problems: Problems) -> _Choice | None:
    text = _text(value, pointer, problems)
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        allowed = " or ".join(member.value for member in kind)
        problems.append((pointer, f"{pointer.rsplit('/', 1)[-1]} {text!r} must be {allowed}"))
        return None
