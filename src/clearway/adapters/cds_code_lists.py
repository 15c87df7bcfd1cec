"""Reading the CDS code lists shipped in ``clearway/reference/data/cds`` into ``CdsCodeLists``.

The files are HMRC's, as published (``PROVENANCE.md`` there): lists of ``{"code", "en", "cy"}``
entries, and link files of ``{"parentCode", "childCodes"}`` that tie a code to others or tag it.
They are read once per process, when a rule first asks for them (``cds_code_lists``), and
checked as they are read: a link to a code no list holds, or one code given two texts, is a
broken list and refused with the file named.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from clearway.adapters.json_input import JsonInputError, parse_json
from clearway.adapters.text_files import MIB, TextFileError, read_bytes
from clearway.domain.cds_codes import CdsCodeLists, GoodsLocationCode, use_cds_code_lists
from clearway.reference import DATA_DIR

CDS_DIR = DATA_DIR / "cds"
MAX_FILE_BYTES = 4 * MIB
REASON_TAG = {
    "additionalDocumentCodes": "DocumentCodesRequiringAReason",
    "additionalDocumentStatusCodes": "StatusCodesRequiringAReason",
}
# ``airports-16a-from-03-08-2022.json`` is list ``airports-16a`` (CDS Appendix 16A) in force
# from 3 August 2022.
V = TypeVar("V")
_LIST_DATE = re.compile(r"-from(?:-from)?-[0-9-]+$")


class CdsCodeListError(ValueError):
    """A CDS code list file that cannot be used; the message names the file."""


def load_cds_code_lists(directory: Path = CDS_DIR) -> CdsCodeLists:
    """Every CDS code list in ``directory`` (laid out as shipped)."""
    procedures = directory / "procedureCodes"
    export_procedures = _described(procedures / "procedureCodes.json")
    c21_procedures = _described(procedures / "procedureCodesC21.json")
    additional = _described(procedures / "additionalProcedureCodes.json")
    c21_additional = _described(procedures / "additionalProcedureCodesC21.json")
    allowed = {
        **_linked(
            procedures / "linkProcedureCodeToAdditionalProcedureCodes.json",
            export_procedures,
            additional,
        ),
        **_linked(
            procedures / "linkProcedureCodeToAdditionalProcedureCodesC21.json",
            c21_procedures,
            c21_additional,
        ),
    }
    holders = directory / "holder-of-authorisation-codes"
    authorisation_types = _described(holders / "holder-of-authorisation-codes.json")
    documents = directory / "additionalDocumentCodes"
    goods_locations = _goods_locations(directory / "goods-locations-codes")
    return CdsCodeLists(
        procedures=_frozen(export_procedures),
        c21_procedures=_frozen(c21_procedures),
        additional_procedures=_frozen(additional),
        c21_additional_procedures=_frozen(c21_additional),
        allowed_additional_procedures=_frozen(allowed),
        authorisation_types=_frozen(authorisation_types),
        authorisation_tags=_frozen(
            _linked(holders / "tagged-holder-of-authorisation-codes.json", authorisation_types)
        ),
        authorisation_documents=_frozen(
            _authorisation_documents(
                directory / "authorisation-documents.json", authorisation_types
            )
        ),
        documents_requiring_reason=_tagged(documents / "additionalDocumentCodes.json"),
        statuses_requiring_reason=_tagged(documents / "additionalDocumentStatusCodes.json"),
        customs_offices=_frozen(_described(directory / "customsOffices.json")),
        offices_of_exit=_frozen(_described(directory / "officeOfExits.json")),
        goods_locations=_frozen(goods_locations),
        goods_location_countries=frozenset(code[:2] for code in goods_locations),
        package_types=_frozen(_described(directory / "packageTypes.json")),
        validation_codes=_frozen(_described(directory / "dmsErrorCodes.json")),
    )


@functools.cache
def cds_code_lists() -> CdsCodeLists:
    """The shipped CDS code lists, read on the first call and kept for the process."""
    return load_cds_code_lists()


def install_cds_code_lists() -> None:
    """Make the shipped CDS code lists the ones the validation rules check against."""
    use_cds_code_lists(cds_code_lists)


def _frozen(mapping: Mapping[str, V]) -> Mapping[str, V]:
    return MappingProxyType(dict(mapping))


def _entries(path: Path) -> list[dict[str, Any]]:
    name = f"{path.parent.name}/{path.name}"
    try:
        entries = parse_json(read_bytes(path, MAX_FILE_BYTES, name=name), subject=name)
    except (TextFileError, JsonInputError, ValueError) as error:
        raise CdsCodeListError(f"{name}: {error}") from error
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CdsCodeListError(f"{name}: not a list of entries")
    return entries


def _text(entry: dict[str, Any], key: str, path: Path) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CdsCodeListError(f"{path.name}: an entry without {key!r}: {entry!r:.120}")
    return value.strip()


def _described(path: Path) -> dict[str, str]:
    """``code`` → English text. A code listed twice must have the same text both times (CDS's
    validation code list repeats a few)."""
    described: dict[str, str] = {}
    for entry in _entries(path):
        code, text = _text(entry, "code", path), _text(entry, "en", path)
        if described.get(code, text) != text:
            raise CdsCodeListError(f"{path.name}: {code} is given two different texts")
        described[code] = text
    return described


def _linked(
    path: Path, parents: Mapping[str, str], children: Mapping[str, str] | None = None
) -> dict[str, frozenset[str]]:
    """``parentCode`` → its ``childCodes``; every parent in ``parents`` and, when given, every
    child in ``children``."""
    linked: dict[str, frozenset[str]] = {}
    for entry in _entries(path):
        parent = _text(entry, "parentCode", path)
        linked_codes = entry.get("childCodes")
        if not isinstance(linked_codes, list) or not all(
            isinstance(code, str) for code in linked_codes
        ):
            raise CdsCodeListError(f"{path.name}: {parent} has no list of childCodes")
        if parent not in parents:
            raise CdsCodeListError(f"{path.name}: {parent} is in no list it links from")
        unknown = sorted(set(linked_codes) - set(children)) if children is not None else []
        if unknown:
            raise CdsCodeListError(
                f"{path.name}: {parent} links to {', '.join(unknown)}, in no list"
            )
        linked[parent] = linked.get(parent, frozenset()) | frozenset(linked_codes)
    return linked


def _tagged(path: Path) -> frozenset[str]:
    """The codes a tag file gives its one tag (``DocumentCodesRequiringAReason`` …)."""
    tag = REASON_TAG[path.stem]
    tagged = set()
    for entry in _entries(path):
        code = _text(entry, "parentCode", path)
        if entry.get("childCodes") != [tag]:
            raise CdsCodeListError(f"{path.name}: {code} is not tagged {tag}")
        tagged.add(code)
    return frozenset(tagged)


def _goods_locations(directory: Path) -> dict[str, GoodsLocationCode]:
    """Every goods location code of every list, with the lists that hold it. A few codes are
    published with a trailing space, which is not part of the code."""
    descriptions: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.json")):
        list_name = _LIST_DATE.sub("", path.stem)
        for code, text in _described_each(path):
            descriptions.setdefault(code, text)
            held_by = lists.setdefault(code, [])
            if list_name not in held_by:
                held_by.append(list_name)
    return {
        code: GoodsLocationCode(code, description, tuple(lists[code]))
        for code, description in descriptions.items()
    }


def _described_each(path: Path) -> Iterable[tuple[str, str]]:
    # The same location may be listed twice in one file with different texts (a facility
    # under two operators): the first text describes it.
    for entry in _entries(path):
        yield _text(entry, "code", path), _text(entry, "en", path)


def _authorisation_documents(path: Path, authorisation_types: Mapping[str, str]) -> dict[str, str]:
    documents: dict[str, str] = {}
    for entry in _entries(path):
        document = _text(entry, "document", path)
        authorisation = _text(entry, "authorisation", path)
        if authorisation not in authorisation_types:
            raise CdsCodeListError(f"{path.name}: {authorisation} is not an authorisation type")
        documents[document] = authorisation
    return documents
