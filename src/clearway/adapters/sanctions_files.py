"""Reading the sanctions and denied-party lists into ``ListedEntity`` objects.

- **OFAC SDN**, legacy CSV layout (https://ofac.treasury.gov/specially-designated-nationals-
  list-data-formats-data-schemas): ``sdn.csv`` (ent_num, name, type, programs, title, call
  sign, vessel type, tonnage, GRT, flag, owner, remarks), ``alt.csv`` (ent_num, alt_num, type,
  name, remarks) and ``add.csv`` (ent_num, add_num, address, city/state/postcode, country,
  remarks); no header, ``-0-`` is null. Dates of birth, nationalities, identity documents and
  OFAC's weak ("low quality") aliases — ``a.k.a. 'X'`` — are inside the remarks.
- **BIS Denied Persons List** ``dpl.txt``: tab-separated with a header; one row per order and
  address, so the rows of one name become one entity with several addresses.
- **UN Security Council consolidated list** (XML, https://scsanctions.un.org/resources/xml/
  en/consolidated.xml): ``INDIVIDUAL`` and ``ENTITY`` records; aliases of ``QUALITY`` Low are
  weak; the name in its original script is kept as an alias.

Files may be plain or gzipped (``.gz``). A malformed file raises ``SanctionsFileError`` whose
message names the file and line. Country names are mapped to ISO 3166-1 alpha-2 codes with
``pycountry`` and a table of the lists' own spellings.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from clearway.domain.screening.entity import (
    EntityKind,
    Identifier,
    ListedAddress,
    ListedEntity,
    ListedName,
    ListSource,
    NameStrength,
)
from clearway.reference import DATA_DIR

SHIPPED_DIR = DATA_DIR / "sanctions"
"""The gzipped copies shipped in the package (provenance in ``PROVENANCE.md``)."""

# The file names each source is read from, in the order they are hashed.
SOURCE_FILES: dict[ListSource, tuple[str, ...]] = {
    ListSource.OFAC_SDN: ("sdn.csv", "alt.csv", "add.csv"),
    ListSource.BIS_DPL: ("dpl.txt",),
    ListSource.UN: ("UN_consolidated.xml",),
}
# Sub-folders of the layout the lists are published in (``ofac/sdn.csv``, ``un/…xml``).
_SUBFOLDERS = ("", "ofac", "bis", "un")
_NULL = "-0-"
_SDN_COLUMNS = 12
_DPL_HEADER = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code")


class SanctionsFileError(ValueError):
    """A list file that cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class ListFile:
    """One source's entities as read, with the SHA-256 of its files' (uncompressed) bytes."""

    source: ListSource
    entities: tuple[ListedEntity, ...]
    sha256: str
    origin: str
    """The files it was read from."""


# --- finding and opening files ------------------------------------------------------------------


def find_list_files(directory: Path) -> dict[ListSource, tuple[Path, ...]]:
    """The files of each source found in ``directory``: flat (the shipped copies) or in the
    published layout (``ofac/sdn.csv``, ``ofac/dpl.txt``, ``un/UN_consolidated.xml``); each
    plain or ``.gz``. A source missing its first file is left out; SDN's ``alt.csv`` and
    ``add.csv`` are required with ``sdn.csv``."""
    if not directory.is_dir():
        raise SanctionsFileError(f"{directory}: no such directory")
    found: dict[ListSource, tuple[Path, ...]] = {}
    for source, names in SOURCE_FILES.items():
        paths = [_find(directory, name) for name in names]
        if paths[0] is None:
            continue
        missing = [name for name, path in zip(names, paths, strict=True) if path is None]
        if missing:
            raise SanctionsFileError(f"{directory}: {paths[0].name} without {', '.join(missing)}")
        found[source] = tuple(path for path in paths if path is not None)
    if not found:
        expected = ", ".join(names[0] for names in SOURCE_FILES.values())
        raise SanctionsFileError(f"{directory}: none of {expected} (plain or .gz) found")
    return found


def _find(directory: Path, name: str) -> Path | None:
    for folder in _SUBFOLDERS:
        for candidate in (name, f"{name}.gz"):
            path = directory / folder / candidate
            if path.is_file():
                return path
    return None


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError) as error:
        raise SanctionsFileError(f"{path}: cannot be read ({error})") from error


