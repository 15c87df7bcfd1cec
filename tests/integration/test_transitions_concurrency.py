"""Every state change of a declaration happens exactly once, whoever asks at the same moment.

Real HTTP requests to a real server (uvicorn, its worker threads, one database connection
each) race on one held declaration: releases, cancellations, rejections, amendments with the
same If-Match, claims and findings, by the trader and two officers. On PostgreSQL the
declaration's row lock orders them; on SQLite the single writer does. Each race must give
exactly one final transition, losers 409 or 412 (never a 5xx), and nothing drawn twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx2 as httpx
from sqlalchemy import func, select

from clearway.adapters.export_control_tables import licence_draws
from clearway.adapters.tables import events
from clearway.adapters.tariff_tables import quota_drawings
from clearway.bootstrap import Runtime
from tests.conftest import example
from tests.e2e.test_export_control import NUMBER, issue
from tests.e2e.test_release import quota_balance

DECLARATIONS = "/api/v1/declarations"
FINAL_EVENTS = ("DeclarationReleased", "DeclarationCancelled", "DeclarationRejected")


Call = tuple[str, str, dict[str, Any] | None, dict[str, str]]


def _race(server: str, calls: list[Call]) -> list[int]:
    """Send every call at once (released together by a barrier); their status codes."""
    barrier = threading.Barrier(len(calls))

    def send(call: Call) -> int:
        method, path, body, headers = call
        with httpx.Client(base_url=server, timeout=60) as client:
            barrier.wait()
            return client.request(method, path, json=body, headers=headers).status_code

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))


def _events(runtime: Runtime, declaration_id: str) -> Counter[str]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(events.c.type).where(events.c.declaration_id == declaration_id)
        ).scalars()
        return Counter(rows)


def _count(runtime: Runtime, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with runtime.engine.connect() as connection:
        counted: int = connection.execute(query).scalar_one()
    return counted


def _amendment(payload: dict[str, Any], number: int) -> dict[str, Any]:
    """The payload with another goods description: a different version for each ``number``."""
    item = {**payload["items"][0]}
    item["description"] = f"{item['description']} (correction {number})"
    return {**payload, "items": [item, *payload["items"][1:]]}


def test_release_cancel_and_reject_at_once_end_the_declaration_once(
    runtime: Runtime, api: Any, lodge: Any, server: str
) -> None:
    payload = example("import")
    payload["items"][0]["preference"] = "320"  # under tariff quota 051104: drawn at release
    lodged = lodge(payload).json()
    assert lodged["status"] == "held"
    before = quota_balance(runtime)
    path = f"{DECLARATIONS}/{lodged['id']}"
    calls: list[Call] = []
    for _ in range(6):
        calls.append(("POST", f"{path}/release", None, api.as_("officer")))
        calls.append(("POST", f"{path}/cancellation", {"reason": "not shipped"}, api.as_("broker")))
        calls.append(("POST", f"{path}/rejection", {"reason": "not allowed"}, api.as_("officer2")))
    codes = _race(server, calls)
    assert sorted(Counter(codes).items()) == [(200, 1), (409, 17)], codes
    happened = _events(runtime, lodged["id"])
    assert sum(happened[name] for name in FINAL_EVENTS) == 1, happened
    drawn = _count(runtime, quota_drawings, declaration_id=lodged["id"])
    if happened["DeclarationReleased"]:
        assert drawn == 1 and quota_balance(runtime) == before - 16000
    else:
        assert drawn == 0 and quota_balance(runtime) == before


def test_amendments_with_the_same_if_match_make_one_new_version(
    runtime: Runtime, api: Any, lodge: Any, server: str
) -> None:
    payload = example("import")
    lodged = lodge(payload).json()
    headers = {**api.as_("broker"), "If-Match": '"v1"'}
    calls: list[Call] = [
        ("POST", f"{DECLARATIONS}/{lodged['id']}/amendments", _amendment(payload, n), headers)
        for n in range(16)
    ]
    codes = _race(server, calls)
    assert sorted(Counter(codes).items()) == [(200, 1), (412, 15)], codes
    current = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("broker")).json()
    assert current["version"] == 2
    happened = _events(runtime, lodged["id"])
    assert happened["DeclarationAmended"] == 1
    # The one new version went through risk and lane once, and is the one in the queue.
    assert happened["DeclarationLaned"] == 2 and happened["DeclarationHeld"] == 2
    queue = api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"]
    assert [(item["declaration_id"], item["version"]) for item in queue] == [(lodged["id"], 2)]


def test_a_mixed_crowd_on_a_held_export_draws_its_licence_at_most_once(
    runtime: Runtime, api: Any, lodge: Any, server: str
) -> None:
    assert issue(api).status_code == 201
    payload = example("export")
    lodged = lodge(payload, "acme").json()
    assert (lodged["status"], lodged["referral"]) == ("held", None)
    path = f"{DECLARATIONS}/{lodged['id']}"
    trader = api.as_("acme")
    pinned = {**trader, "If-Match": '"v1"'}
    finding = {"fraud": False, "notes": "documents in order"}
    make: list[Callable[[int], Call]] = [
        lambda n: ("POST", f"{path}/release", None, api.as_("officer")),
        lambda n: ("POST", f"{path}/release", None, api.as_("officer2")),
        lambda n: ("POST", f"{path}/cancellation", {"reason": "order withdrawn"}, trader),
        lambda n: ("POST", f"{path}/amendments", _amendment(payload, n), pinned),
        lambda n: ("POST", f"/api/v1/work-queue/{lodged['id']}/claim", None, api.as_("officer")),
        lambda n: ("POST", f"{path}/findings", finding, api.as_("officer2")),
    ]
    calls = [make[n % len(make)](n) for n in range(24)]
    codes = _race(server, calls)
    assert all(code in (200, 201, 409, 412) for code in codes), codes
    happened = _events(runtime, lodged["id"])
    # Released at most once; a released export may still be cancelled once (UCC Art. 174,
    # the goods have not left), which gives its licence draw back.
    assert happened["DeclarationReleased"] <= 1 and happened["DeclarationCancelled"] <= 1
    assert happened["DeclarationAmended"] <= 1
    draws = _count(runtime, licence_draws, declaration_id=lodged["id"])
    assert draws == happened["DeclarationReleased"] == happened["LicenceDrawn"]
    assert happened["LicenceCredited"] == (draws if happened["DeclarationCancelled"] else 0)
    used = api.get(f"/api/v1/licences/{NUMBER}/usage", headers=api.as_("agency")).json()
    current = api.get(path, headers=api.as_("officer")).json()
    still_drawn = current["status"] == "released"
    left = Decimal(used["licence"]["items"][0]["quantity_left"])
    assert left == (Decimal(4) if still_drawn else Decimal(10))
