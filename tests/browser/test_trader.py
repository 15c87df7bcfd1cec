"""The trader's dashboard and declaration pages in a real browser: finding a declaration,
reading its duties and missing certificates, watching it be released, cancelling it,
answering the export-control agency and keeping the ledger's receipt.

Each test lodges its own declarations with unique LRNs through the same handler as the API:
the portal server is shared with every other browser test.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.api.models import public
from clearway.entrypoints.schemas import DeclarationIn, to_document, to_domain
from clearway.entrypoints.web.rendering import money
from clearway.services.lodging import LodgeDeclaration, lodge_declaration
from clearway.services.queries import get_visible
from clearway.services.referrals import RequestInformation, request_information
from clearway.services.release import ReleaseDeclaration, release_declaration
from tests.conftest import example

HELD = re.compile(r"^(Documents required|Goods being examined)$")


def lodge(portal: Any, username: str, payload: dict[str, Any]) -> DeclarationRecord:
    """Lodge ``payload`` as ``username`` under a fresh LRN, as the API's lodge route does."""
    payload["lrn"] = f"TRD-{uuid.uuid4().hex[:12].upper()}"
    body = DeclarationIn.model_validate(payload)
    principal = portal.runtime.users.principal(username)
    command = LodgeDeclaration(to_domain(body), to_document(body), principal)
    return lodge_declaration(command, portal.runtime.uow(), portal.runtime.context).record


def api_view(portal: Any, username: str, record: DeclarationRecord) -> Any:
    """The declaration as the JSON API shows it to ``username``."""
    runtime = portal.runtime
    principal = runtime.users.principal(username)
    with runtime.uow() as uow:
        found = get_visible(uow, principal, record.id)
    return public(found, runtime.settings.national_currency, principal)


