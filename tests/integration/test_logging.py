"""Request ids and log lines: the caller's sane ``X-Request-ID`` (or a fresh one) comes back on
every answer, errors included, and is in the access line and in every line logged while the
request was served; lines are JSON objects (or text), exceptions included."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clearway.bootstrap import Runtime
from clearway.entrypoints.api.app import create_app
from clearway.entrypoints.logging_setup import (
    JsonFormatter,
    TextFormatter,
    bind_request_id,
    current_request_id,
    reset_request_id,
)
from tests.conftest import example

DECLARATIONS = "/api/v1/declarations"
FRESH = re.compile(r"[0-9a-f]{32}")


def json_line(record: logging.LogRecord) -> dict[str, Any]:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json_line(r) for r in caplog.records if r.name == "clearway.access"]


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the clearway loggers write, formatted as ``clearway serve`` formats it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("clearway")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_sane_request_id_comes_back_and_is_in_the_access_line(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="clearway.access")
    sent = "trace-2026.12_03-0042"
    answer = api.post(
        DECLARATIONS,
        json=example("import"),
        headers={**api.as_("broker"), "X-Request-ID": sent},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["x-request-id"] == sent
    (line,) = [line for line in access_lines(caplog) if line["request_id"] == sent]
    assert line["level"] == "INFO" and line["logger"] == "clearway.access"
    assert datetime.fromisoformat(line["time"]).utcoffset() is not None
    assert line["time"].endswith("Z")
    assert (line["method"], line["route"], line["status"]) == ("POST", DECLARATIONS, 201)
    assert line["path"] == DECLARATIONS and line["client"] == "testclient"
    assert line["duration_ms"] > 0
    assert line["message"].startswith(f"POST {DECLARATIONS} 201 ")


def test_without_a_sane_id_each_request_gets_a_fresh_one(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="clearway.access")
    given = []
    for sent in (None, "", "has spaces", "x" * 65, "semi;colon", "ünïcode".encode()):
        headers = {} if sent is None else {"X-Request-ID": sent}
        answer = api.get("/health", headers=headers)
        assert answer.status_code == 200
        assert FRESH.fullmatch(answer.headers["x-request-id"]), sent
        given.append(answer.headers["x-request-id"])
    assert len(set(given)) == len(given)
    assert [line["request_id"] for line in access_lines(caplog)] == given
    longest = "A" * 64
    assert api.get("/health", headers={"X-Request-ID": longest}).headers["x-request-id"] == longest


def test_problem_answers_carry_the_request_id(api: Any) -> None:
    broker = api.as_("broker")
    answers = {
        "not-found": api.get(f"{DECLARATIONS}/no-such", headers=broker),
        "no-token": api.get(DECLARATIONS),
        "bad-json": api.post(
            DECLARATIONS, content=b"{", headers={**broker, "Content-Type": "application/json"}
        ),
        "no-route": api.get("/api/v1/no/such/thing"),
        "too-large": api.post(DECLARATIONS, content=b"x" * (2 * 1024 * 1024 + 1), headers=broker),
    }
    sent = {
        name: api.request(
            answer.request.method,
            str(answer.request.url),
            content=answer.request.content,
            headers={**answer.request.headers, "X-Request-ID": name},
        )
        for name, answer in answers.items()
    }
    assert {name: answer.status_code for name, answer in sent.items()} == {
        "not-found": 404,
        "no-token": 401,
        "bad-json": 400,
        "no-route": 404,
        "too-large": 413,
    }
    for name, answer in sent.items():
        assert answer.headers["content-type"] == "application/problem+json", name
        assert answer.headers["x-request-id"] == name
    for answer in answers.values():
        assert FRESH.fullmatch(answer.headers["x-request-id"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unexpected_error_is_logged_with_the_request_id_it_answers_with(
    runtime: Runtime, caplog: pytest.LogCaptureFixture, lines: io.StringIO
) -> None:
    app = create_app(runtime=runtime)

    @app.get("/api/v1/broken")
    def broken() -> None:
        logging.getLogger("clearway.api.broken").warning("about to fail", extra={"step": 3})
        raise RuntimeError("the disk is on fire")

    caplog.set_level(logging.INFO)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/broken", headers={"X-Request-ID": "incident-7"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-request-id"] == "incident-7"
    assert "fire" not in answer.text  # no internals in the answer

    (error,) = [json_line(r) for r in caplog.records if r.name == "clearway.api"]
    assert error["level"] == "ERROR" and error["request_id"] == "incident-7"
    assert error["message"] == "unexpected error on GET /api/v1/broken"
    assert "RuntimeError: the disk is on fire" in error["exc"]
    (access,) = access_lines(caplog)
    assert (access["status"], access["route"]) == (500, "/api/v1/broken")
    # Logged by the route in a worker thread, formatted as it was logged: the id is there.
    written = [json.loads(line) for line in lines.getvalue().splitlines()]
    (warning,) = [line for line in written if line["logger"] == "clearway.api.broken"]
    assert warning == {
        "time": warning["time"],
        "level": "WARNING",
        "logger": "clearway.api.broken",
        "message": "about to fail",
        "request_id": "incident-7",
        "step": 3,
    }


def test_text_lines_carry_the_request_id_and_the_fields() -> None:
    record = logging.LogRecord("clearway.x", logging.INFO, __file__, 1, "lodged %s", ("A",), None)
    record.mrn = "26GB00000000000017"
    token = bind_request_id("r-1")
    try:
        text = TextFormatter().format(record)
        line = json_line(record)
    finally:
        reset_request_id(token)
    assert current_request_id() is None
    assert text.endswith(" INFO clearway.x lodged A request_id=r-1 mrn=26GB00000000000017")
    assert (line["message"], line["request_id"], line["mrn"]) == (
        "lodged A",
        "r-1",
        "26GB00000000000017",
    )
