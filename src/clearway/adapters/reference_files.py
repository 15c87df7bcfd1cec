"""Reading the shipped reference files and the ISO lists into code-list rows and ``ReferenceData``.

Countries and currencies come from ``pycountry`` (ISO 3166-1, ISO 4217); the rest from CSV files
in ``clearway/reference/data`` (provenance in ``PROVENANCE.md`` there).
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pycountry

from clearway.adapters.text_files import MIB, TextFileError, decode_text, read_bytes
from clearway.domain.incoterms import INCOTERMS_2020
from clearway.domain.procedures import direction
from clearway.domain.reference import (
    ExchangeRate,
    LargeChange,
    PackageKind,
    ProcedureCode,
    RateTable,
    ReferenceData,
    rate_problem,
)
from clearway.reference import DATA_DIR

SHIPPED_RATE_FILES = ("rates-eur-gbp-2016-2021.csv", "rates-illustrative.csv")


@dataclass(frozen=True, slots=True)
class CodeRow:
    list: str
    code: str
    description: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HsRow:
    code: str
    level: int
    parent: str | None
    section: str
    description: str


class RatesFileError(ValueError):
    """Exchange rates that cannot be loaded; the message names the file and line."""


class LargeRateChanges(RatesFileError):
    """Rates that move more than the plausible band from the rate before them (see
    ``LARGE_CHANGE_FACTOR``); loaded only when large changes are allowed."""

    def __init__(self, message: str, changes: Sequence[LargeChange]) -> None:
        super().__init__(message)
        self.changes = tuple(changes)


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def code_rows() -> Iterator[CodeRow]:
    """Every code-list entry except the HS nomenclature."""
    for country in pycountry.countries:
        yield CodeRow("country", country.alpha_2, country.name, {"alpha_3": country.alpha_3})
    # Codes customs uses besides ISO 3166 (continental shelf sectors, XI Northern Ireland …).
    for code, name in _cds_codes("countryCodes.json").items():
        if pycountry.countries.get(alpha_2=code) is None:
            yield CodeRow("country", code, name, {"alpha_3": ""})
    for currency in pycountry.currencies:
        yield CodeRow("currency", currency.alpha_3, currency.name, {})
    for term in INCOTERMS_2020.values():
        yield CodeRow(
            "incoterm",
            term.code,
            term.name,
            {
                "sea_only": term.sea_only,
                "includes_main_carriage": term.includes_main_carriage,
                "includes_insurance": term.includes_insurance,
            },
        )
    procedures = {row["code"]: row for row in _csv("procedures.csv")}
    for row in procedures.values():
        yield CodeRow(
            "procedure",
            row["code"],
            row["description"],
            {"declaration_type": row["declaration_type"]},
        )
    cds_procedures = _cds_codes(
        "procedureCodes/procedureCodes.json", "procedureCodes/procedureCodesC21.json"
    )
    for code, name in cds_procedures.items():
        if code not in procedures:
            yield CodeRow("procedure", code, name, {"declaration_type": direction(code)})
    packages = {row["code"]: row for row in _csv("packages.csv")}
    for row in packages.values():
        yield CodeRow("package", row["code"], row["description"], {"bulk": row["bulk"] == "true"})
    for code, name in _cds_codes("packageTypes.json").items():
        if code not in packages:
            yield CodeRow("package", code, name, {"bulk": code in BULK_PACKAGES})
    for row in _csv("units.csv"):
        yield CodeRow("unit", row["code"], row["description"], {})
    for row in _csv("preferences.csv"):
        yield CodeRow("preference", row["code"], row["description"], {})
    for row in _csv("transport_modes.csv"):
        yield CodeRow(
            "transport_mode", row["code"], row["description"], {"un_rec19": row["un_rec19"]}
        )
    for row in _csv("control_lists.csv"):
        yield CodeRow("control_list", row["code"], row["description"], {})
    offices = {row["code"]: row for row in _csv("offices.csv")}
    for row in offices.values():
        yield CodeRow("office", row["code"], row["name"], {"country": row["country"]})
    for code, name in _cds_codes("customsOffices.json", "officeOfExits.json").items():
        if code not in offices:
            yield CodeRow("office", code, name, {"country": code[:2]})
    for row in _csv("document_types.csv"):
        yield CodeRow("document", row["code"], row["description"], {})


# UN/ECE Recommendation 21: bulk (V…) and unpacked (N…) kinds.
BULK_PACKAGES = frozenset({"VG", "VL", "VO", "VQ", "VR", "VS", "VY", "NE", "NF", "NG"})


def _cds_codes(*names: str) -> dict[str, str]:
    """Code and English text of the UK CDS code lists shipped in ``cds/``."""
    found: dict[str, str] = {}
    for name in names:
        path = DATA_DIR.joinpath("cds", *name.split("/"))
        if path.is_file():
            for entry in json.loads(path.read_text(encoding="utf-8")):
                found.setdefault(entry["code"], entry["en"])
    return found


@functools.cache
def shipped_codes(list_name: str) -> frozenset[str]:
    """The codes of one shipped code list (``country``, ``currency``, ``unit`` …), for loaders
    that refuse a code no list holds."""
    return frozenset(row.code for row in code_rows() if row.list == list_name)


def hs_rows() -> Iterator[HsRow]:
    for row in _csv("hs2022.csv"):
        # UN Comtrade's pseudo-codes 99/9999/999999 ("not specified according to kind")
        # are statistical, not part of the HS.
        if row["level"] in {"2", "4", "6"} and not row["hscode"].startswith("99"):
            parent = row["parent"] if row["parent"] != "TOTAL" else None
            yield HsRow(
                row["hscode"], int(row["level"]), parent, row["section"], row["description"]
            )


# A rates file holds a few thousand rows (monthly rates of every currency for years); this
# bound is some hundred thousand, and keeps a mistaken upload from being read whole.
MAX_RATES_BYTES = 16 * MIB
# Longer than any rate written out in full to MAX_RATE_DIGITS digits: longer text is not a rate.
_MAX_RATE_TEXT = 40


@dataclass(frozen=True, slots=True)
class RatesFile:
    """The rates read from one file, in file order, with the line each is on."""

    source: str
    rates: tuple[ExchangeRate, ...]
    lines: tuple[int, ...]

    @property
    def places(self) -> tuple[str, ...]:
        """Where each rate is, as messages name it: ``rates.csv line 4``."""
        return tuple(f"{self.source} line {line}" for line in self.lines)

    def __iter__(self) -> Iterator[ExchangeRate]:
        return iter(self.rates)

    def __len__(self) -> int:
        return len(self.rates)


def read_rates(path: Path) -> RatesFile:
    """Read a rates CSV file; see ``parse_rates``."""
    try:
        data = read_bytes(path, MAX_RATES_BYTES, name=path.name)
    except TextFileError as error:
        raise RatesFileError(str(error)) from error
    return parse_rates(data, path.name)


def parse_rates(content: bytes | str, source: str) -> RatesFile:
    """Parse ``currency,valid_from,valid_to,rate`` rows (rate: national units per unit).

    ``content`` is UTF-8, with or without a byte-order mark, its lines ending in CR, LF or CRLF.
    Every rate must be fit to value goods at (``rate_problem``), and the rates of one currency
    must not overlap: a rate with a ``valid_to`` ends before the next one starts. Raises
    ``RatesFileError`` naming the first bad line; nothing is half-read.
    """
    if isinstance(content, bytes):
        if len(content) > MAX_RATES_BYTES:
            raise RatesFileError(f"{source}: larger than {MAX_RATES_BYTES // MIB} MiB")
        try:
            text = decode_text(content, source)
        except TextFileError as error:
            raise RatesFileError(str(error)) from error
    else:
        text = content.removeprefix("\ufeff")
    # newline="": the reader itself splits lines on CR, LF and CRLF and counts them.
    reader = csv.reader(io.StringIO(text, newline=""))
    rates: list[ExchangeRate] = []
    lines: list[int] = []
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = {"currency", "valid_from", "rate"} - set(header)
        if missing:
            raise RatesFileError(f"{source}: missing columns {', '.join(sorted(missing))}")
        start = reader.line_num + 1
        for fields in reader:
            where = f"{source} line {start}"
            if any(field.strip() for field in fields):
                if len(fields) != len(header):
                    raise RatesFileError(
                        f"{where}: {len(fields)} fields where the header has {len(header)}"
                    )
                rates.append(_rate(dict(zip(header, fields, strict=True)), where))
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise RatesFileError(f"{source} line {reader.line_num}: {error}") from error
    if not rates:
        raise RatesFileError(f"{source}: no rates")
    _check_periods(rates, lines, source)
    return RatesFile(source, tuple(rates), tuple(lines))


def _rate(row: dict[str, str], where: str) -> ExchangeRate:
    currency = (row.get("currency") or "").strip().upper()
    if pycountry.currencies.get(alpha_3=currency) is None:
        raise RatesFileError(f"{where}: {currency!r} is not an ISO 4217 currency")
    try:
        valid_from = date.fromisoformat(row["valid_from"].strip())
        valid_to_text = (row.get("valid_to") or "").strip()
        valid_to = date.fromisoformat(valid_to_text) if valid_to_text else None
    except ValueError as error:
        raise RatesFileError(f"{where}: dates must be YYYY-MM-DD ({error})") from error
    text = row["rate"].strip()
    try:
        if len(text) > _MAX_RATE_TEXT:
            raise InvalidOperation
        rate = Decimal(text)
    except InvalidOperation as error:
        shown = text if len(text) <= _MAX_RATE_TEXT else f"{text[:_MAX_RATE_TEXT]}..."
        raise RatesFileError(f"{where}: rate {shown!r} is not a number") from error
    problem = rate_problem(rate)
    if problem is not None:
        raise RatesFileError(
            f"{where}: rate must be a positive number fit to value goods at; {text} is {problem}"
        )
    if valid_to is not None and valid_to < valid_from:
        raise RatesFileError(f"{where}: valid_to is before valid_from")
    return ExchangeRate(currency, valid_from, valid_to, rate)


def _check_periods(rates: list[ExchangeRate], lines: list[int], source: str) -> None:
    """Refuse two rates of a currency from the same day, or a rate whose stated end is on or
    after the start of the next one: which rate is in force would depend on the reading."""
    order = sorted(range(len(rates)), key=lambda i: (rates[i].currency, rates[i].valid_from))
    for earlier, later in itertools.pairwise(order):
        first, second = rates[earlier], rates[later]
        if first.currency != second.currency:
            continue
        line, other = max(lines[earlier], lines[later]), min(lines[earlier], lines[later])
        if first.valid_from == second.valid_from:
            raise RatesFileError(
                f"{source} line {line}: {first.currency} from {first.valid_from.isoformat()} "
                f"is also on line {other}"
            )
        if first.valid_to is not None and first.valid_to >= second.valid_from:
            raise RatesFileError(
                f"{source} line {lines[later]}: {second.currency} from "
                f"{second.valid_from.isoformat()} overlaps line {lines[earlier]}, in force "
                f"until {first.valid_to.isoformat()}"
            )


def shipped_rates() -> list[ExchangeRate]:
    return [rate for name in SHIPPED_RATE_FILES for rate in read_rates(DATA_DIR / name)]


def build_reference(
    codes: Iterable[CodeRow], hs_subheadings: Iterable[str], rates: Iterable[ExchangeRate]
) -> ReferenceData:
    by_list: dict[str, list[CodeRow]] = {}
    for row in codes:
        by_list.setdefault(row.list, []).append(row)

    def codes_of(name: str) -> frozenset[str]:
        return frozenset(row.code for row in by_list.get(name, ()))

    return ReferenceData(
        hs_subheadings=frozenset(hs_subheadings),
        countries=codes_of("country"),
        currencies=codes_of("currency"),
        procedures={
            row.code: ProcedureCode(row.code, row.attributes["declaration_type"], row.description)
            for row in by_list.get("procedure", ())
        },
        package_kinds={
            row.code: PackageKind(row.code, row.description, bool(row.attributes["bulk"]))
            for row in by_list.get("package", ())
        },
        units=codes_of("unit"),
        preferences=codes_of("preference"),
        offices={row.code: row.attributes["country"] for row in by_list.get("office", ())},
        transport_modes=codes_of("transport_mode"),
        control_lists=codes_of("control_list"),
        document_types={row.code: row.description for row in by_list.get("document", ())},
        rates=RateTable(rates),
    )


def shipped_reference() -> ReferenceData:
    """Reference data straight from the shipped files, without a database."""
    return build_reference(
        code_rows(), (row.code for row in hs_rows() if row.level == 6), shipped_rates()
    )
