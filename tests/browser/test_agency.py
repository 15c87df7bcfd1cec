"""The export-control agency's pages in a real browser: referrals decided on their findings,
licences issued and suspended, the control list and the screening lists."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx2 as httpx

from clearway.adapters.screening_store import list_versions
from tests.conftest import example

LISTED = "Al Wasel & Babel General Trading L.L.C."  # OFAC SDN entry 8210, with a Dubai address


def _token(portal: Any, username: str) -> dict[str, str]:
    answer = httpx.post(
        f"{portal.url}/api/v1/auth/token",
        data={"username": username, "password": portal.password[username]},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _lodge(portal: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Lodge as the exporter through the API; the declaration comes back referred."""
    answer = httpx.post(
        f"{portal.url}/api/v1/declarations", json=payload, headers=_token(portal, "exporter")
    )
    assert answer.status_code == 201, answer.text
    lodged: dict[str, Any] = answer.json()
    assert lodged["status"] == "held" and lodged["referral"]["state"] == "open", lodged
    return lodged


def _status(portal: Any, declaration_id: str) -> str:
    answer = httpx.get(
        f"{portal.url}/api/v1/declarations/{declaration_id}", headers=_token(portal, "exporter")
    )
    status: str = answer.json()["status"]
    return status


def _refused(page: Any, status: int) -> None:
    """The browser reports a page answered with an error status (a form sent back with its
    problems, a refusal) on the console; that one, expected, is no script error."""
    expected = f"Failed to load resource: the server responded with a status of {status}"
    assert any(error.startswith(expected) for error in page.script_errors), page.script_errors
    page.script_errors[:] = [e for e in page.script_errors if not e.startswith(expected)]


def _unlicensed() -> dict[str, Any]:
    """The export example without the licence it cites: referred, licence missing."""
    payload = example("export")
    payload["lrn"] = f"AG-NL-{uuid.uuid4().hex[:10]}"
    for item in payload["items"]:
        item["documents"] = [d for d in item["documents"] if d["type"] != "X060"]
    return payload


def _listed_end_user() -> dict[str, Any]:
    payload = example("export")
    payload["lrn"] = f"AG-SDN-{uuid.uuid4().hex[:10]}"
    payload["end_user"]["name"] = LISTED
    return payload


