"""Writing wire declarations as DEC-DMS XML, and reading them back to the same declaration."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from clearway.adapters.messages.dec_dms_codes import DecDmsUnwritable, qualified
from clearway.adapters.messages.dec_dms_layout import META_NS
from clearway.adapters.messages.dec_dms_read import DecDmsUnmappable, read_declaration
from clearway.adapters.messages.dec_dms_write import METADATA, NOT_WRITTEN, write_declaration
from clearway.adapters.messages.dms_schemas import validate_declaration
from clearway.adapters.messages.xml_safety import parse_xml
from clearway.entrypoints.schemas import parse_declaration
from tests.conftest import example
from tests.unit.dec_dms_pack import COUNTRY, NATIONAL_OFFICE, Sample, declarations, read


def _written(wire: dict[str, Any], **options: Any) -> dict[str, Any]:
    """The wire declaration written as DEC-DMS (which the CDS schema must accept), read back."""
    root = parse_xml(write_declaration(wire, **options))
    validate_declaration(root)
    return read_declaration(root, country=COUNTRY, national_office=NATIONAL_OFFICE).wire


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
def test_each_pack_declaration_written_back_reads_as_the_same_wire(sample: Sample) -> None:
    read_back = read(sample.file)
    assert _written(read_back.wire, function_code=read_back.function_code) == read_back.wire


def test_most_of_the_pack_round_trips() -> None:
    assert len(_mappable()) >= 171


def _without_unwritten(wire: dict[str, Any]) -> dict[str, Any]:
    """The declaration without the fields no DEC-DMS element carries."""
    trimmed = copy.deepcopy(wire)
    trimmed.pop("end_user", None)
    trimmed.pop("insurance", None)
    for item in trimmed["items"]:
        item.pop("control", None)
    return trimmed


@pytest.mark.parametrize("name", ["import", "export"])
def test_the_example_declarations_keep_every_field_a_wco_element_carries(name: str) -> None:
    """JSON → DEC-DMS → JSON: the same declaration, less end_user, insurance and the control
    entry (``NOT_WRITTEN``); a full declaration is written as TypeCode IM or EX and read back
    as a full declaration, with no additional type."""
    wire = example(name)
    written = parse_xml(write_declaration(wire))
    validate_declaration(written)
    type_code = written.find(qualified("Declaration/TypeCode"))
    assert type_code is not None and type_code.text == wire["type"]
    read_back = read_declaration(written, country=COUNTRY, national_office=NATIONAL_OFFICE).wire
    assert "additional_type" not in read_back
    assert read_back == _without_unwritten(wire)
    assert parse_declaration(read_back).document == _without_unwritten(
        parse_declaration(wire).document
    )
    assert {"/end_user", "/insurance", "/items/*/control"} <= set(NOT_WRITTEN)
    assert any(key in example(name) for key in ("end_user", "insurance"))


def test_the_metadata_is_that_of_a_cds_declaration() -> None:
    mrn = "24GB0YVJ3EXXES8AA0"
    root = parse_xml(write_declaration(example("import"), function_code=13, mrn=mrn))
    validate_declaration(root)
    assert root.tag == f"{{{META_NS}}}MetaData"
    assert {etree_name(child): child.text for child in root[:5]} == dict(METADATA)
    assert METADATA["WCODataModelVersionCode"] == "3.6"
    assert METADATA["AgencyAssignedCustomizationVersionCode"] == "v2.1"
    function_code = root.find(qualified("Declaration/FunctionCode"))
    identifier = root.find(qualified("Declaration/ID"))
    assert function_code is not None and function_code.text == "13"
    assert identifier is not None and identifier.text == mrn
    read_back = read_declaration(root, country=COUNTRY, national_office=NATIONAL_OFFICE)
    assert (read_back.function_code, read_back.mrn) == (13, mrn)


def etree_name(element: Any) -> str:
    return str(element.tag).split("}")[-1]


def test_a_declaration_of_a_wco_type_is_written_with_its_additional_type() -> None:
    wire = {**example("import"), "additional_type": "D"}
    root = parse_xml(write_declaration(wire))
    type_code = root.find(qualified("Declaration/TypeCode"))
    assert type_code is not None and type_code.text == "IMD"
    assert _written(wire)["additional_type"] == "D"


def test_the_invoice_number_and_date_are_written_to_the_goods_shipment_invoice() -> None:
    wire = example("import")
    wire["invoice"] = {**wire["invoice"], "date": "2026-03-14"}
    root = parse_xml(write_declaration(wire))
    stamp = root.find(f"{qualified('Declaration/GoodsShipment/Invoice/IssueDateTime')}/*")
    assert stamp is not None and (stamp.text, stamp.get("formatCode")) == ("20260314", "102")
    assert _written(wire)["invoice"] == {
        "number": "SP-88231",
        "date": "2026-03-14",
        "currency": "EUR",
        "amount": "18400.00",
    }


def test_the_elements_are_in_the_schemas_order() -> None:
    root = parse_xml(write_declaration(example("import")))
    declaration = root.find(qualified("Declaration"))
    assert declaration is not None
    names = [etree_name(child) for child in declaration]
    assert names == [
        "FunctionCode",
        "FunctionalReferenceID",
        "TypeCode",
        "GoodsItemQuantity",
        "DeclarationOfficeID",
        "InvoiceAmount",
        "BorderTransportMeans",
        "Declarant",
        "Exporter",
        "GoodsShipment",
    ]


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"exporter": {"name": "N" * 71}}, "/exporter/name", "at most 70 characters"),
        ({"transport": {"mode": "hovercraft"}}, "/transport/mode", "no DE 7/4 code"),
        ({"type": "TR"}, "/type", "neither IM nor EX"),
        (
            {"invoice": {"currency": "EUR", "amount": "12345678901234567.00"}},
            "/invoice/amount",
            "n..16,3",
        ),
    ],
)
def test_a_value_no_dec_dms_element_can_carry_is_refused_with_its_pointer(
    change: dict[str, Any], pointer: str, message: str
) -> None:
    with pytest.raises(DecDmsUnwritable) as raised:
        write_declaration({**example("import"), **change})
    assert raised.value.pointer == pointer
    assert message in raised.value.message


def test_a_package_kind_of_three_characters_does_not_fit_wco() -> None:
    wire = example("import")
    wire["items"][0]["packages"] = {**wire["items"][0]["packages"], "kind": "1A1"}
    with pytest.raises(DecDmsUnwritable) as raised:
        write_declaration(wire)
    assert raised.value.pointer == "/items/0/packages/kind"
