"""Reading the CDS trade test pack's DEC-DMS declarations into the wire format."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from pydantic import ValidationError

from clearway.adapters.messages.dec_dms_codes import qualified, schema_path
from clearway.adapters.messages.dec_dms_layout import DEC_NS, layout
from clearway.adapters.messages.dec_dms_read import (
    NOT_MAPPED,
    READ_WITHOUT_POINTER,
    DecDmsUnmappable,
    read_declaration,
)
from clearway.adapters.messages.wco_pointers import CODED_PLACE, TEMPLATES
from clearway.entrypoints.schemas import parse_declaration
from tests.unit.dec_dms_pack import SAMPLES, Sample, declarations, parsed, read

# Messages that are not import or export declarations, by TypeCode, and the reason given.
OTHER_TYPES = {
    "COR": "an amendment (TypeCode COR)",
    "INV": "a cancellation request",
    "GPR": "a goods presentation notification",
    "COA": "special fiscal territories",
    "COD": "special fiscal territories",
    "COY": "special fiscal territories",
}
# Import and export declarations the wire format cannot hold, and why.
UNMAPPABLE = {
    # Items under different procedures (1040 and 2300): the wire has one per declaration.
}
# Real CDS data the wire schema refuses: (error location with * for indices, error type).
KNOWN_REFUSALS = {
    ("lrn", "string_pattern_mismatch"): "CDS accepted the LRN 'NEW-TT-SAMPLE-CUS 9' (a space; "
    "UCC DE 2/5 is an..22), the wire's pattern has no space",
    ("transport/mode", "missing"): "a type F import (TT_IM003b) states the container indicator "
    "(DE 7/2, in the wire's transport) but no mode of transport",
}


def _refusals(error: ValidationError) -> set[tuple[str, str]]:
    return {
        (
            "/".join("*" if isinstance(part, int) else str(part) for part in detail["loc"]),
            detail["type"],
        )
        for detail in error.errors()
    }


def _outcome(sample: Sample) -> str | set[tuple[str, str]]:
    """``"ok"``, the reason it cannot be mapped, or the wire schema's refusals."""
    try:
        wire = read(sample.file).wire
    except DecDmsUnmappable as unmappable:
        return unmappable.message
    try:
        parse_declaration(wire)
    except ValidationError as error:
        return _refusals(error)
    return "ok"


@pytest.mark.parametrize("sample", declarations(), ids=lambda sample: sample.path)
def test_each_pack_declaration_reads_into_a_wire_declaration(sample: Sample) -> None:
    outcome = _outcome(sample)
    expected = OTHER_TYPES.get(sample.type_code) or UNMAPPABLE.get(sample.path)
    if expected is not None:
        assert isinstance(outcome, str) and expected in outcome
    elif outcome != "ok":
        assert isinstance(outcome, set), outcome
        assert outcome <= set(KNOWN_REFUSALS), outcome - set(KNOWN_REFUSALS)


def test_most_pack_declarations_are_accepted_as_read() -> None:
    outcomes = [_outcome(sample) for sample in declarations()]
    assert len(declarations()) == 194  # 177 originals and 17 amendments or requests
    assert outcomes.count("ok") >= 169
    refused = [outcome for outcome in outcomes if isinstance(outcome, set)]
    assert {kind for outcome in refused for kind in outcome} <= set(KNOWN_REFUSALS)


