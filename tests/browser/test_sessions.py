"""Signing in and out, sessions and the security every page shares, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx
import pytest

from clearway.domain.access import Role
from clearway.entrypoints.web.rendering import home_of

HOMES = {
    "trader": Role.TRADER,
    "officer": Role.OFFICER,
    "agency": Role.AGENCY,
    "risk_analyst": Role.RISK_ANALYST,
    "auditor": Role.AUDITOR,
    "admin": Role.ADMIN,
}


def test_the_address_opens_the_sign_in_page(page: Any, shoot: Any, accessible: Any) -> None:
    page.goto("/")
    assert re.search(r"/login$", page.url)
    assert page.get_by_role("heading", name="Sign in to Clearway").is_visible()
    shoot(page, "login")
    accessible(page, "login")
    assert page.script_errors == []


def test_a_wrong_password_is_refused_on_the_page(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong username or password."
    assert page.get_by_label("Username").input_value() == "officer"


@pytest.mark.parametrize("username", sorted(HOMES))
def test_each_role_lands_on_its_home_page_and_signs_out(
    page: Any, sign_in: Any, username: str
) -> None:
    sign_in(page, username)
    assert page.url.endswith(home_of(HOMES[username]))
    assert page.locator(".who strong").inner_text() == username
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login\?reason=signed-out$"))
    assert page.get_by_role("status").inner_text() == "You are signed out."
    page.goto(home_of(HOMES[username]))
    assert "/login?next=" in page.url


def test_a_page_asked_for_before_signing_in_opens_after_it(page: Any, portal: Any) -> None:
    page.goto("/officer")
    assert "/login?next=/officer" in page.url
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(portal.password["officer"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/officer$"))


def test_the_session_cookie_is_http_only_and_same_site_strict(page: Any, sign_in: Any) -> None:
    sign_in(page, "trader")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "clearway_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"


def test_a_form_posted_without_its_token_is_refused(portal: Any) -> None:
    with httpx.Client(base_url=portal.url) as client:
        signed = client.post(
            "/login",
            data={"username": "admin", "password": portal.password["admin"]},
        )
        assert signed.status_code == 403  # the sign-in form needs its token too
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        signed = client.post(
            "/login",
            data={
                "username": "admin",
                "password": portal.password["admin"],
                "csrf_token": token.group(1),
            },
        )
        assert signed.status_code == 303
        refused = client.post("/logout", data={})
        assert refused.status_code == 403
        assert "no valid security token" in refused.text
        assert client.get("/admin").status_code == 200  # still signed in


def test_a_wrong_role_is_refused_with_a_page(page: Any, sign_in: Any, shoot: Any) -> None:
    sign_in(page, "trader")
    answer = page.goto("/officer")
    assert answer is not None and answer.status == 403
    assert "the trader role may not" in page.get_by_role("alert").inner_text()
    shoot(page, "refused")


def test_every_page_forbids_inline_scripts(portal: Any) -> None:
    with httpx.Client(base_url=portal.url) as client:
        for path in ("/login", "/docs", "/redoc", "/api/v1/declarations"):
            policy = client.get(path).headers["content-security-policy"]
            script_src = re.search(r"script-src ([^;]+)", policy)
            assert script_src is not None and script_src.group(1).strip() == "'self'", path
            assert "frame-ancestors 'none'" in policy


def test_the_api_documentation_renders_without_internet(page: Any, shoot: Any) -> None:
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto("/docs")
    page.get_by_role("heading", name=re.compile("^Clearway")).first.wait_for()
    assert page.get_by_text("/api/v1/declarations", exact=True).first.is_visible()
    shoot(page, "docs-swagger")
    assert page.script_errors == []
    page.goto("/redoc")
    page.get_by_role("heading", name=re.compile("^Clearway")).first.wait_for()
    assert page.get_by_text("Lodge a declaration").first.is_visible()
    page.screenshot(path=str(shoot.folder / "docs-redoc.png"))  # the whole page is 70,000 px
    # Everything was asked of this server: nothing, not even ReDoc's logo (its CDN address
    # emptied in the vendored bundle), was asked of another site.
    assert [url for url in loaded if not url.startswith(("http://127.0.0.1", "blob:"))] == []
    assert [e for e in page.script_errors if "cdn.redoc.ly" not in e] == []
    assert page.script_errors == []
