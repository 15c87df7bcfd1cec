"""The CDS code lists as shipped, checked against the UK CDS trade test pack, and the CDS
validation codes Clearway's violations correspond to."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from clearway.adapters.cds_code_lists import (
    CDS_DIR,
    CdsCodeListError,
    cds_code_lists,
    load_cds_code_lists,
)
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from clearway.domain.cds_codes import CdsCodeLists, goods_location_code
from clearway.domain.rules import RULES
from clearway.domain.rules.cds_validation_codes import RULE_CODES, SCHEMA_CODES, cds_code_for
from clearway.entrypoints.schemas import parse_declaration, schema_violations
from tests.conftest import ROOT, example

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"
DEC = "{urn:wco:datamodel:WCO:DEC-DMS:2}"


@pytest.fixture(scope="module")
def lists() -> CdsCodeLists:
    return cds_code_lists()


def test_every_list_is_read_in_full(lists: CdsCodeLists) -> None:
    assert (len(lists.procedures), len(lists.c21_procedures)) == (16, 7)
    assert (len(lists.additional_procedures), len(lists.c21_additional_procedures)) == (65, 52)
    # 16 export procedures and 7 of the C21 clearance request, each with its combinations.
    assert len(lists.allowed_additional_procedures) == 23
    assert len(lists.authorisation_types) == 57
    assert len(lists.customs_offices) == 96
    assert len(lists.offices_of_exit) == 134
    assert len(lists.goods_locations) == 1741
    assert lists.goods_location_countries == {"GB", "IM"}
    assert len(lists.package_types) == 378
    assert len(lists.documents_requiring_reason) == 160
    assert lists.statuses_requiring_reason == {"UA", "UE", "UP", "US", "XW", "XX"}
    # 180 entries, two of them (CDS12078, CDS12151) published twice with the same text.
    assert len(lists.validation_codes) == 178


def test_lists_are_read_once_per_process_and_cannot_be_changed(lists: CdsCodeLists) -> None:
    assert cds_code_lists() is lists
    with pytest.raises(TypeError):
        lists.offices_of_exit["GB999999"] = "Nowhere"  # type: ignore[index]


def test_procedures_and_their_additional_procedures(lists: CdsCodeLists) -> None:
    assert lists.procedures["1040"].startswith("Permanent Export of UK goods")
    assert lists.additional_procedure("1040", "1CS") is not None
    # A C21 clearance request (procedure 0014, re-export) has its own additional codes.
    assert lists.is_c21_procedure("0014")
    assert lists.additional_procedure("0014", "19Z") == "Removal from a Free zone"
    assert lists.additional_procedure("1040", "19Z") is None
    assert lists.additional_procedure("0014", "1CS") is None
    assert lists.allows_additional_procedure("3171", "000") is True
    # Low value export (3LV) goes with permanent export 1040, not with inward processing 1100.
    assert lists.allows_additional_procedure("1040", "3LV") is True
    assert lists.allows_additional_procedure("1100", "3LV") is False
    assert lists.allows_additional_procedure("4000", "000") is None


def test_authorisations_and_the_documents_that_quote_them(lists: CdsCodeLists) -> None:
    assert lists.authorisation_types["CGU"] == "Customs comprehensive guarantee"
    assert "CodesRequiringDocumentation" in lists.authorisation_tags["CGU"]
    assert lists.authorisation_documents["C505"] == "CGU"
    assert lists.authorisation_documents["C506"] == "DPO"
    assert set(lists.authorisation_documents.values()) <= set(lists.authorisation_types)
    assert {"Y929", "999L", "9WKS"} <= lists.documents_requiring_reason


def test_goods_locations_by_full_code(lists: CdsCodeLists) -> None:
    code = goods_location_code("GB", "A", "U", "DYCABZDYC")
    assert code == "GBAUDYCABZDYC"
    aberdeen = lists.goods_locations[code]
    assert (aberdeen.description, aberdeen.lists) == ("Aberdeen Airport - Dyce", ("airports-16a",))
    # Felixstowe is both a maritime port and a roll-on roll-off location.
    assert lists.goods_locations["GBAUFXTFXTFXT"].lists == (
        "maritime-ports-and-wharves-16c",
        "roro-16r",
    )
    # Published as "GBAUMANMANXBM " (a trailing space that is no part of the code).
    assert "GBAUMANMANXBM" in lists.goods_locations
    assert "GBAUMANMANXBM " not in lists.goods_locations


def _pack_declarations() -> Iterator[tuple[str, Any]]:
    for path in sorted(PACK.glob("**/*.xml")):
        try:
            root = parse_xml(path.read_bytes())
        except XmlRefused:
            continue  # the pack's few deliberately malformed samples
        for declaration in root.iter(f"{DEC}Declaration"):
            yield str(path.relative_to(PACK)), declaration


def _text(element: Any, path: str) -> str | None:
    found = element.find(path)
    return found.text.strip() if found is not None and found.text else None


def test_every_un_locode_goods_location_of_the_pack_is_in_the_lists(lists: CdsCodeLists) -> None:
    checked = 0
    unknown = []
    for name, declaration in _pack_declarations():
        for location in declaration.iter(f"{DEC}GoodsLocation"):
            if _text(location, f"{DEC}Address/{DEC}TypeCode") != "U":
                continue
            code = goods_location_code(
                _text(location, f"{DEC}Address/{DEC}CountryCode") or "",
                _text(location, f"{DEC}TypeCode") or "",
                "U",
                _text(location, f"{DEC}Name") or "",
            )
            checked += 1
            if code not in lists.goods_locations:
                unknown.append((name, code))
    assert checked >= 150
    assert unknown == []


def test_every_export_of_the_pack_leaves_through_a_listed_office_of_exit(
    lists: CdsCodeLists,
) -> None:
    exits = {
        name: _text(declaration, f"{DEC}ExitOffice/{DEC}ID")
        for name, declaration in _pack_declarations()
        if (_text(declaration, f"{DEC}TypeCode") or "").startswith("EX")
    }
    unlisted = {
        name: office for name, office in exits.items() if office not in lists.offices_of_exit
    }
    assert len(exits) == 39
    # Only the two samples CDS rejects for their office of exit: one has none, one GB999999.
    assert unlisted == {
        "accepted-rejected/Exports/Rejected/Rejected Obligation/Declaration/"
        "TT1_EX_v2.02_Rejected_Obligation_Exitoffice.xml": None,
        "accepted-rejected/Exports/Rejected/Rejected Ref Data/Declaration/"
        "TT1_EX_v2.02_Rejected_RefData.xml": "GB999999",
    }


def _copy_of_lists(tmp_path: Path) -> Path:
    copy = tmp_path / "cds"
    shutil.copytree(CDS_DIR, copy)
    return copy


def _rewrite(path: Path, change: Any) -> None:
    entries = json.loads(path.read_text(encoding="utf-8"))
    change(entries)
    path.write_text(json.dumps(entries), encoding="utf-8")


def test_a_combination_naming_a_code_no_list_holds_is_refused(tmp_path: Path) -> None:
    directory = _copy_of_lists(tmp_path)
    link = directory / "procedureCodes" / "linkProcedureCodeToAdditionalProcedureCodes.json"
    _rewrite(link, lambda entries: entries[0]["childCodes"].append("ZZZ"))
    with pytest.raises(CdsCodeListError, match=r"linkProcedure.*1040 links to ZZZ, in no list"):
        load_cds_code_lists(directory)


def test_a_code_given_two_texts_is_refused(tmp_path: Path) -> None:
    directory = _copy_of_lists(tmp_path)
    exits = directory / "officeOfExits.json"
    _rewrite(exits, lambda entries: entries.append({**entries[0], "en": "Somewhere else"}))
    with pytest.raises(CdsCodeListError, match=r"officeOfExits\.json: GB000001 is given two"):
        load_cds_code_lists(directory)


def test_a_file_that_is_not_json_is_refused_with_its_name(tmp_path: Path) -> None:
    directory = _copy_of_lists(tmp_path)
    (directory / "packageTypes.json").write_bytes(b"[{'code': 'PK'}]")
    with pytest.raises(CdsCodeListError, match=r"packageTypes\.json"):
        load_cds_code_lists(directory)


# The CDS validation codes


@pytest.mark.parametrize(
    ("violation", "cds_code", "cds_text"),
    [
        (
            "SCHEMA.missing",
            "CDS10001",
            "Obligation Error: Mandatory Data Element has not been provided",
        ),
        ("SCHEMA.string_pattern_mismatch", "CDS10010", "Format Error: Invalid format"),
        ("SCHEMA.string_too_long", "CDS10010", "Format Error: Invalid format"),
        ("SCHEMA.literal_error", "CDS10020", "Data Error: Data Element contains invalid value"),
        (
            "SCHEMA.too_long",
            "CDS10003",
            "Obligation Error: Number of Occurrences exceeds what is allowed for the Data Element",
        ),
        (
            "CL005",
            "CDS12050",
            "A valid Requested Procedure (D.E. 1/10) has not been provided or acceptance date is "
            "not valid. No further validation has been carried out",
        ),
        (
            "BR103",
            "CDS12149",
            "Relation Error: Additional Procedure code 000 can not be declared with any other "
            "Additional Procedure Code",
        ),
        (
            "BR106",
            "CDS12078",
            "Relation Error: As no Deferment Account Number is provided in D.E. 2/6, an immediate "
            "Method of Payment must be offered in D.E. 4/8",
        ),
        ("BR034", "CDS11006", "Relation Error: Net Mass must be lower than Gross Mass"),
        (
            "BR040",
            "CDS71200",
            "Uniqueness Error: Document Codes with identical IDs are not permitted on a single "
            "goods item",
        ),
    ],
)
def test_a_violation_maps_to_the_cds_code_that_says_the_same(
    violation: str, cds_code: str, cds_text: str, lists: CdsCodeLists
) -> None:
    assert cds_code_for(violation) == cds_code
    assert lists.validation_codes[cds_code] == cds_text


def test_checks_cds_has_no_counterpart_for_map_to_nothing() -> None:
    # The vagueness of a description, an invoice total, a document that is not JSON at all.
    assert cds_code_for("BR036") is None
    assert cds_code_for("BR002") is None
    assert cds_code_for("SCHEMA.json_invalid") is None
    assert cds_code_for("XX999") is None


def test_every_mapping_names_a_cds_code_and_a_clearway_rule(lists: CdsCodeLists) -> None:
    assert set(SCHEMA_CODES.values()) | set(RULE_CODES.values()) <= set(lists.validation_codes)
    amendments = {"AM001", "AM002", "AM003"}
    assert set(RULE_CODES) - amendments <= set(RULES)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("office"),
        lambda d: d.update(office="GB-FXT"),
        lambda d: d.update(lrn="L" * 40),
        lambda d: d.update(type="CO"),
        lambda d: d["items"][0].update(sequence=1000),
        lambda d: d["items"][0].update(net_mass_kg="12.1234567"),
        lambda d: d["items"][0].update(description=""),
        lambda d: d.update(items=[]),
        lambda d: d.update(remarks="none"),
        lambda d: d["invoice"].update(date="2026-13-01"),
        lambda d: d["transport"].update(container="yes"),
        lambda d: d["items"][0].update(documents=[{"type": "N380", "reference": "1"}] * 100),
    ],
    ids=[
        "missing",
        "pattern",
        "lrn-pattern",
        "literal",
        "item-number-over-999",
        "decimal-places",
        "empty-text",
        "no-items",
        "unknown-field",
        "bad-date",
        "not-boolean",
        "too-many-documents",
    ],
)
def test_every_schema_error_of_the_wire_format_has_a_cds_code(change: Any) -> None:
    payload = example("import")
    change(payload)
    with pytest.raises(ValidationError) as refused:
        parse_declaration(payload)
    for violation in schema_violations(refused.value):
        assert cds_code_for(violation.code), violation


def test_the_pack_rejects_with_the_codes_clearway_maps_its_violations_to() -> None:
    """The rejection notifications of the pack's pairs name ``DMS`` codes: CDS's validation
    codes under the prefix CDS used in 2018 (``DMS10001`` is ``CDS10001``)."""
    notifications = {
        path.name: (element.text or "").strip()
        for path in PACK.glob("accepted-rejected/*/Rejected/*/Example Notification/*.xml")
        # Each file ends with the HTTP headers the notification was sent with.
        for element in parse_xml(path.read_bytes().split(b"headers=")[0]).iter("{*}ValidationCode")
    }
    assert notifications == {
        "TT1_IM_v2.01_Rejected_Format_Notification.xml": "DMS10020",
        "TT1_IM_v2.01_Rejected_Obligation_Netmass_Notification.xml": "DMS10001",
        "TT1_IM_v2.01_Rejected_RefData_Notification.xml": "DMS12050",
        "TT1_EX_v2.01_Rejected_Format_Notification.xml": "DMS10010",
        "TT1_EX_v2.01_Rejected_Obligation_Exitoffice_Notification.xml": "DMS10001",
        "TT1_EX_v2.01_Rejected_RefData_Notification.xml": "DMS10020",
    }
    # The same refusals in Clearway: item number 1000, unknown procedure, LRN of 25
    # characters, no office of exit, an unknown one (tests/unit/test_formality_rules.py).
    assert cds_code_for("SCHEMA.less_than_equal") == "CDS10020"
    assert cds_code_for("CL005") == "CDS12050"
    assert cds_code_for("BR112") == "CDS10010"
    assert cds_code_for("BR108") == "CDS10001"
    assert cds_code_for("BR109") == "CDS10020"
