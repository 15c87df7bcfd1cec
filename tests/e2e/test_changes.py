"""Amendments (new versions) and cancellation, with their history."""

from __future__ import annotations

from typing import Any

from tests.conftest import example, officers_view


def test_amendment_creates_a_new_version_valued_again(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    amended = example("import")
    amended["freight"]["amount"] = "1650.00"
    response = api.post(
        f"/api/v1/declarations/{lodged['id']}/amendments",
        json=amended,
        headers={**api.as_("broker"), "If-Match": '"v1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == 2
    assert response.headers["ETag"] == '"v2"'
    assert body["mrn"] == lodged["mrn"]
    # (18400 + 1650 + 92) EUR at 0.85425 = 17206.30 GBP
    assert body["customs_value"]["amount"] == "17206.30"
    history = api.get(
        f"/api/v1/declarations/{lodged['id']}/history", headers=api.as_("broker")
    ).json()
    assert [entry["event"] for entry in history] == [
        "DeclarationLodged",
        "DeclarationAccepted",
        "DeclarationAssessed",
        "DeclarationRiskScored",
        "DeclarationLaned",
        "DeclarationHeld",
        "DeclarationAmended",
        "DeclarationAssessed",
        "DeclarationRiskScored",
        "DeclarationLaned",
        "DeclarationHeld",
    ]
    # The new version went through risk and lane again: still held for its document check.
    assert [entry["version"] for entry in history[-5:]] == [2] * 5
    assert (body["status"], body["risk"]["outcome"]) == ("held", "document_check")
    assert officers_view(api, lodged["id"])["risk"]["lane"] == "yellow"
    queue = api.get("/api/v1/work-queue", headers=api.as_("officer")).json()["items"]
    assert [(item["declaration_id"], item["version"]) for item in queue] == [(lodged["id"], 2)]


def test_amendment_against_a_stale_version_is_refused(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    amended = example("import")
    amended["insurance"]["amount"] = "95.00"
    first = api.post(
        f"/api/v1/declarations/{lodged['id']}/amendments",
        json=amended,
        headers={**api.as_("broker"), "If-Match": '"v1"'},
    )
    assert first.status_code == 200
    amended["insurance"]["amount"] = "99.00"
    stale = api.post(
        f"/api/v1/declarations/{lodged['id']}/amendments",
        json=amended,
        headers={**api.as_("broker"), "If-Match": '"v1"'},
    )
    assert stale.status_code == 412
    current = api.get(f"/api/v1/declarations/{lodged['id']}", headers=api.as_("broker")).json()
    assert current["declaration"]["insurance"]["amount"] == "95.00"


def test_amendment_cannot_change_identity_or_break_rules(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    amended = example("import")
    amended["lrn"] = "NWT-2026-999999"
    amended["items"][0]["gross_mass_kg"] = "100"
    response = api.post(
        f"/api/v1/declarations/{lodged['id']}/amendments", json=amended, headers=api.as_("broker")
    )
    assert response.status_code == 422
    codes = {(error["code"], error["pointer"]) for error in response.json()["errors"]}
    assert codes == {("AM002", "/lrn"), ("BR034", "/items/0/gross_mass_kg")}
    unchanged = api.get(f"/api/v1/declarations/{lodged['id']}", headers=api.as_("broker")).json()
    assert unchanged["version"] == 1


def test_cancel_then_no_more_changes(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    cancelled = api.post(
        f"/api/v1/declarations/{lodged['id']}/cancellation",
        json={"reason": "goods not shipped"},
        headers=api.as_("broker"),
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = api.post(
        f"/api/v1/declarations/{lodged['id']}/cancellation",
        json={"reason": "goods not shipped"},
        headers=api.as_("broker"),
    )
    assert again.status_code == 409
    amend = api.post(
        f"/api/v1/declarations/{lodged['id']}/amendments",
        json=example("import"),
        headers=api.as_("broker"),
    )
    assert amend.status_code == 409
    history = api.get(
        f"/api/v1/declarations/{lodged['id']}/history", headers=api.as_("officer")
    ).json()
    assert history[-1]["event"] == "DeclarationCancelled"
    assert history[-1]["data"] == {"reason": "goods not shipped"}


def test_only_parties_cancel_and_officers_may_too(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    stranger = api.post(
        f"/api/v1/declarations/{lodged['id']}/cancellation",
        json={"reason": "mischief"},
        headers=api.as_("stranger"),
    )
    assert stranger.status_code == 404
    auditor = api.post(
        f"/api/v1/declarations/{lodged['id']}/cancellation",
        json={"reason": "auditing"},
        headers=api.as_("auditor"),
    )
    assert auditor.status_code == 403
    officer = api.post(
        f"/api/v1/declarations/{lodged['id']}/cancellation",
        json={"reason": "lodged at the wrong office"},
        headers=api.as_("officer"),
    )
    assert officer.status_code == 200
