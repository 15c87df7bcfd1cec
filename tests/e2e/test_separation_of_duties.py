"""Separation of duties: only the declarant changes a declaration (UCC Art. 173-174); the other
parties named on it read it; the administrator runs the system but neither lodges nor decides
declarations."""

from __future__ import annotations

from typing import Any

from tests.conftest import example

DECLARATIONS = "/api/v1/declarations"


def test_a_named_party_reads_but_only_the_declarant_changes_then_an_officer_releases(
    api: Any, lodge: Any, runtime: Any
) -> None:
    lodged = lodge(example("import")).json()  # declarant: the broker; importer: Northwind
    path = f"{DECLARATIONS}/{lodged['id']}"
    importer = api.as_("northwind")
    assert api.get(path, headers=importer).status_code == 200
    amended = example("import")
    amended["freight"]["amount"] = "1650.00"
    refused = api.post(f"{path}/amendments", json=amended, headers=importer)
    assert refused.status_code == 403
    assert "GB123456789000" in refused.json()["detail"]
    cancel = {"reason": "we changed our minds"}
    assert api.post(f"{path}/cancellation", json=cancel, headers=importer).status_code == 403
    # Nothing moved: still version 1, held.
    assert api.get(path, headers=importer).json()["version"] == 1
    assert (
        api.post(f"{path}/amendments", json=amended, headers=api.as_("broker")).status_code == 200
    )
    # The administrator decides nothing either.
    admin = api.as_("admin")
    assert api.post(f"{path}/release", headers=admin).status_code == 403
    assert api.post(f"{path}/cancellation", json=cancel, headers=admin).status_code == 403
    released = api.post(f"{path}/release", headers=api.as_("officer"))
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"


def test_the_administrator_may_not_lodge_even_as_a_real_declarant(api: Any, runtime: Any) -> None:
    refused = api.post(DECLARATIONS, json=example("import"), headers=api.as_("admin"))
    assert refused.status_code == 403
    assert "admin" in refused.json()["detail"]
    with runtime.engine.connect() as connection:
        from sqlalchemy import func, select

        from clearway.adapters.tables import declarations

        assert connection.execute(select(func.count()).select_from(declarations)).scalar() == 0
