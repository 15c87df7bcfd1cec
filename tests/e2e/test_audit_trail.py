"""The audit trail as an auditor queries and exports it: every read of a declaration (who,
which part, in whose view), every change of users, keys, rules, lists and reference data, the
changes also leaves of the ledger."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
from sqlalchemy import select

from clearway.adapters.ledger_tables import ledger_entries
from clearway.adapters.tables import events
from clearway.entrypoints.ledger_worker import ledger_store
from clearway.services.ledger.entries import read_entry
from tests.conftest import example, invoke_cli

AUDIT = "/api/v1/audit"


def trail(api: Any, **filters: str) -> list[dict[str, Any]]:
    response = api.get(AUDIT, params=filters, headers=api.as_("auditor"))
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def test_every_read_of_a_declaration_is_recorded_with_who_and_what(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    path = f"/api/v1/declarations/{lodged['id']}"
    api.get(path, headers=api.as_("broker"))
    api.get(f"{path}/history", headers=api.as_("northwind"))
    api.get("/api/v1/declarations", headers=api.as_("broker"))
    api.get(path, headers=api.as_("officer"))
    reads = trail(api, object_id=lodged["id"], action="declaration.read")
    # Newest first: who read which part, in whose view.
    assert [
        (read["actor"], read["actor_role"], read["detail"]["part"], read["detail"]["view"])
        for read in reads
    ] == [
        ("officer", "officer", "declaration", "customs"),
        ("broker", "trader", "summary", "declarant"),
        ("northwind", "trader", "history", "declarant"),
        ("broker", "trader", "declaration", "declarant"),
    ]
    assert {read["channel"] for read in reads} == {"api"}
    assert all(read["client"] == "testclient" for read in reads)
    # A read refused (another company's declaration) shows nothing, and records nothing.
    assert api.get(path, headers=api.as_("stranger")).status_code == 404
    assert len(trail(api, object_id=lodged["id"], action="declaration.read")) == 4


def test_changes_to_accounts_and_rules_are_recorded_and_logged_in_the_ledger(
    api: Any, runtime: Any
) -> None:
    admin = api.as_("admin")
    api.post(
        "/api/v1/users",
        json={"username": "ana", "password": "long enough", "role": "officer"},
        headers=admin,
    )
    api.post("/api/v1/users/ana/disable", headers=admin)
    rule = {
        "expression": 'origin == "MA" -> yellow',
        "owner": "Fresh produce team",
        "reason": "Moroccan tomatoes mis-declared in 2026 seizures",
        "valid_from": "2026-01-01",
    }
    written = api.post("/api/v1/risk/rules", json=rule, headers=api.as_("analyst"))
    assert written.status_code == 201, written.text
    changes = trail(api, object_type="user") + trail(api, action="rule")
    assert [(change["action"], change["actor"], change["object_id"]) for change in changes] == [
        ("user.disabled", "admin", "ana"),
        ("user.created", "admin", "ana"),
        ("rule.written", "analyst", written.json()["rule_id"]),
    ]
    assert changes[1]["detail"] == {"role": "officer", "company_id": None}
    assert "password" not in str(changes)
    # The same changes are events in the outbox, and so leaves of the ledger.
    ledger_store(runtime).integrate_all()
    with runtime.engine.connect() as connection:
        stored = connection.execute(select(events).order_by(events.c.sequence)).all()
        leaves = [read_entry(row.entry) for row in connection.execute(select(ledger_entries))]
    logged = [(event.type, event.actor, event.data["action"]) for event in stored]
    assert logged == [
        ("AccountChanged", "admin", "user.created"),
        ("AccountChanged", "admin", "user.disabled"),
        ("ConfigurationChanged", "analyst", "rule.written"),
    ]
    assert [(leaf.type, leaf.data["action"]) for leaf in leaves] == [
        (kind, action) for kind, _, action in logged
    ]
    assert leaves[2].data["detail"]["expression"] == 'origin == "MA" -> yellow'


def test_the_operators_commands_are_recorded_as_theirs(
    api: Any, runtime: Any, tmp_path: Any
) -> None:
    url = runtime.settings.database_url
    rates = tmp_path / "rates.csv"
    # A rate of its own: reference data outlives each test on PostgreSQL.
    rates.write_text("currency,valid_from,valid_to,rate\nNOK,2033-04-01,2033-04-30,0.074\n")
    loaded = invoke_cli(url, "reference", "rates", str(rates))
    assert loaded.exit_code == 0, loaded.output
    created = invoke_cli(
        url, "users", "create", "--username", "ana", "--role", "auditor", "--password", "long one"
    )
    assert created.exit_code == 0, created.output
    records = trail(api)
    operator = [
        (record["action"], record["channel"])
        for record in records
        if record["actor"].startswith("cli:")
    ]
    assert operator == [("user.created", "cli"), ("exchange_rates.loaded", "cli")]
    rates_change = next(r for r in records if r["action"] == "exchange_rates.loaded")
    assert rates_change["detail"]["rates"] == 1


def test_auditors_export_the_trail_as_csv_or_json_lines_and_traders_may_not(
    api: Any, lodge: Any
) -> None:
    lodged = lodge(example("import")).json()
    for _ in range(3):
        api.get(f"/api/v1/declarations/{lodged['id']}", headers=api.as_("broker"))
    auditor = api.as_("auditor")
    exported = api.get(f"{AUDIT}/export", params={"action": "declaration"}, headers=auditor)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["actor"] for row in rows] == ["broker"] * 3
    assert orjson.loads(rows[0]["detail"]) == {"part": "declaration", "view": "declarant"}
    lines = api.get(
        f"{AUDIT}/export", params={"format": "jsonl", "actor": "broker"}, headers=auditor
    )
    assert lines.headers["content-type"] == "application/jsonl"
    parsed = [orjson.loads(line) for line in lines.text.splitlines()]
    assert [record["id"] for record in parsed] == sorted(record["id"] for record in parsed)
    assert len(parsed) == 3
    for username in ("broker", "officer", "analyst"):
        assert api.get(AUDIT, headers=api.as_(username)).status_code == 403
    paged = api.get(AUDIT, params={"limit": 2}, headers=auditor).json()
    assert len(paged["records"]) == 2 and paged["next_cursor"]
    rest = api.get(
        AUDIT, params={"limit": 2, "cursor": paged["next_cursor"]}, headers=auditor
    ).json()
    assert {r["id"] for r in rest["records"]}.isdisjoint(r["id"] for r in paged["records"])
