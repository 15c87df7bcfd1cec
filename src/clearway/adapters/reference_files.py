"""Reading the shipped reference files and the ISO lists into code-list rows and ``ReferenceData``.

Countries and currencies come from ``pycountry`` (ISO 3166-1, ISO 4217); the rest from CSV files
in ``clearway/reference/data`` (provenance in ``PROVENANCE.md`` there).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pycountry

from clearway.domain.incoterms import INCOTERMS_2020
from clearway.domain.reference import (
    ExchangeRate,
    PackageKind,
    ProcedureCode,
    RateTable,
    ReferenceData,
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
    """An exchange-rates CSV that cannot be loaded; the message names the line."""


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def code_rows() -> Iterator[CodeRow]:
    """Every code-list entry except the HS nomenclature."""
    for country in pycountry.countries:
        yield CodeRow("country", country.alpha_2, country.name, {"alpha_3": country.alpha_3})
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
    for row in _csv("procedures.csv"):
        yield CodeRow(
            "procedure",
            row["code"],
            row["description"],
            {"declaration_type": row["declaration_type"]},
        )
    for row in _csv("packages.csv"):
        yield CodeRow("package", row["code"], row["description"], {"bulk": row["bulk"] == "true"})
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
    for row in _csv("offices.csv"):
        yield CodeRow("office", row["code"], row["name"], {"country": row["country"]})
    for row in _csv("document_types.csv"):
        yield CodeRow("document", row["code"], row["description"], {})


def hs_rows() -> Iterator[HsRow]:
    for row in _csv("hs2022.csv"):
        # UN Comtrade's pseudo-codes 99/9999/999999 ("not specified according to kind")
        # are statistical, not part of the HS.
        if row["level"] in {"2", "4", "6"} and not row["hscode"].startswith("99"):
            parent = row["parent"] if row["parent"] != "TOTAL" else None
            yield HsRow(
                row["hscode"], int(row["level"]), parent, row["section"], row["description"]
            )


def read_rates(path: Path) -> list[ExchangeRate]:
    """Parse a rates CSV file; see ``parse_rates``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RatesFileError(f"{path}: {error}") from error
    return parse_rates(text, path.name)


def parse_rates(text: str, source: str) -> list[ExchangeRate]:
    """Parse ``currency,valid_from,valid_to,rate`` rows (rate: national units per unit).

    Raises ``RatesFileError`` naming the first bad line; nothing is half-read.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"currency", "valid_from", "rate"} - set(reader.fieldnames or ())
    if missing:
        raise RatesFileError(f"{source}: missing columns {', '.join(sorted(missing))}")
    rates = [_rate(row, f"{source} line {line}") for line, row in enumerate(reader, start=2)]
    if not rates:
        raise RatesFileError(f"{source}: no rates")
    return rates


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
    try:
        rate = Decimal(row["rate"].strip())
    except (InvalidOperation, AttributeError) as error:
        raise RatesFileError(f"{where}: rate {row.get('rate')!r} is not a number") from error
    if not rate.is_finite() or rate <= 0:
        raise RatesFileError(f"{where}: rate must be a positive number")
    if valid_to is not None and valid_to < valid_from:
        raise RatesFileError(f"{where}: valid_to is before valid_from")
    return ExchangeRate(currency, valid_from, valid_to, rate)


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
