"""UN/EDIFACT over the API, as a broker's EDI system sends it: an interchange of three CUSDEC
messages lodged message by message through the whole pipeline and answered with one CUSRES each
(accepted with the MRN, refused with every error at its segment); the shipped Australian-style
CUSDEC answered; a broken interchange refused as a whole, nothing stored. SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from clearway.adapters.messages.edifact import (
    map_cusdec,
    parse_cusres,
    read_interchange,
    to_cusdec,
    write_interchange,
)
from clearway.adapters.tables import declaration_messages, declarations
from tests.conftest import ROOT, example

EDIFACT = {"Content-Type": "application/edifact"}
SHIPPED = ROOT.parent / "shared" / "data" / "edifact" / "messages"


def _interchange(*payloads: dict[str, Any]) -> str:
    messages = [to_cusdec(payload, str(n), "D96B") for n, payload in enumerate(payloads, 1)]
    return write_interchange(
        messages, sender="GB123456789000", recipient="GBCUSTOMS", control_reference="BRK0001"
    )


def _count(api: Any, table: Any) -> int:
    with api.app.state.runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar())


def test_an_interchange_is_lodged_and_answered_message_by_message(api: Any) -> None:
    first = example("import")
    faulty = example("import")
    faulty["lrn"] = "NWT-2026-000777"
    faulty["items"][0]["net_mass_kg"] = "0"  # BR033
    faulty["invoice"]["amount"] = "1.00"  # BR002: the items add up to more
    second = example("import")
    second["lrn"] = "NWT-2026-000778"
    request = _interchange(first, faulty, second)

    response = api.post(
        "/api/v1/declarations",
        content=request.encode(),
        headers={**api.as_("broker"), **EDIFACT},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edifact")
    accepted, refused, also = parse_cusres(response.text)
    assert accepted.accepted and accepted.mrn and also.accepted and also.mrn != accepted.mrn
    assert not refused.accepted and refused.mrn is None
    codes = {code for _, code, _ in refused.errors}
    assert {"BR033", "BR002"} <= codes
    # Each error points at the segment of the field it is about, in the message as sent.
    segments = read_interchange(request).messages[1].segments
    positions = map_cusdec(read_interchange(request).messages[1]).positions
    for pointer, code, _ in refused.errors:
        if code == "BR033":
            at = segments[refused.positions[pointer] - 1]
            assert refused.positions[pointer] == positions[pointer]
            assert (at.tag, at.elements[:2]) == ("MEA", ["WT", "AAF"])
    assert _count(api, declarations) == 2
    assert _count(api, declaration_messages) == 2  # the interchange kept with each version

    shown = api.get(f"/api/v1/declarations/{accepted.mrn}", headers=api.as_("broker")).json()
    assert shown["declaration"]["lrn"] == first["lrn"]
    assert shown["declaration"]["items"][0]["commodity_code"] == first["items"][0]["commodity_code"]


def test_the_shipped_cusdec_is_answered_and_a_broken_interchange_is_refused(api: Any) -> None:
    lines = (SHIPPED / "ts-edifact_AU-ICS_CUSDEC_D99B.edi").read_text().splitlines()
    shipped = "".join(line.strip() for line in lines)
    response = api.post(
        "/api/v1/declarations", content=shipped.encode(), headers={**api.as_("broker"), **EDIFACT}
    )
    assert response.status_code == 200, response.text
    (answer,) = parse_cusres(response.text)
    assert not answer.accepted
    # The Australian export lacks what a declaration here must state, each named.
    pointers = {pointer for pointer, _, _ in answer.errors}
    assert {"/procedure", "/office", "/items/0/net_mass_kg"} <= pointers

    request = _interchange(example("import"))
    broken = request.replace("UNT+", "UNT+9", 1)  # a wrong segment count
    refused = api.post(
        "/api/v1/declarations", content=broken.encode(), headers={**api.as_("broker"), **EDIFACT}
    )
    assert refused.status_code == 400
    (whole,) = parse_cusres(refused.text)
    assert not whole.accepted and whole.errors[0][1] == "EDI.segment_count"
    assert _count(api, declarations) == 0
