"""Export control at clearance: the shared export example clears only with a valid licence,
is referred to the agency without one, and the agency decides through the API; licences are
drawn at release and given back on cancellation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from clearway.bootstrap import Runtime
from clearway.domain.risk.selectivity import Selectivity
from clearway.domain.tariff.tariff import Tariff
from tests.conftest import NO_SAMPLING, NOW, certified, example
from tests.e2e.test_screening_api import load_shipped

DECLARATIONS = "/api/v1/declarations"
LICENCES = "/api/v1/licences"
NUMBER = "GBSIEL/2026/0001234"  # the licence the export example cites (document X060)


def licence_terms(**changes: Any) -> dict[str, Any]:
    """An individual licence for the example's pumps to the example's consignee in the UAE."""
    terms: dict[str, Any] = {
        "number": NUMBER,
        "type": "individual",
        "holder_id": "GB555000111000",
        "holder_name": "Acme Process Pumps Ltd",
        "consignees": ["Gulf Petrochemical Services LLC"],
        "end_users": ["Gulf Petrochemical Services LLC"],
        "destinations": ["AE"],
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "conditions": "End-use statement on file; no re-export without consent.",
        "items": [
            {
                "line": 1,
                "description": "Multi-seal pumps for corrosive fluids",
                "commodity_code": "841370",
                "control_entry": "2B350",
                "quantity": "10",
                "unit": "NAR",
                "value": "100000",
                "currency": "GBP",
            }
        ],
    }
    terms.update(changes)
    return terms


@pytest.fixture
def green(runtime: Runtime) -> Runtime:
    """No criteria and no sampling: whatever the controls stage lets through is released."""
    runtime.context.risk.use_selectivity(Selectivity(targets=NO_SAMPLING))
    return runtime


def issue(api: Any, **changes: Any) -> Any:
    return api.post(LICENCES, json=licence_terms(**changes), headers=api.as_("agency"))


def export(lrn: str = "ACM-EX-2026-0042", **item_changes: Any) -> dict[str, Any]:
    payload = example("export")
    payload["lrn"] = lrn
    payload["items"][0].update(item_changes)
    return payload


def usage(api: Any) -> dict[str, Any]:
    found = api.get(f"{LICENCES}/{NUMBER}/usage", headers=api.as_("agency"))
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def test_the_export_example_clears_with_a_valid_licence_and_draws_it_down(
    green: Runtime, api: Any, lodge: Any
) -> None:
    assert issue(api).status_code == 201
    lodged = lodge(example("export"), "acme")
    assert lodged.status_code == 201, lodged.text
    body = lodged.json()
    assert body["status"] == "released"
    assert body["referral"] is None
    used = usage(api)
    (line,) = used["licence"]["items"]
    assert Decimal(line["quantity_used"]) == 6 and Decimal(line["quantity_left"]) == 4
    assert Decimal(line["value_used"]) == Decimal("48600.00")
    assert Decimal(line["value_left"]) == Decimal("51400.00")
    (draw,) = used["draws"]
    assert draw["declaration_id"] == body["id"] and draw["item"] == 1
    history = api.get(f"{DECLARATIONS}/{body['id']}/history", headers=api.as_("acme")).json()
    assert [entry["event"] for entry in history][-2:] == ["DeclarationReleased", "LicenceDrawn"]


def test_without_the_licence_issued_the_export_is_referred_and_held(
    green: Runtime, api: Any, lodge: Any
) -> None:
    body = lodge(example("export"), "acme").json()
    assert body["status"] == "held"
    # The exporter is told the agency has the goods, not why.
    assert body["referral"] == {
        "agency": "export-control",
        "state": "open",
        "deadline": (NOW + timedelta(hours=72)).isoformat(),
        "information_request": None,
    }
    seen = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("officer")).json()
    referral = seen["referral"]
    assert referral["reason"] == "licence_mismatch"
    assert "no licence GBSIEL/2026/0001234 has been issued" in referral["findings"][0]["message"]
    # Held for the agency: not in the officers' queue, and customs cannot release it.
    assert api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"] == []
    refused = api.post(f"{DECLARATIONS}/{body['id']}/release", headers=api.as_("officer"))
    assert refused.status_code == 409
    assert "export-control agency" in refused.json()["detail"]


def test_an_item_classified_on_the_control_list_without_a_licence_is_referred(
    green: Runtime, api: Any, lodge: Any
) -> None:
    payload = export(documents=[{"type": "N380", "reference": "APP-2026-771"}])
    body = lodge(payload, "acme").json()
    assert body["status"] == "held"
    referral = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("agency")).json()["referral"]
    assert referral["reason"] == "licence_missing"
    assert "2B350.i" in referral["findings"][0]["message"]


def test_a_correlated_commodity_declaring_neither_licence_nor_y901_is_referred(
    green: Runtime, api: Any, lodge: Any
) -> None:
    unclassified = export(control=None, documents=[{"type": "N380", "reference": "APP-2026-771"}])
    body = lodge(unclassified, "acme").json()
    assert body["status"] == "held"
    referral = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("agency")).json()["referral"]
    assert referral["reason"] == "control_list"
    assert referral["findings"][0]["details"]["entries"] == ["2B350.i"]
    declared_unlisted = export(
        "ACM-EX-2026-0043",
        control=None,
        documents=[{"type": "Y901", "reference": "not listed"}],
    )
    assert lodge(declared_unlisted, "acme").json()["status"] == "released"


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({"holder_id": "GB999999999000"}, "licence-holder"),
        ({"destinations": ["SA"]}, "licence-destination"),
        ({"end_users": ["Another Refinery FZE"]}, "licence-end-user"),
        ({"valid_to": "2026-06-30"}, "licence-not-in-force"),
        ({"type": "global"}, "licence-type"),
    ],
)
def test_a_licence_that_does_not_cover_the_export_refers_it_with_the_reason(
    green: Runtime, api: Any, lodge: Any, terms: dict[str, Any], code: str
) -> None:
    assert issue(api, **terms).status_code == 201
    body = lodge(example("export"), "acme").json()
    assert body["status"] == "held"
    referral = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("agency")).json()["referral"]
    assert referral["reason"] == "licence_mismatch"
    codes = [p["code"] for p in referral["findings"][0]["details"]["problems"]]
    assert codes == [code]
    assert usage(api)["draws"] == []


def test_the_balance_runs_out_and_the_next_export_is_referred(
    green: Runtime, api: Any, lodge: Any
) -> None:
    assert issue(api).status_code == 201
    assert lodge(example("export"), "acme").json()["status"] == "released"
    second = lodge(export("ACM-EX-2026-0043"), "acme").json()
    assert second["status"] == "held"
    referral = api.get(f"{DECLARATIONS}/{second['id']}", headers=api.as_("agency")).json()[
        "referral"
    ]
    (problem,) = referral["findings"][0]["details"]["problems"]
    assert problem["code"] == "licence-balance"
    assert "has 4 NAR left, not 6" in problem["message"]


def test_a_suspended_licence_refers_and_a_reinstated_one_clears(
    green: Runtime, api: Any, lodge: Any
) -> None:
    assert issue(api).status_code == 201
    reason = {"reason": "end-use check pending"}
    suspended = api.post(f"{LICENCES}/{NUMBER}/suspension", json=reason, headers=api.as_("agency"))
    assert suspended.json()["state"] == "suspended" and suspended.json()["version"] == 2
    assert lodge(example("export"), "acme").json()["status"] == "held"
    api.post(f"{LICENCES}/{NUMBER}/reinstatement", json=reason, headers=api.as_("agency"))
    assert lodge(export("ACM-EX-2026-0043"), "acme").json()["status"] == "released"
    revoked = api.post(f"{LICENCES}/{NUMBER}/revocation", json=reason, headers=api.as_("agency"))
    assert revoked.json()["state"] == "revoked"
    again = api.post(f"{LICENCES}/{NUMBER}/reinstatement", json=reason, headers=api.as_("agency"))
    assert again.status_code == 409


def test_the_agency_approves_a_referral_and_clearance_resumes(
    green: Runtime, api: Any, lodge: Any
) -> None:
    body = lodge(export(documents=[{"type": "N380", "reference": "APP-2026-771"}]), "acme").json()
    queue = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    assert [(r["declaration_id"], r["state"]) for r in queue] == [(body["id"], "open")]
    # The agency sees what was referred to it, and nothing else.
    listed = api.get(DECLARATIONS, headers=api.as_("agency")).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    decided = api.post(
        f"/api/v1/referrals/{queue[0]['id']}/decision",
        json={"decision": "approve", "note": "covered by the end-user undertaking on file"},
        headers=api.as_("agency"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "approved"
    after = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("acme")).json()
    assert after["status"] == "released"
    assert api.get("/api/v1/referrals", headers=api.as_("agency")).json() == []
    twice = api.post(
        f"/api/v1/referrals/{queue[0]['id']}/decision",
        json={"decision": "deny"},
        headers=api.as_("agency"),
    )
    assert twice.status_code == 409


def test_the_agency_denies_a_referral_and_the_declaration_is_rejected(
    green: Runtime, api: Any, lodge: Any
) -> None:
    body = lodge(example("export"), "acme").json()
    (referral,) = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    denied = api.post(
        f"/api/v1/referrals/{referral['id']}/decision",
        json={"decision": "deny", "note": "end user of concern"},
        headers=api.as_("agency"),
    )
    assert denied.json()["state"] == "denied"
    after = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("acme")).json()
    assert after["status"] == "rejected"
    history = api.get(f"{DECLARATIONS}/{body['id']}/history", headers=api.as_("acme")).json()
    assert [entry["event"] for entry in history][-2:] == ["ReferralDecided", "DeclarationRejected"]


def test_only_the_agency_decides_referrals(green: Runtime, api: Any, lodge: Any) -> None:
    lodge(example("export"), "acme")
    (referral,) = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    for user in ("officer", "acme", "analyst"):
        refused = api.post(
            f"/api/v1/referrals/{referral['id']}/decision",
            json={"decision": "approve"},
            headers=api.as_(user),
        )
        assert refused.status_code == 403, user
    assert api.get("/api/v1/referrals", headers=api.as_("officer")).status_code == 403
    assert issue(api).status_code == 201
    assert (
        api.post(LICENCES, json=licence_terms(number="GB/X/1"), headers=api.as_("acme")).status_code
        == 403
    )


def test_the_agency_asks_and_the_exporter_replies(green: Runtime, api: Any, lodge: Any) -> None:
    body = lodge(example("export"), "acme").json()
    (referral,) = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    asked = api.post(
        f"/api/v1/referrals/{referral['id']}/information-request",
        json={"question": "Send the end-user statement for the pumps."},
        headers=api.as_("agency"),
    )
    assert asked.json()["state"] == "information_requested"
    seen = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("acme")).json()
    assert seen["referral"]["information_request"] == "Send the end-user statement for the pumps."
    replied = api.post(
        f"{DECLARATIONS}/{body['id']}/referral/reply",
        json={"reply": "Statement EUS-771 uploaded to the licensing portal."},
        headers=api.as_("acme"),
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["state"] == "open"
    stranger = api.post(
        f"{DECLARATIONS}/{body['id']}/referral/reply",
        json={"reply": "x"},
        headers=api.as_("stranger"),
    )
    assert stranger.status_code == 404


def test_an_unanswered_referral_expires_to_the_officers(
    green: Runtime, api: Any, lodge: Any
) -> None:
    body = lodge(example("export"), "acme").json()
    green.context.clock = lambda: NOW + timedelta(hours=73)
    assert api.get("/api/v1/referrals", headers=api.as_("agency")).json() == []
    queue = api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"]
    assert [(item["declaration_id"], item["lane"]) for item in queue] == [(body["id"], "yellow")]
    seen = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("officer")).json()
    assert seen["referral"]["state"] == "expired" and seen["status"] == "held"


def test_cancelling_a_released_export_gives_the_licence_back(
    green: Runtime, api: Any, lodge: Any
) -> None:
    assert issue(api).status_code == 201
    body = lodge(example("export"), "acme").json()
    assert body["status"] == "released"
    cancelled = api.post(
        f"{DECLARATIONS}/{body['id']}/cancellation",
        json={"reason": "the goods did not leave: order withdrawn"},
        headers=api.as_("acme"),
    )
    assert cancelled.status_code == 200, cancelled.text
    used = usage(api)
    assert Decimal(used["licence"]["items"][0]["quantity_left"]) == 10
    assert used["draws"][0]["credited_at"] is not None


def test_a_released_import_cannot_be_cancelled(green: Runtime, api: Any, lodge: Any) -> None:
    body = lodge(certified(example("import"))).json()
    assert body["status"] == "released"
    refused = api.post(
        f"{DECLARATIONS}/{body['id']}/cancellation",
        json={"reason": "changed our mind"},
        headers=api.as_("broker"),
    )
    assert refused.status_code == 409
    assert "released import cannot be cancelled" in refused.json()["detail"]


def test_held_goods_released_by_an_officer_draw_the_licence_then(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    assert issue(api).status_code == 201
    body = lodge(example("export"), "acme").json()
    assert body["status"] == "held" and body["referral"] is None  # yellow lane, no referral
    assert usage(api)["draws"] == []
    released = api.post(f"{DECLARATIONS}/{body['id']}/release", headers=api.as_("officer"))
    assert released.json()["status"] == "released"
    assert Decimal(usage(api)["licence"]["items"][0]["quantity_left"]) == 4


def test_a_licence_revoked_while_goods_are_held_stops_their_release(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    assert issue(api).status_code == 201
    body = lodge(example("export"), "acme").json()
    api.post(f"{LICENCES}/{NUMBER}/revocation", json={"reason": "x"}, headers=api.as_("agency"))
    refused = api.post(f"{DECLARATIONS}/{body['id']}/release", headers=api.as_("officer"))
    assert refused.status_code == 409
    assert "is revoked" in refused.json()["detail"]


def test_bad_licences_are_refused_with_every_problem(api: Any) -> None:
    bad = licence_terms(
        valid_to="2025-01-01",
        items=[{"line": 1, "description": "pumps", "quantity": "5"}],
    )
    refused = api.post(LICENCES, json=bad, headers=api.as_("agency"))
    assert refused.status_code == 422
    messages = " | ".join(error["detail"] for error in refused.json()["errors"])
    assert "valid_to is before valid_from" in messages
    assert "commodity code, a control entry or both" in messages
    assert "a quantity needs its unit" in messages
    assert api.get(f"{LICENCES}/{NUMBER}", headers=api.as_("agency")).status_code == 404
    assert issue(api).status_code == 201
    assert issue(api).status_code == 409


def test_an_amendment_keeps_what_was_drawn(green: Runtime, api: Any, lodge: Any) -> None:
    assert issue(api).status_code == 201
    lodge(example("export"), "acme")
    too_small = licence_terms()
    too_small["items"][0]["quantity"] = "5"
    refused = api.put(f"{LICENCES}/{NUMBER}", json=too_small, headers=api.as_("agency"))
    assert refused.status_code == 422
    bigger = licence_terms()
    bigger["items"][0]["quantity"] = "20"
    amended = api.put(
        f"{LICENCES}/{NUMBER}", json=bigger, headers={**api.as_("agency"), "If-Match": '"v1"'}
    )
    assert amended.status_code == 200, amended.text
    (line,) = amended.json()["items"]
    assert Decimal(line["quantity_used"]) == 6 and Decimal(line["quantity_left"]) == 14
    stale = api.put(
        f"{LICENCES}/{NUMBER}", json=bigger, headers={**api.as_("agency"), "If-Match": '"v1"'}
    )
    assert stale.status_code == 412


def test_a_trader_reads_only_its_own_licences(api: Any) -> None:
    assert issue(api).status_code == 201
    assert [lic["number"] for lic in api.get(LICENCES, headers=api.as_("acme")).json()] == [NUMBER]
    assert api.get(LICENCES, headers=api.as_("broker")).json() == []
    assert api.get(f"{LICENCES}/{NUMBER}", headers=api.as_("broker")).status_code == 404


LISTED = "Al Wasel & Babel General Trading L.L.C."  # OFAC SDN entry 8210, with a Dubai address


def test_a_party_matching_a_listed_name_holds_and_refers_the_export(
    green: Runtime, api: Any, lodge: Any, screener_full: Any
) -> None:
    green.context.screening = screener_full
    assert issue(api, consignees=[LISTED], end_users=[LISTED]).status_code == 201
    payload = example("export")
    for role in ("consignee", "end_user"):
        payload[role]["name"] = LISTED
    body = lodge(payload, "acme").json()
    assert body["status"] == "held"
    referral = api.get(f"{DECLARATIONS}/{body['id']}", headers=api.as_("agency")).json()["referral"]
    assert referral["reason"] == "screening_match"
    assert [finding["party"] for finding in referral["findings"]] == ["consignee", "end_user"]
    (best, *_) = referral["findings"][0]["details"]["matches"]
    assert best["entity_id"] == "ofac-sdn:8210" and best["score"] >= 0.9
    # A valid licence is no reason to release goods for a listed consignee.
    assert usage(api)["draws"] == []
    # The same export to the example's unlisted consignee clears on the licence it cites.
    assert issue(api, number="GBSIEL/2026/0009999").status_code == 201
    clean = export("ACM-EX-2026-0043")
    clean["items"][0]["documents"][1]["reference"] = "GBSIEL/2026/0009999"
    assert lodge(clean, "acme").json()["status"] == "released"


def test_without_a_tariff_exports_are_still_controlled(
    green: Runtime, api: Any, lodge: Any
) -> None:
    green.context.tariff = Tariff()  # nothing can be assessed, so no lane is given
    referred = lodge(example("export"), "acme").json()
    assert referred["status"] == "held"
    assert referred["referral"]["state"] == "open"
    assert issue(api).status_code == 201
    covered = lodge(export("ACM-EX-2026-0043"), "acme").json()
    assert covered["status"] == "accepted" and covered["referral"] is None


def test_approving_a_screening_referral_can_dismiss_its_matches_for_that_party(
    green: Runtime, api: Any, lodge: Any, shipped_lists: list[Any], screener_full: Any
) -> None:
    load_shipped(green, shipped_lists)  # the lists in the database, so a refresh keeps them
    terms = licence_terms(consignees=[LISTED], end_users=[LISTED])
    terms["items"][0]["quantity"] = "30"
    assert api.post(LICENCES, json=terms, headers=api.as_("agency")).status_code == 201
    payload = example("export")
    for role in ("consignee", "end_user"):
        payload[role]["name"] = LISTED
    first = lodge(payload, "acme").json()
    (referral,) = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    refused = api.post(
        f"/api/v1/referrals/{referral['id']}/decision",
        json={"decision": "deny", "dismiss_matches": True},
        headers=api.as_("agency"),
    )
    assert refused.status_code == 422
    approved = api.post(
        f"/api/v1/referrals/{referral['id']}/decision",
        json={
            "decision": "approve",
            "note": "a namesake in Sharjah, not the listed Dubai firm",
            "dismiss_matches": True,
        },
        headers=api.as_("agency"),
    )
    assert approved.status_code == 200, approved.text
    after = api.get(f"{DECLARATIONS}/{first['id']}", headers=api.as_("acme")).json()
    assert after["status"] == "released"
    dismissed = api.get("/api/v1/screening/dismissals", headers=api.as_("agency")).json()
    assert {d["entity_id"] for d in dismissed} >= {"ofac-sdn:8210"}
    # The same consignee is no longer referred; another party with the listed name still is.
    repeat = example("export")
    repeat["lrn"] = "ACM-EX-2026-0043"
    for role in ("consignee", "end_user"):
        repeat[role]["name"] = LISTED
    again = lodge(repeat, "acme")
    assert again.json()["status"] == "released", again.text
    other = export("ACM-EX-2026-0044")
    other["consignee"]["name"] = other["end_user"]["name"] = LISTED
    other["consignee"]["address"]["country"] = other["end_user"]["address"]["country"] = "IQ"
    assert lodge(other, "acme").json()["status"] == "held"
