"""Cancellation requests in the CDS CANCEL schema: read from the pack, written and read back."""

from __future__ import annotations

import pytest
from lxml import etree

from clearway.adapters.messages.dec_dms_cancel import (
    Cancellation,
    read_cancellation,
    write_cancellation,
)
from clearway.adapters.messages.dec_dms_read import DecDmsUnmappable
from clearway.adapters.messages.dms_schemas import validate_cancellation
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from tests.unit.dec_dms_pack import SAMPLES

DUPLICATE = Cancellation(
    mrn="24GBDIRIGZ7QLCPAA8",
    lrn="U.7867523JNCOL",
    reason_code="1",
    description="This is a duplicate, please can",
    declarant_id="GB150454489082",
)


def _shape(root: etree._Element) -> list[tuple[str, str | None]]:
    return [
        (etree.QName(element).localname, (element.text or "").strip() or None)
        for element in root.iter()
        if isinstance(element.tag, str)
    ]


def test_the_pack_cancellation_of_an_export_reads_with_its_values() -> None:
    root = parse_xml((SAMPLES / "TT_EX010a" / "TT_EX010a_Cancellation.xml").read_bytes())
    validate_cancellation(root)
    assert read_cancellation(root) == DUPLICATE


def test_a_cancellation_written_is_what_cds_takes_and_reads_back() -> None:
    """Written, the request is the pack's TT_EX010a cancellation element for element."""
    written = parse_xml(write_cancellation(DUPLICATE))
    validate_cancellation(written)
    assert read_cancellation(written) == DUPLICATE
    sample = parse_xml((SAMPLES / "TT_EX010a" / "TT_EX010a_Cancellation.xml").read_bytes())
    assert _shape(written) == _shape(sample)


def test_a_cancellation_without_its_own_reference_or_submitter_is_valid() -> None:
    bare = Cancellation("25GB53T2CGAY90LAA1", None, "1", "Entered twice", None)
    written = parse_xml(write_cancellation(bare))
    validate_cancellation(written)
    assert read_cancellation(written) == bare


def test_the_second_pack_cancellation_round_trips() -> None:
    root = parse_xml((SAMPLES / "TT_EX052a" / "Step3_Cancellation.xml").read_bytes())
    request = read_cancellation(root)
    assert (request.mrn, request.declarant_id) == ("25GB53T2CGAY90LAA1", "GB427168118378")
    assert read_cancellation(parse_xml(write_cancellation(request))) == request


def test_a_declaration_is_not_a_cancellation_request() -> None:
    root = parse_xml((SAMPLES / "TT_IM001a" / "Step1_TT_IM001a.xml").read_bytes())
    with pytest.raises(DecDmsUnmappable, match="type INV, not IMA"):
        read_cancellation(root)
    with pytest.raises(XmlRefused):
        validate_cancellation(root)


def test_a_reason_longer_than_the_schema_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="description must be 1 to 512 characters"):
        write_cancellation(Cancellation("25GB53T2CGAY90LAA1", None, "1", "x" * 513, None))
