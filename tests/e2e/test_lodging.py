"""Lodging through the API: the shared examples, idempotency, MRNs, values and events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clearway.domain.mrn import is_valid_mrn
from tests.conftest import PASSWORD, USERS, example, example_bytes


def test_both_examples_accepted_exactly_as_they_are_with_a_token_from_login(
    api: Any, runtime: Any
) -> None:
    for username in ("broker", "acme"):
        role, company = USERS[username]
        runtime.users.create(username, PASSWORD, role, company)
    results = {}
    for username, name in (("broker", "import"), ("acme", "export")):
        login = api.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert login.status_code == 200
        assert login.json()["token_type"] == "bearer"
        headers = {
            "Authorization": f"Bearer {login.json()['access_token']}",
            "Content-Type": "application/json",
        }
        response = api.post("/api/v1/declarations", content=example_bytes(name), headers=headers)
        assert response.status_code == 201, response.text
        results[name] = response.json()
        assert response.headers["Location"] == f"/api/v1/declarations/{results[name]['id']}"
        assert response.headers["ETag"] == '"v1"'

    imported = results["import"]
    assert imported["status"] == "held"
    assert is_valid_mrn(imported["mrn"]) and imported["mrn"].startswith("26GB")
    assert imported["mrn"][16] == "R"
    # FOB Agadir: CIF value adds freight and insurance, all EUR at 0.85425 GBP (Nov 2026).
    assert imported["valuation"]["rates"] == {"EUR": "0.85425"}
    assert imported["customs_value"] == {"currency": "GBP", "amount": "16950.03"}
    assert Decimal(imported["valuation"]["items"][0]["freight"]) == Decimal("1350.00") * Decimal(
        "0.85425"
    )
    assert imported["declaration"] == example("import")

    exported = results["export"]
    assert exported["mrn"][16] == "A"
    # FCA in GBP: an export is valued FOB, nothing to add or convert.
    assert exported["customs_value"] == {"currency": "GBP", "amount": "48600.00"}
    assert exported["declaration"]["items"][0]["control"] == {
        "list": "dual-use",
        "entry": "2B350.i",
    }


def test_same_lrn_again_returns_the_same_declaration(api: Any, lodge: Any) -> None:
    first = lodge(example("import"))
    again = lodge(example("import"))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["mrn"] == first.json()["mrn"]
    listed = api.get("/api/v1/declarations", headers=api.as_("officer")).json()["items"]
    assert [item["id"] for item in listed] == [first.json()["id"]]
    history = api.get(
        f"/api/v1/declarations/{first.json()['id']}/history", headers=api.as_("broker")
    ).json()
    assert [entry["event"] for entry in history] == [
        "DeclarationLodged",
        "DeclarationAccepted",
        "DeclarationAssessed",
        "DeclarationRiskScored",
        "DeclarationLaned",
        "DeclarationHeld",
    ]


def test_same_lrn_with_other_content_is_a_conflict(api: Any, lodge: Any) -> None:
    first = lodge(example("import"))
    changed = example("import")
    changed["items"][0]["description"] = "Fresh cherry tomatoes on the vine, in 5 kg cartons"
    response = lodge(changed)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert first.json()["id"] in response.json()["detail"]


def test_get_by_id_and_by_mrn(api: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    by_id = api.get(f"/api/v1/declarations/{lodged['id']}", headers=api.as_("broker"))
    by_mrn = api.get(f"/api/v1/declarations/{lodged['mrn']}", headers=api.as_("officer"))
    assert by_id.status_code == by_mrn.status_code == 200
    # The same declaration; its declarant reads the outcome of the risk stage, not its reasons.
    declarant, officer = by_id.json(), by_mrn.json()
    assert declarant.pop("risk")["outcome"] == "document_check"
    assert officer.pop("risk")["lane"] == "yellow"
    assert declarant == officer
    assert by_id.headers["ETag"] == '"v1"'


def test_events_have_increasing_sequence_numbers(api: Any, lodge: Any) -> None:
    lodge(example("import"))
    lodge(example("export"), "acme")
    sequences = []
    for item in api.get("/api/v1/declarations", headers=api.as_("auditor")).json()["items"]:
        history = api.get(
            f"/api/v1/declarations/{item['id']}/history", headers=api.as_("auditor")
        ).json()
        sequences.extend(entry["sequence"] for entry in history)
    # lodged, accepted, assessed, risk-scored, laned and held for each of the two, and the
    # export referred to the agency (it cites a licence that was never issued)
    assert sorted(sequences) == list(range(1, 14))
