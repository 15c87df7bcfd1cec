"""The risk stage in clearance: lanes from criteria, green goods released at once, held goods in
the officers' queue, findings learned, and the decision with its reasons kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from clearway.adapters.history_files import read_history, read_mapping, shipped_mapping
from clearway.adapters.risk_model import ModelSettings, fit
from clearway.adapters.risk_state import seed_shared_state
from clearway.adapters.risk_tables import lane_outcomes, risk_history
from clearway.bootstrap import Runtime, build_runtime
from clearway.domain.risk.history import replay
from clearway.domain.risk.selectivity import Selectivity, SelectivityRule
from clearway.services.risk_stage import ActiveModel, BatchHistory
from tests.conftest import NO_SAMPLING, ROOT, certified, example, officers_view

KCS = ROOT.parent / "shared" / "data" / "kcs-customs-declarations"
DECLARATIONS = "/api/v1/declarations"


def _criteria(runtime: Runtime, *rules: tuple[str, str], **lists: set[str]) -> None:
    """Put these rules (expression, reason) and lists in force, with no sampling or top-up."""
    runtime.context.risk.use_selectivity(
        Selectivity(
            rules=tuple(
                SelectivityRule(f"R{n:04d}", 1, expression, "risk team", reason, date(2026, 1, 1))
                for n, (expression, reason) in enumerate(rules, start=1)
            ),
            lists={name: frozenset(codes) for name, codes in lists.items()},
            targets=NO_SAMPLING,
        )
    )


def _import(number: int) -> dict[str, Any]:
    payload = example("import")
    payload["lrn"] = f"NWT-2026-{number:06d}"
    return payload


def test_a_declaration_meeting_no_criterion_is_released_at_once(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    _criteria(runtime)
    lodged = lodge(certified(example("import"))).json()
    assert lodged["status"] == "released"
    # The declarant learns the outcome, not how it was chosen.
    assert lodged["risk"] == {
        "outcome": "released",
        "documents_required": [],
        "decided_at": lodged["risk"]["decided_at"],
    }
    risk = officers_view(api, lodged["id"])["risk"]
    assert (risk["lane"], risk["basis"], risk["rule_hits"]) == ("green", "default", [])
    history = api.get(f"{DECLARATIONS}/{lodged['id']}/history", headers=api.as_("broker")).json()
    assert [(entry["event"], entry["data"].get("outcome")) for entry in history][-3:] == [
        ("DeclarationRiskScored", None),
        ("DeclarationLaned", "released"),
        ("DeclarationReleased", "released"),
    ]
    assert [entry["data"] for entry in history][-3:-1] == [{}, {"outcome": "released"}]
    assert api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"] == []


def test_criteria_send_tomatoes_from_a_listed_origin_to_the_red_lane(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    _criteria(
        runtime,
        ('commodity startswith "0702" and origin in list:watch -> red', "pesticide residues"),
        ("unit_value < 0.50 -> yellow", "tomatoes below 50p a kilo"),
        watch={"MA", "EG"},
    )
    lodged = lodge(example("import")).json()
    assert lodged["status"] == "held"
    assert lodged["risk"]["outcome"] == "physical_examination"
    assert [need["documents"] for need in lodged["risk"]["documents_required"]] == [["N851"]]
    risk = officers_view(api, lodged["id"])["risk"]
    assert risk["lane"] == "red" and risk["basis"] == "criteria"
    # 16,950.03 GBP for 16,000 kg is 1.06 a kilo: only the first rule is met.
    assert [hit["rule_id"] for hit in risk["rule_hits"]] == ["R0001"]
    assert risk["rule_hits"][0]["items"] == [1]
    assert "pesticide residues" in risk["explanation"]
    queue = api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"]
    assert [(item["declaration_id"], item["lane"], item["state"]) for item in queue] == [
        (lodged["id"], "red", "open")
    ]
    # The officer sees why: the criterion met and the certificate missing.
    assert queue[0]["reasons"][:2] == [
        "Phytosanitary Certificate (import): needs one of the documents N851",
        "R0001: pesticide residues",
    ]
    assert queue[0]["mrn"] == lodged["mrn"] and queue[0]["customs_value"]["amount"] == "16950.03"
    shown = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("broker")).json()
    assert shown["risk"] == lodged["risk"]
    assert "pesticide" not in str(shown) and "R0001" not in str(shown)


def test_an_aeo_is_spared_a_rule_that_exempts_operators(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    exempt = SelectivityRule(
        "R0001",
        1,
        'origin == "MA" -> yellow',
        "risk team",
        "origin",
        date(2026, 1, 1),
        applies_to_aeo=False,
    )
    runtime.context.risk.use_selectivity(
        Selectivity(
            rules=(exempt,), lists={"aeo": frozenset({"GB987654321000"})}, targets=NO_SAMPLING
        )
    )
    lodged = lodge(certified(example("import"))).json()
    risk = officers_view(api, lodged["id"])["risk"]
    assert (lodged["status"], risk["lane"], risk["aeo"]) == (
        "released",
        "green",
        True,
    )


def test_officers_claim_record_findings_and_release_or_reject(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    first = lodge(_import(1)).json()
    second = lodge(_import(2)).json()
    assert first["status"] == second["status"] == "held"  # the tests' criteria hold everything
    for user in ("broker", "analyst"):
        assert api.get("/api/v1/work-queue", headers=api.as_(user)).status_code == 403
        claimed = api.post(f"/api/v1/work-queue/{first['id']}/claim", headers=api.as_(user))
        assert claimed.status_code == 403
    claimed = api.post(f"/api/v1/work-queue/{first['id']}/claim", headers=api.as_("officer"))
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["state"], claimed.json()["claimed_by"]) == ("claimed", "officer")
    runtime.users.create("officer2", "correct horse battery", *_officer())
    token = api.post(
        "/api/v1/auth/token", data={"username": "officer2", "password": "correct horse battery"}
    ).json()["access_token"]
    other = {"Authorization": f"Bearer {token}"}
    taken = api.post(f"/api/v1/work-queue/{first['id']}/claim", headers=other)
    assert taken.status_code == 409
    assert "claimed by officer" in taken.json()["detail"]
    # The next open one goes to the second officer.
    following = api.post("/api/v1/work-queue/next", headers=other)
    assert following.json()["declaration_id"] == second["id"]
    assert api.post("/api/v1/work-queue/next", headers=other).status_code == 404

    finding = api.post(
        f"{DECLARATIONS}/{first['id']}/findings",
        json={"fraud": True, "revenue_recovered": "1250.40", "notes": "undervalued"},
        headers=api.as_("officer"),
    )
    assert finding.status_code == 201, finding.text
    assert finding.json()["revenue_recovered"] == "1250.40"
    bad = api.post(
        f"{DECLARATIONS}/{first['id']}/findings",
        json={"fraud": True, "revenue_recovered": "-1"},
        headers=api.as_("officer"),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    # The trader history every worker reads learns the finding at once.
    assert _importer_tally(runtime, first["id"]) == (2, 1, 1)

    # A claim is ownership: the other officer may not decide on the first one.
    for path, body in (
        ("findings", {"fraud": False}),
        ("release", None),
        ("rejection", {"reason": "not mine to reject"}),
    ):
        refused = api.post(f"{DECLARATIONS}/{first['id']}/{path}", json=body, headers=other)
        assert refused.status_code == 409, path
        assert "claimed by officer" in refused.json()["detail"]
    assert _importer_tally(runtime, first["id"]) == (2, 1, 1)

    released = api.post(f"{DECLARATIONS}/{first['id']}/release", headers=api.as_("officer"))
    assert released.json()["status"] == "released"
    rejected = api.post(
        f"{DECLARATIONS}/{second['id']}/rejection",
        json={"reason": "goods not as declared"},
        headers=other,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"] == []
    done = api.get("/api/v1/work-queue?state=done", headers=api.as_("officer")).json()["items"]
    assert {item["declaration_id"] for item in done} == {first["id"], second["id"]}
    again = api.post(f"{DECLARATIONS}/{second['id']}/release", headers=api.as_("officer"))
    assert again.status_code == 409


def _officer() -> tuple[Any, None]:
    from clearway.domain.access import Role

    return Role.OFFICER, None


def _importer_tally(runtime: Runtime, declaration_id: str) -> tuple[int, int, int] | None:
    """(seen, inspected, fraud) of the declaration's importer in the shared history."""
    with runtime.uow() as uow:
        seen = uow.risk.observations(declaration_id)
        return BatchHistory(uow.history).known(seen).tally("importer", seen[0])


