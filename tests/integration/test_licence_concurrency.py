"""Concurrent exports against one licence never overdraw it (PostgreSQL row locks; SQLite's
single writer): of 32 clearances at once against a licence for 20 pumps, exactly 20 clear and
the rest are referred for want of balance."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal, Role
from clearway.domain.export_control.licence import Licence, LicenceItem, LicenceType
from clearway.domain.risk.selectivity import Selectivity
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.licensing import IssueLicence, issue_licence
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declaration
from tests.conftest import NO_SAMPLING, example

CLEARANCES = 32
PUMPS = 20
AGENCY = Principal("agency", Role.AGENCY)
ACME = Principal("acme", Role.TRADER, "GB555000111000")


def _licence() -> Licence:
    return Licence(
        number="GBSIEL/2026/0001234",
        type=LicenceType.INDIVIDUAL,
        holder_id="GB555000111000",
        holder_name="Acme Process Pumps Ltd",
        destinations=frozenset({"AE"}),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        items=(LicenceItem(1, "pumps", "841370", "2B350", Decimal(PUMPS), "NAR", None, None),),
    )


def _one_pump(number: int) -> LodgeDeclaration:
    payload = example("export")
    payload["lrn"] = f"ACM-EX-2026-{number:04d}"
    payload["invoice"]["amount"] = payload["items"][0]["invoice_amount"] = "8100.00"
    payload["items"][0]["supplementary_units"]["quantity"] = "1"
    parsed = parse_declaration(payload)
    return LodgeDeclaration(parsed.declaration, parsed.document, ACME)


def test_concurrent_clearances_never_overdraw_a_licence(runtime: Runtime) -> None:
    runtime.context.risk.use_selectivity(Selectivity(targets=NO_SAMPLING))
    issue_licence(IssueLicence(_licence(), AGENCY), runtime.uow(), runtime.context)
    commands = [_one_pump(number) for number in range(CLEARANCES)]
    start = threading.Barrier(CLEARANCES)

    def clear(command: LodgeDeclaration) -> Lodged:
        start.wait()
        return lodge_declaration(command, runtime.uow(), runtime.context)

    with ThreadPoolExecutor(CLEARANCES) as pool:
        outcomes = list(pool.map(clear, commands))

    statuses = sorted(outcome.record.status.value for outcome in outcomes)
    assert statuses == ["held"] * (CLEARANCES - PUMPS) + ["released"] * PUMPS
    with runtime.uow() as uow:
        (line,) = uow.licences.get_many(["GBSIEL/2026/0001234"], lock=False)[
            "GBSIEL/2026/0001234"
        ].items
        draws = uow.licences.draws(licence_number="GBSIEL/2026/0001234")
    assert line.quantity_used == PUMPS and line.quantity_left == 0
    assert len(draws) == PUMPS
    released = {o.record.id for o in outcomes if o.record.status.value == "released"}
    assert {draw.declaration_id for draw in draws} == released
    for outcome in outcomes:
        if outcome.record.status.value == "held":
            assert outcome.record.referral is not None
            assert "licence-balance" in str(outcome.record.referral.findings[0].details)
