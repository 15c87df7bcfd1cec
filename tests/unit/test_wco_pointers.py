"""Pointers to wire fields as CDS gives them in its DMSREJ rejections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from clearway.adapters.messages.dec_dms_layout import rule
from clearway.adapters.messages.dec_dms_read import DecDmsUnmappable, read_declaration
from clearway.adapters.messages.dec_dms_write import write_declaration
from clearway.adapters.messages.wco_pointers import PointerStep, element_of, pointer_steps
from clearway.adapters.messages.xml_safety import parse_xml
from tests.conftest import example
from tests.unit.dec_dms_pack import (
    COUNTRY,
    NATIONAL_OFFICE,
    PACK,
    SAMPLES,
    Sample,
    declarations,
    read,
)

REJECTED = PACK / "accepted-rejected"
Errors = list[tuple[str, tuple[PointerStep, ...]]]


def _errors(notification: Path) -> Errors:
    """Each Error of a DMS notification: its validation code and its Pointer steps. The pack's
    notifications come in several namespaces (or none), and some are followed by the HTTP
    headers they were sent with, so they are read by local name, up to the root's end."""
    content = notification.read_bytes()
    content = content[: content.rindex(b"MetaData>") + len(b"MetaData>")]
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))

    def named(parent: etree._Element, name: str) -> list[etree._Element]:
        return [child for child in parent if etree.QName(child).localname == name]

    def text(parent: etree._Element, name: str) -> str | None:
        found = named(parent, name)
        return (found[0].text or "").strip() if found else None

    errors = []
    for error in root.iter("{*}Error", "Error"):
        steps = tuple(
            PointerStep(
                int(sequence) if (sequence := text(pointer, "SequenceNumeric")) else None,
                text(pointer, "DocumentSectionCode") or "",
                text(pointer, "TagID"),
            )
            for pointer in named(error, "Pointer")
        )
        errors.append((text(error, "ValidationCode") or "", steps))
    return errors


def _rejected(
    kind: str, case: str
) -> tuple[dict[str, object], list[tuple[str, tuple[PointerStep, ...]]]]:
    [declaration] = (REJECTED / kind / "Rejected" / case / "Declaration").glob("*.xml")
    [notification] = (REJECTED / kind / "Rejected" / case / "Example Notification").glob("*.xml")
    return read(declaration).wire, _errors(notification)


def _as_2018(steps: tuple[PointerStep, ...]) -> list[tuple[str, str | None, int | None]]:
    """A pointer as CDS's 2018 notifications of the accepted/rejected pairs give it: their
    sections and tags, with the goods item's SequenceNumeric. (They also numbered the goods
    shipment, 1:67A, and left the occurrence of a repeated class unnumbered, :70A, where the
    current notifications do the reverse, as ``pointer_steps`` does.)"""
    return [
        (
            step.document_section_code,
            step.tag_id,
            step.sequence_numeric if step.document_section_code == "68A" else None,
        )
        for step in steps
    ]


@pytest.mark.parametrize(
    ("kind", "case", "field"),
    [
        # DMS10020: goods item number 1000, past the format's n..3 (DE 1/6).
        ("Imports", "Format Rejection", "/items/0/sequence"),
        # DMS10001: the net mass (DE 6/1) is missing.
        ("Imports", "Obligation Rejection", "/items/0/net_mass_kg"),
        # DMS12050: the procedure 4071 is not in the reference data (DE 1/10).
        ("Imports", "Ref Data Rejection", "/procedure"),
        # DMS10010: the LRN Export_Format_REJ_LONGREF is longer than DE 2/5's an..22.
        ("Exports", "Rejected Format", "/lrn"),
    ],
)
def test_the_field_a_rejection_names_maps_to_the_pointer_cds_gave(
    kind: str, case: str, field: str
) -> None:
    wire, errors = _rejected(kind, case)
    [(_, cds_pointer)] = errors
    assert _as_2018(pointer_steps(field, wire)) == _as_2018(cds_pointer)


def test_the_goods_item_pointer_carries_its_sequence_number_as_lodged() -> None:
    wire, [(code, cds_pointer)] = _rejected("Imports", "Format Rejection")
    assert code == "DMS10020"
    assert pointer_steps("/items/0/sequence", wire) == (
        PointerStep(None, "42A"),
        PointerStep(None, "67A"),
        PointerStep(1000, "68A", "006"),
    )
    assert cds_pointer[-1] == PointerStep(1000, "68A", "006")