@pytest.fixture(scope="module")
def kcs_model() -> ActiveModel:
    """A model fitted on the first 4,000 KCS training declarations."""
    mapping = read_mapping(shipped_mapping("kcs"))
    history = read_history(KCS / "df_syn_train_eng.csv", mapping)
    observations = history.observations[:4000]
    rows, replayed = replay(observations, history.outcomes)
    labels = [history.outcomes[o.reference] for o in observations]
    model = fit(rows, labels, replayed.names, settings=ModelSettings(max_rounds=60))
    return ActiveModel(7, model)


def test_the_model_scores_with_reasons_kept_with_the_declaration(
    runtime: Runtime, api: Any, lodge: Any, kcs_model: ActiveModel
) -> None:
    runtime.context.risk.model = kcs_model
    lodged = lodge(example("import")).json()
    assert "score" not in lodged["risk"]  # the declarant is not told
    risk = officers_view(api, lodged["id"])["risk"]
    assert 0 < risk["score"] < 1
    assert risk["model_version"] == 7
    reasons = risk["reasons"]
    assert 1 <= len(reasons) <= 3
    contributions = [reason["contribution"] for reason in reasons]
    assert contributions == sorted(contributions, reverse=True) and contributions[-1] > 0
    assert all(reason["text"] and reason["item"] == 1 for reason in reasons)
    events = api.get(f"{DECLARATIONS}/{lodged['id']}/history", headers=api.as_("auditor")).json()
    scored = next(entry for entry in events if entry["event"] == "DeclarationRiskScored")
    assert scored["data"]["reasons"] == reasons


