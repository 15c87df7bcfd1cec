"""WCO DEC-DMS over the API, as a trader's software sends it: lodge the pack's declaration,
get DMS notifications back (valid against the shipped schema), read every notification again,
read the declaration as DEC-DMS, amend it with a CDS correction (``COR``), cancel it; and
hostile or broken XML refused with a clear 4xx in XML, nothing stored. On SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from clearway.adapters.messages.dms_notifications import NotificationKind, parse_notification
from clearway.adapters.messages.dms_schemas import DEC_NS, validate_notification
from clearway.adapters.messages.xml_safety import parse_xml
from clearway.adapters.tables import declaration_messages, declarations
from clearway.adapters.tariff_files import read_schedule
from clearway.adapters.tariff_store import store_records
from clearway.bootstrap import Runtime
from tests.conftest import ROOT

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"
IM001A = PACK / "samples" / "TT_IM001a" / "Step1_TT_IM001a.xml"
XML = {"Content-Type": "application/xml", "Accept": "application/xml"}


@pytest.fixture(autouse=True)
def shavers_in_the_tariff(runtime: Runtime, tmp_path: Path) -> None:
    """The rates CDS charged TT_IM001a's shaver parts (8510 90 00): 2% duty, 20% VAT."""
    schedule = tmp_path / "schedule.csv"
    schedule.write_text(
        "commodity_code,measure_type,origin,excluded,duty,valid_from,valid_to,"
        "additional_code,order_number,documents,description\n"
        "8510900000,103,1011,,2%,2019-01-01,,,,,Parts of shavers\n"
        "8510900000,305,1011,,20%,2019-01-01,,,,,\n",
        encoding="utf-8",
    )
    store_records(runtime.engine, read_schedule(schedule, "GB"))
    runtime.sync(force=True)


def _post(api: Any, content: bytes, user: str = "cds-agent") -> Any:
    return api.post("/api/v1/declarations", content=content, headers={**api.as_(user), **XML})


def _stored(api: Any) -> int:
    with api.app.state.runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(declarations)).scalar())


def test_a_dec_dms_declaration_is_lodged_and_answered_with_dms_notifications(api: Any) -> None:
    response = _post(api, IM001A.read_bytes())
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/xml")
    answer = parse_notification(response.content)
    assert answer.kind is NotificationKind.DMSACC and answer.lrn == "7847767E1WB6"
    assert answer.mrn and answer.accepted_at is not None
    validate_notification(parse_xml(response.content))
    location = response.headers["location"]

    # The declaration as JSON: mapped from the standard, the formalities kept.
    shown = api.get(location, headers=api.as_("cds-agent")).json()
    payload = shown["declaration"]
    assert payload["additional_type"] == "A" and payload["procedure"] == "4000"
    assert payload["goods_location"]["name"] == "WLALONBTW"
    assert {a["type"] for a in payload["authorisations"]} == {"CGU", "DPO"}
    assert payload["items"][0]["commodity_code"] == "8510900000"
    assert payload["items"][0]["additional_procedures"] == ["000"]

    # Every notification, again: received, accepted, duties calculated, …; each valid.
    listed = api.get(f"{location}/notifications", headers=api.as_("cds-agent")).json()
    kinds = [entry["kind"] for entry in listed["notifications"]]
    assert kinds[:2] == ["DMSRCV", "DMSACC"]
    assert "DMSTAX" in kinds
    for entry in listed["notifications"]:
        document = api.get(entry["href"], headers=api.as_("cds-agent"))
        assert document.status_code == 200
        validate_notification(parse_xml(document.content))
        notification = parse_notification(document.content)
        assert notification.kind.name == entry["kind"]
        if notification.kind is NotificationKind.DMSTAX:
            # CDS's own DMSTAX for this declaration: A00 20.00 on 1000.00, B00 204.00 on 1020.00
            (item,) = notification.items
            lines = {line.type_code: line for line in item.lines}
            assert (lines["A00"].base_amount, lines["A00"].assessed) == (1000, 20)
            assert (lines["B00"].base_amount, lines["B00"].assessed) == (1020, 204)

    # The original message is kept with the declaration, byte for byte.
    with api.app.state.runtime.engine.connect() as connection:
        kept = connection.execute(select(declaration_messages.c.content)).scalar_one()
    assert bytes(kept) == IM001A.read_bytes()

    # The declaration read back as DEC-DMS validates and maps to the same declaration.
    xml = api.get(location, headers={**api.as_("cds-agent"), "Accept": "application/xml"})
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    again = _post(api, xml.content)
    assert again.status_code == 200  # the same LRN and content: the same declaration
    assert parse_notification(again.content).mrn == answer.mrn


def test_a_cds_correction_amends_and_a_cancellation_cancels(api: Any) -> None:
    lodged = _post(api, IM001A.read_bytes())
    assert lodged.status_code == 201, lodged.text
    mrn = parse_notification(lodged.content).mrn
    assert mrn is not None
    correction = (PACK / "samples" / "TT_IM002b" / "TT_IM002b_Amendment.xml").read_bytes()
    root = etree.fromstring(correction)
    root.find(f"{{{DEC_NS}}}Declaration/{{{DEC_NS}}}ID").text = mrn  # the MRN Clearway gave
    amended = _post(api, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert amended.status_code == 200, amended.text
    assert parse_notification(amended.content).version == 2
    shown = api.get(f"/api/v1/declarations/{mrn}", headers=api.as_("cds-agent")).json()
    assert shown["version"] == 2
    price = shown["declaration"]["items"][0]["invoice_amount"]
    assert price == "999"  # the item price the correction gives

    refused = _post(api, IM001A.read_bytes().replace(b"GB603202734852", b"GB000000000001"))
    assert refused.status_code in {403, 422}


def test_broken_and_hostile_xml_is_refused_in_xml_and_nothing_is_stored(api: Any) -> None:
    good = IM001A.read_bytes()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + b"<lolz>&lol2;</lolz>"
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + good.split(b"?>", 1)[1].replace(b"7847767E1WB6", b"&x;", 1)
    )
    cases = {
        "not well-formed": good[: len(good) // 2],
        "wrong namespace": good.replace(b"urn:wco:datamodel:WCO:DEC-DMS:2", b"urn:example:other"),
        "schema-invalid": good.replace(b"<TypeCode>IMA</TypeCode>", b"<TypeCode>IMAXX</TypeCode>"),
        "billion laughs": laughs,
        "external entity": external,
    }
    for name, content in cases.items():
        response = _post(api, content)
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"].startswith("application/xml"), name
        error = parse_xml(response.content)
        assert error.tag == "errorResponse" and error.findtext("message"), name
        assert b"root:" not in response.content, name  # nothing of /etc/passwd
    oversized = _post(api, good + b" " * (api.app.state.runtime.settings.max_body_bytes + 1))
    assert oversized.status_code == 413
    assert _stored(api) == 0


def test_a_rule_refusal_is_a_dmsrej_with_cds_codes_and_pointers(api: Any) -> None:
    broken = IM001A.read_bytes().replace(
        b"<NetNetWeightMeasure>100</NetNetWeightMeasure>",
        b"<NetNetWeightMeasure>0</NetNetWeightMeasure>",
    )
    response = _post(api, broken)
    assert response.status_code == 422, response.text
    validate_notification(parse_xml(response.content))
    rejection = parse_notification(response.content)
    assert rejection.kind is NotificationKind.DMSREJ
    (error,) = [e for e in rejection.errors if "BR033" in e.description]
    assert [step.document_section_code for step in error.pointer][:3] == ["42A", "67A", "68A"]
    assert _stored(api) == 0