def _text(path: Path, raw: bytes) -> str:
    try:
        # OFAC ends its files with a DOS end-of-file mark (0x1A).
        return raw.decode("utf-8-sig").rstrip("\x1a")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SanctionsFileError(f"{path}:{line}: not UTF-8 text") from error


def read_lists(directory: Path) -> list[ListFile]:
    """Every source found in ``directory``, read and hashed."""
    lists = []
    for source, paths in find_list_files(directory).items():
        contents = [_read_bytes(path) for path in paths]
        digest = hashlib.sha256()
        for content in contents:
            digest.update(hashlib.sha256(content).digest())
        texts = [_text(path, raw) for path, raw in zip(paths, contents, strict=True)]
        if source is ListSource.OFAC_SDN:
            entities = parse_sdn(*zip(paths, texts, strict=True))
        elif source is ListSource.BIS_DPL:
            entities = parse_dpl(paths[0], texts[0])
        else:
            entities = parse_un(paths[0], contents[0])
        origin = ", ".join(str(path) for path in paths)
        lists.append(ListFile(source, tuple(entities), digest.hexdigest(), origin))
    return lists


def read_shipped_lists() -> list[ListFile]:
    """The copies of the SDN, DPL and UN lists shipped with Clearway."""
    return read_lists(SHIPPED_DIR)


# --- countries and dates ------------------------------------------------------------------------

# The lists' own spellings that ISO 3166 does not use.
_COUNTRY_NAMES = {
    "russia": "RU",
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "korea, south": "KR",
    "republic of korea": "KR",
    "burma": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "macau": "MO",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "kosovo": "XK",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "bahamas, the": "BS",
    "the gambia": "GM",
    "gambia, the": "GM",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "region: gaza": "PS",
    "state of palestine": "PS",
    "region: crimea": "UA",
    "iran (islamic republic of)": "IR",
    "syrian arab republic": "SY",
    "united republic of tanzania": "TZ",
    "lao people's democratic republic": "LA",
    "viet nam": "VN",
    "virgin islands, british": "VG",
    "united states of america": "US",
    "united kingdom of great britain and northern ireland": "GB",
    "bosnia-herzegovina": "BA",
    "czechia": "CZ",
    "brunei": "BN",
    "netherlands antilles": "CW",
    "holy see": "VA",
    "prc": "CN",
    "china, hong kong special administrative region": "HK",
    "macedonia, the former yugoslav republic of": "MK",
    "region: northern mali": "ML",
}


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as a list names it, or None if it is not one."""
    key = " ".join(name.strip().rstrip(".").split()).casefold()
    if not key or key in ("-0-", "undetermined", "unknown"):
        return None
    if key in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[key]
    try:
        code: str = pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None
    return code


# Country-based sanctions programmes: an entity listed under one is tied to that country.
_PROGRAMME_COUNTRIES = {
    "CUBA": "CU",
    "IRAN": "IR",
    "IRGC": "IR",
    "IFSR": "IR",
    "SYRIA": "SY",
    "DPRK": "KP",
    "IRAQ": "IQ",
    "VENEZUELA": "VE",
    "BELARUS": "BY",
    "BURMA": "MM",
    "ZIMBABWE": "ZW",
    "NICARAGUA": "NI",
    "LIBYA": "LY",
    "SOMALIA": "SO",
    "SOUTH SUDAN": "SS",
    "SOUTHSUDAN": "SS",
    "SUDAN": "SD",
    "DARFUR": "SD",
    "YEMEN": "YE",
    "LEBANON": "LB",
    "DRCONGO": "CD",
    "DRC": "CD",
    "CAR": "CF",
    "BURUNDI": "BI",
    "MALI": "ML",
    "HAITI": "HT",
    "RUSSIA": "RU",
}


def programme_country(programme: str) -> str | None:
    """The country a sanctions programme is about (``IRAN-EO13846`` → IR, ``DPRK3`` → KP)."""
    key = programme.upper().removeprefix("CAATSA - ").split("-")[0].rstrip("0123456789")
    return _PROGRAMME_COUNTRIES.get(key.strip())


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


def _unique(codes: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for code in codes if code))


# --- BIS Denied Persons List --------------------------------------------------------------------


def parse_dpl(path: Path, text: str) -> list[ListedEntity]:
    """The Denied Persons List: one entity per name, with every address its orders give."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = next(reader, None)
    if header is None or tuple(header[: len(_DPL_HEADER)]) != _DPL_HEADER:
        expected = " ".join(_DPL_HEADER)
        raise SanctionsFileError(f"{path}:1: expected a tab-separated header: {expected} …")
    columns = {name: index for index, name in enumerate(header)}
    grouped: dict[str, list[dict[str, str]]] = {}
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise SanctionsFileError(
                    f"{path}:{reader.line_num}: expected {len(header)} columns, found {len(row)}"
                )
            record = {name: row[index].strip() for name, index in columns.items()}
            if not record["Name"]:
                raise SanctionsFileError(f"{path}:{reader.line_num}: a row without a name")
            grouped.setdefault(" ".join(record["Name"].split()).upper(), []).append(record)
    except csv.Error as error:
        raise SanctionsFileError(f"{path}:{reader.line_num}: {error}") from error
    return [_dpl_entity(name, records) for name, records in grouped.items()]


