"""The administrator's pages in a real browser: a user created through the form signs in, a bad
form shows its errors at the fields, an API key is shown once, works and is revoked, and
exchange rates are loaded with the factor-2 check and its override; other roles are refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2 as httpx

REFUSED = "Failed to load resource: the server responded with a status of 403 (Forbidden)"
NEW_PASSWORD = "officer3-first-password"
# AED after the shipped rates end (2030): one plausible month, then a tenfold jump.
RATES = (
    "currency,valid_from,valid_to,rate\n"
    "AED,2041-01-01,2041-01-31,0.21310\n"
    "AED,2041-02-01,2041-02-28,2.13100\n"
)


def test_an_administrator_creates_an_officer_who_signs_in(
    page: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "admin")
    assert page.get_by_role("heading", name="Users", exact=True).is_visible()
    assert page.get_by_role("row", name=re.compile(r"^broker Trader GB123456789000")).is_visible()

    # Everything wrong at once: no username, a trader without a company, a short password.
    page.get_by_label("Role").select_option(label="Trader")
    page.get_by_label("Initial password").fill("short")
    page.get_by_role("button", name="Create user").click()
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Username: A username has 1 to 64 characters",
        "Company EORI number: A trader must belong to a company (its EORI number)",
        "Initial password: A password needs at least 8 characters",
    ]
    assert page.locator("#f-company_id-error").inner_text() == (
        "A trader must belong to a company (its EORI number)"
    )
    assert page.get_by_label("Company EORI number").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Role").input_value() == "trader"  # kept for the correction
    shoot(page, "admin-users-errors")
    assert accessible(page, "admin-users-errors") == []

    page.get_by_label("Username").fill("officer")
    page.get_by_label("Role").select_option(label="Customs officer")
    page.get_by_label("Initial password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create user").click()
    assert page.locator("#f-username-error").inner_text() == (
        "A user named officer already exists; choose another name"
    )

    page.get_by_label("Username").fill("officer3")
    page.get_by_label("Initial password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create user").click()
    page.wait_for_url(re.compile(r"/admin$"))
    assert page.get_by_role("status").inner_text() == "User officer3 created (Customs officer)."
    assert page.get_by_role("row", name=re.compile(r"^officer3 Customs officer —")).is_visible()
    shoot(page, "admin-users")
    assert accessible(page, "admin-users") == []

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("officer3")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/officer$"))
    assert page.locator(".who strong").inner_text() == "officer3"

    for path in ("/admin", "/admin/api-keys", "/admin/reference"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        assert "the officer role may not" in page.get_by_role("alert").inner_text()
    # Chromium reports each refused page load on the console; nothing else may be there.
    assert page.script_errors == [REFUSED] * 3


def test_an_api_key_is_shown_once_works_and_is_revoked(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "admin")
    page.get_by_role("link", name="API keys").click()
    page.get_by_role("button", name="Create key").click()
    assert page.locator("#f-name-error").is_visible()

    page.get_by_label("Name", exact=True).fill("Border systems link")
    page.get_by_role("button", name="Create key").click()
    assert page.get_by_role("heading", name="Copy the key now").is_visible()
    key = page.get_by_label("The new API key").input_value()
    scheme, prefix, _ = key.split("_", 2)
    assert scheme == "cw"
    row = page.get_by_role(
        "row", name=re.compile(f"^Border systems link admin Administrator {prefix} .* In use")
    )
    assert row.is_visible()
    shoot(page, "admin-api-keys")
    assert accessible(page, "admin-api-keys") == []

    with httpx.Client(base_url=portal.url, headers={"X-API-Key": key}) as api:
        assert api.get("/api/v1/declarations").status_code == 200
        page.goto("/admin/api-keys")
        assert page.get_by_label("The new API key").count() == 0  # shown once only
        row.get_by_role("button", name=re.compile("^Revoke")).click()
        page.wait_for_url(re.compile(r"/admin/api-keys$"))
        assert page.get_by_role("status").inner_text() == (
            f"API key {prefix} revoked: it no longer signs anything in."
        )
        assert api.get("/api/v1/declarations").status_code == 401
    assert row.get_by_role("button").count() == 0
    assert page.script_errors == []


def test_exchange_rates_with_a_tenfold_jump_need_the_override(
    page: Any, sign_in: Any, shoot: Any, accessible: Any, tmp_path: Path
) -> None:
    rates = tmp_path / "aed-2041.csv"
    rates.write_text(RATES)
    sign_in(page, "admin")
    page.get_by_role("link", name="Reference data").click()
    assert page.get_by_role("heading", name="Tariff").is_visible()
    shoot(page, "admin-reference")
    assert accessible(page, "admin-reference") == []

    page.get_by_label("Rates file").set_input_files(str(rates))
    page.get_by_role("button", name="Load rates").click()
    assert "Nothing was loaded from aed-2041.csv." in page.get_by_role("alert").inner_text()
    refused = page.get_by_role("table", name=re.compile("^Rates refused"))
    assert refused.locator("tbody tr").all_inner_texts() == [
        "3\tAED from 1 Feb 2041\t2.13100\t0.21310 from 1 Jan 2041\t10.00"
    ]
    shoot(page, "admin-reference-refused")
    assert accessible(page, "admin-reference-refused") == []

    page.get_by_label("Rates file").set_input_files(str(rates))
    page.get_by_label("Allow large changes").check()
    page.get_by_role("button", name="Load rates").click()
    loaded = page.locator(".success").inner_text()
    assert "Loaded 2 rates from aed-2041.csv." in loaded
    assert "Line 3: AED 2.13100 from 2041-02-01 rises by a factor of 10.00" in loaded
    shoot(page, "admin-reference-loaded")
    assert accessible(page, "admin-reference-loaded") == []
    assert page.script_errors == []