def test_a_standard_frontier_import_reads_with_its_values() -> None:
    """TT_IM001a: shavers from the US by sea, deferred payment, Wallasea Island."""
    read_back = read(SAMPLES / "TT_IM001a" / "Step1_TT_IM001a.xml")
    wire = read_back.wire
    assert (read_back.function_code, read_back.type_code, read_back.lrn) == (
        9,
        "IMA",
        "7847767E1WB6",
    )
    assert read_back.mrn is None
    assert (wire["type"], wire["additional_type"], wire["procedure"]) == ("IM", "A", "4000")
    assert wire["authorisations"] == [
        {"type": "CGU", "holder": "GB553202734852"},
        {"type": "DPO", "holder": "GB553202734852"},
    ]
    assert wire["deferred_payments"] == [{"category": "1", "type": "DAN", "reference": "1108654"}]
    assert wire["guarantees"] == [{"type": "1", "reference": "GBCGU55320273485220191113093459"}]
    assert wire["goods_location"] == {
        "name": "WLALONBTW",
        "type": "A",
        "qualifier": "U",
        "country": "GB",
    }
    assert wire["transport"] == {"mode": "sea", "nationality": "US", "container": True}
    assert wire["arrival_transport"] == {"identity": "12345", "identity_type": "10"}
    assert wire["invoice"] == {"currency": "GBP", "amount": "1000"}
    assert wire["office"] == "GBLBA001"  # no office named: the administration's own
    assert (wire["dispatch_country"], wire["destination_country"]) == ("US", "GB")
    assert wire["incoterm"] == {"code": "CIF", "place": "GBWLA"}
    assert wire["representative"] == {"status": "2"}
    assert wire["exporter"]["address"] == {
        "street": "1 Shaver Street",
        "city": "New York",
        "postcode": "NY1 234",
        "country": "US",
    }
    [item] = wire["items"]
    assert item["commodity_code"] == "8510900000"
    assert item["invoice_amount"] == "1000"
    assert item["additional_procedures"] == ["000"]
    assert (item["net_mass_kg"], item["gross_mass_kg"], item["origin_country"]) == (
        "100",
        "150",
        "US",
    )
    assert item["tax_payments"] == [{"type": "A00", "method": "E"}, {"type": "B00", "method": "E"}]
    assert item["packages"] == {"kind": "BX", "count": 50, "marks": "BX-1234228/34"}
    assert [document["type"] for document in item["documents"]] == ["C506", "N935", "C505"]
    assert item["documents"][1] == {"type": "N935", "reference": "12345/19.01.2024", "status": "AC"}
    declaration = parse_declaration(wire).declaration
    assert declaration.items[0].commodity_code == "8510900000"


def test_sources_name_the_element_each_value_came_from() -> None:
    sources = read(SAMPLES / "TT_IM001a" / "Step1_TT_IM001a.xml").sources
    item = "Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]"
    assert sources["/items/0/net_mass_kg"] == f"{item}/Commodity/GoodsMeasure/NetNetWeightMeasure"
    assert sources["/procedure"] == f"{item}/GovernmentProcedure[1]/CurrentCode"
    assert (
        sources["/items/0/additional_procedures/0"] == f"{item}/GovernmentProcedure[2]/CurrentCode"
    )
    assert sources["/authorisations/1/type"] == "Declaration/AuthorisationHolder[2]/CategoryCode"
    assert (
        sources["/invoice/currency"] == f"{item}/Commodity/InvoiceLine/ItemChargeAmount/@currencyID"
    )
    assert sources["/lrn"] == "Declaration/FunctionalReferenceID"
    assert "/office" not in sources  # the administration's own office: no element


def test_a_standard_export_reads_with_its_values() -> None:
    """TT_EX047a: rivet nuts to the German continental shelf, from a CSE location by sea."""
    read_back = read(SAMPLES / "TT_EX047a" / "Step1_TT_EX047a.xml")
    wire = read_back.wire
    assert (wire["type"], wire["additional_type"], wire["procedure"]) == ("EX", "A", "1007")
    assert wire["exit_office"] == wire["office"] == "GB000290"  # no DeclarationOfficeID
    assert read_back.sources["/office"] == "Declaration/ExitOffice/ID"
    assert wire["departure_transport"] == {
        "identity": "Wayfarer",
        "identity_type": "11",
        "mode": "road",
    }
    assert wire["transport"] == {
        "identity": "Wayfarer",
        "identity_type": "11",
        "nationality": "FR",
        "mode": "sea",
        "container": True,
    }
    assert wire["equipment"] == [{"sequence": 1, "id": "AHFB9384274", "seals": ["17583753"]}]
    assert wire["routing_countries"] == ["GB", "ZG"]
    assert wire["warehouse"] == {"type": "Y", "id": "YGB00001234567GB"}
    assert wire["freight_payment_method"] == "B"
    assert wire["consignee"]["name"] == "ZG Export"
    assert wire["destination_country"] == "ZG"
    assert wire["invoice"] == {"currency": "GBP", "amount": "9500"}
    [item] = wire["items"]
    assert item["statistical_value"] == {"currency": "GBP", "amount": "9500"}
    assert (item["commodity_code"], item["additional_procedures"]) == ("73181631", ["1CS"])
    assert parse_declaration(wire).declaration.exit_office == "GB000290"


