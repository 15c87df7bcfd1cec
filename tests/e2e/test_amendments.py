"""Every version of a declaration passes every control: an amendment is validated, valued,
assessed, screened, licence-checked, scored and laned again; a referral and an officer's
decision count only for the version they were about; release draws the current version's
licences. Lodge, amend, decide and release in one test each, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clearway.bootstrap import Runtime
from clearway.domain.risk.selectivity import Selectivity
from tests.conftest import NO_SAMPLING, certified, example, officers_view
from tests.e2e.test_export_control import LISTED, issue, usage

DECLARATIONS = "/api/v1/declarations"


def _amend(api: Any, declaration_id: str, payload: dict[str, Any], version: int) -> Any:
    return api.post(
        f"{DECLARATIONS}/{declaration_id}/amendments",
        json=payload,
        headers={**api.as_("acme"), "If-Match": f'"v{version}"'},
    )


def _listed_end_user(payload: dict[str, Any]) -> dict[str, Any]:
    payload["end_user"]["name"] = LISTED
    return payload


def test_an_amendment_naming_a_listed_party_is_referred_and_held_until_the_agency_decides(
    runtime: Runtime, api: Any, lodge: Any, screener_full: Any
) -> None:
    runtime.context.screening = screener_full
    assert issue(api).status_code == 201
    lodged = lodge(example("export"), "acme").json()
    assert (lodged["status"], lodged["referral"], lodged["risk"]["outcome"]) == (
        "held",
        None,
        "document_check",
    )
    amended = _amend(api, lodged["id"], _listed_end_user(example("export")), 1)
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert (body["version"], body["status"]) == (2, "held")
    # The trader learns that the agency has the goods, not why.
    assert body["referral"]["state"] == "open" and "findings" not in body["referral"]
    seen = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("agency")).json()
    referral = seen["referral"]
    assert referral["declaration_version"] == 2
    screened = [f for f in referral["findings"] if f["reason"] == "screening_match"]
    assert [f["party"] for f in screened] == ["end_user"]
    assert screened[0]["details"]["matches"][0]["entity_id"] == "ofac-sdn:8210"
    # The new end user is not on the licence either: the agency sees that too.
    assert any(f["reason"] == "licence_mismatch" for f in referral["findings"])
    # Out of the officers' queue, and customs cannot release it: no licence was drawn.
    assert api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"] == []
    refused = api.post(f"{DECLARATIONS}/{lodged['id']}/release", headers=api.as_("officer"))
    assert refused.status_code == 409
    assert "export-control agency" in refused.json()["detail"]
    assert usage(api)["draws"] == []
    denied = api.post(
        f"/api/v1/referrals/{referral['id']}/decision",
        json={"decision": "deny", "note": "end user is a listed entity"},
        headers=api.as_("agency"),
    )
    assert denied.status_code == 200, denied.text
    final = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("acme")).json()
    assert final["status"] == "rejected"
    assert usage(api)["draws"] == []


def test_a_decision_on_one_version_never_releases_the_next(
    runtime: Runtime, api: Any, lodge: Any, screener_full: Any
) -> None:
    runtime.context.screening = screener_full
    lodged = lodge(example("export"), "acme").json()  # no licence issued yet: referred
    (first,) = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    assert first["declaration_version"] == 1
    amended = _amend(api, lodged["id"], _listed_end_user(example("export")), 1)
    assert amended.status_code == 200, amended.text
    (second,) = api.get("/api/v1/referrals", headers=api.as_("agency")).json()
    assert (second["declaration_version"], second["supersedes"]) == (2, first["id"])
    # The agency approves what it saw, version 1: refused, the referral was withdrawn.
    stale = api.post(
        f"/api/v1/referrals/{first['id']}/decision",
        json={"decision": "approve", "note": "licence on its way"},
        headers=api.as_("agency"),
    )
    assert stale.status_code == 409
    assert "withdrawn" in stale.json()["detail"]
    history = api.get(f"{DECLARATIONS}/{lodged['id']}/history", headers=api.as_("auditor"))
    withdrawn = [e for e in history.json() if e["event"] == "ReferralWithdrawn"]
    assert [(e["data"]["referral_id"], e["version"]) for e in withdrawn] == [(first["id"], 2)]
    # Approving version 2 resumes clearance of version 2: yellow, so to the officers.
    approved = api.post(
        f"/api/v1/referrals/{second['id']}/decision",
        json={"decision": "approve", "note": "namesake, not the listed firm"},
        headers=api.as_("agency"),
    )
    assert approved.status_code == 200, approved.text
    queue = api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"]
    assert [(item["declaration_id"], item["version"]) for item in queue] == [(lodged["id"], 2)]
    released = api.post(
        f"{DECLARATIONS}/{lodged['id']}/release",
        headers={**api.as_("officer"), "If-Match": '"v2"'},
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"


def test_an_amendment_that_clears_the_controls_releases_at_once_and_draws_its_own_licence(
    runtime: Runtime, api: Any, lodge: Any, screener_full: Any
) -> None:
    runtime.context.screening = screener_full
    runtime.context.risk.use_selectivity(Selectivity(targets=NO_SAMPLING))  # green unless held
    assert issue(api).status_code == 201
    lodged = lodge(_listed_end_user(example("export")), "acme").json()
    assert lodged["status"] == "held" and lodged["risk"]["outcome"] == "released"
    assert officers_view(api, lodged["id"])["risk"]["lane"] == "green"
    fewer = example("export")
    fewer["items"][0]["supplementary_units"]["quantity"] = "4"
    amended = _amend(api, lodged["id"], fewer, 1)
    assert amended.status_code == 200, amended.text
    assert (amended.json()["version"], amended.json()["status"]) == (2, "released")
    assert amended.json()["referral"]["state"] == "withdrawn"
    assert api.get("/api/v1/referrals", headers=api.as_("agency")).json() == []
    (draw,) = usage(api)["draws"]
    assert (draw["declaration_version"], Decimal(draw["quantity"])) == (2, Decimal(4))
    # Released goods cannot be amended any more (UCC Art. 173(2)(c)).
    late = _amend(api, lodged["id"], example("export"), 2)
    assert late.status_code == 409
    assert "173(2)(c)" in late.json()["detail"]


def test_goods_held_for_a_check_stay_held_and_claimed_goods_cannot_be_amended(
    runtime: Runtime, api: Any, lodge: Any
) -> None:
    runtime.context.risk.use_selectivity(Selectivity(targets=NO_SAMPLING))  # no criteria
    lodged = lodge(example("import")).json()  # tomatoes without their certificate
    assert (lodged["status"], lodged["risk"]["outcome"]) == ("held", "document_check")
    (needed,) = lodged["risk"]["documents_required"]
    assert needed["documents"] == ["N851"]
    risk = officers_view(api, lodged["id"])["risk"]
    assert (risk["lane"], risk["basis"]) == ("yellow", "requirement")
    (unmet,) = risk["requirements"]
    assert (unmet["measure_type"], unmet["documents"]) == ("360", ["N851"])
    claimed = api.post(f"/api/v1/work-queue/{lodged['id']}/claim", headers=api.as_("officer"))
    assert claimed.status_code == 200
    headers = {**api.as_("broker"), "If-Match": '"v1"'}
    path = f"{DECLARATIONS}/{lodged['id']}/amendments"
    during = api.post(path, json=certified(example("import")), headers=headers)
    assert during.status_code == 409
    assert "173(2)(a)" in during.json()["detail"]
    # Handed back, the declarant may amend; declaring the certificate does not skip the check.
    other = api.delete(f"/api/v1/work-queue/{lodged['id']}/claim", headers=api.as_("officer2"))
    assert other.status_code == 409
    handed = api.delete(f"/api/v1/work-queue/{lodged['id']}/claim", headers=api.as_("officer"))
    assert handed.status_code == 204
    after = api.post(path, json=certified(example("import")), headers=headers)
    assert after.status_code == 200, after.text
    risk = officers_view(api, lodged["id"])["risk"]
    assert (after.json()["status"], risk["lane"], risk["basis"]) == ("held", "yellow", "kept")
    assert risk["requirements"] == []
    # A supervisor may act on what another officer holds.
    api.post(f"/api/v1/work-queue/{lodged['id']}/claim", headers=api.as_("officer"))
    blocked = api.post(f"{DECLARATIONS}/{lodged['id']}/release", headers=api.as_("officer2"))
    assert blocked.status_code == 409
    released = api.post(f"{DECLARATIONS}/{lodged['id']}/release", headers=api.as_("supervisor"))
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"


@pytest.mark.parametrize(
    "disguise",
    [
        # Cyrillic A, a and e (U+0410, U+0430, U+0435) for the Latin letters
        "\u0410l W\u0430s\u0435l & B\u0430b\u0435l G\u0435n\u0435r\u0430l Tr\u0430ding L.L.C.",
        "Al Wasel & Babel Genl Trdg LLC",
        "Al Wasel and Babel General Trading Limited Liability Company",
    ],
    ids=["look-alike letters", "abbreviated words", "legal form spelt out"],
)
def test_an_amendment_naming_a_listed_party_in_disguise_is_referred(
    runtime: Runtime, api: Any, lodge: Any, screener_full: Any, disguise: str
) -> None:
    runtime.context.screening = screener_full
    assert issue(api).status_code == 201
    lodged = lodge(example("export"), "acme").json()
    payload = example("export")
    payload["end_user"]["name"] = disguise
    amended = _amend(api, lodged["id"], payload, 1)
    assert amended.status_code == 200, amended.text
    assert amended.json()["status"] == "held"
    seen = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("agency")).json()
    (screened,) = [f for f in seen["referral"]["findings"] if f["reason"] == "screening_match"]
    assert screened["party"] == "end_user"
    assert screened["details"]["matches"][0]["entity_id"] == "ofac-sdn:8210"
