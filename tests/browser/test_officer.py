"""The customs officer's pages in a real browser: the work queue, the search and one
declaration with its claim, findings, release and rejection."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx2 as httpx
from playwright.sync_api import expect

from clearway.domain.access import Principal, Role
from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.schemas import parse_declaration
from clearway.entrypoints.web.rendering import money
from clearway.services.lodging import LodgeDeclaration, lodge_declaration
from tests.conftest import example

LIVE = 12_000  # the pages poll every 5 s
# These tests lodge at Immingham and look at its queue: the portal is shared with the other
# roles' tests, whose held declarations at other offices would push these off the first page.
OFFICE = "GBIMM001"


def lodge_held_import(portal: Any) -> DeclarationRecord:
    """The import example as ``broker`` lodges it, without its phytosanitary certificate:
    held in the yellow lane for a document check."""
    payload = example("import")
    payload["lrn"] = f"OFF-{uuid.uuid4().hex[:12].upper()}"
    payload["office"] = OFFICE
    parsed = parse_declaration(payload)
    broker = Principal("broker", Role.TRADER, portal.company["broker"])
    command = LodgeDeclaration(parsed.declaration, parsed.document, broker)
    record = lodge_declaration(command, portal.runtime.uow(), portal.runtime.context).record
    assert record.status.value == "held" and record.risk is not None
    assert record.risk["lane"] == "yellow"
    return record


def queue_row(page: Any, mrn: str) -> Any:
    return page.locator("#queue tbody tr").filter(has_text=mrn)


def api_queue_item(portal: Any, mrn: str) -> dict[str, Any]:
    """The declaration as the API's work queue lists it to an officer."""
    with httpx.Client(base_url=portal.url) as client:
        token = client.post(
            "/api/v1/auth/token",
            data={"username": "officer", "password": portal.password["officer"]},
        ).json()["access_token"]
        answer = client.get(
            "/api/v1/work-queue",
            params={"lane": "yellow", "limit": 500},
            headers={"Authorization": f"Bearer {token}"},
        )
    (item,) = [item for item in answer.json()["items"] if item["mrn"] == mrn]
    return item


