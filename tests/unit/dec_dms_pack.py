"""The UK CDS trade test pack (``shared/data/cds-trade-test``, hmrc/customs-declarations @
3d05836, Apache-2.0) as the DEC-DMS tests read it: its declarations, parsed with the hardened
parser, and the wire form each one reads into."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from clearway.adapters.messages.dec_dms_read import DecDmsDeclaration, read_declaration
from clearway.adapters.messages.xml_safety import parse_xml
from tests.conftest import ROOT

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"
SAMPLES = PACK / "samples"
COUNTRY, NATIONAL_OFFICE = "GB", "GBLBA001"


@dataclass(frozen=True)
class Sample:
    """One declaration of the pack's index: path under ``samples/``, TypeCode, FunctionCode."""

    path: str
    type_code: str
    function_code: int

    @property
    def file(self) -> Path:
        return SAMPLES / self.path


@functools.cache
def declarations() -> tuple[Sample, ...]:
    """Every original (9) and amendment (13) declaration the index marks XSD-valid and that
    is well-formed XML (two samples have ``--`` inside a comment)."""
    with (PACK / "samples_index.csv").open(newline="") as index:
        return tuple(
            Sample(row["path"], row["type_code"], int(row["function_code"]))
            for row in csv.DictReader(index)
            if row["kind"] == "DEC"
            and row["function_code"] in ("9", "13")
            and row["xsd_valid"] == "yes"
            and not row["wellformedness"]
        )


def parsed(file: Path) -> etree._Element:
    return parse_xml(file.read_bytes())


def read(file: Path) -> DecDmsDeclaration:
    return read_declaration(parsed(file), country=COUNTRY, national_office=NATIONAL_OFFICE)