def test_the_office_of_exit_is_pointed_at_where_the_schema_has_it() -> None:
    """The export refused for office of exit GB999999 (DMS10020, reference data): CDS's 2018
    notification points at 42A / 1:67A / 56A:G005, under the goods shipment, though
    ExitOffice is a child of the declaration in the schema; the pointer follows the schema.
    The obligation rejection (DMS10001, no office of exit) came with no pointer at all."""
    wire, [(code, cds_pointer)] = _rejected("Exports", "Rejected Ref Data")
    expected = (PointerStep(None, "42A"), PointerStep(None, "56A", "G005"))
    assert code == "DMS10020" and wire["exit_office"] == "GB999999"
    assert pointer_steps("/exit_office", wire) == expected
    assert cds_pointer[-1] == PointerStep(None, "56A", "G005")
    missing, [(obligation, none)] = _rejected("Exports", "Rejected Obligation")
    assert (obligation, none, "exit_office" in missing) == ("DMS10001", (), False)
    assert pointer_steps("/exit_office", missing) == expected


@pytest.mark.parametrize(
    ("scenario", "notification", "code", "field"),
    [
        # A requested procedure (1/10) of two with an additional procedure: 1:70A.
        ("TT_IM014a", "Example_Notifications/01_DMSREJ.xml", "CDS12077", "/procedure"),
        # The item's one statement (2/2): 03A with no sequence.
        (
            "TT_IM014a",
            "Example_Notifications/01_DMSREJ.xml",
            "CDS12077",
            "/items/0/additional_information/0/code",
        ),
        # The third classification of the item, the national additional code X435 (6/17).
        ("TT_IM063a", "Example_Notifications/DMSREJ.xml", "CDS12056", "/items/0/national_codes/0"),
        # The first of two authorisation holders (3/39).
        (
            "TT_IM001b",
            "Example_Notifications/01_DMSREJ.xml",
            "CDS12005",
            "/authorisations/0/holder",
        ),
    ],
)
def test_pointers_are_those_of_cds_current_rejections(
    scenario: str, notification: str, code: str, field: str
) -> None:
    [declaration] = (SAMPLES / scenario).glob("*.xml")
    wire = read(declaration).wire
    given = [steps for found, steps in _errors(SAMPLES / scenario / notification) if found == code]
    assert pointer_steps(field, wire) in given


def test_a_classification_pointer_counts_every_code_of_the_item() -> None:
    wire = read(SAMPLES / "TT_IM063a" / "TT_IM063a.xml").wire
    steps = pointer_steps("/items/0/national_codes/0", wire)
    assert steps[-1] == PointerStep(3, "21A", "145")  # TSP 22043010, TRC 00, then GN X435
    assert pointer_steps("/items/0/commodity_code", wire)[-1] == PointerStep(3 - 2, "21A", "145")


def test_a_field_without_a_wco_element_points_at_what_holds_it() -> None:
    wire = example("export")
    item = (PointerStep(None, "42A"), PointerStep(None, "67A"), PointerStep(1, "68A"))
    assert pointer_steps("/items/0/control/entry", wire) == item
    assert pointer_steps("/end_user/name", wire) == (PointerStep(None, "42A"),)
    assert pointer_steps("/insurance/amount", example("import")) == (PointerStep(None, "42A"),)


def test_a_pointer_to_no_wire_field_is_refused() -> None:
    with pytest.raises(ValueError, match="not a field"):
        pointer_steps("/items/0/colour", example("import"))


def test_a_delivery_place_is_coded_or_named_as_written() -> None:
    named, coded = example("import"), example("import")
    coded["incoterm"] = {"code": "CIF", "place": "GBWLA"}
    assert pointer_steps("/incoterm/place", named)[-1] == PointerStep(None, "22B", "L001")
    assert pointer_steps("/incoterm/place", coded)[-1] == PointerStep(None, "22B", "L002")


def _mappable() -> list[Sample]:
    found = []
    for sample in declarations():
        try:
            read(sample.file)
        except DecDmsUnmappable:
            continue
        found.append(sample)
    return found


@pytest.mark.parametrize("sample", _mappable(), ids=lambda sample: sample.path)
def test_every_pointer_names_the_element_its_value_is_written_to(sample: Sample) -> None:
    """Written by Clearway and read back, each value's source element is the one the pointer
    locates, position for position."""
    wire = read(sample.file).wire
    written = read_declaration(
        parse_xml(write_declaration(wire)), country=COUNTRY, national_office=NATIONAL_OFFICE
    )
    for pointer, source in written.sources.items():
        element = source.split("/@")[0]
        assert element_of(pointer, written.wire) == element, pointer
        path, sections = "", []
        for name in re.sub(r"\[\d+\]", "", element).split("/"):
            path = f"{path}/{name}" if path else name
            if rule(path).is_class:
                sections.append(rule(path).wco_id)
        steps = pointer_steps(pointer, written.wire)
        assert [step.document_section_code for step in steps] == sections, pointer
        tag = None if rule(path).is_class else rule(path).wco_id
        assert steps[-1].tag_id == tag, pointer