def search(page: Any, **fields: str) -> None:
    labels = {"mrn": "MRN", "lrn": "Your reference (LRN)"}
    for name, value in fields.items():
        page.get_by_label(labels[name], exact=True).fill(value)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def test_the_dashboard_finds_a_lodged_declaration_by_mrn_and_lrn(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    record = lodge(portal, "broker", example("import"))
    assert record.mrn is not None
    value = money(api_view(portal, "broker", record).customs_value.amount, "GBP")
    sign_in(page, "broker")
    tabs = page.get_by_role("navigation", name="Declaration status")
    expect(tabs.get_by_role("link", name=re.compile(r"^Action needed \(\d+\)$"))).to_be_visible()
    shoot(page, "trader-dashboard")
    accessible(page, "trader-dashboard")

    # Held for its missing certificate, it is on the "Action needed" tab, not "Submitted".
    search(page, mrn=record.mrn)
    expect(tabs.get_by_role("link", name="Submitted (0)")).to_be_visible()
    tabs.get_by_role("link", name="Action needed (1)").click()
    row = page.get_by_role("row", name=re.compile(record.mrn))
    expect(row.get_by_role("cell").nth(1)).to_have_text(record.lrn)
    expect(row.get_by_role("cell").nth(2)).to_have_text("Import")
    expect(row.get_by_role("cell").nth(4)).to_have_text(HELD)
    expect(row.get_by_role("cell").nth(5)).to_have_text(value)
    shoot(page, "trader-dashboard-search")

    page.get_by_role("link", name="Clear search").click()
    search(page, lrn=record.lrn)
    expect(page.get_by_role("row", name=re.compile(record.mrn))).to_have_count(1)
    expect(page.locator("tbody tr")).to_have_count(1)

    # Two mistakes are reported together, each beside its field and in the summary.
    page.get_by_role("link", name="Clear search").click()
    page.get_by_label("MRN", exact=True).fill("not an MRN")
    page.get_by_label("Lodged from").fill("2026-12-05")
    page.get_by_label("Lodged to").fill("2026-12-01")
    page.get_by_role("button", name="Search").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.get_by_label("MRN", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-lodged_to-error")).to_have_text(re.compile("after lodged from"))
    shoot(page, "trader-dashboard-errors")
    accessible(page, "trader-dashboard-errors")
    assert page.script_errors == []


def test_a_trader_follows_a_held_import_until_it_is_released(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    """The journey: find the declaration, read its duties and what it lacks, see it released
    live; other companies and other roles are refused."""
    record = lodge(portal, "broker", example("import"))  # no phytosanitary certificate
    view = api_view(portal, "broker", record)
    assert view.status == "held" and view.assessment is not None
    sign_in(page, "broker")
    search(page, mrn=str(record.mrn))
    page.get_by_role("link", name="Action needed (1)").click()
    page.get_by_role("link", name=str(record.mrn)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import declaration {record.mrn}")

    customs_value = money(view.customs_value.amount, view.customs_value.currency)
    expect(page.locator("#customs-value")).to_have_text(customs_value)
    currency = view.assessment["currency"]
    totals = page.locator("#totals")
    vat, total = (money(view.assessment[key], currency) for key in ("vat", "total"))
    expect(totals).to_contain_text(re.compile(rf"VAT\s*{re.escape(vat)}"))
    expect(totals).to_contain_text(re.compile(rf"Total\s*{re.escape(total)}"))
    (item,) = view.assessment["items"]
    options = page.get_by_role("table", name="Duty options for item 1")
    for option in item["options"]:
        expect(options).to_contain_text(money(option["duty"]))
    third_country = options.get_by_role("row", name=re.compile("^Third-country duty"))
    expect(third_country).to_contain_text(money(item["options"][0]["total"]))
    applied = options.get_by_role("row").filter(has=page.get_by_role("cell", name="Applied"))
    expect(applied).to_contain_text(item["applied"]["description"])
    required = page.get_by_role("region", name="Documents required")
    expect(required).to_contain_text("Phytosanitary Certificate (import)")
    expect(required).to_contain_text("N851 Phytosanitary certificate")

    # Nothing of the risk stage reaches the trader: no score, basis, rule or explanation.
    text = page.locator("main").inner_text()
    assert view.risk is not None and record.risk is not None
    assert set(view.risk) == {"outcome", "documents_required", "decided_at"}  # the API too
    for secret in ("score", "Score", "rule", "restriction 360", "requirement", "top-up"):
        assert secret not in text, secret
    assert record.risk["explanation"] not in text
    status = page.locator("#status-panel")
    expect(status.locator(".badge")).to_have_text(HELD)
    shoot(page, "trader-declaration")
    accessible(page, "trader-declaration")

    officer = portal.runtime.users.principal("officer")
    release_declaration(
        ReleaseDeclaration(record.id, officer), portal.runtime.uow(), portal.runtime.context
    )
    expect(status.locator(".badge")).to_have_text("Released", timeout=20_000)
    expect(page.locator("#timeline li").first).to_contain_text("Released")
    expect(status).to_contain_text("changed since this page opened")
    shoot(page, "trader-declaration-released")
    assert page.script_errors == []

    # Another company's trader is told the declaration does not exist; an officer is refused.
    other = page.context.browser.new_context(base_url=portal.url)
    stranger = other.new_page()
    sign_in(stranger, "stranger")
    answer = stranger.goto(f"/trader/declarations/{record.mrn}")
    assert answer is not None and answer.status == 404
    refused_text = stranger.locator("main").inner_text()
    assert f"no declaration {record.mrn}" in refused_text
    assert record.lrn not in refused_text and "Northwind" not in refused_text
    shoot(stranger, "trader-not-found")
    other.close()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "officer")
    for path in ("/trader", f"/trader/declarations/{record.id}"):
        refused = page.goto(path)
        assert refused is not None and refused.status == 403, path
        expect(page.get_by_role("alert")).to_contain_text("the officer role may not lodge")
    shoot(page, "trader-refused")
    # The browser notes each refused page load; nothing else went wrong.
    assert [e for e in page.script_errors if "status of 403" not in e] == []


def test_a_trader_cancels_a_declaration_with_a_reason(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    record = lodge(portal, "broker", example("import"))
    sign_in(page, "broker")
    page.goto(f"/trader/declarations/{record.mrn}")
    cancel = page.get_by_role("region", name="Cancel declaration")
    cancel.get_by_label("Reason for cancelling").fill("no")  # the browser insists on one
    cancel.get_by_role("button", name="Cancel declaration").click()
    reason = page.get_by_label("Reason for cancelling")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for cancelling")
    accessible(page, "trader-cancel-error")
    shoot(page, "trader-cancel-error")

    page.get_by_label("Reason for cancelling").fill("Goods shipped under another declaration")
    page.get_by_role("button", name="Cancel declaration").click()
    expect(page.get_by_role("status")).to_have_text(f"Declaration {record.mrn} is cancelled.")
    expect(page.locator("#status-panel .badge")).to_have_text("Cancelled")
    expect(page.locator("#timeline li").first).to_contain_text(
        "Reason given: Goods shipped under another declaration"
    )
    expect(page.get_by_role("region", name="Cancel declaration")).to_have_count(0)
    shoot(page, "trader-cancelled")
    page.goto(f"/trader?tab=cancelled&lrn={record.lrn}")
    expect(page.get_by_role("link", name="Cancelled (1)")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(str(record.mrn)))).to_contain_text("Cancelled")
    assert page.script_errors == []


def test_the_exporter_answers_the_agency_and_keeps_the_receipt(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    payload = example("export")
    payload["items"][0]["documents"][1]["reference"] = "GBSIEL/2026/9999999"  # never issued
    record = lodge(portal, "exporter", payload)
    agency = portal.runtime.users.principal("agency")
    with portal.runtime.uow() as uow:
        referral = get_visible(uow, agency, record.id).referral
    assert referral is not None
    question = "Send the end-user statement for the pumps."
    request_information(
        RequestInformation(referral.id, question, agency),
        portal.runtime.uow(),
        portal.runtime.context,
    )
    sign_in(page, "exporter")
    page.goto(f"/trader?tab=action&mrn={record.mrn}")
    row = page.get_by_role("row", name=re.compile(str(record.mrn)))
    expect(row).to_contain_text("Query raised")
    row.get_by_role("link", name=str(record.mrn)).click()
    asked = page.get_by_role("region", name="Question from the export-control agency")
    expect(asked).to_contain_text(question)
    expect(page.locator("#status-panel .badge")).to_have_text("Query raised")
    shoot(page, "trader-question")
    accessible(page, "trader-question")

    page.get_by_label("Your answer").fill("Statement EUS-771 sent to the licensing unit.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your answer was sent to the export-control agency."
    )
    expect(page.locator("#status-panel .badge")).to_have_text(
        "Referred to the export-control agency"
    )
    expect(asked).to_have_count(0)
    with portal.runtime.uow() as uow:
        assert get_visible(uow, agency, record.id).referral.reply == (  # type: ignore[union-attr]
            "Statement EUS-771 sent to the licensing unit."
        )

    # The ledger records events within a second; the page says what the receipt proves.
    for _ in range(20):
        if "reply to the agency" in page.locator("#ledger-state").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#ledger-state")).to_contain_text(
        "The ledger has recorded this declaration. The receipt proves its reply to the agency"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ledger receipt (JSON)").click()
    assert download.value.suggested_filename == f"clearway-receipt-{record.mrn}.json"
    receipt = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert receipt["format"] == "clearway-receipt/v1"
    assert receipt["declaration_id"] == record.id
    assert receipt["claims"]["type"] == "ReferralReplied"
    shoot(page, "trader-export-referred")
    assert page.script_errors == []


def test_a_party_name_with_markup_is_shown_as_text(page: Any, portal: Any, sign_in: Any) -> None:
    payload = example("import")
    name = "<script>alert('x')</script> Fresh Ltd"
    payload["exporter"]["name"] = name
    record = lodge(portal, "broker", payload)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "broker")
    page.goto(f"/trader/declarations/{record.mrn}")
    parties = page.get_by_role("table", name="Parties to the declaration")
    expect(parties.get_by_role("row", name=re.compile("^Exporter"))).to_contain_text(name)
    assert dialogs == []
    assert page.script_errors == []