def test_a_declaration_stating_no_transport_reads_without_it() -> None:
    """TT_IM061a, a type Q import, declares no means nor mode of transport (DE 7/4 is not
    required of it): the wire declaration has no transport rather than an invented one."""
    wire = read(SAMPLES / "TT_IM061a" / "Step1_TT_IM061a.xml").wire
    assert (wire["additional_type"], "transport" in wire) == ("Q", False)
    assert parse_declaration(wire).declaration.transport is None


def test_the_border_mode_is_the_mode_on_arrival_when_not_given() -> None:
    """TT_IM001a without its border mode, its means on arrival (IMO 12345) by sea: the mode
    stands for the border's, and the arrival means' identity is not taken as the border's."""
    root = parsed(SAMPLES / "TT_IM001a" / "Step1_TT_IM001a.xml")
    border = root.find(qualified("Declaration/BorderTransportMeans"))
    arrival = root.find(qualified("Declaration/GoodsShipment/Consignment/ArrivalTransportMeans"))
    assert border is not None and arrival is not None
    border.remove(border[-1])  # ModeCode, after RegistrationNationalityCode
    etree.SubElement(arrival, f"{{{DEC_NS}}}ModeCode").text = "1"
    read_back = read_declaration(root, country="GB", national_office="GBLBA001")
    assert read_back.wire["transport"] == {"mode": "sea", "nationality": "US", "container": True}
    assert read_back.wire["arrival_transport"]["identity"] == "12345"
    assert read_back.sources["/transport/mode"] == (
        "Declaration/GoodsShipment/Consignment/ArrivalTransportMeans/ModeCode"
    )


def test_an_item_under_another_procedure_states_its_own() -> None:
    """TT_EX039a: the first item is under 2300 (temporary export), the second under 1040."""
    wire = read(SAMPLES / "TT_EX039a" / "TT_EX039a.xml").wire
    assert wire["procedure"] == "2300"
    assert [item.get("procedure") for item in wire["items"]] == [None, "1040"]


def _covered(path: str) -> bool:
    return path in READ_WITHOUT_POINTER or any(
        path == name or path.startswith(f"{name}/") for name in NOT_MAPPED
    )


@pytest.mark.parametrize("sample", declarations(), ids=lambda sample: sample.path)
def test_every_element_of_a_declaration_is_read_or_listed_as_not_mapped(sample: Sample) -> None:
    root = parsed(sample.file)
    try:
        sources = read(sample.file).sources
    except DecDmsUnmappable:
        return
    used = {re.sub(r"\[\d+\]", "", source).split("/@")[0] for source in sources.values()}
    declaration = root.find(f"{{{DEC_NS}}}Declaration")
    assert declaration is not None
    unread = {
        schema_path(element)
        for element in declaration.iter()
        if isinstance(element.tag, str) and len(element) == 0
    } - used
    assert {path for path in unread if not _covered(path)} == set()


def test_every_schema_element_has_a_wire_field_or_a_reason_it_has_none() -> None:
    mapped = {*TEMPLATES.values(), CODED_PLACE}
    attributes = [path for path, rule in layout().items() if not rule.is_class]
    assert [path for path in attributes if path not in mapped and not _covered(path)] == []
    assert [name for name in (*NOT_MAPPED, *READ_WITHOUT_POINTER) if name not in layout()] == []
