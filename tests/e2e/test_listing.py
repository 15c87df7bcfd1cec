"""Listing: filters and cursor pagination."""

from __future__ import annotations

from typing import Any

from tests.conftest import example


def _lodge_many(lodge: Any, count: int) -> list[str]:
    ids = []
    for number in range(count):
        payload = example("import")
        payload["lrn"] = f"NWT-2026-{number:06d}"
        if number % 2:
            payload["items"][0]["commodity_code"] = "0809400500"
            payload["items"][0]["description"] = "Fresh plums, in 10 kg crates"
        response = lodge(payload)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def test_cursor_pages_cover_everything_once(api: Any, lodge: Any) -> None:
    ids = _lodge_many(lodge, 7)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/declarations", params=params, headers=api.as_("broker")).json()
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(set(seen)) == 7


def test_filters(api: Any, lodge: Any) -> None:
    _lodge_many(lodge, 4)
    lodge(example("export"), "acme")
    headers = api.as_("officer")

    def count(**params: Any) -> int:
        response = api.get("/api/v1/declarations", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return len(response.json()["items"])

    assert count() == 5
    assert count(type="EX") == 1
    assert count(type="IM", status="held") == 4
    assert count(commodity_code="0809") == 2
    assert count(commodity_code="0702000007") == 2
    assert count(declarant="GB555000111000") == 1
    assert count(office="GBMNC001") == 1
    assert count(lrn="NWT-2026-000002") == 1
    assert count(status="released") == 0
    assert count(lodged_from="2026-11-23T00:00:00Z", lodged_to="2026-11-24T00:00:00Z") == 5
    assert count(lodged_from="2026-11-24T00:00:00Z") == 0
    assert (
        api.get("/api/v1/declarations", params={"status": "flying"}, headers=headers).status_code
        == 400
    )
