"""Authentication and who sees what: tokens, API keys, roles, traders' own declarations."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD, USERS, example


def test_login_with_wrong_password_is_refused(api: Any, runtime: Any) -> None:
    role, company = USERS["broker"]
    runtime.users.create("broker", PASSWORD, role, company)
    response = api.post("/api/v1/auth/token", data={"username": "broker", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    unknown = api.post("/api/v1/auth/token", data={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == response.json()["detail"]


def test_api_key_acts_as_its_user_and_can_be_revoked(api: Any, runtime: Any, lodge: Any) -> None:
    lodged = lodge(example("import")).json()
    created = api.post("/api/v1/auth/api-keys", data={"name": "erp"}, headers=api.as_("broker"))
    assert created.status_code == 201
    key = created.json()["api_key"]
    assert key.startswith("cw_")
    response = api.get(f"/api/v1/declarations/{lodged['id']}", headers={"X-API-Key": key})
    assert response.status_code == 200
    runtime.users.revoke_api_key(key.split("_")[1])
    refused = api.get(f"/api/v1/declarations/{lodged['id']}", headers={"X-API-Key": key})
    assert refused.status_code == 401


def test_trader_sees_only_declarations_naming_their_company(api: Any, lodge: Any) -> None:
    imported = lodge(example("import")).json()
    exported = lodge(example("export"), "acme").json()

    def visible(username: str) -> set[str]:
        page = api.get("/api/v1/declarations", headers=api.as_(username)).json()
        return {item["id"] for item in page["items"]}

    assert visible("broker") == {imported["id"]}  # declarant
    assert visible("northwind") == {imported["id"]}  # importer named as a party
    assert visible("acme") == {exported["id"]}
    assert visible("stranger") == set()
    assert visible("officer") == {imported["id"], exported["id"]}
    assert visible("auditor") == {imported["id"], exported["id"]}
    # Agencies see only what is referred to them: the export cites a licence never issued.
    assert visible("agency") == {exported["id"]}

    for path in ("", "/history"):
        hidden = api.get(f"/api/v1/declarations/{exported['id']}{path}", headers=api.as_("broker"))
        missing = api.get(
            f"/api/v1/declarations/00000000-0000-0000-0000-000000000000{path}",
            headers=api.as_("broker"),
        )
        assert hidden.status_code == missing.status_code == 404
    by_mrn = api.get(f"/api/v1/declarations/{exported['mrn']}", headers=api.as_("broker"))
    assert by_mrn.status_code == 404


def test_roles_that_may_not_lodge_are_refused(api: Any, lodge: Any) -> None:
    # The administrator runs the system but neither lodges nor decides declarations.
    for username in ("officer", "analyst", "agency", "auditor", "admin"):
        response = lodge(example("import"), username)
        assert response.status_code == 403, username
    assert lodge(example("import"), "broker").status_code == 201


def test_trader_may_not_lodge_as_another_company(lodge: Any) -> None:
    response = lodge(example("import"), "northwind")  # importer, not the declarant
    assert response.status_code == 403
    assert "GB987654321000" in response.json()["detail"]


def test_health_and_ready(api: Any) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    ready = api.get("/ready")
    assert ready.status_code == 200
    states = {check["name"]: check["state"] for check in ready.json()["checks"]}
    assert states["database"] == states["schema"] == states["reference_data"] == "ok"


def test_openapi_documents_the_declaration_endpoints(api: Any) -> None:
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/declarations"])
    assert "/api/v1/declarations/{reference}/amendments" in paths
    assert "/api/v1/auth/token" in paths
    schema = spec["components"]["schemas"]["DeclarationIn"]
    assert {"type", "lrn", "declarant", "items", "office"} <= set(schema["required"])
    # The invoice is required of a full declaration, not of every WCO declaration type.
    assert "invoice" in schema["properties"] and "additional_type" in schema["properties"]
    assert "full declaration" in schema["description"]
