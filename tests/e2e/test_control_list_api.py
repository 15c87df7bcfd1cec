"""The control list through the API, on each database: every role reads the illustrative list
every runtime starts with, the agency alone loads a new version, which applies at once and
keeps the old one in the history, and a list that does not hold together is refused whole."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from clearway.adapters.control_list_files import shipped_control_list
from clearway.bootstrap import Runtime
from clearway.domain.export_control.control_list import ControlCode
from clearway.domain.export_control.control_list_document import control_list_document
from tests.e2e.test_tariff_api import assert_problem

CONTROL_LIST = "/api/v1/control-list"


@pytest.fixture(scope="module")
def shipped_document() -> dict[str, Any]:
    return control_list_document(shipped_control_list())


def new_version(shipped_document: dict[str, Any]) -> dict[str, Any]:
    """The shipped list as the agency's own: not illustrative, and the UAE refers category 2."""
    document = copy.deepcopy(shipped_document)
    document.update(version="2026-12", label="National dual-use list", illustrative=False)
    document["destinations"].append(
        {
            "list": "National watch list",
            "country": "AE",
            "action": "refer",
            "scope": "entries",
            "entries": ["2B350"],
            "legal_basis": "National export control order, Schedule 3",
        }
    )
    return document


def test_every_runtime_starts_with_the_illustrative_list(runtime: Runtime) -> None:
    control_list = runtime.context.control_list
    assert control_list.illustrative
    assert len(control_list.entries) == 47
    assert [str(e.code) for e in control_list.correlated_entries("8413705140")] == ["2B350.i"]


@pytest.mark.parametrize("username", ["acme", "officer", "agency", "analyst", "admin", "auditor"])
def test_every_role_reads_the_list(api: Any, username: str) -> None:
    response = api.get(CONTROL_LIST, headers=api.as_(username))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["version"], body["illustrative"], body["current"]) == (
        1,
        "illustrative-2026.1",
        True,
        True,
    )
    assert (body["entry_count"], body["correlation_count"], body["destination_count"]) == (
        47,
        44,
        6,
    )
    assert len(body["entries"]) == 47
    assert body["loaded_by"] == "clearway"


def test_reading_needs_credentials(api: Any) -> None:
    assert_problem(api.get(CONTROL_LIST), 401)


def test_entries_are_searched_by_words_code_and_category(api: Any) -> None:
    headers = api.as_("acme")
    found = api.get(CONTROL_LIST, params={"q": "pumps"}, headers=headers).json()["entries"]
    assert found == [
        {
            "code": "2B350.i",
            "category": 2,
            "group": "B",
            "description": found[0]["description"],
            "reasons": ["CB"],
            "parent": "2B350",
        }
    ]
    assert found[0]["description"].startswith("Multiple-seal and seal-less pumps")
    by_category = api.get(CONTROL_LIST, params={"category": 9}, headers=headers).json()
    assert [e["code"] for e in by_category["entries"]] == ["9A004", "9A012", "9E003"]
    assert by_category["entry_count"] == 47
    assert_problem(api.get(CONTROL_LIST, params={"category": 10}, headers=headers), 400)


def test_an_entry_with_its_sub_entries_correlation_and_measures(api: Any) -> None:
    response = api.get(f"{CONTROL_LIST}/entries/2B350", headers=api.as_("acme"))
    assert response.status_code == 200, response.text
    entry = response.json()
    assert entry["parent"] is None
    assert [sub["code"] for sub in entry["sub_entries"]] == [f"2B350.{s}" for s in "abcdefghi"]
    pumps = [row for row in entry["correlation"] if row["commodity_code"] == "841370"]
    assert [row["entry"] for row in pumps] == ["2B350.i"]
    assert [(m["country"], m["action"]) for m in entry["destinations"]] == [
        ("KP", "prohibit"),
        ("RU", "prohibit"),
        ("BY", "prohibit"),
        ("IR", "refer"),
        ("SY", "refer"),
    ]
    sub = api.get(f"{CONTROL_LIST}/entries/2B350.i", headers=api.as_("acme")).json()
    assert sub["parent"] == "2B350"
    assert [row["commodity_code"] for row in sub["correlation"]] == ["841370", "841381", "841410"]


def test_an_unlisted_or_malformed_entry_code(api: Any) -> None:
    headers = api.as_("officer")
    unlisted = assert_problem(api.get(f"{CONTROL_LIST}/entries/2B350.i.1", headers=headers), 404)
    assert unlisted["detail"] == (
        "2B350.i.1 is not an entry of the control list; it falls under 2B350.i"
    )
    malformed = assert_problem(api.get(f"{CONTROL_LIST}/entries/2F350", headers=headers), 400)
    assert "group letter A to E" in malformed["detail"]


