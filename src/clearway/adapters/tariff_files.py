"""Tariff files read into domain measures: UK Trade Tariff commodity records and national
schedules in CSV.

UK records are the Trade Tariff API's commodity documents (``commodities/*.json``) with
``geographical_areas.json`` and ``monetary_exchange_rates.json`` beside them, one directory per
jurisdiction (``uk`` → GB, ``xi`` → Northern Ireland). The CSV schedule is documented in
``docs/tariff-schedule.md``.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from clearway.domain.reference import ExchangeRate
from clearway.domain.tariff.expressions import DutyComponent, ExpressionError, parse_expression
from clearway.domain.tariff.measures import (
    Action,
    Measure,
    MeasureCondition,
    MeasureType,
    Threshold,
)
from clearway.domain.tariff.units import Unit

JURISDICTIONS = {"uk": "GB", "xi": "XI"}

# TARIC action descriptions as the UK Trade Tariff prints them, for records without a code.
_ACTIONS = {
    "apply the amount of the action": Action.APPLY_AMOUNT,
    "apply the amount of the action (see components)": Action.APPLY_AMOUNT,
    "the entry into free circulation is not allowed": Action.NOT_ALLOWED,
    "measure not applicable": Action.NOT_APPLICABLE,
    "declaration to be corrected - box 33, 37, 38, 41 or 46 incorrect": (
        Action.SUBHEADING_NOT_ALLOWED
    ),
    "import/export not allowed after control": Action.NOT_ALLOWED_AFTER_CONTROL,
    "entry into free circulation allowed": Action.ALLOWED,
    "apply the mentioned duty": Action.APPLY_MENTIONED_DUTY,
    "declared subheading allowed": Action.SUBHEADING_ALLOWED,
    "import/export allowed after control": Action.ALLOWED_AFTER_CONTROL,
}


class TariffFileError(ValueError):
    """A tariff file that cannot be read; the message names the file and line or record."""


@dataclass(frozen=True, slots=True)
class Commodity:
    code: str
    suffix: str
    indent: int
    description: str


@dataclass(slots=True)
class TariffRecords:
    """What one tariff source holds for one jurisdiction."""

    jurisdiction: str
    source: str
    measures: list[Measure] = field(default_factory=list)
    commodities: list[Commodity] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    rates: list[ExchangeRate] = field(default_factory=list)
    additional_codes: dict[str, str] = field(default_factory=dict)


# --- UK Trade Tariff records --------------------------------------------------------------


def read_uk_directory(path: Path) -> list[TariffRecords]:
    """Every jurisdiction under ``path`` (``uk/``, ``xi/``), or ``path`` itself when it is one."""
    if (path / "commodities").is_dir():
        return [_read_jurisdiction(path, JURISDICTIONS.get(path.name, path.name.upper()))]
    found = [
        _read_jurisdiction(path / name, code)
        for name, code in JURISDICTIONS.items()
        if (path / name).is_dir()
    ]
    if not found:
        raise TariffFileError(f"{path}: no commodities/ directory and no uk/ or xi/ inside")
    return found


def _read_jurisdiction(path: Path, jurisdiction: str) -> TariffRecords:
    records = TariffRecords(jurisdiction=jurisdiction, source="uk-trade-tariff")
    for name in ("geographical_areas.json", "geographical_areas/countries.json"):
        if (path / name).is_file():
            for area in _load_json(path / name):
                _add_area(records, area)
    files = sorted((path / "commodities").glob("*.json"))
    if not files:
        raise TariffFileError(f"{path / 'commodities'}: no commodity records")
    for file in files:
        document = _load_json(file)
        try:
            _read_commodity(records, document, file.stem)
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise TariffFileError(f"{file}: {error}") from error
    rates_file = path / "monetary_exchange_rates.json"
    if rates_file.is_file():
        records.rates = _read_monthly_rates(rates_file)
    return records


def _load_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TariffFileError(f"{file}: {error}") from error


def _add_area(records: TariffRecords, area: dict[str, Any]) -> None:
    code = area["geographical_area_id"]
    records.areas.setdefault(code, area.get("description") or code)
    for child in area.get("children_geographical_areas") or ():
        records.members.setdefault(code, set()).add(child["geographical_area_id"])
        records.areas.setdefault(child["geographical_area_id"], child.get("description") or "")


def _read_commodity(records: TariffRecords, document: dict[str, Any], name: str) -> None:
    # A record is filed under its commodity code; the file name is the key it is published as.
    code = name if re.fullmatch(r"\d{10}", name) else document["goods_nomenclature_item_id"]
    records.commodities.append(
        Commodity(
            code=code,
            suffix=str(document.get("producline_suffix") or "80"),
            indent=int(document.get("number_indents") or 0),
            description=document.get("description_plain") or document.get("description") or "",
        )
    )
    for raw in document.get("import_measures") or ():
        _add_area(records, raw["geographical_area"])
        records.measures.append(_uk_measure(code, raw))
        additional = raw.get("additional_code")
        if additional and additional.get("code"):
            records.additional_codes[additional["code"]] = _plain(additional.get("description"))


def _uk_measure(commodity: str, raw: dict[str, Any]) -> Measure:
    kind = raw["measure_type"]
    additional = raw.get("additional_code") or {}
    order = raw.get("order_number") or {}
    return Measure(
        sid=str(raw["id"]),
        measure_type=MeasureType(
            id=str(kind["id"]),
            series=kind["measure_type_series_id"],
            description=kind["description"],
        ),
        commodity_code=commodity,
        area=raw["geographical_area"]["geographical_area_id"],
        valid_from=_date(raw["effective_start_date"]),
        valid_to=_date(raw["effective_end_date"]) if raw.get("effective_end_date") else None,
        excluded=frozenset(
            area["geographical_area_id"] for area in raw.get("excluded_countries") or ()
        ),
        components=tuple(_uk_component(c) for c in raw.get("measure_components") or ()),
        conditions=tuple(
            _uk_condition(index, c) for index, c in enumerate(raw.get("measure_conditions") or ())
        ),
        additional_code=additional.get("code") or None,
        order_number=(order.get("number") if isinstance(order, dict) else None) or None,
        footnotes=tuple(
            f"{note.get('code', '')}: {_plain(note.get('description'))}"
            for note in raw.get("footnotes") or ()
        ),
        source="uk-trade-tariff",
    )


def _uk_component(raw: dict[str, Any]) -> DutyComponent:
    unit = raw.get("measurement_unit_code")
    return DutyComponent(
        expression=raw["duty_expression_id"],
        amount=Decimal(raw["duty_amount"]) if raw.get("duty_amount") is not None else Decimal(0),
        currency=raw.get("monetary_unit_code") or None,
        unit=Unit(unit, raw.get("measurement_unit_qualifier_code") or "") if unit else None,
    )


def _uk_condition(index: int, raw: dict[str, Any]) -> MeasureCondition:
    action = raw.get("action_code")
    if action:
        resolved = Action(action)
    else:
        text = " ".join((raw.get("action") or "").lower().split())
        if text not in _ACTIONS:
            raise ValueError(f"unknown measure action {raw.get('action')!r}")
        resolved = _ACTIONS[text]
    threshold = None
    if raw.get("condition_duty_amount") is not None:
        unit = raw.get("condition_measurement_unit_code")
        threshold = Threshold(
            amount=Decimal(raw["condition_duty_amount"]),
            currency=raw.get("condition_monetary_unit_code") or None,
            unit=Unit(unit, raw.get("condition_measurement_unit_qualifier_code") or "")
            if unit
            else None,
        )
    return MeasureCondition(
        code=raw["condition_code"],
        sequence=index,
        action=resolved,
        document=raw.get("document_code") or None,
        threshold=threshold,
        components=tuple(_uk_component(c) for c in raw.get("measure_condition_components") or ()),
        requirement=_plain(raw.get("requirement")) or None,
    )


def _read_monthly_rates(file: Path) -> list[ExchangeRate]:
    rates = []
    for entry in _load_json(file):
        attributes = entry.get("attributes", entry)
        start = _date(attributes["validity_start_date"])
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        rates.append(
            ExchangeRate(
                currency="EUR",
                valid_from=start,
                valid_to=end,
                rate=Decimal(str(attributes["exchange_rate"])),
            )
        )
    return rates


def _date(text: str) -> date:
    return date.fromisoformat(text[:10])


_TAGS = re.compile(r"<[^>]+>")


def _plain(text: object) -> str:
    return html.unescape(_TAGS.sub("", str(text))).strip() if text else ""


# --- national schedule in CSV ----------------------------------------------------------------

SCHEDULE_COLUMNS = (
    "commodity_code",
    "measure_type",
    "origin",
    "excluded",
    "duty",
    "valid_from",
    "valid_to",
    "additional_code",
    "order_number",
    "documents",
    "description",
)
_CODE = re.compile(r"^\d{2}(\d{2}){0,4}$")
_AREA = re.compile(r"^([A-Z]{2}|\d{4})$")


def measure_types() -> dict[str, MeasureType]:
    """The measure types a schedule may use, shipped as data."""
    text = resources.files("clearway.reference").joinpath("data/tariff/measure_types.csv")
    with text.open(encoding="utf-8") as handle:
        return {
            row["id"]: MeasureType(row["id"], row["series"], row["description"])
            for row in csv.DictReader(handle)
        }


def shipped_file(name: str) -> Path:
    """A tariff file shipped with the package (``clearway/reference/data/tariff``)."""
    return Path(str(resources.files("clearway.reference").joinpath(f"data/tariff/{name}")))


def shipped_geography() -> TariffRecords:
    """Geographical areas and groups with their members, from the UK Trade Tariff."""
    records = TariffRecords(jurisdiction="", source="geography")
    for _line, row in _csv_rows(shipped_file("geographical_areas.csv"), ("area", "description")):
        records.areas[row["area"]] = row["description"]
        members = row.get("members", "").split()
        if members:
            records.members[row["area"]] = set(members)
            for member in members:
                records.areas.setdefault(member, member)
    return records


def read_schedule(path: Path, jurisdiction: str) -> TariffRecords:
    """A national schedule: one measure per line. Raises ``TariffFileError`` naming the line."""
    records = TariffRecords(jurisdiction=jurisdiction, source=f"schedule:{path.name}")
    types = measure_types()
    for line, row in _csv_rows(path, SCHEDULE_COLUMNS):
        try:
            measure, commodity = _schedule_measure(row, line, types, records.source)
        except (ValueError, ExpressionError, InvalidOperation) as error:
            raise TariffFileError(f"{path.name} line {line}: {error}") from error
        records.measures.append(measure)
        if commodity is not None:
            records.commodities.append(commodity)
    if not records.measures:
        raise TariffFileError(f"{path.name}: no measures")
    return records


def _csv_rows(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise TariffFileError(f"{path}: {error.strerror}") from error
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [name for name in required if name not in header]
            if missing:
                raise TariffFileError(f"{path.name} line 1: missing columns {', '.join(missing)}")
            for row in reader:
                if None in row or any(value is None for value in row.values()):
                    raise TariffFileError(
                        f"{path.name} line {reader.line_num}: wrong number of fields"
                    )
                yield reader.line_num, {key: value.strip() for key, value in row.items()}
        except (UnicodeDecodeError, csv.Error) as error:
            raise TariffFileError(f"{path.name}: {error}") from error


def _schedule_measure(
    row: dict[str, str], line: int, types: dict[str, MeasureType], source: str
) -> tuple[Measure, Commodity | None]:
    code = row["commodity_code"]
    if not _CODE.match(code):
        raise ValueError(f"commodity code {code!r} must be 2 to 10 digits in pairs")
    measure_type = types.get(row["measure_type"])
    if measure_type is None:
        raise ValueError(f"unknown measure type {row['measure_type']!r}")
    origin = row["origin"] or "1011"
    excluded = frozenset(row["excluded"].split())
    for area in (origin, *excluded):
        if not _AREA.match(area):
            raise ValueError(f"{area!r} is neither a country code nor a four-digit group")
    valid_from = date.fromisoformat(row["valid_from"])
    valid_to = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
    if valid_to is not None and valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    documents = row["documents"].split()
    components = parse_expression(row["duty"]) if row["duty"] else ()
    if measure_type.series in "CDJPQ" and not components:
        raise ValueError(f"measure type {measure_type.id} needs a duty expression")
    if measure_type.id in ("122", "123", "143", "146") and not row["order_number"]:
        raise ValueError(f"measure type {measure_type.id} needs a quota order number")
    conditions = _document_conditions(measure_type, documents)
    measure = Measure(
        sid=f"{source}#{line}",
        measure_type=measure_type,
        commodity_code=code,
        area=origin,
        valid_from=valid_from,
        valid_to=valid_to,
        excluded=excluded,
        components=components,
        conditions=conditions,
        additional_code=row["additional_code"] or None,
        order_number=row["order_number"] or None,
        source=source,
    )
    commodity = (
        Commodity(code=code.ljust(10, "0"), suffix="80", indent=0, description=row["description"])
        if row["description"]
        else None
    )
    return measure, commodity


def _document_conditions(
    measure_type: MeasureType, documents: list[str]
) -> tuple[MeasureCondition, ...]:
    """Documents a measure asks for, as TARIC conditions: any one of them, else refusal.

    Duty measures (a preference's proof of origin) use condition Q and become inapplicable
    without the document; restrictions use condition B and forbid entry without it.
    """
    if not documents:
        return ()
    for document in documents:
        if not re.match(r"^[A-Z0-9]{4}$", document):
            raise ValueError(f"document code {document!r} must be 4 letters or digits")
    restriction = measure_type.series in "AB"
    code = "B" if restriction else "Q"
    allowed = Action.ALLOWED if restriction else Action.APPLY_MENTIONED_DUTY
    refused = Action.NOT_ALLOWED if restriction else Action.NOT_APPLICABLE
    conditions = [
        MeasureCondition(code=code, sequence=index, action=allowed, document=document)
        for index, document in enumerate(documents)
    ]
    conditions.append(MeasureCondition(code=code, sequence=len(documents), action=refused))
    return tuple(conditions)


# --- quota definitions in CSV ----------------------------------------------------------------

QUOTA_COLUMNS = ("order_number", "valid_from", "valid_to", "initial_volume", "unit", "balance")


@dataclass(frozen=True, slots=True)
class QuotaDefinition:
    order_number: str
    valid_from: date
    valid_to: date
    initial_volume: Decimal
    balance: Decimal
    unit: Unit | None
    description: str


def read_quotas(path: Path) -> list[QuotaDefinition]:
    """Quota definitions with their opening balances; raises ``TariffFileError`` by line."""
    quotas = []
    for line, row in _csv_rows(path, QUOTA_COLUMNS):
        try:
            if not re.match(r"^\d{6}$", row["order_number"]):
                raise ValueError(f"order number {row['order_number']!r} must be six digits")
            initial = Decimal(row["initial_volume"])
            balance = Decimal(row["balance"]) if row["balance"] else initial
            if initial < 0 or balance < 0 or balance > initial:
                raise ValueError("balance must lie between zero and the initial volume")
            start = date.fromisoformat(row["valid_from"])
            end = date.fromisoformat(row["valid_to"])
            if end < start:
                raise ValueError("valid_to is before valid_from")
            quotas.append(
                QuotaDefinition(
                    order_number=row["order_number"],
                    valid_from=start,
                    valid_to=end,
                    initial_volume=initial,
                    balance=balance,
                    unit=Unit.parse(row["unit"]) if row["unit"] else None,
                    description=row.get("description") or "",
                )
            )
        except (ValueError, InvalidOperation) as error:
            raise TariffFileError(f"{path.name} line {line}: {error}") from error
    return quotas
