"""Risk analysts keep the selectivity criteria through the API: rules and their versions, named
lists, value-control bands and lane targets, and replaying rules over past declarations, on
each database. The fixed clock reads 2026-11-23."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select

from clearway.adapters.risk_tables import (
    findings,
    lane_targets,
    risk_decisions,
    risk_lists,
    selectivity_rules,
)
from clearway.adapters.selectivity_store import SqlAlchemySelectivityStore, read_selectivity
from clearway.bootstrap import Runtime
from clearway.domain.errors import Conflict
from clearway.domain.risk.facts import facts_document
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets
from clearway.domain.risk.selectivity import DEFAULT_TARGETS, ValueBand
from clearway.services.selectivity_admin import (
    AbstractSelectivityStore,
    ReplayFact,
    RiskList,
    RuleDraft,
    StoredRule,
)
from clearway.services.selectivity_replay import ReplayRules, replay_rules
from tests.conftest import example
from tests.e2e.test_tariff_api import assert_problem

RISK = "/api/v1/risk"
RULES = f"{RISK}/rules"


def rule_body(expression: str = 'origin == "MA" -> yellow', **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "expression": expression,
        "owner": "Fresh produce team",
        "reason": "Moroccan tomatoes mis-declared as cherry tomatoes in 2026 seizures",
        "valid_from": "2026-01-01",
    }
    body.update(changes)
    return body


def stored_rule_rows(runtime: Runtime) -> list[tuple[Any, ...]]:
    with runtime.engine.connect() as connection:
        query = select(
            selectivity_rules.c.rule_id,
            selectivity_rules.c.version,
            selectivity_rules.c.expression,
            selectivity_rules.c.current,
        ).order_by(selectivity_rules.c.rule_id, selectivity_rules.c.version)
        return [tuple(row) for row in connection.execute(query)]


# --- rules --------------------------------------------------------------------------------------


def test_rules_are_created_revised_and_keep_every_version(api: Any, runtime: Runtime) -> None:
    analyst = api.as_("analyst")
    first = api.post(RULES, json=rule_body(), headers=analyst)
    assert first.status_code == 201, first.text
    created = first.json()
    assert first.headers["location"] == f"{RULES}/R0001"
    assert (created["rule_id"], created["version"], created["lane"]) == ("R0001", 1, "yellow")
    assert created["expression"] == 'origin == "MA" -> yellow'
    assert (created["current"], created["retired"], created["applies_to_aeo"]) == (
        True,
        False,
        True,
    )
    assert created["created_by"] == "analyst"
    second = api.post(RULES, json=rule_body("net_mass > 20000 -> red"), headers=analyst)
    assert second.json()["rule_id"] == "R0002"

    revised = api.put(
        f"{RULES}/R0001",
        json=rule_body('origin == "MA" and unit_value < 1.10 -> red', valid_to="2027-06-30"),
        headers=analyst,
    )
    assert revised.status_code == 200, revised.text
    body = revised.json()
    assert (body["version"], body["lane"], body["valid_to"]) == (2, "red", "2027-06-30")

    versions = api.get(f"{RULES}/R0001/versions", headers=analyst).json()
    assert [(v["version"], v["current"], v["lane"]) for v in versions] == [
        (1, False, "yellow"),
        (2, True, "red"),
    ]
    assert versions[0]["expression"] == 'origin == "MA" -> yellow'
    assert versions[0]["valid_to"] is None
    assert api.get(f"{RULES}/R0001", headers=analyst).json()["version"] == 2
    listed = api.get(RULES, headers=analyst).json()
    assert [(rule["rule_id"], rule["version"]) for rule in listed] == [("R0001", 2), ("R0002", 1)]

    assert stored_rule_rows(runtime) == [
        ("R0001", 1, 'origin == "MA" -> yellow', False),
        ("R0001", 2, 'origin == "MA" and unit_value < 1.10 -> red', True),
        ("R0002", 1, "net_mass > 20000 -> red", True),
    ]
    # The running service applies the new versions at once.
    in_force = {(rule.rule_id, rule.version, rule.lane) for rule in runtime.selectivity.rules}
    assert in_force == {("R0001", 2, Lane.RED), ("R0002", 1, Lane.RED)}
    assert runtime.context.risk.selectivity is runtime.selectivity


def test_retiring_a_rule_is_a_new_version(api: Any, runtime: Runtime) -> None:
    analyst = api.as_("analyst")
    created = api.post(RULES, json=rule_body(rule_id="TOMATO-01"), headers=analyst)
    assert created.status_code == 201, created.text
    again = api.post(RULES, json=rule_body(rule_id="TOMATO-01"), headers=analyst)
    assert "TOMATO-01" in assert_problem(again, 409)["detail"]

    # Retired from 1 December: still listed (in force until 30 November).
    later = api.delete(f"{RULES}/TOMATO-01", params={"from": "2026-12-01"}, headers=analyst)
    assert later.status_code == 200, later.text
    assert (later.json()["version"], later.json()["valid_to"]) == (2, "2026-11-30")
    assert later.json()["retired"] is False
    assert [rule["rule_id"] for rule in api.get(RULES, headers=analyst).json()] == ["TOMATO-01"]

    # Retired from today: out of force since yesterday, hidden unless asked for.
    now = api.delete(f"{RULES}/TOMATO-01", headers=analyst)
    assert (now.json()["version"], now.json()["valid_to"], now.json()["retired"]) == (
        3,
        "2026-11-22",
        True,
    )
    assert api.get(RULES, headers=analyst).json() == []
    everything = api.get(RULES, params={"include_retired": "true"}, headers=analyst).json()
    assert [(rule["rule_id"], rule["version"]) for rule in everything] == [("TOMATO-01", 3)]
    versions = api.get(f"{RULES}/TOMATO-01/versions", headers=analyst).json()
    assert [v["valid_to"] for v in versions] == [None, "2026-11-30", "2026-11-22"]
    assert all(v["expression"] == 'origin == "MA" -> yellow' for v in versions)
    (stored,) = runtime.selectivity.rules
    assert not stored.in_force(date(2026, 11, 23)) and stored.in_force(date(2026, 11, 22))

    assert_problem(api.delete(f"{RULES}/TOMATO-01", headers=analyst), 409)
    assert_problem(api.delete(f"{RULES}/R9999", headers=analyst), 404)
    assert_problem(api.put(f"{RULES}/R9999", json=rule_body(), headers=analyst), 404)
    assert_problem(api.get(f"{RULES}/R9999/versions", headers=analyst), 404)


def test_a_rule_that_does_not_read_is_refused_at_its_column(api: Any, runtime: Runtime) -> None:
    analyst = api.as_("analyst")
    response = api.post(RULES, json=rule_body('origin == "MA" and -> red'), headers=analyst)
    problem = assert_problem(response, 422)
    assert problem["detail"] == 'at column 20: expected a field name, found "->"'
    assert (problem["position"], problem["column"]) == (19, 20)
    (error,) = problem["errors"]
    assert (error["code"], error["pointer"]) == ("RULE.syntax", "/expression")

    misspelt = api.post(RULES, json=rule_body('orgin == "MA" -> red'), headers=analyst)
    problem = assert_problem(misspelt, 422)
    assert problem["detail"].startswith('at column 1: unknown field "orgin"; did you mean origin')

    backwards = api.post(
        RULES,
        json=rule_body(valid_from="2026-12-01", valid_to="2026-11-30"),
        headers=analyst,
    )
    assert assert_problem(backwards, 422)["errors"][0]["pointer"] == "/valid_to"
    blank = api.post(RULES, json=rule_body(owner="   "), headers=analyst)
    assert assert_problem(blank, 422)["errors"][0]["pointer"] == "/owner"
    assert stored_rule_rows(runtime) == []


def test_a_rule_naming_an_unknown_list_is_refused_until_the_list_exists(api: Any) -> None:
    analyst = api.as_("analyst")
    expression = "origin in list:high_risk_footwear and hs6 in list:footwear_hs -> red"
    response = api.post(RULES, json=rule_body(expression), headers=analyst)
    problem = assert_problem(response, 422)
    assert "list:footwear_hs, list:high_risk_footwear" in problem["detail"]
    assert problem["errors"][0]["code"] == "RULE.unknown_list"

    for name, codes in (("high_risk_footwear", ["CN", "VN"]), ("footwear_hs", ["640399"])):
        put = api.put(f"{RISK}/lists/{name}", json={"codes": codes}, headers=analyst)
        assert put.status_code == 201, put.text
    assert api.post(RULES, json=rule_body(expression), headers=analyst).status_code == 201


# --- lists --------------------------------------------------------------------------------------


def test_lists_are_normalised_replaced_and_deleted(api: Any, runtime: Runtime) -> None:
    analyst = api.as_("analyst")
    url = f"{RISK}/lists/high_risk_footwear"
    created = api.put(
        url,
        json={"description": " Footwear origins ", "codes": [" cn", "VN ", "cn", "", "vn"]},
        headers=analyst,
    )
    assert created.status_code == 201, created.text
    assert created.json()["codes"] == ["CN", "VN"]
    assert created.json()["description"] == "Footwear origins"
    assert runtime.selectivity.lists == {"high_risk_footwear": frozenset({"CN", "VN"})}

    replaced = api.put(url, json={"codes": ["id", "BD"]}, headers=analyst)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["codes"] == ["BD", "ID"]
    assert api.get(url, headers=analyst).json()["codes"] == ["BD", "ID"]
    api.put(f"{RISK}/lists/aeo", json={"codes": ["gb123456789000"]}, headers=analyst)
    listed = api.get(f"{RISK}/lists", headers=analyst).json()
    assert [(item["name"], item["codes"]) for item in listed] == [
        ("aeo", ["GB123456789000"]),
        ("high_risk_footwear", ["BD", "ID"]),
    ]
    assert runtime.selectivity.is_aeo("GB123456789000")

    # A list a live rule names cannot go; once the rule is retired it can.
    api.post(RULES, json=rule_body("origin in list:high_risk_footwear -> red"), headers=analyst)
    in_use = api.delete(url, headers=analyst)
    assert "R0001" in assert_problem(in_use, 409)["detail"]
    api.delete(f"{RULES}/R0001", headers=analyst)
    deleted = api.delete(url, headers=analyst)
    assert deleted.status_code == 204, deleted.text
    assert_problem(api.get(url, headers=analyst), 404)
    assert_problem(api.delete(url, headers=analyst), 404)
    assert set(runtime.selectivity.lists) == {"aeo"}


# --- value controls and lane targets ------------------------------------------------------------


def test_value_bands_round_trip_exactly(api: Any, runtime: Runtime) -> None:
    analyst = api.as_("analyst")
    url = f"{RISK}/value-controls"
    assert api.get(url, headers=analyst).json() == []
    bands = [
        {
            "commodity_prefix": "6403",
            "unit": "NPR",
            "min_unit_value": "4.50",
            "max_unit_value": "120.000",
        },
        {
            "commodity_prefix": "0702",
            "unit": "KGM",
            "min_unit_value": "0.350001",
            "max_unit_value": None,
        },
    ]
    stored = api.put(url, json=bands, headers=analyst)
    assert stored.status_code == 200, stored.text
    expected = sorted(bands, key=lambda band: band["commodity_prefix"])
    assert stored.json() == expected
    assert api.get(url, headers=analyst).json() == expected
    band = runtime.selectivity.band("6403991000", ("NPR", "KGM"))
    assert band == ValueBand("6403", "NPR", Decimal("4.50"), Decimal("120.000"))

    def refused(changed: list[dict[str, Any]]) -> dict[str, Any]:
        return assert_problem(api.put(url, json=changed, headers=analyst), 422)

    assert "exceeds" in refused([{**bands[0], "min_unit_value": "200"}])["detail"]
    assert refused([{**bands[0], "unit": "XYZ"}])["errors"][0]["pointer"] == "/0/unit"
    assert "more than one band" in refused([bands[0], bands[0]])["detail"]
    assert refused([{**bands[0], "min_unit_value": "-1"}])["errors"][0]["pointer"] == (
        "/0/min_unit_value"
    )
    # Refusals left the stored set as it was; an empty set clears it.
    assert api.get(url, headers=analyst).json() == expected
    assert api.put(url, json=[], headers=analyst).json() == []


def test_lane_targets_default_are_replaced_and_validated(api: Any, runtime: Runtime) -> None:
    analyst = api.as_("analyst")
    url = f"{RISK}/lane-targets"
    defaults = api.get(url, headers=analyst).json()
    assert [(t["lane"], t["expected_rate"], t["aeo_random_rate"]) for t in defaults] == [
        ("red", 0.03, 0.0025),
        ("yellow", 0.07, 0.005),
        ("blue", 0.05, 0.005),
    ]
    wanted = [
        {"lane": "blue", "expected_rate": 0.04, "random_rate": 0.01},
        {
            "lane": "red",
            "expected_rate": 0.05,
            "random_rate": 0.01,
            "aeo_expected_rate": 0.02,
            "aeo_random_rate": 0.005,
        },
        {"lane": "yellow", "expected_rate": 0.1, "random_rate": 0.02},
    ]
    stored = api.put(url, json=wanted, headers=analyst)
    assert stored.status_code == 200, stored.text
    assert [(t["lane"], t["expected_rate"], t["aeo_expected_rate"]) for t in stored.json()] == [
        ("red", 0.05, 0.02),
        ("yellow", 0.1, 0.1),
        ("blue", 0.04, 0.04),
    ]
    assert runtime.selectivity.targets.red.aeo_random_rate == 0.005

    def refused(targets: list[dict[str, Any]]) -> str:
        detail: str = assert_problem(api.put(url, json=targets, headers=analyst), 422)["detail"]
        return detail

    red_too_random = {"lane": "red", "expected_rate": 0.03, "random_rate": 0.05}
    assert refused([red_too_random, *wanted[::2]]) == (
        "red lane: random_rate 0.05 exceeds expected_rate 0.03"
    )
    assert refused(wanted[:2]) == "no target for the yellow lane(s)"
    green = {"lane": "green", "expected_rate": 0.5, "random_rate": 0.0}
    assert refused([*wanted, green]).startswith("the green lane takes no target")
    too_many = [{**target, "expected_rate": 0.5} for target in wanted]
    assert refused(too_many).startswith("the expected rates of the red, yellow and blue lanes")
    assert api.get(url, headers=analyst).json() == stored.json()


def test_read_selectivity_fills_missing_lanes_with_the_defaults(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection:
        assert read_selectivity(connection).targets == DEFAULT_TARGETS
    with runtime.engine.begin() as connection:
        connection.execute(
            insert(lane_targets).values(
                lane="red",
                expected_rate=0.04,
                random_rate=0.01,
                aeo_expected_rate=0.02,
                aeo_random_rate=0.005,
                updated_by="analyst",
                updated_at=datetime(2026, 11, 23, tzinfo=UTC),
            )
        )
    with runtime.engine.connect() as connection:
        targets = read_selectivity(connection).targets
    assert targets.red == LaneTarget(Lane.RED, 0.04, 0.01, 0.02, 0.005)
    assert (targets.yellow, targets.blue) == (DEFAULT_TARGETS.yellow, DEFAULT_TARGETS.blue)


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/rules", None),
        ("POST", "/rules", rule_body()),
        ("GET", "/rules/R0001/versions", None),
        ("DELETE", "/rules/R0001", None),
        ("PUT", "/lists/aeo", {"codes": ["GB1"]}),
        ("GET", "/value-controls", None),
        ("PUT", "/lane-targets", []),
        ("POST", "/rules/replay", {"expressions": ['origin == "MA"']}),
    ],
)
def test_only_risk_analysts_manage_selectivity(
    refusing_api: Any, method: str, path: str, body: Any
) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    for user in ("broker", "officer"):
        response = api.request(method, RISK + path, json=body, headers=api.as_(user))
        assert "may not manage risk" in assert_problem(response, 403)["detail"]
    assert_problem(api.request(method, RISK + path, json=body), 401)
    assert stored_rule_rows(runtime) == []
    with runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(risk_lists)).scalar() == 0


# --- replay -------------------------------------------------------------------------------------


def facts(origin: str, unit_value: str, *, aeo: bool = False) -> dict[str, Any]:
    declaration = {"type": "IM", "declarant": "GB123456789000", "aeo": aeo}
    item = {
        "sequence": Decimal(1),
        "commodity": "0702000007",
        "hs6": "070200",
        "origin": origin,
        "unit_value": Decimal(unit_value),
        "net_mass": Decimal(16000),
    }
    return facts_document(declaration, [item])


def decision(
    declaration_id: str,
    lane: str,
    document: dict[str, Any],
    *,
    day: int,
    version: int = 1,
    month: int = 11,
    aeo: bool = False,
) -> dict[str, Any]:
    return {
        "declaration_id": declaration_id,
        "version": version,
        "decided_at": datetime(2026, month, day, 9, 0, tzinfo=UTC),
        "score": 0.5,
        "model_version": None,
        "lane": lane,
        "basis": "criteria",
        "aeo": aeo,
        "explanation": "",
        "reasons": [],
        "rule_hits": [],
        "facts": document,
        "observations": [],
    }


def finding(declaration_id: str, *, fraud: bool) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "declaration_id": declaration_id,
        "fraud": fraud,
        "revenue_recovered": Decimal("1356.00") if fraud else Decimal(0),
        "currency": "GBP",
        "notes": "",
        "recorded_by": "officer",
        "recorded_at": datetime(2026, 11, 22, tzinfo=UTC),
    }


@pytest.fixture
def decided(api: Any, runtime: Runtime, lodge: Callable[..., Any]) -> list[str]:
    """Seven lodged imports with the decisions and findings the replay reads, stored as the
    risk stage stores them (whatever it stored on lodging is replaced)."""
    ids = []
    for number in range(7):
        payload = example("import")
        payload["lrn"] = f"REPLAY-{number}"
        response = lodge(payload)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    d = ids
    rows = [
        decision(d[0], "red", facts("MA", "1.05"), day=20),
        decision(d[1], "yellow", facts("MA", "1.20"), day=19),
        decision(d[2], "green", facts("MA", "1.20", aeo=True), day=18, aeo=True),
        decision(d[3], "green", facts("TR", "0.90"), day=17),
        # decided in June: outside the replayed range
        decision(d[4], "red", facts("MA", "1.05"), day=1, month=6),
        # re-decided after an amendment: only version 2 (origin ES) counts
        decision(d[5], "red", facts("MA", "1.05"), day=10),
        decision(d[5], "blue", facts("ES", "1.05"), day=16, version=2),
        decision(d[6], "green", facts("CN", "3.00"), day=15),
    ]
    with runtime.engine.begin() as connection:
        connection.execute(delete(findings))
        connection.execute(delete(risk_decisions))
        connection.execute(insert(risk_decisions), rows)
        connection.execute(
            insert(findings),
            [
                finding(d[0], fraud=True),
                finding(d[1], fraud=False),
                finding(d[3], fraud=True),
                finding(d[4], fraud=True),
                finding(d[5], fraud=False),
            ],
        )
    return ids


def test_replay_counts_hits_lanes_and_precision(api: Any, decided: list[str]) -> None:
    analyst = api.as_("analyst")
    d = decided
    api.put(f"{RISK}/lists/watch", json={"codes": ["ma", "TR"]}, headers=analyst)
    stored = api.post(
        RULES,
        json=rule_body("origin in list:watch -> red", applies_to_aeo=False),
        headers=analyst,
    ).json()
    response = api.post(
        f"{RULES}/replay",
        json={
            "expressions": ['origin == "MA"', "unit_value < 1.10 -> yellow"],
            "rule_ids": [stored["rule_id"]],
            "date_from": "2026-11-01",
            "date_to": "2026-11-23",
        },
        headers=analyst,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["date_from"], report["date_to"]) == ("2026-11-01", "2026-11-23")
    # d[0], d[1], d[2], d[3], d[5] (version 2) and d[6]; d[4] was decided in June.
    assert (report["examined"], report["truncated"]) == (6, False)
    morocco, cheap, watch = report["rules"]

    assert (morocco["rule_id"], morocco["lane"], morocco["examined"]) == (None, None, 6)
    assert morocco["hits"] == 3 and morocco["hit_rate"] == 0.5
    assert morocco["hits_by_lane"] == {"red": 1, "yellow": 1, "blue": 0, "green": 1}
    assert (morocco["hits_with_finding"], morocco["fraud_hits"], morocco["precision"]) == (
        2,
        1,
        0.5,
    )
    assert morocco["sample"] == [d[0], d[1], d[2]]  # newest first

    # 1.05 (d[0]) and 0.90 (d[3]); d[5]'s current facts are 1.05 too, from ES.
    assert (cheap["lane"], cheap["hits"], cheap["sample"]) == ("yellow", 3, [d[0], d[3], d[5]])
    assert (cheap["hits_with_finding"], cheap["fraud_hits"]) == (3, 2)
    assert cheap["precision"] == pytest.approx(2 / 3)
    assert cheap["hits_by_lane"] == {"red": 1, "yellow": 0, "blue": 1, "green": 1}

    # The stored rule exempts AEOs: d[2] is not hit.
    assert (watch["rule_id"], watch["version"], watch["lane"]) == ("R0001", 1, "red")
    assert (watch["hits"], watch["sample"]) == (3, [d[0], d[1], d[3]])
    assert (watch["hits_with_finding"], watch["fraud_hits"]) == (3, 2)
    assert watch["unreadable"] == 0

    limited = api.post(
        f"{RULES}/replay",
        json={"expressions": ['origin == "MA"'], "date_from": "2026-01-01", "limit": 2},
        headers=analyst,
    ).json()
    assert (limited["examined"], limited["truncated"]) == (2, True)
    assert limited["rules"][0]["sample"] == [d[0], d[1]]

    # By default the last 90 days up to today: June is left out.
    default = api.post(
        f"{RULES}/replay", json={"expressions": ['origin == "MA"']}, headers=analyst
    ).json()
    assert (default["date_from"], default["date_to"], default["examined"]) == (
        "2026-08-25",
        "2026-11-23",
        6,
    )


def test_replay_refuses_what_it_cannot_apply(api: Any, decided: list[str]) -> None:
    analyst = api.as_("analyst")
    url = f"{RULES}/replay"
    broken = api.post(url, json={"expressions": ['origin == "MA"', "origin =="]}, headers=analyst)
    problem = assert_problem(broken, 422)
    assert problem["detail"] == 'at column 10: expected a value after "==", found end of rule'
    assert problem["errors"][0]["pointer"] == "/expressions/1"
    unknown_list = api.post(url, json={"expressions": ["origin in list:nope"]}, headers=analyst)
    assert "list:nope" in assert_problem(unknown_list, 422)["detail"]
    unknown_rule = api.post(url, json={"rule_ids": ["R0042"]}, headers=analyst)
    assert assert_problem(unknown_rule, 422)["errors"][0]["pointer"] == "/rule_ids/0"
    assert_problem(api.post(url, json={}, headers=analyst), 422)
    backwards = {
        "expressions": ['origin == "MA"'],
        "date_from": "2026-11-02",
        "date_to": "2026-11-01",
    }
    assert_problem(api.post(url, json=backwards, headers=analyst), 422)


class FakeSelectivityStore(AbstractSelectivityStore):
    """Selectivity settings in memory, with past decisions given up front."""

    def __init__(self, decisions: Sequence[ReplayFact]) -> None:
        self.decisions = decisions
        self.versions: dict[str, list[StoredRule]] = {}
        self.named: dict[str, RiskList] = {}
        self.stored_bands: list[ValueBand] = []
        self.stored_targets = DEFAULT_TARGETS

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def rules(self) -> list[StoredRule]:
        return [versions[-1] for versions in self.versions.values()]

    def rule(self, rule_id: str) -> StoredRule | None:
        versions = self.versions.get(rule_id)
        return versions[-1] if versions else None

    def rule_versions(self, rule_id: str) -> list[StoredRule]:
        return list(self.versions.get(rule_id, []))

    def add_rule(
        self, draft: RuleDraft, lane: Lane, rule_id: str | None, actor: str, at: datetime
    ) -> StoredRule:
        rule_id = rule_id or f"R{len(self.versions) + 1:04d}"
        self.versions[rule_id] = [StoredRule(rule_id, 1, draft, lane, True, actor, at)]
        return self.versions[rule_id][0]

    def add_version(
        self, rule_id: str, draft: RuleDraft, lane: Lane, actor: str, at: datetime
    ) -> StoredRule:
        versions = self.versions[rule_id]
        versions[-1] = replace(versions[-1], current=False)
        versions.append(StoredRule(rule_id, len(versions) + 1, draft, lane, True, actor, at))
        return versions[-1]

    def lists(self) -> dict[str, RiskList]:
        return dict(self.named)

    def put_list(self, risk_list: RiskList) -> bool:
        new = risk_list.name not in self.named
        self.named[risk_list.name] = risk_list
        return new

    def delete_list(self, name: str) -> bool:
        return self.named.pop(name, None) is not None

    def bands(self) -> list[ValueBand]:
        return list(self.stored_bands)

    def put_bands(self, bands: Sequence[ValueBand], actor: str, at: datetime) -> None:
        self.stored_bands = list(bands)

    def targets(self) -> LaneTargets:
        return self.stored_targets

    def put_targets(self, targets: LaneTargets, actor: str, at: datetime) -> None:
        self.stored_targets = targets

    def replay_facts(self, date_from: date, date_to: date, limit: int) -> Iterator[ReplayFact]:
        return iter(self.decisions[:limit])


def test_replay_counts_exactly_over_twenty_thousand_declarations() -> None:
    origins = ("MA", "TR", "CN", "ES")
    decisions = [
        ReplayFact(
            f"D{number}",
            "green",
            False,
            facts(origins[number % 4], f"{number % 7}.25"),
            number % 10 == 0,
            number % 20 == 0,
        )
        for number in range(20_000)
    ]
    command = ReplayRules(
        date(2026, 1, 1),
        date(2026, 11, 23),
        expressions=['origin == "MA" and unit_value < 3 -> red', 'hs6 startswith "0702"'],
    )
    report = replay_rules(command, FakeSelectivityStore(decisions))
    assert report.examined == 20_000
    # MA is every fourth; unit values 0.25, 1.25, 2.25 are three of every seven.
    expected = sum(1 for n in range(0, 20_000, 4) if n % 7 < 3)
    assert [rule.hits for rule in report.rules] == [expected, 20_000]


# --- atomicity ----------------------------------------------------------------------------------


def test_a_failed_write_leaves_nothing_behind(runtime: Runtime) -> None:
    draft = RuleDraft('origin == "MA" -> red', "team", "reason", date(2026, 1, 1))
    at = datetime(2026, 11, 23, tzinfo=UTC)
    with pytest.raises(Conflict), SqlAlchemySelectivityStore(runtime.engine) as store:
        store.put_list(RiskList("watch", "", frozenset({"MA"}), "analyst", at))
        store.add_rule(draft, Lane.RED, "R0007", "analyst", at)
        store.add_version("R0007", draft, Lane.RED, "analyst", at)
        store.add_rule(draft, Lane.RED, "R0007", "analyst", at)  # exists: refused
    assert stored_rule_rows(runtime) == []
    with runtime.engine.connect() as connection:
        assert read_selectivity(connection).lists == {}


def test_replaying_a_stored_rule_spares_operators_it_exempts() -> None:
    store = FakeSelectivityStore(
        [
            ReplayFact("D1", "green", False, facts("MA", "0.40"), True, True),
            ReplayFact("D2", "green", True, facts("MA", "0.40", aeo=True), False, False),
            ReplayFact("D3", "yellow", False, facts("TR", "0.40"), True, False),
        ]
    )
    draft = RuleDraft(
        'origin == "MA" -> red', "team", "residues", date(2026, 1, 1), applies_to_aeo=False
    )
    at = datetime(2026, 11, 23, tzinfo=UTC)
    with store:
        store.add_rule(draft, Lane.RED, None, "analyst", at)
    command = ReplayRules(date(2026, 1, 1), date(2026, 11, 23), rule_ids=["R0001"])
    (replayed,) = replay_rules(command, store).rules
    assert (replayed.rule_id, replayed.version, replayed.examined) == ("R0001", 1, 3)
    # D2's importer is an operator the rule spares; D3 is from Turkey.
    assert (replayed.hits, replayed.with_finding, replayed.fraud_hits) == (1, 1, 1)
    assert replayed.sample == ["D1"]