def test_reasons_are_worked_out_for_held_goods_not_for_green_releases(
    runtime: Runtime, api: Any, lodge: Any, kcs_model: ActiveModel
) -> None:
    runtime.context.risk.model = kcs_model
    _criteria(runtime)  # nothing selects: the goods go green
    released = lodge(certified(example("import"))).json()
    assert released["status"] == "released"
    green = officers_view(api, released["id"])["risk"]
    assert 0 < green["score"] < 1 and green["reasons"] == []
    _criteria(runtime, ("total_value >= 0 -> yellow", "document check"))  # all to yellow
    held = lodge(certified(_import(901))).json()
    yellow = officers_view(api, held["id"])["risk"]
    assert yellow["lane"] == "yellow" and 1 <= len(yellow["reasons"]) <= 3


def test_a_batch_is_scored_against_the_stored_history_not_its_batch_mates(
    runtime: Runtime, api: Any, lodge: Any, kcs_model: ActiveModel
) -> None:
    from clearway.domain.access import Principal, Role
    from clearway.entrypoints.schemas import parse_declaration
    from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations

    runtime.context.risk.model = kcs_model
    first = lodge(certified(_import(1))).json()
    cheap = certified(_import(2))
    cheap["items"][0]["invoice_amount"] = cheap["invoice"]["amount"] = "1840.00"  # a tenth
    two_items = certified(_import(3))
    two_items["items"].append({**cheap["items"][0], "sequence": 2})
    two_items["invoice"]["amount"] = "20240.00"
    batch = [cheap, two_items, certified(_import(4)), certified(_import(5))]
    actor = Principal("bulk", Role.SYSTEM)
    commands = []
    for payload in batch:
        parsed = parse_declaration(payload)
        commands.append(LodgeDeclaration(parsed.declaration, parsed.document, actor))
    outcomes = lodge_declarations(commands, runtime.uow(), runtime.context)
    assert all(isinstance(outcome, Lodged) for outcome in outcomes), outcomes
    scores = [officers_view(api, o.record.id)["risk"]["score"] for o in outcomes]  # type: ignore[union-attr]
    # A declaration takes its riskiest item's score; the last two are the same goods from the
    # same trader: neither sees the other, both see the one lodged before the batch.
    assert scores[0] != scores[2] and all(0 < score < 1 for score in scores)
    assert scores[1] == max(scores[0], scores[2])
    assert scores[2] == scores[3]
    # Every goods item counts in the importer's history once the batch is stored: 1 + 1 + 2 + 1 + 1.
    assert _importer_tally(runtime, first["id"]) == (6, 0, 0)


def test_without_a_model_no_explanation_speaks_of_a_score(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    runtime.context.risk.model = None
    _criteria(runtime)
    lodged = lodge(certified(example("import"))).json()
    risk = officers_view(api, lodged["id"])["risk"]
    assert risk["score"] is None and risk["reasons"] == []
    assert "score" not in risk["explanation"]


def test_a_restarted_process_reads_the_shared_history_and_lane_window(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    first = lodge(_import(1)).json()
    lodge(_import(2))
    api.post(
        f"{DECLARATIONS}/{first['id']}/findings", json={"fraud": False}, headers=api.as_("officer")
    )
    assert _importer_tally(runtime, first["id"]) == (2, 1, 0)
    restarted = build_runtime(runtime.settings, prepare=False)
    try:
        # Nothing replayed: the window is the stored lane decisions, the history is stored.
        assert len(restarted.context.risk.selector.recent()) == 2
        assert _importer_tally(restarted, first["id"]) == (2, 1, 0)
        # A declaration lodged by one process counts in the other's window at its next batch.
        lodge(_import(3))
        with restarted.uow() as uow:
            restarted.context.risk.catch_up(uow.lanes)
        assert len(restarted.context.risk.selector.recent()) == 3
        assert _importer_tally(restarted, first["id"]) == (3, 1, 0)
    finally:
        restarted.engine.dispose()


def test_a_database_from_before_the_shared_tables_is_seeded_from_its_decisions(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    first = lodge(_import(1)).json()
    lodge(_import(2))
    api.post(
        f"{DECLARATIONS}/{first['id']}/findings", json={"fraud": True}, headers=api.as_("officer")
    )
    with runtime.engine.begin() as connection:
        connection.execute(risk_history.delete())
        connection.execute(lane_outcomes.delete())
    assert _importer_tally(runtime, first["id"]) is None
    seed_shared_state(runtime.engine, window=2000)
    assert _importer_tally(runtime, first["id"]) == (2, 1, 1)
    restarted = build_runtime(runtime.settings, prepare=False)
    try:
        assert len(restarted.context.risk.selector.recent()) == 2
    finally:
        restarted.engine.dispose()
    # Seeding is once: a database with shared state is left as it is.
    seed_shared_state(runtime.engine, window=2000)
    assert _importer_tally(runtime, first["id"]) == (2, 1, 1)
