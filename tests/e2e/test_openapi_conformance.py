"""The OpenAPI document tells the truth: schemathesis calls every operation in process, as a
trader and as an administrator, and every answer must be one the document lists (status,
media type, headers, body schema), and none a server error.

One declaration (the import example) is lodged first, and ``reference`` names it, so that the
declaration's own operations answer with the declaration rather than only 404. Generation is
seeded and deterministic, a few examples per operation, so a failure repeats on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import schemathesis
import schemathesis.engine
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

from clearway.bootstrap import Runtime
from clearway.config import Settings
from clearway.domain.access import Principal
from clearway.entrypoints.api import openapi
from clearway.entrypoints.api.app import create_app
from clearway.entrypoints.api.deps import CurrentPrincipal
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.routers.declarations import IfMatch
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.lodging import LodgeDeclaration, lodge_declaration
from tests.conftest import SECRET, USERS, add_user, certified, example

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
EXAMPLES_PER_OPERATION = 3
SEED = 20261123


def _lodged_example(runtime: Runtime) -> str:
    parsed = parse_declaration(certified(example("import")))
    role, company = USERS["broker"]  # the import example's declarant
    command = LodgeDeclaration(
        parsed.declaration, parsed.document, Principal("broker", role, company)
    )
    return lodge_declaration(command, runtime.uow(), runtime.context).record.id


@pytest.mark.parametrize("username", ["broker", "admin"])
def test_every_operation_answers_as_documented(runtime: Runtime, username: str) -> None:
    token = add_user(runtime, username)
    # Changing an account ends its tokens, by design: the administrator changes another's.
    add_user(runtime, "stranger")
    app = create_app(runtime=runtime)
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "headers": {"Authorization": f"Bearer {token}"},
            "parameters": {"reference": _lodged_example(runtime), "username": "stranger"},
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
            # The coverage phase's thousands of boundary cases take minutes: they, and the
            # stateful phase, are for `schemathesis run` against a running server.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    failures: set[str] = set()
    tested: set[str] = set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            failures.add(f"{getattr(event, 'label', 'the run')}: {event.info.format()}")
        if isinstance(event, events.ScenarioFinished) and event.recorder.cases:
            tested.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.add(f"{event.recorder.label}: {failure.title}: {failure.message}")
    assert not failures, "\n\n".join(sorted(failures))
    documented = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert tested == documented


def test_the_document_lists_problems_where_they_arise(tmp_path: Path) -> None:
    # The document needs no database: the app is built, never served.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", secret_key=SECRET)
    document = create_app(settings).openapi()
    paths = document["paths"]

    def problem(path: str, method: str, status: int) -> dict[str, Any]:
        response: dict[str, Any] = paths[path][method]["responses"][str(status)]
        content: dict[str, Any] = response["content"]
        assert list(content) == ["application/problem+json"], (path, method, status)
        return response

    lodge = "/api/v1/declarations"
    assert problem(lodge, "post", 401)["headers"]["WWW-Authenticate"]
    unprocessable = problem(lodge, "post", 422)["content"]["application/problem+json"]
    assert unprocessable["schema"] == {"$ref": "#/components/schemas/Problem"}
    problem("/api/v1/declarations/{reference}", "get", 404)
    problem("/api/v1/declarations/{reference}/amendments", "post", 412)
    problem("/api/v1/declarations/{reference}/amendments", "post", 415)
    problem("/api/v1/auth/token", "post", 429)

    shared = document["components"]["schemas"]["Problem"]
    assert set(shared["required"]) == {"type", "title", "status", "detail", "instance"}
    errors = shared["properties"]["errors"]["items"]["$ref"]
    assert document["components"]["schemas"][errors.rsplit("/", 1)[1]]["required"] == [
        "code",
        "pointer",
        "detail",
    ]
    # FastAPI's own validation answer is not what this API sends; nothing refers to it.
    assert "HTTPValidationError" not in document["components"]["schemas"]
    # Query parameters that do not read are a 400, not a 422, where no body is sent.
    assert "422" not in paths["/api/v1/tariff/commodities/{code}"]["get"]["responses"]
    assert "400" in paths["/api/v1/tariff/commodities/{code}"]["get"]["responses"]


class _Thing(BaseModel):
    name: str


def test_a_new_route_gets_its_problems_from_what_it_declares() -> None:
    """Routes written later are covered too: the problems come from the route's body,
    parameters and credentials, not from a list of known paths."""
    router = APIRouter(route_class=JsonBodyRoute)

    @router.post("/things/{thing}")
    def change(
        thing: str, body: _Thing, principal: CurrentPrincipal, if_match: IfMatch = None
    ) -> _Thing:
        return body

    @router.get("/things")
    def search(limit: Annotated[int, Query(ge=1, le=10)] = 5) -> list[_Thing]:
        return []

    app = FastAPI()
    app.include_router(router)
    openapi.install(app)
    paths = app.openapi()["paths"]
    changed = paths["/things/{thing}"]["post"]["responses"]
    assert list(changed) == ["200", "400", "401", "403", "404", "409", "412", "413", "415", "422"]
    assert list(paths["/things"]["get"]["responses"]) == ["200", "400"]
