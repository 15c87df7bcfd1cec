"""UK Trade Tariff commodity records read into domain measures.

The records are the Trade Tariff API's commodity documents (``commodities/*.json``) with
``geographical_areas.json`` and ``monetary_exchange_rates.json`` beside them, one directory per
jurisdiction (``uk`` → GB, ``xi`` → Northern Ireland).
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from clearway.adapters.json_input import JsonInputError, parse_json
from clearway.adapters.tariff_files import Commodity, TariffFileError, TariffRecords
from clearway.adapters.text_files import MIB, TextFileError, read_text
from clearway.domain.reference import ExchangeRate, rate_problem
from clearway.domain.tariff.expressions import DutyComponent, amount_problem, component_problem
from clearway.domain.tariff.measures import (
    Action,
    Measure,
    MeasureCondition,
    MeasureType,
    Threshold,
)
from clearway.domain.tariff.units import optional_unit

JURISDICTIONS = {"uk": "GB", "xi": "XI"}
# A commodity's record is some tens of kilobytes, the geography a few hundred: far inside this.
MAX_RECORD_BYTES = 64 * MIB

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
            raise TariffFileError(f"{file}: {_problem(error)}") from error
    rates_file = path / "monetary_exchange_rates.json"
    if rates_file.is_file():
        records.rates, records.rate_places = _read_monthly_rates(rates_file)
    return records


def _load_json(file: Path) -> Any:
    try:
        return parse_json(read_text(file, MAX_RECORD_BYTES), subject=str(file))
    except TextFileError as error:
        raise TariffFileError(str(error)) from error
    except json.JSONDecodeError as error:
        raise TariffFileError(f"{file} line {error.lineno}: not JSON ({error.msg})") from error
    except JsonInputError as error:
        raise TariffFileError(f"{file}: {error.detail}") from error


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
        try:
            records.measures.append(_uk_measure(code, raw))
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise ValueError(f"measure {raw.get('id')}: {_problem(error)}") from error
        additional = raw.get("additional_code")
        if additional and additional.get("code"):
            records.additional_codes[additional["code"]] = _plain(additional.get("description"))


def _uk_measure(commodity: str, raw: dict[str, Any]) -> Measure:
    kind = raw["measure_type"]
    additional = raw.get("additional_code") or {}
    order = raw.get("order_number") or {}
    valid_from = _date(raw["effective_start_date"])
    valid_to = _date(raw["effective_end_date"]) if raw.get("effective_end_date") else None
    if valid_to is not None and valid_to < valid_from:
        raise ValueError(
            f"measure {raw['id']} ends on {valid_to}, before it starts on {valid_from}"
        )
    return Measure(
        sid=str(raw["id"]),
        measure_type=MeasureType(
            id=str(kind["id"]),
            series=kind["measure_type_series_id"],
            description=kind["description"],
        ),
        commodity_code=commodity,
        area=raw["geographical_area"]["geographical_area_id"],
        valid_from=valid_from,
        valid_to=valid_to,
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
    component = DutyComponent(
        expression=raw["duty_expression_id"],
        amount=_decimal(raw["duty_amount"]) if raw.get("duty_amount") is not None else Decimal(0),
        currency=raw.get("monetary_unit_code") or None,
        unit=optional_unit(
            raw.get("measurement_unit_code"), raw.get("measurement_unit_qualifier_code")
        ),
    )
    problem = component_problem(component)
    if problem is not None:
        raise ValueError(f"measure component duty_amount {problem}")
    return component


def _decimal(value: object) -> Decimal:
    """A number as the records give it (a JSON number or a string); booleans are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise ValueError(f"{value!r} is not a number")
    return Decimal(value.strip() if isinstance(value, str) else value)


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
        amount = _decimal(raw["condition_duty_amount"])
        problem = amount_problem(amount, percent=False)
        if problem is not None:
            raise ValueError(f"condition_duty_amount {amount} is {problem}")
        threshold = Threshold(
            amount=amount,
            currency=raw.get("condition_monetary_unit_code") or None,
            unit=optional_unit(
                raw.get("condition_measurement_unit_code"),
                raw.get("condition_measurement_unit_qualifier_code"),
            ),
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


def _read_monthly_rates(file: Path) -> tuple[list[ExchangeRate], list[str]]:
    """The monthly EUR rates, each with where it is (``monetary_exchange_rates.json entry 3``);
    a rate that cannot value goods (``rate_problem``) or a month given twice is refused."""
    entries = _load_json(file)
    if not isinstance(entries, list):
        raise TariffFileError(f"{file}: expected a JSON array of monthly rates")
    rates: list[ExchangeRate] = []
    places: list[str] = []
    seen: dict[date, str] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{file.name} entry {number}"
        try:
            attributes = entry.get("attributes", entry)
            start = _date(attributes["validity_start_date"])
            rate = _decimal(attributes["exchange_rate"])
        except (AttributeError, KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise TariffFileError(f"{where}: not a monthly rate ({error!r})") from error
        problem = rate_problem(rate)
        if problem is not None:
            raise TariffFileError(f"{where}: exchange_rate {rate} is {problem}")
        if start in seen:
            raise TariffFileError(f"{where}: the month from {start} is also {seen[start]}")
        seen[start] = where
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        rates.append(ExchangeRate(currency="EUR", valid_from=start, valid_to=end, rate=rate))
        places.append(where)
    return rates, places


def _problem(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"no {error} field"
    if isinstance(error, InvalidOperation):
        return "a number that is not one"
    return str(error)


def _date(text: str) -> date:
    return date.fromisoformat(text[:10])


_TAGS = re.compile(r"<[^>]+>")


def _plain(text: object) -> str:
    return html.unescape(_TAGS.sub("", str(text))).strip() if text else ""