def test_an_officer_claims_checks_and_releases_a_held_import(
    page: Any, browser: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    record = lodge_held_import(portal)
    mrn = record.mrn
    assert mrn is not None
    sign_in(page, "officer")
    page.get_by_label("Lane").select_option("yellow")
    page.get_by_label("Office").fill(OFFICE)
    page.get_by_role("button", name="Show").click()
    row = queue_row(page, mrn)
    expect(row).to_contain_text("GB123456789000")
    expect(row).to_contain_text(money(record.customs_value, "GBP"))
    expect(row).to_contain_text("Phytosanitary Certificate (import): needs one of the documents")
    shoot(page, "officer-queue")
    accessible(page, "officer-queue")

    row.get_by_role("button", name=f"Claim {mrn}").click()
    page.wait_for_url(f"**/officer/declarations/{record.id}")
    expect(page.get_by_role("status").first).to_have_text(f"You hold declaration {mrn} now.")
    expect(page.locator("#live-status")).to_contain_text("Claimed by officer (you)")

    # The risk score and the reasons are those the API gives.
    listed = api_queue_item(portal, mrn)
    score = "Not scored" if listed["score"] is None else f"{listed['score']:.2f}"
    expect(page.locator(".risk-score")).to_contain_text(score)
    for reason in listed["reasons"]:
        expect(page.get_by_text(reason, exact=False).first).to_be_visible()
    shoot(page, "officer-declaration")
    accessible(page, "officer-declaration")

    # Another officer sees who holds it and cannot take it over or release it.
    other = browser.new_context(base_url=portal.url, viewport={"width": 1366, "height": 768})
    second = other.new_page()
    sign_in(second, "officer2")
    second.goto(f"/officer/declarations/{mrn}")
    expect(second.locator("#live-status")).to_contain_text("Claimed by officer")
    second.get_by_role("button", name="Claim").click()
    expect(second.get_by_role("alert")).to_contain_text(f"Declaration {mrn} is claimed by officer")
    second.get_by_role("button", name="Release the goods").click()
    expect(second.get_by_role("alert")).to_contain_text(
        f"Declaration {mrn} is claimed by officer; only that officer or a supervisor may act"
    )
    expect(second.locator("#live-status .badge").first).to_have_text("Held")
    shoot(second, "officer-declaration-refused")
    accessible(second, "officer-declaration-refused")

    # A supervisor hands the claim back.
    sign_in(second, "supervisor")
    second.goto(f"/officer/declarations/{mrn}")
    second.get_by_role("button", name="Hand back officer's claim").click()
    expect(second.get_by_role("status").first).to_have_text(
        f"Declaration {mrn} is back in the queue, unclaimed."
    )
    expect(second.locator("#live-status")).to_contain_text("Waiting for an officer")
    other.close()

    # The officer's open page sees the change by itself, then claims again and decides.
    expect(page.locator("#live-status")).to_contain_text("Waiting for an officer", timeout=LIVE)
    page.reload()
    page.get_by_role("button", name="Claim", exact=True).click()
    page.get_by_label("No irregularity").check()
    page.get_by_label("Revenue recovered (GBP)").fill("0")
    page.get_by_label("Notes").fill("Certificate N851 seen at the counter.")
    page.get_by_role("button", name="Record findings").click()
    expect(page.get_by_role("status").first).to_have_text(f"Finding recorded on declaration {mrn}.")
    expect(page.locator("ul.findings")).to_contain_text("No irregularity, 0.00 GBP recovered")
    page.get_by_role("button", name="Release the goods").click()
    expect(page.get_by_role("status").first).to_have_text(f"Declaration {mrn} is released.")
    expect(page.locator("#live-status .badge").first).to_have_text("Released")
    expect(page.locator("ol.timeline li").first).to_contain_text("Released · officer")
    shoot(page, "officer-declaration-released")

    page.goto(f"/officer?lane=yellow&office={OFFICE}")
    expect(page.locator("#queue")).to_be_visible()
    expect(queue_row(page, mrn)).to_have_count(0)
    assert page.script_errors == []


def test_an_officer_rejects_with_a_reason(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    record = lodge_held_import(portal)
    sign_in(page, "officer")
    page.goto(f"/officer/declarations/{record.mrn}")
    page.get_by_role("button", name="Reject the declaration").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Give the reason in 3 to 512 characters")
    expect(page.locator("#f-reason-error")).to_have_text("Give the reason in 3 to 512 characters")
    expect(page.get_by_label("Reason for refusing release")).to_have_attribute(
        "aria-invalid", "true"
    )
    page.get_by_label("Revenue recovered (GBP)").fill("-5")
    page.get_by_role("button", name="Record findings").click()
    expect(page.get_by_role("alert")).to_contain_text("Say whether the check found")
    expect(page.get_by_role("alert")).to_contain_text("Enter the revenue recovered as an amount")
    shoot(page, "officer-declaration-errors")
    accessible(page, "officer-declaration-errors")

    page.get_by_label("Reason for refusing release").fill("Phytosanitary certificate not produced")
    page.get_by_role("button", name="Reject the declaration").click()
    expect(page.get_by_role("status").first).to_have_text(f"Declaration {record.mrn} is rejected.")
    expect(page.locator("#live-status .badge").first).to_have_text("Rejected")
    expect(page.locator("ol.timeline li").first).to_contain_text(
        "Reason: Phytosanitary certificate not produced"
    )
    assert page.script_errors == []


def test_the_queue_shows_new_work_without_a_reload_and_the_search_finds_it(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "officer")
    page.goto(f"/officer?lane=yellow&office={OFFICE}")
    expect(page.locator("#queue")).to_be_visible()
    record = lodge_held_import(portal)
    expect(queue_row(page, record.mrn or "")).to_have_count(1, timeout=LIVE)

    page.get_by_role("link", name="Declarations").click()
    page.get_by_label("LRN").fill(record.lrn)
    page.get_by_label("Commodity code").fill("0702")
    page.get_by_role("button", name="Search").click()
    results = page.locator("table.results tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(record.mrn or "")
    expect(results.first).to_contain_text("Held")
    expect(results.first).to_contain_text(money(record.customs_value, "GBP"))

    page.get_by_label("LRN").fill("")
    page.get_by_label("Commodity code").fill("")
    page.get_by_label("Status").select_option("held")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table.results tbody tr")).to_have_count(25)
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    shoot(page, "officer-search")
    accessible(page, "officer-search")

    page.get_by_label("Commodity code").fill("7")
    page.get_by_label("Lodged from").fill("2026-05-02")
    page.get_by_label("Lodged up to").fill("2026-05-01")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter 2 to 10 digits of a commodity code")
    expect(page.get_by_role("alert")).to_contain_text("The last day must be on or after")
    accessible(page, "officer-search-errors")

    page.get_by_label("Commodity code").fill("")
    page.get_by_label("Lodged from").fill("")
    page.get_by_label("Lodged up to").fill("")
    page.get_by_label("Status").select_option("")
    page.get_by_label("MRN").fill(record.mrn or "")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=record.mrn or "").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Declaration {record.mrn}")
    assert page.script_errors == []


def test_next_claims_the_riskiest_open_declaration_and_opens_it(
    page: Any, portal: Any, sign_in: Any
) -> None:
    lodge_held_import(portal)
    sign_in(page, "officer2")
    page.goto(f"/officer?lane=yellow&state=open&office={OFFICE}")
    first = page.locator("#queue tbody tr").first.locator("a.mrn").inner_text()
    page.get_by_role("button", name=re.compile("^Next")).click()
    page.wait_for_url(re.compile(r"/officer/declarations/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(first)
    expect(page.locator("#live-status")).to_contain_text("Claimed by officer2 (you)")
    page.goto("/officer?state=mine")
    expect(queue_row(page, first)).to_contain_text("officer2 (you)")
    queue_row(page, first).get_by_role("button", name=f"Hand back {first}").click()
    expect(page.get_by_role("status").first).to_contain_text("back in the queue")
    expect(queue_row(page, first)).to_have_count(0)
    assert page.script_errors == []


def test_a_trader_is_refused_the_officer_pages(page: Any, portal: Any, sign_in: Any) -> None:
    record = lodge_held_import(portal)
    sign_in(page, "trader")
    for path in ("/officer", f"/officer/declarations/{record.id}", "/officer/declarations"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        expect(page.get_by_role("alert")).to_contain_text("the trader role may not inspect")
    # The browser logs each refused page load; nothing else may appear.
    assert [e for e in page.script_errors if "status of 403" not in e] == []
