"""OFAC's SDN list in its legacy CSV layout
(https://ofac.treasury.gov/specially-designated-nationals-list-data-formats-data-schemas):
``sdn.csv`` (ent_num, name, type, programs, title, call sign, vessel type, tonnage, GRT, flag,
owner, remarks), ``alt.csv`` (ent_num, alt_num, type, name, remarks) and ``add.csv`` (ent_num,
add_num, address, city/state/postcode, country, remarks); no header, ``-0-`` is null. Dates of
birth, nationalities, identity documents and OFAC's weak ("low quality") aliases —
``a.k.a. 'X'`` — are inside the remarks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clearway.adapters.sanctions_common import (
    SanctionsFileError,
    _unique,
    country_code,
    programme_country,
)
from clearway.domain.screening.entity import (
    EntityKind,
    Identifier,
    ListedAddress,
    ListedEntity,
    ListedName,
    ListSource,
    NameStrength,
)

_NULL = "-0-"
_SDN_COLUMNS = 12
_MONTHS = {
    month: number
    for number, month in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DAY_MONTH_YEAR = re.compile(r"(?:(\d{1,2}) )?([A-Za-z]{3}) (\d{4})")


def _ofac_date(text: str) -> str:
    """``10 Dec 1948`` → ``1948-12-10``, ``Dec 1948`` → ``1948-12``, ``1960 to 1962`` →
    ``1960/1962``, ``circa 1960`` → ``1960``; anything else as written."""
    text = text.strip().removeprefix("circa ").strip()
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match and match.group(2).casefold() in _MONTHS:
        day, month, year = match.groups()
        iso = f"{year}-{_MONTHS[month.casefold()]:02d}"
        return f"{iso}-{int(day):02d}" if day else iso
    return text.replace(" to ", "/")


# --- OFAC SDN -----------------------------------------------------------------------------------

_SDN_KINDS = {
    "individual": EntityKind.INDIVIDUAL,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
    "": EntityKind.ENTITY,
}
# Identity documents and registrations named in SDN remarks, longest first where one begins
# another ("Passport" / "Passport No.").
_SDN_IDENTIFIERS = tuple(
    sorted(
        (
            "Passport",
            "Diplomatic Passport",
            "Cedula No.",
            "National ID No.",
            "National Foreign ID Number",
            "NIT #",
            "RUC #",
            "RIF #",
            "C.U.R.P.",
            "R.F.C.",
            "RFC",
            "C.U.I.T.",
            "D.N.I.",
            "I.F.E.",
            "SSN",
            "US FEIN",
            "Tax ID No.",
            "V.A.T. Number",
            "Registration Number",
            "Registration ID",
            "Public Registration Number",
            "Business Registration Number",
            "Business Registration Document #",
            "Company Number",
            "UK Company Number",
            "Commercial Registry Number",
            "Chamber of Commerce Number",
            "C.R. No.",
            "Matricula Mercantil No",
            "Folio Mercantil No.",
            "Government Gazette Number",
            "Legal Entity Number",
            "Trade License No.",
            "Identification Number",
            "Personal ID Card",
            "Residency Number",
            "Electoral Registry No.",
            "Credencial electoral",
            "Driver's License No.",
            "Birth Certificate Number",
            "Italian Fiscal Code",
            "LE Number",
            "D-U-N-S Number",
            "SWIFT/BIC",
            "BIK (RU)",
            "Vessel Registration Identification",
            "MMSI",
            "Aircraft Tail Number",
            "Aircraft Manufacturer's Serial Number (MSN)",
            "Aircraft Construction Number (also called L/N or S/N or F/N)",
            "Digital Currency Address - XBT",
            "Digital Currency Address - ETH",
            "Digital Currency Address - USDT",
        ),
        key=len,
        reverse=True,
    )
)
_IDENTIFIER_VALUE = re.compile(
    r"(?P<value>.+?)(?: \((?P<country>[^()]+)\))?(?: (?:issued|expires).*)?"
)
_WEAK_ALIAS = re.compile(r"a\.k\.a\. '([^']+)'")


@dataclass
class _SdnEntry:
    number: int
    name: str
    kind: EntityKind
    programmes: tuple[str, ...]
    remarks: str
    extra: dict[str, str]
    flag: str | None
    aliases: list[ListedName]
    addresses: list[ListedAddress]


def _rows(path: Path, text: str, columns: int) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if not row or row == [""]:
                continue
            if len(row) != columns:
                raise SanctionsFileError(
                    f"{path}:{reader.line_num}: expected {columns} columns, found {len(row)}"
                )
            yield reader.line_num, [_value(cell) for cell in row]
    except csv.Error as error:
        raise SanctionsFileError(f"{path}:{reader.line_num}: {error}") from error


def _value(cell: str) -> str:
    cell = cell.strip()
    return "" if cell == _NULL else cell


def _number(path: Path, line: int, cell: str) -> int:
    if not cell.isdigit():
        raise SanctionsFileError(f"{path}:{line}: entity number {cell!r} is not a number")
    return int(cell)


def parse_sdn(
    sdn: tuple[Path, str], alt: tuple[Path, str], add: tuple[Path, str]
) -> list[ListedEntity]:
    """The SDN list from the texts of ``sdn.csv``, ``alt.csv`` and ``add.csv``."""
    entries: dict[int, _SdnEntry] = {}
    path, text = sdn
    for line, row in _rows(path, text, _SDN_COLUMNS):
        number = _number(path, line, row[0])
        if not row[1]:
            raise SanctionsFileError(f"{path}:{line}: entry {number} has no name")
        kind = _SDN_KINDS.get(row[2].casefold())
        if kind is None:
            raise SanctionsFileError(f"{path}:{line}: unknown entry type {row[2]!r}")
        extra = {
            label: row[column]
            for label, column in (
                ("title", 4),
                ("call_sign", 5),
                ("vessel_type", 6),
                ("tonnage", 7),
                ("gross_registered_tonnage", 8),
                ("vessel_flag", 9),
                ("vessel_owner", 10),
            )
            if row[column]
        }
        programmes = tuple(part.strip(" []") for part in row[3].split("] [") if part.strip(" []"))
        entries[number] = _SdnEntry(
            number, row[1], kind, programmes, row[11], extra, row[9] or None, [], []
        )
    path, text = alt
    for line, row in _rows(path, text, 5):
        entry = entries.get(_number(path, line, row[0]))
        if entry is not None and row[3]:
            entry.aliases.append(ListedName(row[3], NameStrength.ALIAS))
    path, text = add
    for line, row in _rows(path, text, 6):
        entry = entries.get(_number(path, line, row[0]))
        if entry is not None and any(row[2:5]):
            entry.addresses.append(
                ListedAddress(
                    street=row[2], city=row[3], country=country_code(row[4]), country_name=row[4]
                )
            )
    return [_sdn_entity(entry) for entry in entries.values()]


def _sdn_entity(entry: _SdnEntry) -> ListedEntity:
    names = [ListedName(entry.name, NameStrength.PRIMARY), *entry.aliases]
    countries: list[str | None] = [address.country for address in entry.addresses]
    countries.append(country_code(entry.flag) if entry.flag else None)
    countries.extend(programme_country(programme) for programme in entry.programmes)
    birth_dates: list[str] = []
    identifiers: list[Identifier] = []
    for part in _remark_parts(entry.remarks):
        weak = _WEAK_ALIAS.fullmatch(part)
        if weak:
            names.append(ListedName(weak.group(1), NameStrength.WEAK))
            continue
        part = part.removeprefix("alt. ")
        if part.startswith("DOB "):
            birth_dates.append(_ofac_date(part[4:]))
        elif part.startswith(("nationality ", "citizen ")):
            countries.append(country_code(part.split(" ", 1)[1]))
        else:
            identifier = _sdn_identifier(part)
            if identifier is not None:
                identifiers.append(identifier)
    return ListedEntity(
        entity_id=f"{ListSource.OFAC_SDN.value}:{entry.number}",
        source=ListSource.OFAC_SDN,
        kind=entry.kind,
        names=tuple(dict.fromkeys(names)),
        addresses=tuple(entry.addresses),
        countries=_unique(countries),
        birth_dates=tuple(dict.fromkeys(birth_dates)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        programmes=entry.programmes,
        remarks=entry.remarks,
        extra=entry.extra,
    )


def _remark_parts(remarks: str) -> Iterator[str]:
    if not remarks:
        return
    # Remarks are "; "-separated facts ending in a full stop; quoted aliases may hold ";".
    for part in re.split(r";\s+(?=(?:[^']*'[^']*')*[^']*$)", remarks.strip().rstrip(".")):
        if part.strip():
            yield part.strip()


def _sdn_identifier(part: str) -> Identifier | None:
    for kind in _SDN_IDENTIFIERS:
        if part.startswith(kind + " "):
            match = _IDENTIFIER_VALUE.fullmatch(part[len(kind) + 1 :])
            if match is None:
                return None
            country = match.group("country")
            return Identifier(
                kind, match.group("value"), country_code(country) if country else None
            )
    return None
