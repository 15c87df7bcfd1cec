"""The auditor's pages in a real browser: a declaration's events found in the ledger, a receipt
downloaded and verified in the page (and one changed by a byte refused), the checkpoint and an
audit on demand; other roles are refused."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx2 as httpx
import orjson

from tests.conftest import example

REFUSED = "Failed to load resource: the server responded with a status of 403 (Forbidden)"


def _token(portal: Any, username: str) -> str:
    answer = httpx.post(
        f"{portal.url}/api/v1/auth/token",
        data={"username": username, "password": portal.password[username]},
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _lodge(portal: Any) -> dict[str, Any]:
    """The import example, lodged by the broker under a fresh LRN."""
    payload = example("import")
    payload["lrn"] = f"AUD-{uuid.uuid4().hex[:12].upper()}"
    answer = httpx.post(
        f"{portal.url}/api/v1/declarations",
        json=payload,
        headers={"Authorization": f"Bearer {_token(portal, 'broker')}"},
    )
    assert answer.status_code == 201, answer.text
    lodged: dict[str, Any] = answer.json()
    return lodged


def _api_tree_size(portal: Any) -> int:
    note = httpx.get(f"{portal.url}/api/v1/ledger/checkpoint").text
    return int(note.splitlines()[1])


def _find_events(page: Any, reference: str) -> None:
    """Search until every event of the declaration is in the ledger (integrated each 0.5 s)."""
    page.get_by_label("MRN or declaration id").fill(reference)
    page.get_by_role("button", name="Find events").click()
    deadline = time.monotonic() + 15
    while page.get_by_text("Not yet logged").count() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert page.get_by_text("Not yet logged").count() == 0


def test_an_auditor_verifies_a_declarations_receipt(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any, tmp_path: Path
) -> None:
    lodged = _lodge(portal)
    reference = lodged["mrn"] or lodged["id"]
    sign_in(page, "auditor")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Declaration events"
    ).click()
    _find_events(page, reference)
    rows = page.locator("tbody tr")
    first = rows.first.locator("td")
    assert first.nth(2).inner_text() == "Declaration lodged"
    assert first.nth(4).inner_text() == "broker"
    leaf = first.nth(5).inner_text()
    assert re.fullmatch(r"Leaf \d+", leaf)
    count = rows.count()
    assert page.locator("caption").inner_text() == f"{count} events, oldest first"
    shoot(page, "auditor-events")
    assert accessible(page, "auditor-events") == []

    with page.expect_download() as download:
        rows.first.get_by_role("link", name=re.compile("^Download receipt")).click()
    receipt = tmp_path / download.value.suggested_filename
    download.value.save_as(receipt)
    document = orjson.loads(receipt.read_bytes())
    with httpx.Client(base_url=portal.url) as api:
        served = api.get(
            f"/api/v1/declarations/{lodged['id']}/receipt",
            headers={"Authorization": f"Bearer {_token(portal, 'auditor')}"},
        )
    assert served.status_code == 200
    assert set(document) == set(served.json())  # the API's own format
    assert document["declaration_id"] == lodged["id"]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Verify a receipt").click()
    page.get_by_label("Receipt file").set_input_files(str(receipt))
    page.get_by_role("button", name="Verify").click()
    assert "Verified." in page.get_by_role("status").inner_text()
    facts = page.locator("dl.facts")
    assert f"{leaf}\n" in facts.inner_text() + "\n"
    assert lodged["id"] in facts.inner_text()
    assert "Declaration lodged" in facts.inner_text()
    shoot(page, "auditor-verify")
    assert accessible(page, "auditor-verify") == []

    # One byte of the signed root hash changed: the log's signature no longer holds.
    raw = receipt.read_bytes()
    root = document["checkpoint"].splitlines()[2].encode()
    at = raw.index(root) + 5
    forged = tmp_path / "forged.json"
    forged.write_bytes(raw[:at] + (b"A" if raw[at : at + 1] != b"A" else b"B") + raw[at + 1 :])
    page.get_by_label("Receipt file").set_input_files(str(forged))
    page.get_by_role("button", name="Verify").click()
    refusal = page.get_by_role("alert").inner_text()
    assert "Not verified." in refusal
    assert "the log's signature on the checkpoint does not verify" in refusal
    shoot(page, "auditor-verify-refused")
    assert accessible(page, "auditor-verify-refused") == []
    assert page.script_errors == []


def test_the_checkpoint_matches_the_api_and_an_audit_finds_no_problem(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "auditor")
    before = _api_tree_size(portal)
    page.goto("/auditor")
    shown = int(page.locator("#tree-size").inner_text().replace(",", ""))
    after = _api_tree_size(portal)
    assert before <= shown <= after
    assert "clearway.test/ledger" in page.locator("pre.note").inner_text()

    page.get_by_role("button", name="Audit now").click()
    result = page.locator("#audit-result .success")
    result.wait_for()
    text = result.inner_text()
    assert text.startswith("No problem found.")
    entries = int(re.search(r"Checked ([\d,]+) entries", text).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert entries >= shown
    shoot(page, "auditor-ledger")
    assert accessible(page, "auditor-ledger") == []
    assert page.script_errors == []


def test_a_trader_is_refused_the_auditors_pages(page: Any, sign_in: Any) -> None:
    sign_in(page, "trader")
    for path in ("/auditor", "/auditor/verify", "/auditor/events?reference=x"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        assert "the trader role may not read ledger" in page.get_by_role("alert").inner_text()
    # Chromium reports each refused page load on the console; nothing else may be there.
    assert page.script_errors == [REFUSED] * 3
