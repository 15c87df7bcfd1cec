"""Uploads the portal refuses for their JSON: a file that is not UTF-8, a duplicate key, and a
JSON Lines line that carries one. The trader is told what and where; nothing is stored."""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from sqlalchemy import func, select

from clearway.adapters.tables import declarations
from tests.conftest import certified, example


def stored_count(portal: Any, lrn: str) -> int:
    with portal.runtime.engine.connect() as connection:
        count: int = connection.execute(
            select(func.count()).select_from(declarations).where(declarations.c.lrn == lrn)
        ).scalar_one()
    return count


def upload(page: Any, name: str, data: bytes, mime: str = "application/json") -> None:
    page.get_by_label("File").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name="Upload and lodge").click()
    page.wait_for_load_state()


def declaration(lrn: str) -> dict[str, Any]:
    payload = certified(example("import"))
    payload["lrn"] = lrn
    return payload


def twice(payload: dict[str, Any], name: str, value: Any) -> bytes:
    """``payload`` as JSON with ``name`` a second time in its first goods item."""
    payload["items"][0]["__second__"] = value
    return orjson.dumps(payload).replace(b'"__second__"', orjson.dumps(name), 1)


def test_a_file_that_is_not_utf8_or_has_a_duplicate_key_is_refused_in_words(
    page: Any, sign_in: Any, portal: Any
) -> None:
    sign_in(page, "broker")
    lrn = f"ODD-{uuid.uuid4().hex[:10].upper()}"

    page.goto("/trader/upload")
    upload(page, "utf16.json", orjson.dumps(declaration(lrn)).decode().encode("utf-16"))
    assert page.get_by_role("alert").inner_text() == (
        "utf16.json is not UTF-8 (byte 0xff at offset 0). Save it as UTF-8 and upload it again."
    )

    page.goto("/trader/upload")
    upload(page, "twice.json", twice(declaration(lrn), "description", "Tomatoes"))
    alert = page.get_by_role("alert").inner_text()
    assert "twice.json was not lodged: 1 problem found." in alert
    assert 'Duplicate key "description" at /items/0/description' in alert
    assert stored_count(portal, lrn) == 0
    assert page.script_errors == []


def test_a_json_lines_line_with_a_duplicate_key_is_refused_and_the_others_lodged(
    page: Any, sign_in: Any, portal: Any
) -> None:
    batch = f"DUP-{uuid.uuid4().hex[:8].upper()}"
    lines = [orjson.dumps(declaration(f"{batch}-{number}")) for number in (1, 3)]
    lines.insert(1, twice(declaration(f"{batch}-2"), "net_mass_kg", "1"))
    sign_in(page, "broker")
    page.goto("/trader/upload")

    upload(page, "three.jsonl", b"\n".join(lines) + b"\n", "application/x-ndjson")

    page.wait_for_url(re.compile(r"/trader/upload/[0-9a-f-]+$"))
    page.get_by_role("heading", name="Done").wait_for(timeout=60_000)
    assert page.locator("[data-total=lodged]").inner_text() == "2"
    assert page.locator("[data-total=refused]").inner_text() == "1"
    refused = page.locator("table.refusals tbody tr")
    assert refused.first.locator("td").first.inner_text() == "2"
    assert 'duplicate key "net_mass_kg" at /items/0/net_mass_kg' in (
        refused.first.inner_text().lower()
    )
    assert [stored_count(portal, f"{batch}-{n}") for n in (1, 2, 3)] == [1, 0, 1]
    assert page.script_errors == []
