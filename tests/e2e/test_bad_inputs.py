"""Bad inputs to the HTTP API: each is refused with a specific RFC 9457 problem and stores nothing.

Bad declaration bodies are data, in ``bad_inputs/cases.json``. A case is either an RFC 6902
``patch`` on a shared example (``base``), sent as JSON with every non-ASCII character escaped,
or a ``raw`` body sent byte for byte (for what a patch cannot express, such as broken JSON or
``NaN``). Its ``expect`` gives the status, the problem type's slug, and the errors that must be
among those returned: ``codes[i]`` at ``pointers[i]``. ``xfail`` marks a case the API answers
wrongly today, saying how.

Bad credentials, access to other traders' declarations, oversized and streamed bodies, cursors
and ETags need more than a body; they are the functions marked ``@corpus`` below.
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import jsonpatch
import pytest
from sqlalchemy import func, select

from clearway.adapters.security import issue_token
from clearway.adapters.tables import (
    declaration_items,
    declaration_parties,
    declaration_versions,
    declarations,
    events,
)
from clearway.domain.access import Principal
from tests.conftest import SECRET, example, example_bytes

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "bad_inputs" / "cases.json").read_text(encoding="utf-8")
)
DECLARATIONS = "/api/v1/declarations"
PROBLEM_JSON = "application/problem+json"
STORED = (declarations, declaration_versions, declaration_items, declaration_parties, events)
NOTHING_STORED = {table.name: 0 for table in STORED}
MIN_CORPUS = 40

Test = TypeVar("Test", bound=Callable[..., None])
CORPUS_FUNCTIONS: list[str] = []


def corpus(test: Test) -> Test:
    """Count a test function as one case of the corpus."""
    CORPUS_FUNCTIONS.append(test.__name__)
    return test


def stored_rows(runtime: Any) -> dict[str, int]:
    with runtime.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in STORED
        }


def assert_problem(response: Any, status: int, slug: str, path: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of this status and type; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:clearway:problem:{slug}", problem
    assert problem["status"] == status
    assert problem["instance"] == path
    assert problem["title"].strip() and problem["detail"].strip()
    return problem


def request_body(case: dict[str, Any]) -> bytes:
    if "raw" in case:
        raw: str = case["raw"]
        return raw.encode("utf-8")
    return json.dumps(jsonpatch.apply_patch(example(case["base"]), case["patch"])).encode("ascii")


def lodger(base: str | None) -> str:
    """The user whose company declares the base example."""
    return "acme" if base == "export" else "broker"


def _param(case: dict[str, Any]) -> Any:
    marks = (
        [pytest.mark.xfail(reason=case["xfail"], strict=True, raises=AssertionError)]
        if "xfail" in case
        else []
    )
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_declaration_is_refused_with_a_problem_and_stores_nothing(
    case: dict[str, Any], refusing_api: Any
) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    headers = {
        **api.as_(lodger(case["base"])),
        "Content-Type": case.get("content_type", "application/json"),
    }
    response = api.post(DECLARATIONS, content=request_body(case), headers=headers)

    expect = case["expect"]
    problem = assert_problem(response, expect["status"], expect["type"], DECLARATIONS)
    returned = [(error["code"], error["pointer"]) for error in problem.get("errors", [])]
    for code, pointer in zip(expect["codes"], expect["pointers"], strict=True):
        assert (code, pointer) in returned
    if not expect["codes"]:
        assert returned == []
    assert all(error["detail"].strip() for error in problem.get("errors", []))
    assert stored_rows(runtime) == NOTHING_STORED


def test_cases_are_well_formed() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        assert case["why"].strip(), case["name"]
        assert ("raw" in case) != ("patch" in case), case["name"]
        assert (case["base"] is None) == ("raw" in case), case["name"]
        expect = case["expect"]
        assert 400 <= expect["status"] < 500, case["name"]
        assert len(expect["codes"]) == len(expect["pointers"]), case["name"]
        if "patch" in case:  # the patch applies: a broken patch would test nothing
            jsonpatch.apply_patch(example(case["base"]), case["patch"])


def test_corpus_holds_at_least_40_bad_inputs() -> None:
    registered = {name for name in CORPUS_FUNCTIONS if callable(globals().get(name))}
    assert registered == set(CORPUS_FUNCTIONS), "a @corpus function is not a test of this module"
    assert len(CASES) + len(CORPUS_FUNCTIONS) >= MIN_CORPUS


# Sizes and streams


@corpus
def test_ten_thousand_goods_items_are_refused_at_items(api: Any, runtime: Any) -> None:
    declaration = example("import")
    item = {
        "sequence": 1,
        "commodity_code": "0702000007",
        "description": "Cherry tomatoes",
        "origin_country": "MA",
        "invoice_amount": "1.84",
        "net_mass_kg": "1.6",
    }
    # 10,000 x 1.84 is the invoice's 18,400.00: only the number of items is wrong.
    declaration["items"] = [{**item, "sequence": n} for n in range(1, 10_001)]
    body = json.dumps(declaration, separators=(",", ":")).encode()
    # Under the body limit, so that the schema (at most 999 items) is what refuses it.
    assert len(body) < runtime.settings.max_body_bytes

    response = api.post(
        DECLARATIONS,
        content=body,
        headers={
            **api.as_("broker"),
            "Content-Type": "application/json",
        },
    )

    problem = assert_problem(response, 422, "validation-failed", DECLARATIONS)
    assert [(e["code"], e["pointer"]) for e in problem["errors"]] == [("SCHEMA.too_long", "/items")]
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_body_over_the_limit_is_413_and_one_at_the_limit_is_read(api: Any, runtime: Any) -> None:
    limit = runtime.settings.max_body_bytes
    assert limit == 2 * 1024 * 1024
    declaration = example_bytes("import")
    # Trailing whitespace keeps the JSON valid: only the size is wrong.
    over = declaration + b" " * (limit + 1 - len(declaration))
    headers = {**api.as_("broker"), "Content-Type": "application/json"}

    response = api.post(DECLARATIONS, content=over, headers=headers)

    problem = assert_problem(response, 413, "payload-too-large", DECLARATIONS)
    assert str(limit) in problem["detail"]
    assert stored_rows(runtime) == NOTHING_STORED
    at_limit = api.post(DECLARATIONS, content=over[:-1], headers=headers)
    assert at_limit.status_code == 201, at_limit.text


@corpus
def test_streamed_body_over_the_limit_is_413_without_reading_it_all(api: Any, runtime: Any) -> None:
    """Chunked, with no Content-Length: the limit counts what arrives and stops reading.

    The TestClient joins a streamed body into one message, so the app is driven directly.
    """
    chunk = b" " * 65_536
    chunks = [b'{"lrn": "NWT-2026-000123", "padding": "', *[chunk] * 64, b'"}']  # 4 MiB
    delivered = 0
    sent: list[dict[str, Any]] = []
    token = api.as_("broker")["Authorization"].encode()

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        delivered += 1
        if delivered > len(chunks):
            return {"type": "http.disconnect"}
        more = delivered < len(chunks)
        return {"type": "http.request", "body": chunks[delivered - 1], "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": DECLARATIONS,
        "raw_path": DECLARATIONS.encode(),
        "root_path": "",
        "query_string": b"",
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
            (b"authorization", token),
        ],
    }

    api.portal.call(api.app, scope, receive, send)

    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    assert start["status"] == 413
    assert (b"content-type", PROBLEM_JSON.encode()) in start["headers"]
    assert json.loads(body)["type"] == "urn:clearway:problem:payload-too-large"
    # Refused as soon as more than the limit had arrived, without reading the rest.
    arrived = itertools.accumulate(len(chunk) for chunk in chunks)
    limit = runtime.settings.max_body_bytes
    assert delivered == next(n for n, total in enumerate(arrived, 1) if total > limit)
    assert delivered < len(chunks)
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_invalid_utf8_is_refused_naming_the_byte(api: Any, runtime: Any) -> None:
    body = example_bytes("import").replace(b"Souss Primeurs", b"Souss Primeurs \xff\xfe")
    response = api.post(
        DECLARATIONS,
        content=body,
        headers={
            **api.as_("broker"),
            "Content-Type": "application/json",
        },
    )
    problem = assert_problem(response, 400, "not-utf8", DECLARATIONS)
    offset = body.index(b"\xff")
    assert problem["detail"] == f"the body is not UTF-8 (byte 0xff at offset {offset:,})"
    assert stored_rows(runtime) == NOTHING_STORED


# Credentials


def lodge_with(api: Any, headers: dict[str, str]) -> Any:
    return api.post(
        DECLARATIONS,
        content=example_bytes("import"),
        headers={
            **headers,
            "Content-Type": "application/json",
        },
    )


def assert_not_authenticated(response: Any) -> dict[str, Any]:
    problem = assert_problem(response, 401, "not-authenticated", DECLARATIONS)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return problem


def broker_principal(runtime: Any) -> Principal:
    principal: Principal = runtime.users.principal("broker")
    return principal


@corpus
def test_no_credentials_is_401_asking_for_a_bearer_token(api: Any, runtime: Any) -> None:
    assert_not_authenticated(lodge_with(api, {}))
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_token_signed_with_another_key_is_401(api: Any, runtime: Any) -> None:
    api.as_("broker")  # the user exists: only the signature is wrong
    forged = issue_token(
        broker_principal(runtime),
        "another-secret-key-just-as-long-0123456789",
        timedelta(minutes=30),
    )
    problem = assert_not_authenticated(lodge_with(api, {"Authorization": f"Bearer {forged.token}"}))
    assert "not valid" in problem["detail"]
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_expired_token_is_401_saying_it_expired(api: Any, runtime: Any) -> None:
    api.as_("broker")
    expired = issue_token(broker_principal(runtime), SECRET, timedelta(seconds=-1))
    response = lodge_with(api, {"Authorization": f"Bearer {expired.token}"})
    problem = assert_not_authenticated(response)
    assert "expired" in problem["detail"]
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_garbage_bearer_token_is_401(api: Any, runtime: Any) -> None:
    assert_not_authenticated(lodge_with(api, {"Authorization": "Bearer not.a.token"}))
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_wrong_api_key_is_401(api: Any, runtime: Any) -> None:
    api.as_("broker")
    scheme, prefix, _secret = runtime.users.create_api_key("broker", "ci")[0].split("_", 2)
    # A real key's prefix with the wrong secret, an unknown prefix, and no key format at all.
    for wrong in (f"{scheme}_{prefix}_{'x' * 43}", f"{scheme}_000000000000_unknown", "no-such-key"):
        assert_not_authenticated(lodge_with(api, {"X-API-Key": wrong}))
    assert stored_rows(runtime) == NOTHING_STORED


# Roles and other traders' declarations


@corpus
def test_officer_may_not_lodge(api: Any, runtime: Any) -> None:
    problem = assert_problem(lodge_with(api, api.as_("officer")), 403, "forbidden", DECLARATIONS)
    assert "officer" in problem["detail"]
    assert stored_rows(runtime) == NOTHING_STORED


@corpus
def test_trader_may_not_lodge_as_another_declarant(api: Any, runtime: Any) -> None:
    # Northwind is the importer on the example but not its declarant (the broker is).
    problem = assert_problem(lodge_with(api, api.as_("northwind")), 403, "forbidden", DECLARATIONS)
    assert "GB123456789000" in problem["detail"]
    assert stored_rows(runtime) == NOTHING_STORED


def other_traders_request(operation: str, reference: str) -> tuple[str, str, dict[str, Any]]:
    """Method, path and request options of ``operation`` on the declaration ``reference``."""
    path = f"{DECLARATIONS}/{reference}"
    return {
        "get": ("GET", path, {}),
        "history": ("GET", f"{path}/history", {}),
        "amend": ("POST", f"{path}/amendments", {"json": example("import")}),
        "cancel": ("POST", f"{path}/cancellation", {"json": {"reason": "Lodged in error"}}),
    }[operation]


@corpus
@pytest.mark.parametrize("operation", ["get", "history", "amend", "cancel"])
def test_another_traders_declaration_is_404_like_an_unknown_one(
    operation: str, api: Any, lodge: Any, runtime: Any
) -> None:
    lodged = lodge(example("import")).json()
    after_lodging = stored_rows(runtime)
    assert all(after_lodging.values()), after_lodging  # the count sees what a lodging stores
    unknown = str(uuid.uuid4())
    answers = []
    for reference in (lodged["id"], lodged["mrn"], unknown):
        method, path, options = other_traders_request(operation, reference)
        response = api.request(method, path, headers=api.as_("stranger"), **options)
        problem = assert_problem(response, 404, "not-found", path)
        answers.append(
            {key: str(value).replace(reference, "<ref>") for key, value in problem.items()}
        )
    assert answers[0] == answers[1] == answers[2]
    assert stored_rows(runtime) == after_lodging
    mine = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("broker")).json()
    assert (mine["status"], mine["version"]) == ("held", 1)


@corpus
def test_unknown_declaration_is_404(api: Any, runtime: Any) -> None:
    path = f"{DECLARATIONS}/{uuid.uuid4()}"
    assert_problem(api.get(path, headers=api.as_("broker")), 404, "not-found", path)
    assert stored_rows(runtime) == NOTHING_STORED


# Cursors and ETags


def encoded_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@corpus
@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        encoded_cursor("[]"),
        encoded_cursor('{"t": "yesterday", "id": "x"}'),
        encoded_cursor('{"t": "2026-11-23T10:00:00+00:00"}'),
        encoded_cursor('{"t": "2026-11-23T10:00:00", "id": "x"}'),
        "x" * 201,
    ],
    ids=["not-base64-json", "array", "bad-time", "no-id", "naive-time", "too-long"],
)
def test_bad_cursor_is_400(cursor: str, api: Any, lodge: Any) -> None:
    lodge(example("import"))
    response = api.get(DECLARATIONS, params={"cursor": cursor}, headers=api.as_("broker"))
    assert_problem(response, 400, "bad-request", DECLARATIONS)


@corpus
@pytest.mark.parametrize("if_match", ["banana", '"2"', '"v"', '"v-1"', '"v1.0"'])
def test_bad_if_match_is_400_and_changes_nothing(
    if_match: str, api: Any, lodge: Any, runtime: Any
) -> None:
    lodged = lodge(example("import")).json()
    after_lodging = stored_rows(runtime)
    amended = example("import")
    amended["items"][0]["description"] = "Fresh cherry tomatoes on the vine, in 5 kg cartons"
    path = f"{DECLARATIONS}/{lodged['id']}/amendments"

    response = api.post(path, json=amended, headers={**api.as_("broker"), "If-Match": if_match})

    problem = assert_problem(response, 400, "bad-request", path)
    assert "If-Match" in problem["detail"]
    assert stored_rows(runtime) == after_lodging


@corpus
@pytest.mark.parametrize(
    ("user", "method", "path", "body", "status", "pointer"),
    [
        ("broker", "get", f"{DECLARATIONS}?lrn=NWT%00", None, 400, "query:lrn"),
        ("broker", "get", f"{DECLARATIONS}/x%00y/history", None, 400, "path:reference"),
        ("officer", "get", "/api/v1/work-queue?office=GB%00", None, 400, "query:office"),
        ("admin", "get", "/api/v1/subscriptions/x%00y", None, 400, "path:subscription_id"),
        ("analyst", "put", "/api/v1/risk/lists/aeo", {"codes": ["GB1\u0000"]}, 422, "/codes/0"),
        ("admin", "post", "/api/v1/auth/api-keys", "name=erp%00", 422, "/name"),
    ],
    ids=["query", "path", "work-queue-query", "subscription-path", "json-field", "form-field"],
)
def test_nul_in_any_text_is_refused_where_it_is_on_both_databases(
    user: str, method: str, path: str, body: Any, status: int, pointer: str, api: Any
) -> None:
    """PostgreSQL cannot store U+0000: these were server errors there, and stored on SQLite."""
    headers = api.as_(user)
    if isinstance(body, str):
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        response = api.request(method, path, content=body, headers=headers)
    else:
        response = api.request(method, path, json=body, headers=headers)

    slug = "bad-request" if status == 400 else "validation-failed"
    problem = assert_problem(response, status, slug, unquote(path.split("?")[0]))
    assert [(e["code"], e["pointer"]) for e in problem["errors"]] == [
        ("SCHEMA.text_not_printable", pointer)
    ]
    if method == "put":
        lists = api.get("/api/v1/risk/lists", headers=headers).json()
        assert [found["name"] for found in lists] == []


@corpus
@pytest.mark.parametrize(
    ("user", "method", "path", "pointer"),
    [
        ("agency", "delete", "/api/v1/screening/dismissals/2147483648", "path:dismissal_id"),
        ("analyst", "get", "/api/v1/risk/models/99999999999999999999", "path:version"),
        ("analyst", "post", "/api/v1/risk/models/2147483648/promote", "path:version"),
    ],
    ids=["dismissal", "model", "promote"],
)
def test_an_id_past_its_column_is_400_not_an_overflow(
    user: str, method: str, path: str, pointer: str, api: Any
) -> None:
    """The ids are 32-bit INTEGER columns: a larger number overflowed the query (500)."""
    response = api.request(method, path, headers=api.as_(user))

    problem = assert_problem(response, 400, "bad-request", path)
    assert [error["pointer"] for error in problem["errors"]] == [pointer]