def test_the_correlation_of_the_export_example_and_its_destination(api: Any) -> None:
    headers = api.as_("acme")
    query = {"commodity_code": "8413705140", "destination": "AE"}
    response = api.get(f"{CONTROL_LIST}/correlation", params=query, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [e["code"] for e in body["entries"]] == ["2B350.i"]
    assert [row["commodity_code"] for row in body["correlation"]] == ["841370"]
    assert (body["destination"], body["measures"]) == ("AE", [])
    query["destination"] = "IR"
    iran = api.get(f"{CONTROL_LIST}/correlation", params=query, headers=headers).json()
    assert iran["measures"] == [
        {
            "list": "EU Reg. 267/2012 Iran",
            "country": "IR",
            "action": "refer",
            "scope": "categories",
            "categories": [0, 1, 2, 3, 5, 6, 9],
            "entries": [],
            "legal_basis": "Council Regulation (EU) No 267/2012 (prior authorisation of listed "
            "items)",
        }
    ]
    odd = {"commodity_code": "84137"}
    assert_problem(api.get(f"{CONTROL_LIST}/correlation", params=odd, headers=headers), 400)


def test_destination_measures_by_country(api: Any) -> None:
    headers = api.as_("auditor")
    every = api.get(f"{CONTROL_LIST}/destinations", headers=headers).json()
    assert [m["country"] for m in every] == ["KP", "RU", "BY", "IR", "SY", "MM"]
    russia = api.get(f"{CONTROL_LIST}/destinations", params={"country": "RU"}, headers=headers)
    assert [(m["list"], m["action"], m["scope"]) for m in russia.json()] == [
        ("EU Reg. 833/2014 Russia", "prohibit", "all-dual-use")
    ]
    assert api.get(f"{CONTROL_LIST}/destinations?country=AE", headers=headers).json() == []


@pytest.mark.parametrize("username", ["acme", "officer", "analyst", "admin"])
def test_only_the_agency_loads_a_version(
    refusing_api: Any, shipped_document: dict[str, Any], username: str
) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    response = api.put(CONTROL_LIST, json=new_version(shipped_document), headers=api.as_(username))
    problem = assert_problem(response, 403)
    assert "manage export control" in problem["detail"]
    assert runtime.context.control_list.illustrative


def test_the_agency_loads_a_version_that_applies_at_once(
    api: Any, runtime: Runtime, shipped_document: dict[str, Any]
) -> None:
    response = api.put(CONTROL_LIST, json=new_version(shipped_document), headers=api.as_("agency"))
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["id"], summary["version"], summary["label"]) == (
        2,
        "2026-12",
        "National dual-use list",
    )
    assert (summary["illustrative"], summary["loaded_by"], summary["source"]) == (
        False,
        "agency",
        "api",
    )
    assert summary["destination_count"] == 7
    # this server applies it at once: the export example's pumps are now referred for the UAE
    in_force = runtime.context.control_list
    assert not in_force.illustrative
    measures = in_force.destination_measures("AE", [ControlCode.parse("2B350.i")])
    assert [measure.list_name for measure in measures] == ["National watch list"]
    query = {"commodity_code": "8413705140", "destination": "AE"}
    body = api.get(f"{CONTROL_LIST}/correlation", params=query, headers=api.as_("acme")).json()
    assert [m["list"] for m in body["measures"]] == ["National watch list"]
    versions = api.get(f"{CONTROL_LIST}/versions", headers=api.as_("auditor")).json()
    assert [(v["id"], v["current"], v["illustrative"]) for v in versions] == [
        (2, True, False),
        (1, False, True),
    ]


def test_a_list_that_does_not_hold_together_is_refused_whole(
    api: Any, runtime: Runtime, shipped_document: dict[str, Any]
) -> None:
    document = new_version(shipped_document)
    document["entries"][1]["code"] = "0A01.a"
    document["correlation"][0]["entry"] = "2B350.z"
    document["correlation"][1]["commodity_code"] = "84014"
    document["destinations"][0]["country"] = "XX"
    document["destinations"][3]["scope"] = "all-dual-use"
    response = api.put(CONTROL_LIST, json=document, headers=api.as_("agency"))
    problem = assert_problem(response, 422)
    assert problem["type"] == "urn:clearway:problem:control-list-rejected"
    assert [(error["pointer"], error["code"]) for error in problem["errors"]] == [
        ("/entries/1/code", "CONTROL_LIST"),
        ("/correlation/1/commodity_code", "CONTROL_LIST"),
        ("/destinations/0/country", "CONTROL_LIST"),
        ("/destinations/3", "CONTROL_LIST"),
    ]
    assert problem["errors"][3]["detail"] == (
        "EU Reg. 267/2012 Iran: scope all-dual-use takes neither categories nor entries"
    )
    # with those mended, the unlisted entry in the correlation is the one problem left
    document["entries"][1]["code"] = "0A001.a"
    document["correlation"][1]["commodity_code"] = "840140"
    document["destinations"][0]["country"] = "KP"
    document["destinations"][3]["scope"] = "categories"
    response = api.put(CONTROL_LIST, json=document, headers=api.as_("agency"))
    problem = assert_problem(response, 422)
    assert problem["errors"] == [
        {
            "code": "CONTROL_LIST",
            "pointer": "/correlation/0/entry",
            "detail": "2B350.z is not an entry of the list",
        }
    ]
    assert problem["detail"] == "/correlation/0/entry: 2B350.z is not an entry of the list"
    # nothing was stored and the list in force is the same
    versions = api.get(f"{CONTROL_LIST}/versions", headers=api.as_("agency")).json()
    assert [v["id"] for v in versions] == [1]
    assert runtime.context.control_list.illustrative


def test_a_body_of_the_wrong_shape_is_refused_with_pointers(api: Any) -> None:
    body = {"label": "x", "entries": [{"code": "2B350"}], "destinations": [{"list": "L"}]}
    problem = assert_problem(api.put(CONTROL_LIST, json=body, headers=api.as_("agency")), 422)
    pointers = {error["pointer"] for error in problem["errors"]}
    assert {"/entries/0/description", "/destinations/0/country", "/destinations/0/action"} <= (
        pointers
    )
