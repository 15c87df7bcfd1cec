"""Screening through the API on each database: the list versions, screening a name, and the
agency's dismissals of false positives, which stop a match recurring for that party only."""

from __future__ import annotations

from typing import Any

from clearway.adapters.screening_store import load_list
from clearway.bootstrap import Runtime
from clearway.domain.declaration import Party
from tests.e2e.test_tariff_api import assert_problem

SCREENING = "/api/v1/screening"
CUBAN_BANK = {"name": "Banco Nacional de Cuba", "id": "GB123456789000", "country": "GB"}


def load_shipped(runtime: Runtime, shipped_lists: list[Any]) -> None:
    with runtime.engine.begin() as connection:
        for listed in shipped_lists:
            load_list(connection, listed, actor="tests", at=runtime.context.now())
    runtime.refresh_screening()


def test_screen_lists_and_dismiss(
    api: Any, runtime: Runtime, shipped_lists: list[Any], screener_full: Any
) -> None:
    # nothing loaded: nothing matches
    empty = api.post(
        f"{SCREENING}/screen", json={"name": "Banco Nacional de Cuba"}, headers=api.as_("officer")
    )
    assert empty.status_code == 200, empty.text
    assert empty.json()["matches"] == []

    load_shipped(runtime, shipped_lists)
    # the index built for the session is reused, not rebuilt
    assert runtime.context.screening.entities is screener_full.entities
    versions = api.get(f"{SCREENING}/lists", headers=api.as_("officer")).json()
    assert {(v["source"], v["entity_count"], v["current"]) for v in versions} == {
        ("ofac-sdn", 8976, True),
        ("bis-dpl", 459, True),
        ("un", 1003, True),
    }

    found = api.post(
        f"{SCREENING}/screen",
        json={"name": "Banco Nacional de Cuba", "country": "CU"},
        headers=api.as_("analyst"),
    )
    assert found.status_code == 200, found.text
    top = found.json()["matches"][0]
    assert (top["entity_id"], top["score"]) == ("ofac-sdn:306", 1.0)
    assert top["explanation"]["components"]["country"] > 0
    assert "banco=banco" in top["explanation"]["text"]

    # Traders may not screen; only the agency manages dismissals.
    assert_problem(
        api.post(f"{SCREENING}/screen", json={"name": "x"}, headers=api.as_("broker")), 403
    )
    body = {"party": CUBAN_BANK, "entity_id": "ofac-sdn:306", "reason": "client since 1990"}
    assert_problem(api.post(f"{SCREENING}/dismissals", json=body, headers=api.as_("officer")), 403)

    agency = api.as_("agency")
    created = api.post(f"{SCREENING}/dismissals", json=body, headers=agency)
    assert created.status_code == 201, created.text
    dismissal = created.json()
    assert created.headers["location"] == f"{SCREENING}/dismissals/{dismissal['id']}"
    assert dismissal["party_key"] == "GB123456789000|banco cuba de nacional|GB"
    assert dismissal["decided_by"] == "agency"

    screener = runtime.context.screening
    party = Party("BANCO NACIONAL DE CUBA", id="GB123456789000", country="GB")
    assert "ofac-sdn:306" not in [m.entity_id for m in screener.screen_party(party)]
    stranger = Party("Banco Nacional de Cuba", id="GB000000000001", country="GB")
    assert "ofac-sdn:306" in [m.entity_id for m in screener.screen_party(stranger)]

    assert_problem(api.post(f"{SCREENING}/dismissals", json=body, headers=agency), 409)
    unknown = {**body, "entity_id": "ofac-sdn:999999999"}
    assert_problem(api.post(f"{SCREENING}/dismissals", json=unknown, headers=agency), 404)
    listed = api.get(f"{SCREENING}/dismissals", headers=agency).json()
    assert [d["entity_id"] for d in listed] == ["ofac-sdn:306"]

    removed = api.delete(f"{SCREENING}/dismissals/{dismissal['id']}", headers=agency)
    assert removed.status_code == 204, removed.text
    assert "ofac-sdn:306" in [m.entity_id for m in runtime.context.screening.screen_party(party)]
    assert_problem(api.delete(f"{SCREENING}/dismissals/{dismissal['id']}", headers=agency), 404)


def test_bad_screen_requests_are_problems(api: Any) -> None:
    officer = api.as_("officer")
    assert_problem(api.post(f"{SCREENING}/screen", json={"name": ""}, headers=officer), 422)
    bad_country = {"name": "Anyone", "country": "Britain"}
    assert_problem(api.post(f"{SCREENING}/screen", json=bad_country, headers=officer), 422)
    assert_problem(api.post(f"{SCREENING}/screen", json={"name": "x"}), 401)


def test_a_name_in_look_alike_letters_is_found_through_the_api(
    api: Any, runtime: Runtime, shipped_lists: list[Any], screener_full: Any
) -> None:
    load_shipped(runtime, shipped_lists)
    # BANCO NACIONAL DE CUBA typed with the Cyrillic letters for B, A, C, O and E
    disguised = "\u0412\u0410N\u0421\u041e N\u0410\u0421I\u041eN\u0410L D\u0415 \u0421U\u0412\u0410"
    found = api.post(f"{SCREENING}/screen", json={"name": disguised}, headers=api.as_("officer"))
    assert found.status_code == 200, found.text
    top = found.json()["matches"][0]
    assert (top["entity_id"], top["score"]) == ("ofac-sdn:306", 1.0)
    assert (
        "mixes scripts: Cyrillic letters written to look like Latin ones"
        in (top["explanation"]["text"])
    )
