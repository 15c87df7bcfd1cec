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
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from clearway.adapters.sanctions_common import SanctionsFileError, country_code
from clearway.adapters.sanctions_ofac import parse_sdn
from clearway.adapters.sanctions_un_bis import parse_dpl, parse_un
from clearway.adapters.text_files import MIB, TextFileError, read_bytes
from clearway.domain.screening.entity import (
    ListedEntity,
    ListSource,
)
from clearway.reference import DATA_DIR

__all__ = [
    "SHIPPED_DIR",
    "SOURCE_FILES",
    "ListFile",
    "NamePair",
    "SanctionsFileError",
    "country_code",
    "find_list_files",
    "parse_dpl",
    "parse_sdn",
    "parse_un",
    "read_lists",
    "read_name_pairs",
    "read_shipped_lists",
]

SHIPPED_DIR = DATA_DIR / "sanctions"
"""The gzipped copies shipped in the package (provenance in ``PROVENANCE.md``)."""

# The file names each source is read from, in the order they are hashed.
SOURCE_FILES: dict[ListSource, tuple[str, ...]] = {
    ListSource.OFAC_SDN: ("sdn.csv", "alt.csv", "add.csv"),
    ListSource.BIS_DPL: ("dpl.txt",),
    ListSource.UN: ("UN_consolidated.xml",),
}
# The published files are a few megabytes each (the SDN CSV about 5, the UN XML about 3); a
# file, or what a gzipped one expands to, past this bound is refused rather than read.
MAX_LIST_BYTES = 256 * MIB
# Sub-folders of the layout the lists are published in (``ofac/sdn.csv``, ``un/…xml``).
_SUBFOLDERS = ("", "ofac", "bis", "un")


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
        return read_bytes(path, MAX_LIST_BYTES)
    except TextFileError as error:
        raise SanctionsFileError(str(error)) from error


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
