"""The formality rules (BR101-BR112) on WCO declarations, with the codes of the UK CDS trade
test pack, and the pack's accepted/rejected pairs.

The pairs are the pack's ``TT1_IM`` and ``TT1_EX`` declarations (an import and an export
supplementary declaration, type Z) written in the wire format: ``ACCEPTED_IMPORT`` and
``ACCEPTED_EXPORT`` state what the accepted XML states, with the pack's placeholder
``INSERTEORI`` as a party's EORI number replaced by the pack's test EORI number, as the pack
asks. Each rejected sample is the accepted one with the one change the pack made.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from clearway.adapters.cds_code_lists import cds_code_lists
from clearway.adapters.reference_files import shipped_reference
from clearway.domain.cds_codes import cds_code_lists_in_use, use_cds_code_lists
from clearway.domain.declaration import Declaration
from clearway.domain.reference import ReferenceData
from clearway.domain.rules import RULES, RuleContext, Violation, validate
from clearway.domain.rules.cds_validation_codes import cds_code_for
from clearway.entrypoints.schemas import parse_declaration, schema_violations
from tests.conftest import example

ACCEPTANCE = date(2017, 10, 1)
EORI = "GB553202734852"
AGENT = "GB150454489082"
FORMALITIES = frozenset(code for code in RULES if code.startswith("BR1"))
# BR013 asks every sea crossing for the vessel's identity, which no CDS import and no
# supplementary export of the pack declares: a change to BR013, not to these declarations.
KNOWN_TO_CHANGE = frozenset({"BR013"})


def _holders(*types: str) -> list[dict[str, str]]:
    return [{"type": kind, "holder": EORI} for kind in types]


ACCEPTED_IMPORT: dict[str, Any] = {
    "type": "IM",
    "additional_type": "Z",
    "procedure": "4071",
    "lrn": "Import_Accepted",
    "declarant": {"id": EORI},
    "importer": {"id": EORI},
    "exporter": {
        "name": "Bags Exports",
        "address": {
            "street": "1 Bags Avenue",
            "city": "New York",
            "postcode": "NY1 234",
            "country": "US",
        },
    },
    "office": "GBLBA001",
    "supervising_office": "GBLBA001",
    "dispatch_country": "US",
    "destination_country": "GB",
    "transport": {"mode": "sea", "nationality": "US", "container": True},
    "arrival_transport": {"identity": "12345", "identity_type": "10", "mode": "road"},
    "incoterm": {"code": "CIF", "place": "GBTIL"},
    "nature_of_transaction": "11",
    "total_packages": 55,
    "ucr": "7INSERTEORI-12345",
    "authorisations": _holders("AEOC", "CGU", "DPO", "EIR", "CWP"),
    # DE 2/6: the header document the sample declares its deferment account with.
    "deferred_payments": [{"category": "1", "type": "DAN", "reference": "GBDPO7777777"}],
    "guarantees": [{"type": "0", "reference": "7777777"}],
    "goods_location": {"name": "U1234567GB", "type": "B", "qualifier": "Y", "country": "GB"},
    "equipment": [{"sequence": 1, "id": "DM1234"}],
    "warehouse": {"type": "U", "id": "1234567GB"},
    "items": [
        {
            "sequence": 1,
            "commodity_code": "4202121900",
            "description": "Vanity case with outer surface made of plastic sheet",
            "origin_country": "US",
            "preference": "100",
            "invoice_amount": "1000",
            "net_mass_kg": "100",
            "gross_mass_kg": "150",
            "statistical_value": {"currency": "GBP", "amount": "1000"},
            "packages": {"kind": "PK", "count": 55, "marks": "CDSTRADETEST1I"},
            "documents": [
                {"type": "C501", "reference": "GBAEOCINSERTEORI"},
                {"type": "C505", "reference": "GBCGUCCG7895"},
                {"type": "C506", "reference": "GBDPO7777777"},
                {"type": "C514", "reference": "GBEIRINSERTEORI"},
                {"type": "C517", "reference": "GBCWPU1234567GB"},
                {
                    "type": "N935",
                    "reference": "12345/30.11.2017",
                    "status": "AE",
                    "name": "Commercial Policy",
                },
                {"type": "Y023", "reference": "GBAEOC03000/15"},
                {"type": "Y024", "reference": "GBAEOC03000/15"},
                {"type": "Y027", "reference": "GBAEOC03000/15"},
            ],
            "additional_information": [{"code": "00500"}],
            "additional_procedures": ["000"],
            "valuation_method": "1",
            # The sample's duty line gives the method (E, deferment) under customs duty.
            "tax_payments": [{"type": "A00", "method": "E"}],
            "previous_documents": [
                {
                    "category": "Y",
                    "type": "CLE",
                    "reference": "201710017INSERTEORI-12345",
                    "line": 1,
                }
            ],
        }
    ],
}

ACCEPTED_EXPORT: dict[str, Any] = {
    "type": "EX",
    "additional_type": "Z",
    "procedure": "3171",
    "lrn": "Export_Accepted",
    "declarant": {"id": EORI},
    "exporter": {"id": EORI},
    "consignee": {
        "name": "Bags Export",
        "address": {
            "street": "1 Bags Avenue",
            "city": "New York",
            "postcode": "NY1 234",
            "country": "US",
        },
    },
    # The sample names no declaration office: the office of exit handles it.
    "office": "GB000093",
    "exit_office": "GB000093",
    "dispatch_country": "GB",
    "destination_country": "US",
    "transport": {"mode": "sea", "nationality": "US", "container": True},
    "departure_transport": {"identity_type": "10", "mode": "road"},
    "nature_of_transaction": "11",
    "total_packages": 55,
    "ucr": "7INSERTEORI-12345",
    "authorisations": _holders("CWP", "AEOC", "EIR"),
    "goods_location": {"name": "U1234567GB", "type": "B", "qualifier": "Y", "country": "GB"},
    "equipment": [{"sequence": 1, "id": "DM1234"}],
    "warehouse": {"type": "U", "id": "1234567GB"},
    "items": [
        {
            "sequence": 1,
            "commodity_code": "42021219",
            "description": "Vanity case with outer surface made of plastic sheet",
            "net_mass_kg": "100",
            "gross_mass_kg": "150",
            "statistical_value": {"currency": "GBP", "amount": "1000"},
            "packages": {"kind": "PK", "count": 55, "marks": "CDSTRADETEST1E"},
            "documents": [
                {"type": "C501", "reference": "GBAEOCINSERTEORI"},
                {"type": "C514", "reference": "GBEIRINSERTEORI"},
                {"type": "C517", "reference": "GBCWPU1234567GB"},
                {"type": "Y022", "reference": "GBAEOC03000/15"},
                {"type": "Y024", "reference": "GBAEOC03000/15"},
                {"type": "Y027", "reference": "GBAEOC03000/15"},
            ],
            "additional_information": [{"code": "00400"}],
            "additional_procedures": ["000"],
            "previous_documents": [
                {
                    "category": "Y",
                    "type": "CLE",
                    "reference": "201710017INSERTEORI-12345",
                    "line": 1,
                }
            ],
        }
    ],
}


@pytest.fixture(autouse=True)
def cds_lists() -> Iterator[None]:
    """The shipped CDS lists for the rules, the source in use before restored after."""
    before = cds_code_lists_in_use()
    use_cds_code_lists(cds_code_lists)
    yield
    use_cds_code_lists((lambda: before) if before is not None else None)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return shipped_reference()


@pytest.fixture
def context(reference: ReferenceData) -> RuleContext:
    return RuleContext(reference, "GB", "GBP", ACCEPTANCE)


def _declaration(payload: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> Declaration:
    changed = copy.deepcopy(payload)
    change(changed)
    return parse_declaration(changed).declaration


def _export(change: Callable[[dict[str, Any]], Any] = lambda d: None) -> Declaration:
    return _declaration(ACCEPTED_EXPORT, change)


def _import(change: Callable[[dict[str, Any]], Any] = lambda d: None) -> Declaration:
    return _declaration(ACCEPTED_IMPORT, change)


def _found(declaration: Declaration, context: RuleContext, *codes: str) -> list[Violation]:
    return [v for v in validate(declaration, context) if v.code in (codes or FORMALITIES)]


def _item(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    return lambda payload: change(payload["items"][0])


# The pack's pairs


@pytest.mark.parametrize("accepted", [ACCEPTED_IMPORT, ACCEPTED_EXPORT], ids=["import", "export"])
def test_no_rule_refuses_the_declaration_cds_accepted(
    accepted: dict[str, Any], context: RuleContext
) -> None:
    declaration = parse_declaration(accepted).declaration
    assert [v for v in validate(declaration, context) if v.code not in KNOWN_TO_CHANGE] == []


@pytest.mark.parametrize(
    ("accepted", "change", "code", "pointer", "notification"),
    [
        (
            ACCEPTED_IMPORT,
            lambda d: d.update(lrn="Import_RefData_REJ", procedure="9971"),
            "CL005",
            "/procedure",
            "DMS12050",
        ),
        (
            ACCEPTED_EXPORT,
            lambda d: d.update(lrn="Export_Format_REJ_LONGREF"),
            "BR112",
            "/lrn",
            "DMS10010",
        ),
        (
            ACCEPTED_EXPORT,
            lambda d: (d.update(lrn="Export_Obligation_REJ"), d.pop("exit_office")),
            "BR108",
            "/exit_office",
            "DMS10001",
        ),
        (
            ACCEPTED_EXPORT,
            lambda d: d.update(lrn="Export_RefData_REJ", exit_office="GB999999"),
            "BR109",
            "/exit_office",
            "DMS10020",
        ),
    ],
    ids=["import-ref-data", "export-format", "export-obligation", "export-ref-data"],
)
def test_a_rule_refuses_what_cds_rejected_with_the_code_cds_gave(
    accepted: dict[str, Any],
    change: Callable[[dict[str, Any]], Any],
    code: str,
    pointer: str,
    notification: str,
    context: RuleContext,
) -> None:
    rejected = _declaration(accepted, change)
    found = [v for v in validate(rejected, context) if v.code not in KNOWN_TO_CHANGE]
    assert [(v.code, v.pointer) for v in found] == [(code, pointer)]
    assert cds_code_for(code) == notification.replace("DMS", "CDS")


def test_an_item_numbered_1000_is_refused_by_the_schema_as_cds_did() -> None:
    rejected = copy.deepcopy(ACCEPTED_IMPORT)
    rejected["items"][0]["sequence"] = 1000
    with pytest.raises(ValidationError) as refused:
        parse_declaration(rejected)
    [violation] = schema_violations(refused.value)
    assert (violation.code, violation.pointer) == ("SCHEMA.less_than_equal", "/items/0/sequence")
    assert cds_code_for(violation.code) == "CDS10020"  # the pack's DMS10020


# BR101-BR103 additional procedures


def test_an_unknown_additional_procedure_of_an_export_is_refused(context: RuleContext) -> None:
    declaration = _export(_item(lambda i: i.update(additional_procedures=["1CS", "9ZZ"])))
    [violation] = _found(declaration, context)
    assert (violation.code, violation.pointer) == ("BR101", "/items/0/additional_procedures/1")
    assert "'9ZZ' is not an additional procedure code of a CDS export" in violation.message


def test_a_c21_clearance_request_is_checked_against_its_own_codes(context: RuleContext) -> None:
    # TT_EX031a: an EIDR re-export (procedure 0014) removing goods from a free zone (19Z).
    def c21(codes: list[str]) -> Callable[[dict[str, Any]], Any]:
        def change(payload: dict[str, Any]) -> None:
            payload.update(additional_type="J", procedure="0014")
            payload["items"][0]["additional_procedures"] = codes

        return change

    assert _found(_export(c21(["19Z"])), context, "BR101", "BR102") == []
    [violation] = _found(_export(c21(["1CS"])), context, "BR101", "BR102")
    assert violation.code == "BR101"
    assert "clearance request (C21)" in violation.message


def test_an_imports_additional_procedures_are_not_held_to_the_export_list(
    context: RuleContext,
) -> None:
    # TT_IM: 1CL (consignment to the EU of goods under the CTC) is an import code.
    declaration = _import(_item(lambda i: i.update(additional_procedures=["1CL"])))
    assert _found(declaration, context) == []


def test_an_additional_procedure_not_allowed_with_the_procedure_is_refused(
    context: RuleContext,
) -> None:
    def low_value(procedure: str) -> Callable[[dict[str, Any]], Any]:
        def change(payload: dict[str, Any]) -> None:
            payload["procedure"] = procedure
            payload["items"][0]["additional_procedures"] = ["3LV"]

        return change

    assert _found(_export(low_value("1040")), context) == []
    [violation] = _found(_export(low_value("1100")), context)
    assert (violation.code, violation.pointer) == ("BR102", "/items/0/additional_procedures/0")
    assert violation.message == (
        "additional procedure 3LV cannot be declared with procedure 1100; "
        "it allows 000, 1CS, 1MB, 1MP, F44"
    )


@pytest.mark.parametrize(
    ("codes", "pointers"),
    [
        (["000"], []),
        (["000", "1CS"], ["/items/0/additional_procedures/0"]),
        (["1CS", "000"], ["/items/0/additional_procedures/1"]),
        (["000", "000"], ["/items/0/additional_procedures/1"]),
    ],
)
def test_000_is_declared_alone(codes: list[str], pointers: list[str], context: RuleContext) -> None:
    declaration = _export(_item(lambda i: i.update(additional_procedures=codes)))
    assert [v.pointer for v in _found(declaration, context, "BR103")] == pointers


def test_000_alone_holds_for_a_declaration_in_clearways_own_form(context: RuleContext) -> None:
    payload = example("import")
    payload["items"][0]["additional_procedures"] = ["F15", "000"]
    [violation] = _found(parse_declaration(payload).declaration, context, "BR103")
    assert violation.message == (
        "000 means no other additional procedure applies; it cannot be declared with F15"
    )


# BR104-BR105 authorisations


def test_an_exports_authorisation_type_must_be_a_cds_one(context: RuleContext) -> None:
    declaration = _export(lambda d: d["authorisations"].append({"type": "UKIM", "holder": EORI}))
    [violation] = _found(declaration, context)
    assert (violation.code, violation.pointer) == ("BR104", "/authorisations/3/type")


def test_an_imports_authorisation_types_are_not_held_to_the_export_list(
    context: RuleContext,
) -> None:
    # TT_IM097a: the UK internal market scheme (UKIM) authorisation on an import.
    declaration = _import(lambda d: d["authorisations"].append({"type": "UKIM", "holder": EORI}))
    assert _found(declaration, context) == []


def test_a_guarantee_document_needs_the_guarantee_authorisations_holder(
    context: RuleContext,
) -> None:
    declaration = _import(
        lambda d: d.update(authorisations=[a for a in d["authorisations"] if a["type"] != "CGU"])
    )
    [violation] = _found(declaration, context)
    assert (violation.code, violation.pointer) == ("BR105", "/items/0/documents/1")
    assert violation.message == (
        "document C505 quotes a CGU authorisation (Customs comprehensive guarantee); declare its "
        "holder with type CGU under authorisations"
    )


def test_a_waived_authorisation_document_needs_no_holder(context: RuleContext) -> None:
    # TT_IM196a: C505 with status XB and no CGU holder.
    def waived(payload: dict[str, Any]) -> None:
        payload["authorisations"] = [a for a in payload["authorisations"] if a["type"] != "CGU"]
        payload["items"][0]["documents"][1]["status"] = "XB"

    assert _found(_import(waived), context) == []


# BR106 deferment


def test_payment_by_deferment_needs_a_deferment_account(context: RuleContext) -> None:
    declaration = _import(lambda d: d.pop("deferred_payments"))
    [violation] = _found(declaration, context)
    assert (violation.code, violation.pointer) == ("BR106", "/items/0/tax_payments/0/method")
    assert "A00 is paid by deferment (E) but no deferment account (DAN)" in violation.message


def test_payment_another_way_needs_no_deferment_account(context: RuleContext) -> None:
    def cash(payload: dict[str, Any]) -> None:
        payload.pop("deferred_payments")
        payload["items"][0]["tax_payments"] = [{"type": "A00", "method": "A"}]

    assert _found(_import(cash), context) == []


# BR107 goods location


def _located(
    name: str, qualifier: str = "U", country: str = "GB"
) -> Callable[[dict[str, Any]], Any]:
    location = {"name": name, "type": "A", "qualifier": qualifier, "country": country}
    return lambda payload: payload.update(goods_location=location)


def test_a_un_locode_goods_location_must_be_a_cds_one(context: RuleContext) -> None:
    # TT_IM218a: Belfast (GBAUBELBELBEL), a designated location.
    assert _found(_import(_located("BELBELBEL")), context) == []
    [violation] = _found(_import(_located("BELBELNONE")), context)
    assert (violation.code, violation.pointer) == ("BR107", "/goods_location/name")
    assert violation.message.startswith("GBAUBELBELNONE (country GB, type A, qualifier U")


def test_other_goods_locations_are_not_held_to_the_cds_lists(context: RuleContext) -> None:
    # An authorisation number (Y), and a location in France, which CDS does not list.
    assert _found(_import(_located("U1234567GB", qualifier="Y")), context) == []
    assert _found(_export(_located("LEHLEHLEH", country="FR")), context) == []


# BR108-BR109 office of exit


def test_only_an_export_names_an_office_of_exit(context: RuleContext) -> None:
    assert "exit_office" not in ACCEPTED_IMPORT
    assert _found(_import(), context, "BR108", "BR109") == []


# BR110 representation


def test_a_declarant_acting_for_the_importer_states_the_representation(
    context: RuleContext,
) -> None:
    agent = _import(lambda d: d.update(declarant={"id": AGENT}))
    [violation] = _found(agent, context)
    assert (violation.code, violation.pointer) == ("BR110", "/representative")
    assert violation.message == (
        f"the declarant {AGENT} is not the importer {EORI}: state the representation "
        "(status 2 direct or 3 indirect)"
    )
    direct = _import(lambda d: d.update(declarant={"id": AGENT}, representative={"status": "2"}))
    assert _found(direct, context) == []


def test_a_declarant_who_is_the_exporter_may_still_state_a_representation(
    context: RuleContext,
) -> None:
    # TT_EX022a: direct representation (2) by the exporter's own EORI number.
    declaration = _export(lambda d: d.update(representative={"status": "2", "id": EORI}))
    assert _found(declaration, context) == []


# BR111 document reason


def test_a_waiver_document_gives_its_reason(context: RuleContext) -> None:
    waiver = {"type": "Y929", "reference": "Excluded"}
    declaration = _import(_item(lambda i: i["documents"].append(waiver)))
    [violation] = _found(declaration, context)
    assert (violation.code, violation.pointer) == ("BR111", "/items/0/documents/9/name")
    reasoned = _import(
        _item(lambda i: i["documents"].append({**waiver, "name": "Reason for Waiver"}))
    )
    assert _found(reasoned, context) == []


# BR112 LRN, and what runs without the lists


def test_a_long_lrn_is_refused_only_on_a_wco_declaration(context: RuleContext) -> None:
    payload = example("export")
    payload["lrn"] = "Export_Format_REJ_LONGREF"
    assert _found(parse_declaration(payload).declaration, context) == []


def test_without_the_cds_lists_only_the_rules_needing_none_run(context: RuleContext) -> None:
    use_cds_code_lists(None)
    unknown_exit = _export(lambda d: d.update(exit_office="GB999999"))
    assert _found(unknown_exit, context) == []
    no_exit = _export(lambda d: d.pop("exit_office"))
    assert [v.code for v in _found(no_exit, context)] == ["BR108"]
