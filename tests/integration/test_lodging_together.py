"""Declarations lodged at the same moment share a transaction and are each answered as if
lodged alone.

Real HTTP requests to a real server (uvicorn, its worker threads), sent together: those that
arrive while a batch is being stored are stored together in the next one (the lodging desk).
Every declaration must be stored once with its own MRN and events, a repeated LRN answered as
a replay or a conflict, a refusal refused, whichever batch each request lands in; and the
server's metrics must show fewer transactions than declarations.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from clearway.adapters.tables import declarations, events
from clearway.bootstrap import Runtime
from clearway.domain.mrn import is_valid_mrn
from tests.conftest import add_user, example

DECLARATIONS = "/api/v1/declarations"


def _together(server: str, sends: list[tuple[dict[str, Any], str]]) -> list[httpx.Response]:
    """POST every (payload, token) at once, released together by a barrier."""
    barrier = threading.Barrier(len(sends))

    def send(payload: dict[str, Any], token: str) -> httpx.Response:
        with httpx.Client(base_url=server, timeout=60) as client:
            barrier.wait()
            return client.post(
                DECLARATIONS, json=payload, headers={"Authorization": f"Bearer {token}"}
            )

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(lambda pair: send(*pair), sends))


def _lodge_stage(server: str) -> tuple[float, float]:
    """(batches, declarations) the server's ``lodge`` stage has timed so far."""
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(httpx.get(f"{server}/metrics").text)
        for sample in family.samples
        if sample.labels.get("stage") == "lodge"
    }
    return (
        samples["clearway_stage_duration_seconds_count"],
        samples["clearway_stage_declarations_total"],
    )


def _with_lrn(lrn: str) -> dict[str, Any]:
    return {**example("import"), "lrn": lrn}


def test_forty_lodgings_at_once_are_each_stored_once_in_fewer_transactions(
    runtime: Runtime, server: str
) -> None:
    token = add_user(runtime, "broker")
    answers = _together(server, [(_with_lrn(f"TOGETHER-{n:02d}"), token) for n in range(40)])

    assert [answer.status_code for answer in answers] == [201] * 40, answers[0].text
    lodged = [answer.json() for answer in answers]
    assert [item["lrn"] for item in lodged] == [f"TOGETHER-{n:02d}" for n in range(40)]
    mrns = {item["mrn"] for item in lodged}
    assert len(mrns) == 40 and all(is_valid_mrn(mrn) for mrn in mrns)
    assert {item["status"] for item in lodged} == {"held"}
    with runtime.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(declarations)).scalar_one()
        kinds = Counter(connection.execute(select(events.c.type)).scalars())
    assert stored == 40
    assert kinds["DeclarationLodged"] == kinds["DeclarationHeld"] == 40
    batches, counted = _lodge_stage(server)
    assert counted == 40
    assert batches < 40, "every request was stored in a transaction of its own"


def test_repeats_conflicts_and_refusals_lodged_together_are_each_answered_as_alone(
    runtime: Runtime, server: str
) -> None:
    broker, stranger = add_user(runtime, "broker"), add_user(runtime, "stranger")
    changed = _with_lrn("TOGETHER-B")
    changed["items"][0]["description"] = "Fresh cherry tomatoes on the vine, in 5 kg cartons"
    unknown_code = _with_lrn("TOGETHER-C")
    unknown_code["items"][0]["commodity_code"] = "9999999999"
    sends = [
        (_with_lrn("TOGETHER-A"), broker),
        (_with_lrn("TOGETHER-A"), broker),  # the same declaration again: a replay
        (_with_lrn("TOGETHER-B"), broker),
        (changed, broker),  # the same LRN with other content: one of the two is a conflict
        (unknown_code, broker),
        (_with_lrn("TOGETHER-D"), stranger),  # not the declarant
        *((_with_lrn(f"TOGETHER-E{n}"), broker) for n in range(6)),
    ]
    answers = _together(server, sends)
    codes = [answer.status_code for answer in answers]

    assert sorted(codes[0:2]) == [200, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert answers[0].json()["mrn"] == answers[1].json()["mrn"]
    assert sorted(codes[2:4]) == [201, 409]
    conflict = answers[2] if codes[2] == 409 else answers[3]
    winner = answers[3] if codes[2] == 409 else answers[2]
    assert winner.json()["id"] in conflict.json()["detail"]
    assert codes[4] == 422
    assert any("9999999999" in str(error) for error in answers[4].json()["errors"])
    assert codes[5] == 403
    assert codes[6:] == [201] * 6
    with runtime.engine.connect() as connection:
        stored = sorted(connection.execute(select(declarations.c.lrn)).scalars())
    assert stored == ["TOGETHER-A", "TOGETHER-B", *(f"TOGETHER-E{n}" for n in range(6))]
