"""An administrator manages one account in a real browser (another role, disabling, a new
password), and its owner's open session ends at once; an auditor reads and downloads the
audit trail of who looked at a declaration."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx2 as httpx
from sqlalchemy import select

from clearway.adapters.tables import declarations
from clearway.domain.access import Role
from tests.conftest import PASSWORD


def test_an_account_changed_by_the_administrator_ends_its_open_session(
    browser: Any, page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    portal.runtime.users.create("clerk", PASSWORD, Role.OFFICER)
    portal.password["clerk"] = PASSWORD
    clerk_context = browser.new_context(base_url=portal.url)
    clerk = clerk_context.new_page()
    sign_in(clerk, "clerk")
    assert clerk.url.endswith("/officer")

    sign_in(page, "admin")
    page.get_by_role("link", name="clerk", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/users/clerk$"))
    assert page.get_by_role("heading", name="clerk", exact=True).is_visible()
    shoot(page, "admin-user")
    assert accessible(page, "admin-user") == []

    page.get_by_label("Role", exact=True).select_option(label="Auditor")
    page.get_by_role("button", name="Change role").click()
    page.wait_for_url(re.compile(r"/admin/users/clerk$"))
    assert page.get_by_role("status").inner_text().startswith("clerk is now Auditor")
    # The clerk's tab, still open on the officer's pages, is signed out on its next request.
    clerk.goto("/officer")
    assert "/login" in clerk.url
    assert clerk.get_by_role("status").inner_text() == "Your account changed; sign in again."

    page.get_by_role("button", name="Disable clerk").click()
    page.wait_for_url(re.compile(r"/admin/users/clerk$"))
    assert "disabled" in page.get_by_role("status").inner_text()
    clerk.get_by_label("Username").fill("clerk")
    clerk.get_by_label("Password").fill(PASSWORD)
    clerk.get_by_role("button", name="Sign in").click()
    assert clerk.get_by_role("alert").inner_text() == "Wrong username or password."

    # A new password that is too short is refused at its field; a good one is set.
    page.get_by_role("button", name="Enable clerk").click()
    page.get_by_role("textbox", name="New password").fill("short")
    page.get_by_role("button", name="Set password").click()
    assert page.locator("#f-password-error").inner_text() == (
        "A password needs at least 8 characters"
    )
    page.get_by_role("textbox", name="New password").fill("clerk-second-password")
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url(re.compile(r"/admin/users/clerk$"))
    portal.password["clerk"] = "clerk-second-password"
    sign_in(clerk, "clerk")
    assert clerk.url.endswith("/auditor")
    clerk_context.close()
    assert page.script_errors == []


def test_an_auditor_sees_who_read_a_declaration_and_downloads_it(
    browser: Any, page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    trader_context = browser.new_context(base_url=portal.url)
    trader = trader_context.new_page()
    with portal.runtime.engine.connect() as connection:
        found = connection.execute(
            select(declarations.c.id, declarations.c.mrn).where(
                declarations.c.declarant_id == portal.company["trader"],
                declarations.c.mrn.is_not(None),
            )
        ).first()
    assert found is not None
    declaration_id, mrn = found
    sign_in(trader, "trader")
    path = f"/trader/declarations/{mrn}"
    assert trader.goto(path).status == 200
    trader_context.close()

    sign_in(page, "auditor")
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Person").fill("trader")
    page.get_by_label("Action").select_option(label="Declarations read")
    page.get_by_label("Declaration, user or rule").fill(declaration_id)
    page.get_by_role("button", name="Show").click()
    # Newest first: the trader's reading of its page (other tests may have read it too, or
    # listed it on the dashboard).
    row = page.get_by_role("row", name=path).first
    assert re.search(r"trader \(Trader\)\s+declaration\.read", row.inner_text())
    shoot(page, "auditor-trail")
    assert accessible(page, "auditor-trail") == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["actor"], r["object_id"]) for r in rows} == {("trader", declaration_id)}
    assert any(path in r["detail"] for r in rows)
    assert page.script_errors == []


def test_a_trader_makes_a_key_for_their_system_and_changes_their_password(
    browser: Any, page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    portal.runtime.users.create("filer", PASSWORD, Role.TRADER, "GB123456789000")
    portal.password["filer"] = PASSWORD
    sign_in(page, "filer")
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(re.compile(r"/account$"))
    # A trader's key acts as a trader: there is no lesser role to choose.
    assert page.get_by_label("Acts as").locator("option").all_inner_texts() == ["Trader"]
    page.get_by_label("Name", exact=True).fill("Filing system")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("The new API key").input_value()
    shoot(page, "account-key")
    assert accessible(page, "account-key") == []
    with httpx.Client(base_url=portal.url, headers={"X-API-Key": key}) as api:
        assert api.get("/api/v1/auth/me").json()["username"] == "filer"
        page.get_by_label("Current password").fill("not it")
        page.get_by_label("New password").fill("filer-second-password")
        page.get_by_role("button", name="Change password").click()
        assert page.locator("#f-current_password-error").inner_text() == (
            "That is not your current password"
        )
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill("filer-second-password")
        page.get_by_role("button", name="Change password").click()
        page.wait_for_url(re.compile(r"/account$"))
        assert "password is changed" in page.get_by_role("status").inner_text()
        # This session goes on; the key made under the old password has ended.
        assert api.get("/api/v1/auth/me").status_code == 401
    assert page.get_by_role("row", name=re.compile(r"^Filing system .* Ended")).is_visible()
    page.goto("/trader")
    assert page.url.endswith("/trader")
    assert page.script_errors == []