def _dpl_entity(name: str, records: list[dict[str, str]]) -> ListedEntity:
    addresses = tuple(
        dict.fromkeys(
            ListedAddress(
                street=record["Street_Address"],
                city=record["City"],
                region=record["State"],
                postcode=record["Postal_Code"],
                country=_dpl_country(record["Country"]),
                country_name=record["Country"],
            )
            for record in records
        )
    )
    first = records[0]
    extra = {
        key: "; ".join(
            dict.fromkeys(record.get(column, "") for record in records if record.get(column))
        )
        for key, column in (
            ("effective_date", "Effective_Date"),
            ("expiration_date", "Expiration_Date"),
            ("federal_register", "FR_Citation"),
            ("last_update", "Last_Update"),
        )
    }
    return ListedEntity(
        entity_id=f"{ListSource.BIS_DPL.value}:{hashlib.sha256(name.encode()).hexdigest()[:12]}",
        source=ListSource.BIS_DPL,
        kind=EntityKind.UNKNOWN,
        names=(ListedName(first["Name"], NameStrength.PRIMARY),),
        addresses=addresses,
        countries=_unique(address.country for address in addresses),
        programmes=("DPL",),
        remarks=first.get("Action", ""),
        listed_on=_us_date(first.get("Effective_Date", "")),
        extra={key: value for key, value in extra.items() if value},
    )


def _dpl_country(code: str) -> str | None:
    code = code.strip().upper()
    return code if len(code) == 2 and code.isalpha() else None


