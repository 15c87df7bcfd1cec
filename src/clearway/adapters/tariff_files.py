"""Tariff files read into domain measures: national schedules and quota definitions in CSV
(documented in ``docs/tariff-schedule.md``), and the files shipped with the package. The UK
Trade Tariff's own records are read by ``uk_tariff_files``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from clearway.adapters.reference_files import shipped_codes
from clearway.adapters.text_files import MIB, TextFileError, read_text
from clearway.domain.reference import ExchangeRate
from clearway.domain.tariff.expressions import ExpressionError, parse_expression
from clearway.domain.tariff.measures import (
    Action,
    Measure,
    MeasureCondition,
    MeasureType,
)
from clearway.domain.tariff.units import Unit


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
    rate_places: list[str] = field(default_factory=list)
    """Where each rate was read, as messages name it."""
    additional_codes: dict[str, str] = field(default_factory=dict)


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
# A national schedule holds some tens of thousands of lines, a quota file some thousands.
MAX_SCHEDULE_BYTES = 64 * MIB
MAX_QUOTA_BYTES = 16 * MIB
# The largest quota volume or balance taken: quotas are counted in kilograms, items or
# litres, and the largest real ones are some hundreds of thousands of tonnes (10^8 to 10^9 kg).
MAX_QUOTA_VOLUME = Decimal(10) ** 15


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


@functools.cache
def known_areas() -> frozenset[str]:
    """The countries (ISO 3166-1) and TARIC groups a measure's origin may name."""
    return shipped_codes("country") | frozenset(shipped_geography().areas)


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


def _csv_rows(
    path: Path, required: Iterable[str], max_bytes: int = MAX_SCHEDULE_BYTES
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row of a CSV file (UTF-8, a byte-order mark allowed; CR, LF or CRLF line ends)
    with its line."""
    try:
        text = read_text(path, max_bytes, name=path.name)
    except TextFileError as error:
        raise TariffFileError(str(error)) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        missing = [name for name in required if name not in header]
        if missing:
            raise TariffFileError(f"{path.name} line 1: missing columns {', '.join(missing)}")
        for row in reader:
            # The line the row ends on: its line, but for a quoted field across lines.
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                raise TariffFileError(f"{path.name} line {line}: wrong number of fields")
            yield line, {key: value.strip() for key, value in row.items()}
    except csv.Error as error:
        raise TariffFileError(f"{path.name} line {reader.line_num}: {error}") from error


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
        if area not in known_areas():
            raise ValueError(f"{area!r} is not an ISO 3166-1 country or a known TARIC group")
    valid_from = date.fromisoformat(row["valid_from"])
    valid_to = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
    if valid_to is not None and valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    documents = row["documents"].split()
    components = parse_expression(row["duty"]) if row["duty"] else ()
    for component in components:
        if component.currency and component.currency not in shipped_codes("currency"):
            raise ValueError(f"{component.currency!r} in the duty is not an ISO 4217 currency")
    if row["additional_code"] and not re.match(r"^[A-Z0-9]{4}$", row["additional_code"]):
        raise ValueError(f"additional code {row['additional_code']!r} must be 4 letters or digits")
    if row["order_number"] and not re.match(r"^\d{6}$", row["order_number"]):
        raise ValueError(f"order number {row['order_number']!r} must be six digits")
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
    periods: dict[tuple[str, date], int] = {}
    for line, row in _csv_rows(path, QUOTA_COLUMNS, MAX_QUOTA_BYTES):
        try:
            if not re.match(r"^\d{6}$", row["order_number"]):
                raise ValueError(f"order number {row['order_number']!r} must be six digits")
            initial = _volume(row["initial_volume"], "initial_volume")
            balance = _volume(row["balance"], "balance") if row["balance"] else initial
            if balance > initial:
                raise ValueError("balance must lie between zero and the initial volume")
            start = date.fromisoformat(row["valid_from"])
            end = date.fromisoformat(row["valid_to"])
            if end < start:
                raise ValueError("valid_to is before valid_from")
            key = (row["order_number"], start)
            if key in periods:
                raise ValueError(
                    f"quota {key[0]} from {start.isoformat()} is also on line {periods[key]}"
                )
            periods[key] = line
            if row["unit"] and Unit.parse(row["unit"]).code not in shipped_codes("unit"):
                raise ValueError(f"unit {row['unit']!r} is not a known measurement unit")
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


def _volume(text: str, column: str) -> Decimal:
    """A quota volume: a finite number from zero to ``MAX_QUOTA_VOLUME``."""
    try:
        volume = Decimal(text) if len(text) <= 40 else Decimal("NaN")
    except InvalidOperation as error:
        raise ValueError(f"{column} {text!r} is not a number") from error
    if not volume.is_finite() or not 0 <= volume <= MAX_QUOTA_VOLUME:
        raise ValueError(f"{column} {text[:40]!r} must be a number from 0 to {MAX_QUOTA_VOLUME:,}")
    return volume
