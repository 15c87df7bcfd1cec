"""Past declarations with their inspection outcomes, read from a CSV file through a mapping.

A mapping (JSON) names the file's columns for the reference, the date, the label and each code
and number of an ``Observation``; ``kcs`` is shipped for the Korea Customs Service dataset
(``docs/risk.md`` lists its columns). A bad file or mapping is refused whole, naming the line.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from clearway.adapters.json_input import parse_json
from clearway.domain.risk.observation import CODE_FIELDS, NUMBER_FIELDS, Observation

SHIPPED_MAPPINGS = ("kcs",)
# A year of an administration's declarations is some millions of rows, a few hundred megabytes;
# past this a file is refused rather than read into memory.
MAX_HISTORY_BYTES = 1024 * 1024 * 1024
# No value (in any currency), mass (kg) or tax rate (%) of one declaration comes near this.
MAX_NUMBER = 1e15


class HistoryFileError(Exception):
    """A history file or mapping that cannot be read; the message names the place."""


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    reference: str
    date: str
    date_format: str
    label: str | None
    codes: dict[str, str]
    numbers: dict[str, str]

    def columns(self) -> set[str]:
        wanted = {self.reference, self.date, *self.codes.values(), *self.numbers.values()}
        return wanted | ({self.label} if self.label else set())


@dataclass(frozen=True, slots=True)
class LabelledHistory:
    """Observations in file order and the outcomes known for them, by reference."""

    observations: list[Observation]
    outcomes: dict[str, bool]


def shipped_mapping(name: str) -> Path:
    if name not in SHIPPED_MAPPINGS:
        raise HistoryFileError(
            f"unknown format {name!r}; shipped formats: {', '.join(SHIPPED_MAPPINGS)}"
        )
    return Path(
        str(resources.files("clearway.reference").joinpath(f"data/risk/{name}-mapping.json"))
    )


def read_mapping(path: Path) -> ColumnMapping:
    try:
        raw: Any = parse_json(path.read_bytes(), subject="the file")
    except (OSError, ValueError) as error:
        raise HistoryFileError(f"{path}: cannot read the mapping: {error}") from error
    if not isinstance(raw, dict):
        raise HistoryFileError(f"{path}: a mapping is a JSON object")
    for required in ("reference", "date"):
        if not isinstance(raw.get(required), str):
            raise HistoryFileError(f"{path}: the mapping must name the {required!r} column")
    codes = raw.get("codes", {})
    if not isinstance(codes, dict) or not all(isinstance(c, str) for c in codes.values()):
        raise HistoryFileError(f"{path}: 'codes' maps model codes to column names")
    unknown = sorted(set(codes) - set(CODE_FIELDS))
    if unknown:
        raise HistoryFileError(
            f"{path}: unknown codes {', '.join(unknown)}; known: {', '.join(CODE_FIELDS)}"
        )
    numbers = {name: raw[name] for name in NUMBER_FIELDS if isinstance(raw.get(name), str)}
    for required in ("value", "net_mass"):
        if required not in numbers:
            raise HistoryFileError(f"{path}: the mapping must name the {required!r} column")
    label = raw.get("label")
    return ColumnMapping(
        reference=raw["reference"],
        date=raw["date"],
        date_format=str(raw.get("date_format", "%Y-%m-%d")),
        label=label if isinstance(label, str) else None,
        codes=dict(codes),
        numbers=numbers,
    )


def read_history(path: Path, mapping: ColumnMapping, *, labelled: bool = True) -> LabelledHistory:
    """Every row of ``path`` as an observation; with ``labelled``, every row must carry 0 or 1.

    UTF-8 (a byte-order mark allowed), CR, LF or CRLF line ends; a problem names the line."""
    line = 1
    try:
        if path.stat().st_size > MAX_HISTORY_BYTES:
            raise HistoryFileError(f"{path}: larger than {MAX_HISTORY_BYTES // 2**20} MiB")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = sorted(mapping.columns() - set(reader.fieldnames or ()))
            if labelled and not mapping.label:
                raise HistoryFileError(f"{path}: the mapping names no label column")
            if missing:
                raise HistoryFileError(f"{path}: missing columns {', '.join(missing)}")
            history = LabelledHistory([], {})
            for row in reader:
                # The line the row ends on: its line, but for a quoted field across lines.
                line = reader.line_num
                if None in row or any(value is None for value in row.values()):
                    raise HistoryFileError(f"{path}:{line}: wrong number of fields")
                observation = _observation(row, mapping, f"{path}:{line}")
                history.observations.append(observation)
                if labelled and mapping.label:
                    history.outcomes[observation.reference] = _label(
                        row[mapping.label], f"{path}:{line}"
                    )
    except OSError as error:
        raise HistoryFileError(f"{path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise HistoryFileError(f"{path}: not UTF-8 text; save it as UTF-8") from error
    except csv.Error as error:
        raise HistoryFileError(f"{path}:{line}: {error}") from error
    if not history.observations:
        raise HistoryFileError(f"{path}: no declarations in the file")
    return history


def _observation(row: dict[str, str], mapping: ColumnMapping, where: str) -> Observation:
    reference = row[mapping.reference].strip()
    if not reference:
        raise HistoryFileError(f"{where}: empty {mapping.reference}")
    try:
        day = datetime.strptime(row[mapping.date].strip(), mapping.date_format).date()
    except ValueError as error:
        raise HistoryFileError(f"{where}: bad date {row[mapping.date]!r}") from error
    numbers = {
        name: _number(row[column], where, column) for name, column in mapping.numbers.items()
    }
    codes = {name: row[column].strip() for name, column in mapping.codes.items() if row[column]}
    return Observation(
        reference=reference,
        day=day,
        codes={name: code for name, code in codes.items() if code},
        value=numbers["value"],
        net_mass=numbers["net_mass"],
        tax_rate=numbers.get("tax_rate", 0.0),
    )


def _number(text: str, where: str, column: str) -> float:
    try:
        number = float(text) if text.strip() else 0.0
    except ValueError as error:
        raise HistoryFileError(f"{where}: {column} is not a number: {text!r}") from error
    if not math.isfinite(number) or not 0 <= number <= MAX_NUMBER:
        raise HistoryFileError(
            f"{where}: {column} must be a number from 0 to {MAX_NUMBER:.0e}, not {text[:40]!r}"
        )
    return number


def _label(text: str, where: str) -> bool:
    if text.strip() not in ("0", "1"):
        raise HistoryFileError(f"{where}: the label must be 0 or 1, not {text!r}")
    return text.strip() == "1"