def _us_date(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()
    except ValueError:
        return None


# --- UN consolidated list -----------------------------------------------------------------------


def parse_un(path: Path, content: bytes) -> list[ListedEntity]:
    """The UN Security Council consolidated list (individuals and entities)."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        line = error.position[0] if error.position else 0
        raise SanctionsFileError(f"{path}:{line}: not well-formed XML ({error.msg})") from error
    except DefusedXmlException as error:
        raise SanctionsFileError(f"{path}: refused unsafe XML ({error})") from error
    if root.tag != "CONSOLIDATED_LIST":
        raise SanctionsFileError(f"{path}: the root element is {root.tag}, not CONSOLIDATED_LIST")
    entities = []
    for section, tag, kind in (
        ("INDIVIDUALS", "INDIVIDUAL", EntityKind.INDIVIDUAL),
        ("ENTITIES", "ENTITY", EntityKind.ENTITY),
    ):
        for position, element in enumerate(root.iterfind(f"{section}/{tag}"), start=1):
            entities.append(_un_entity(path, f"{tag} #{position}", element, tag, kind))
    return entities


def _child_text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return " ".join((found.text or "").split()) if found is not None and found.text else ""


def _un_entity(path: Path, where: str, element: Any, tag: str, kind: EntityKind) -> ListedEntity:
    data_id = _child_text(element, "DATAID")
    if not data_id.isdigit():
        raise SanctionsFileError(f"{path}: {where} has no numeric DATAID")
    parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    primary = " ".join(filter(None, (_child_text(element, part) for part in parts)))
    if not primary:
        raise SanctionsFileError(f"{path}: {where} (DATAID {data_id}) has no name")
    names = [ListedName(primary, NameStrength.PRIMARY)]
    original = _child_text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(ListedName(original, NameStrength.ALIAS))
    for alias in element.iterfind(f"{tag}_ALIAS"):
        alias_name = _child_text(alias, "ALIAS_NAME")
        if alias_name:
            weak = _child_text(alias, "QUALITY").casefold() == "low"
            names.append(ListedName(alias_name, NameStrength.WEAK if weak else NameStrength.ALIAS))
    addresses = tuple(
        ListedAddress(
            street=_child_text(address, "STREET"),
            city=_child_text(address, "CITY"),
            region=_child_text(address, "STATE_PROVINCE"),
            postcode=_child_text(address, "ZIP_CODE"),
            country=country_code(_child_text(address, "COUNTRY")),
            country_name=_child_text(address, "COUNTRY"),
        )
        for address in element.iterfind(f"{tag}_ADDRESS")
        if any(address.itertext()) and any(text.strip() for text in address.itertext())
    )
    nationalities = [
        country_code(" ".join((value.text or "").split()))
        for value in element.iterfind("NATIONALITY/VALUE")
    ]
    return ListedEntity(
        entity_id=f"{ListSource.UN.value}:{data_id}",
        source=ListSource.UN,
        kind=kind,
        names=tuple(dict.fromkeys(names)),
        addresses=tuple(dict.fromkeys(addresses)),
        countries=_unique(
            [
                *nationalities,
                *(address.country for address in addresses),
                programme_country(_child_text(element, "UN_LIST_TYPE")),
            ]
        ),
        birth_dates=tuple(dict.fromkeys(_un_birth_dates(element))),
        identifiers=tuple(dict.fromkeys(_un_documents(element))),
        programmes=tuple(filter(None, [_child_text(element, "UN_LIST_TYPE")])),
        remarks=_child_text(element, "COMMENTS1"),
        listed_on=_child_text(element, "LISTED_ON") or None,
        extra={"reference_number": _child_text(element, "REFERENCE_NUMBER")},
    )


def _un_birth_dates(element: Any) -> Iterator[str]:
    for birth in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        date = _child_text(birth, "DATE") or _child_text(birth, "YEAR")
        if date:
            yield date
        elif _child_text(birth, "FROM_YEAR"):
            yield f"{_child_text(birth, 'FROM_YEAR')}/{_child_text(birth, 'TO_YEAR')}"


def _un_documents(element: Any) -> Iterator[Identifier]:
    for document in element.iterfind("INDIVIDUAL_DOCUMENT"):
        number = _child_text(document, "NUMBER")
        if number:
            country = _child_text(document, "ISSUING_COUNTRY") or _child_text(
                document, "COUNTRY_OF_ISSUE"
            )
            yield Identifier(
                _child_text(document, "TYPE_OF_DOCUMENT") or "Document",
                number,
                country_code(country) if country else None,
            )


# --- labelled name pairs ------------------------------------------------------------------------

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


@dataclass(frozen=True, slots=True)
class NamePair:
    name1: str
    name2: str
    is_match: bool


def read_name_pairs(path: Path) -> list[NamePair]:
    """Labelled pairs from a CSV with columns ``name1,name2,is_match`` (others ignored;
    ``is_match`` true/false, 1/0 or yes/no)."""
    text = _text(path, _read_bytes(path))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"name1", "name2", "is_match"} - set(reader.fieldnames or ())
    if missing:
        raise SanctionsFileError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    pairs = []
    try:
        for row in reader:
            label = (row["is_match"] or "").strip().casefold()
            if label not in _TRUE and label not in _FALSE:
                raise SanctionsFileError(
                    f"{path}:{reader.line_num}: is_match {row['is_match']!r} is not true or false"
                )
            pairs.append(NamePair(row["name1"] or "", row["name2"] or "", label in _TRUE))
    except csv.Error as error:
        raise SanctionsFileError(f"{path}:{reader.line_num}: {error}") from error
    if not pairs:
        raise SanctionsFileError(f"{path}: no pairs")
    return pairs
