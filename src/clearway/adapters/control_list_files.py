"""A control list's three files: the entries (JSON), the correlation from commodity codes to
entries (CSV) and the destination measures (JSON), formats in ``docs/export-control.md``.

Reading them checks everything ``parse_control_list`` checks, with countries against ISO 3166-1;
a problem is one line naming the file and the entry, line or measure. The illustrative files
Clearway ships are in ``clearway/reference/data/export_control`` (see ``PROVENANCE.md``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from clearway.adapters.json_input import JsonInputError, parse_json
from clearway.adapters.text_files import MIB, TextFileError, read_text
from clearway.domain.export_control.control_list import ControlList, ControlListInvalid
from clearway.domain.export_control.control_list_document import parse_control_list
from clearway.reference import DATA_DIR

SHIPPED_DIR = DATA_DIR / "export_control"
# Annex I has some two thousand entries and sub-items, its correlation some thousands of lines:
# a few megabytes at most.
MAX_FILE_BYTES = 32 * MIB
_ENTRIES_KEYS = ("illustrative", "note", "version", "label", "description", "entries")
_DESTINATIONS_KEYS = ("illustrative", "note", "measures")
_CORRELATION_COLUMNS = ("commodity_code", "entry", "note")


class ControlListFileError(ValueError):
    """Control-list files that cannot be loaded; the message names the file and where in it."""


@dataclass(frozen=True, slots=True)
class ControlListFiles:
    entries: Path
    correlation: Path
    destinations: Path

    @classmethod
    def shipped(cls) -> ControlListFiles:
        """The illustrative files shipped with Clearway."""
        return cls(
            SHIPPED_DIR / "control-list.json",
            SHIPPED_DIR / "correlation.csv",
            SHIPPED_DIR / "destinations.json",
        )

    @property
    def source(self) -> str:
        """How a version loaded from these files says where it came from."""
        names = (self.entries.name, self.correlation.name, self.destinations.name)
        return f"files {', '.join(names)}"


def read_control_list_files(files: ControlListFiles) -> ControlList:
    """The control list the three files describe; raises ``ControlListFileError``.

    The list is illustrative when the entries file or the destinations file says so.
    """
    entries = _json_object(files.entries, _ENTRIES_KEYS)
    destinations = _json_object(files.destinations, _DESTINATIONS_KEYS)
    correlation, lines = _correlation_rows(files.correlation)
    illustrative = entries.get("illustrative", False)
    marked = destinations.get("illustrative", False)
    if not isinstance(marked, bool):
        raise ControlListFileError(f"{files.destinations.name}: illustrative is true or false")
    if isinstance(illustrative, bool):
        illustrative = illustrative or marked
    document = {
        **{key: value for key, value in entries.items() if key != "note"},
        "illustrative": illustrative,
        "correlation": correlation,
        "destinations": destinations.get("measures", []),
    }
    try:
        return parse_control_list(document, countries=iso_countries())
    except ControlListInvalid as error:
        pointer, message = error.problems[0]
        more = len(error.problems) - 1
        also = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        where = _where(pointer, files, document, lines)
        raise ControlListFileError(f"{where}: {message}{also}") from error


def shipped_control_list() -> ControlList:
    """The illustrative control list Clearway ships (for the demo and tests)."""
    return read_control_list_files(ControlListFiles.shipped())


@functools.cache
def iso_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, the countries a destination measure may name."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def _text(path: Path) -> str:
    try:
        return read_text(path, MAX_FILE_BYTES, name=path.name)
    except TextFileError as error:
        raise ControlListFileError(str(error)) from error


def _json_object(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    text = _text(path)
    try:
        document = parse_json(text, subject=path.name)
    except json.JSONDecodeError as error:
        raise ControlListFileError(
            f"{path.name} line {error.lineno}: not JSON ({error.msg})"
        ) from error
    except JsonInputError as error:
        raise ControlListFileError(f"{path.name}: {error.detail}") from error
    except ValueError as error:
        raise ControlListFileError(f"{path.name}: not JSON ({error})") from error
    if not isinstance(document, dict):
        raise ControlListFileError(f"{path.name}: expected a JSON object")
    unknown = sorted(key for key in document if key not in keys)
    if unknown:
        raise ControlListFileError(
            f"{path.name}: unknown field {unknown[0]!r} (the fields are {', '.join(keys)})"
        )
    return document


def _correlation_rows(path: Path) -> tuple[list[dict[str, str]], list[int]]:
    """The rows of the correlation CSV and the line each is on; lines starting with ``#`` are
    comments."""
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    with io.StringIO(_text(path), newline="") as handle:
        try:
            reader = csv.reader(_without_comments(handle))
            header: list[str] | None = None
            for fields in reader:
                if not fields:
                    continue
                if header is None:
                    header = [name.strip() for name in fields]
                    _check_header(header, f"{path.name} line {reader.line_num}")
                    continue
                if len(fields) != len(header):
                    raise ControlListFileError(
                        f"{path.name} line {reader.line_num}: {len(fields)} fields, "
                        f"expected {len(header)}"
                    )
                rows.append(dict(zip(header, (value.strip() for value in fields), strict=True)))
                lines.append(reader.line_num)
        except csv.Error as error:
            raise ControlListFileError(f"{path.name} line {reader.line_num}: {error}") from error
    if header is None:
        raise ControlListFileError(f"{path.name}: empty; expected a header line")
    return rows, lines


def _check_header(header: list[str], where: str) -> None:
    missing = [name for name in _CORRELATION_COLUMNS[:2] if name not in header]
    unknown = [name for name in header if name not in _CORRELATION_COLUMNS]
    if missing:
        problem = f"missing column {missing[0]}"
    elif unknown:
        problem = f"unknown column {unknown[0]!r}"
    elif len(set(header)) != len(header):
        problem = "a column appears twice"
    else:
        return
    raise ControlListFileError(
        f"{where}: {problem} (the columns are {', '.join(_CORRELATION_COLUMNS)})"
    )


def _without_comments(lines: Iterator[str]) -> Iterator[str]:
    # An empty line in place of each comment keeps the reader's line numbers the file's.
    for line in lines:
        yield "\n" if line.lstrip().startswith("#") else line


def _where(
    pointer: str, files: ControlListFiles, document: Mapping[str, Any], lines: list[int]
) -> str:
    """The file and the entry, line or measure a problem's pointer names."""
    section, _, rest = pointer.strip("/").partition("/")
    index_text = rest.partition("/")[0]
    index = int(index_text) if index_text.isdigit() else None
    if section == "correlation":
        if index is None:
            return files.correlation.name
        return f"{files.correlation.name} line {lines[index]}"
    if section == "destinations":
        if index is None:
            return files.destinations.name
        named = _named(document, section, index, "list")
        return f"{files.destinations.name} measure {index + 1}{named}"
    if section == "entries" and index is not None:
        named = _named(document, section, index, "code")
        return f"{files.entries.name} entry {index + 1}{named}"
    return files.entries.name


def _named(document: Mapping[str, Any], section: str, index: int, key: str) -> str:
    item = document[section][index]
    name = item.get(key) if isinstance(item, Mapping) else None
    return f" ({name})" if isinstance(name, str) and name.strip() else ""