def test_the_agency_decides_referrals_on_their_findings(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    unlicensed = _lodge(portal, _unlicensed())
    sanctioned = _lodge(portal, _listed_end_user())
    sign_in(page, "agency")
    page.goto("/agency")
    queue = page.get_by_role("table")
    for lodged in (unlicensed, sanctioned):
        row = queue.get_by_role("row").filter(has_text=lodged["mrn"])
        assert (
            row.get_by_role("cell")
            .first.inner_text()
            .startswith(re.sub(r"^0", "", f"{lodged['referral']['deadline'][8:10]}"))
        )
        assert "Acme Process Pumps Ltd" in row.inner_text()
        assert "AE" in row.inner_text()
    assert (
        "No licence cited"
        in queue.get_by_role("row").filter(has_text=unlicensed["mrn"]).inner_text()
    )
    assert (
        "Sanctions list match"
        in queue.get_by_role("row").filter(has_text=sanctioned["mrn"]).inner_text()
    )
    shoot(page, "agency-referrals")
    accessible(page, "agency-referrals")

    # The sanctions referral: the listed entity beside the declared end user.
    page.get_by_role("link", name=sanctioned["mrn"]).click()
    page.wait_for_url(re.compile(r"/agency/referrals/"))
    # The best match first: the entity the end user's name is listed under.
    comparison = page.get_by_role("table", name=re.compile("declared end user beside")).first
    name_row = comparison.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Name"))
    assert LISTED in name_row.get_by_role("cell").nth(0).inner_text()
    assert (
        "AL WASEL AND BABEL GENERAL TRADING LLC" in name_row.get_by_role("cell").nth(1).inner_text()
    )
    address_row = comparison.get_by_role("row", name=re.compile("^Address"))
    assert "Sharjah" in address_row.inner_text() and "Dubai" in address_row.inner_text()
    assert "OFAC Specially Designated Nationals" in comparison.inner_text()
    assert "ofac-sdn:8210" in comparison.inner_text()
    assert "with a score of 1.00" in page.locator("main").inner_text()
    shoot(page, "agency-referral")
    accessible(page, "agency-referral")

    # A question to the exporter, and the exporter's reply.
    page.get_by_label("Your question").fill("Who operates the plant in Sharjah?")
    page.get_by_role("button", name="Send the question").click()
    assert page.get_by_role("status").first.inner_text().startswith("Question sent")
    assert page.locator("#question-asked").inner_text() == "Who operates the plant in Sharjah?"
    assert "Waiting for the exporter" in page.locator("dl.facts").inner_text()
    replied = httpx.post(
        f"{portal.url}/api/v1/declarations/{sanctioned['id']}/referral/reply",
        json={"reply": "Gulf Petrochemical Services LLC runs it."},
        headers=_token(portal, "exporter"),
    )
    assert replied.status_code == 200, replied.text
    page.reload()
    assert (
        page.locator("#exporter-reply").inner_text() == "Gulf Petrochemical Services LLC runs it."
    )

    # A denial needs its reason; then the declaration is rejected.
    page.get_by_role("button", name="Deny the export").click()
    summary = page.get_by_role("alert")
    assert "Enter the reason for the denial" in summary.inner_text()
    assert page.locator("#f-deny_reason-error").inner_text() == "Enter the reason for the denial"
    _refused(page, 422)
    shoot(page, "agency-referral-errors")
    accessible(page, "agency-referral-errors")
    page.get_by_label("Reason for the denial").fill("End user is on the OFAC SDN list.")
    page.get_by_role("button", name="Deny the export").click()
    assert page.get_by_role("status").first.inner_text().startswith("Export denied")
    assert page.locator("#declaration-status").inner_text() == "Rejected"
    assert _status(portal, sanctioned["id"]) == "rejected"
    assert page.get_by_role("button", name="Approve the export").count() == 0

    # The licence-only referral: approved, clearance resumes with the lane it was given.
    page.goto("/agency")
    page.get_by_role("link", name=unlicensed["mrn"]).click()
    page.get_by_label("Note").fill("Licence application GBSIEL/2026/0007777 granted today.")
    page.get_by_role("button", name="Approve the export").click()
    assert page.get_by_role("status").first.inner_text().startswith("Export approved")
    resumed = _status(portal, unlicensed["id"])
    assert resumed in ("released", "held")
    assert page.locator("#declaration-status").inner_text() == resumed.capitalize()
    page.goto("/agency?show=answered")
    answered = page.get_by_role("table").inner_text()
    assert unlicensed["mrn"] in answered and sanctioned["mrn"] in answered
    page.goto("/agency")
    assert unlicensed["mrn"] not in page.locator("main").inner_text()

    # Another role is refused the agency's pages.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "trader")
    for address in ("/agency", "/agency/licences", "/agency/lists"):
        answer = page.goto(address)
        assert answer is not None and answer.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == "Forbidden"
        _refused(page, 403)
    shoot(page, "agency-refused")
    assert page.script_errors == []


def test_the_agency_issues_suspends_and_reinstates_a_licence(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    number = f"GBSIEL/2026/{uuid.uuid4().int % 10**7:07d}"
    sign_in(page, "agency")
    page.goto("/agency/licences")
    shoot(page, "agency-licences")
    accessible(page, "agency-licences")
    page.get_by_role("link", name="Issue a licence").click()
    # Sent half filled in: every problem at once, each beside its field.
    page.get_by_label("Licence number").fill(number)
    page.get_by_label("Line 1, quantity").fill("lots")
    page.get_by_role("button", name="Issue the licence").click()
    summary = page.get_by_role("alert").inner_text()
    for problem in ("Holder EORI", "Destination countries", "Valid from", "Line 1, quantity"):
        assert problem in summary
    assert page.locator("#f-items-0-quantity-error").is_visible()
    _refused(page, 422)
    shoot(page, "agency-licence-form")
    accessible(page, "agency-licence-form")
    page.get_by_label("Holder EORI").fill("GB555000111000")
    page.get_by_label("Holder name").fill("Acme Process Pumps Ltd")
    page.get_by_label("Destination countries").fill("AE, SA")
    page.get_by_label("Valid from").fill("2026-01-01")
    page.get_by_label("Valid to").fill("2027-06-30")
    page.get_by_label("End users").fill("Gulf Petrochemical Services LLC")
    page.get_by_label("Line 1, description").fill("Seal-less pumps")
    page.get_by_label("Line 1, commodity code").fill("841370")
    page.get_by_label("Line 1, control-list entry").fill("2B350.i")
    page.get_by_label("Line 1, quantity").fill("12")
    page.get_by_label("Line 1, unit").fill("NAR")
    page.get_by_label("Line 1, value").fill("96000")
    page.get_by_label("Line 1, currency").fill("GBP")
    page.get_by_role("button", name="Issue the licence").click()
    assert page.get_by_role("status").first.inner_text() == (
        f"Licence {number} issued to Acme Process Pumps Ltd."
    )
    assert (
        "12 of 12 NAR; 96,000.00 of 96,000.00 GBP" in page.get_by_role("table").first.inner_text()
    )
    shoot(page, "agency-licence")
    accessible(page, "agency-licence")
    page.goto("/agency/licences")
    row = page.get_by_role("row").filter(has_text=number)
    assert "Acme Process Pumps Ltd" in row.inner_text() and "Active" in row.inner_text()
    assert "1 Jan 2026 to 30 Jun 2027" in row.inner_text()
    row.get_by_role("link", name=number).click()

    page.get_by_role("button", name="Suspend the licence").click()
    assert "Enter the reason the licence is suspended" in page.get_by_role("alert").inner_text()
    _refused(page, 422)
    page.get_by_label("Reason for suspending").fill("End-use check pending.")
    page.get_by_role("button", name="Suspend the licence").click()
    assert page.get_by_role("status").first.inner_text() == f"Licence {number} suspended."
    assert "Suspended" in page.locator("dl.facts").inner_text()
    page.get_by_label("Reason for reinstating").fill("Check passed.")
    page.get_by_role("button", name="Reinstate the licence").click()
    assert page.get_by_role("status").first.inner_text() == f"Licence {number} reinstated."
    page.goto("/agency/licences?state=active")
    assert "Active" in page.get_by_role("row").filter(has_text=number).inner_text()

    # An amendment keeps the number and takes the new terms.
    page.goto(f"/agency/licences/{number}/amend")
    page.get_by_label("Line 1, quantity").fill("20")
    page.get_by_role("button", name="Save the amendment").click()
    assert page.get_by_role("status").first.inner_text() == f"Licence {number} amended."
    assert "20 of 20 NAR" in page.locator("main").inner_text()
    assert page.script_errors == []


def test_the_agency_reads_its_lists_and_screens_a_name(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any, tmp_path: Path
) -> None:
    with portal.runtime.engine.connect() as connection:
        (sdn,) = [v for v in list_versions(connection) if v.current and v.source == "ofac-sdn"]
    sign_in(page, "agency")
    page.goto("/agency/lists")
    row = page.get_by_role("row").filter(has_text="OFAC Specially Designated Nationals")
    assert f"{sdn.entity_count:,}" in row.inner_text() and "In use" in row.inner_text()
    page.get_by_role("textbox", name="Name", exact=True).fill("Al Wasel and Babel General Trading")
    page.get_by_role("button", name="Screen").click()
    results = page.get_by_role("table", name=re.compile("for “Al Wasel"))
    best = results.get_by_role("row").nth(1)
    assert "AL WASEL AND BABEL GENERAL TRADING LLC" in best.inner_text()
    assert "ofac-sdn:8210" in best.inner_text()
    shoot(page, "agency-lists")
    accessible(page, "agency-lists")

    page.goto("/agency/control-list")
    entry = page.get_by_role("row").filter(has=page.get_by_role("cell", name="2B350.i", exact=True))
    assert "841370" in entry.inner_text()
    shoot(page, "agency-control-list")
    accessible(page, "agency-control-list")
    # A file that does not hold together is refused with every problem; nothing changes.
    broken = tmp_path / "control-list.json"
    broken.write_text(
        json.dumps(
            {
                "version": "broken",
                "entries": [{"code": "2B350", "description": "Chemical plant"}],
                "correlation": [{"commodity_code": "841370", "entry": "2B350.z"}],
            }
        )
    )
    page.get_by_label("Control-list file (JSON)").set_input_files(str(broken))
    page.get_by_role("button", name="Load this version").click()
    refusal = page.get_by_role("alert").inner_text()
    assert "Correlation row 1, entry: 2B350.z is not an entry of the list" in refusal
    _refused(page, 422)
    assert "In force" in page.locator("main").inner_text()
    shoot(page, "agency-control-list-refused")
    accessible(page, "agency-control-list-refused")
    assert page.script_errors == []
