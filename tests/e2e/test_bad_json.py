"""JSON bodies the API refuses before reading them as declarations: a name twice in one object,
text that is not UTF-8 (or declared in another charset), a byte order mark. Each is a
specific RFC 9457 problem that says what and where, and stores nothing.

``bad_inputs/cases.json`` holds one case of each kind for the corpus; these tests check the
words and pointers a client is given.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest

from tests.conftest import example, example_bytes
from tests.e2e.test_bad_inputs import DECLARATIONS, NOTHING_STORED, assert_problem, stored_rows


def post(api: Any, body: bytes, content_type: str = "application/json", path: str = "") -> Any:
    headers = {**api.as_("broker"), "Content-Type": content_type}
    return api.post(path or DECLARATIONS, content=body, headers=headers)


def with_duplicate(
    document: dict[str, Any], where: list[str | int], name: str, value: Any
) -> bytes:
    """``document`` as JSON text with ``name`` given a second time, as ``value``, in the object
    at ``where``; a marker member is put in, then replaced in the text."""
    target: Any = document
    for step in where:
        target = target[step]
    target["__second__"] = value
    text = json.dumps(document, separators=(",", ":"))
    return text.replace('"__second__"', json.dumps(name), 1).encode()


@pytest.mark.parametrize(
    ("where", "name", "pointer"),
    [
        ([], "lrn", "/lrn"),
        (["items", 0], "description", "/items/0/description"),
        (["declarant"], "id", "/declarant/id"),
    ],
    ids=["lrn", "item-description", "declarant-id"],
)
def test_a_duplicate_key_is_400_naming_the_key_and_its_pointer(
    where: list[str | int], name: str, pointer: str, refusing_api: Any
) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    body = with_duplicate(example("import"), where, name, "NWT-2026-000999")
    # The standard library would have taken the second value silently.
    assert json.loads(body) != example("import")

    problem = assert_problem(post(api, body), 400, "duplicate-key", DECLARATIONS)

    assert problem["title"] == "Duplicate key"
    assert problem["detail"] == f'duplicate key "{name}" at {pointer}'
    assert problem["pointer"] == pointer
    assert stored_rows(runtime) == NOTHING_STORED


def test_the_first_duplicate_in_the_text_is_the_one_named(refusing_api: Any) -> None:
    api = refusing_api
    # The item's duplicate comes first in the text, the LRN's last.
    body = with_duplicate(example("import"), ["items", 0], "sequence", 2)
    body = body[:-1] + b',"lrn":"NWT-2026-000999"}'

    problem = assert_problem(post(api, body), 400, "duplicate-key", DECLARATIONS)

    assert problem["detail"] == 'duplicate key "sequence" at /items/0/sequence'


def test_duplicate_keys_are_refused_on_other_json_routes_too(
    api: Any, lodge: Any, runtime: Any
) -> None:
    lodged = lodge(example("import")).json()
    after_lodging = stored_rows(runtime)
    cancel = f"{DECLARATIONS}/{lodged['id']}/cancellation"
    body = b'{"reason": "Lodged in error", "reason": "Duplicate of NWT-2026-000124"}'

    problem = assert_problem(post(api, body, path=cancel), 400, "duplicate-key", cancel)

    assert problem["detail"] == 'duplicate key "reason" at /reason'
    assert stored_rows(runtime) == after_lodging
    shown = api.get(f"{DECLARATIONS}/{lodged['id']}", headers=api.as_("broker")).json()
    assert shown["status"] != "cancelled"


LATIN_1 = example_bytes("import").replace(b"Souss Primeurs", "Société Souss".encode("latin-1"))
E_ACUTE = LATIN_1.index("é".encode("latin-1"))


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (example_bytes("import").decode().encode("utf-16"), "byte 0xff at offset 0"),
        (
            example_bytes("import").decode().encode("utf-16-le"),
            "byte 0x00 at offset 1; it looks like UTF-16 or UTF-32",
        ),
        (example_bytes("import").decode().encode("utf-32"), "byte 0xff at offset 0"),
        (LATIN_1, f"byte 0xe9 at offset {E_ACUTE:,}"),
    ],
    ids=["utf-16-with-bom", "utf-16-without-bom", "utf-32", "latin-1"],
)
def test_a_body_that_is_not_utf8_is_400_naming_the_first_bad_byte(
    body: bytes, detail: str, refusing_api: Any
) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    problem = assert_problem(post(api, body), 400, "not-utf8", DECLARATIONS)

    assert problem["title"] == "Only UTF-8 is accepted"
    assert problem["detail"] == f"the body is not UTF-8 ({detail})"
    assert stored_rows(runtime) == NOTHING_STORED


def test_a_utf8_byte_order_mark_is_400(refusing_api: Any) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    body = codecs.BOM_UTF8 + example_bytes("import")

    problem = assert_problem(post(api, body), 400, "not-utf8", DECLARATIONS)

    assert "byte order mark" in problem["detail"]
    assert stored_rows(runtime) == NOTHING_STORED


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-16",
        "application/json; charset=UTF-16LE",
        "application/json;charset=iso-8859-1",
        'application/json; charset="windows-1252"',
    ],
)
def test_a_charset_other_than_utf8_is_415(content_type: str, refusing_api: Any) -> None:
    api, runtime = refusing_api, refusing_api.runtime
    body = example_bytes("import")

    problem = assert_problem(
        post(api, body, content_type), 415, "unsupported-media-type", DECLARATIONS
    )

    charset = content_type.rsplit("=", 1)[1].strip('"').lower()
    assert problem["detail"].startswith(
        f"only UTF-8 is accepted: the body is declared charset={charset};"
    )
    assert stored_rows(runtime) == NOTHING_STORED


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
        'application/json; charset="utf-8"',
    ],
)
def test_charset_utf8_in_any_case_is_accepted(content_type: str, api: Any) -> None:
    response = post(api, example_bytes("import"), content_type)

    assert response.status_code == 201, response.text
