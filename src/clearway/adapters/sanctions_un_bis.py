"""The BIS Denied Persons List and the UN Security Council consolidated list.

- ``dpl.txt``: tab-separated with a header; one row per order and address, so the rows of one
  name become one entity with several addresses.
- UN XML (https://scsanctions.un.org/resources/xml/en/consolidated.xml): ``INDIVIDUAL`` and
  ``ENTITY`` records; aliases of ``QUALITY`` Low are weak; the name in its original script is
  kept as an alias.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

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

_DPL_HEADER = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code")

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
