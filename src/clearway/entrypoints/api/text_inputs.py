"""Text the databases can hold: NUL (U+0000) is refused in every parameter and body field.

PostgreSQL's text types cannot hold U+0000 (psycopg refuses the statement), SQLite's can; a NUL
sent in a path, a query, a form or a JSON string was a server error on one database and a
stored oddity on the other. No field of the API or the portal has a use for it, so every
request is checked once, before its route runs, and the NUL is answered like any other value
that does not read: 400 for a parameter, 422 for a body field, each with where it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

NUL = "\x00"
_MESSAGE = "text must not contain the NUL character (U+0000)"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_nul(request: Request) -> None:
    """A dependency of every route: refuse the request if any text it carries holds NUL."""
    locations: list[tuple[int | str, ...]] = [
        ("path", name) for name, value in request.path_params.items() if NUL in str(value)
    ]
    locations += [
        ("query", name)
        for name, value in request.query_params.multi_items()
        if NUL in name or NUL in value
    ]
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORMS):
        form = await request.form()
        locations += [
            ("body", name)
            for name, value in form.multi_items()
            if NUL in name or (isinstance(value, str) and NUL in value)
        ]
    elif "json" in content_type and b"\\u0000" in await request.body():
        # The escape is the only way JSON writes a NUL; the document is read only when the
        # bytes hold it (and JSON it cannot read is the route's to refuse).
        try:
            document = await request.json()
        except ValueError:
            document = None
        locations += [("body", *path) for path in _nul_paths(document, ())]
    if locations:
        raise RequestValidationError(
            [{"type": "text_not_printable", "loc": where, "msg": _MESSAGE} for where in locations]
        )


def _nul_paths(document: Any, at: tuple[int | str, ...]) -> Iterator[tuple[int | str, ...]]:
    """Where in a JSON document a key or a string holds NUL."""
    if isinstance(document, str):
        if NUL in document:
            yield at
    elif isinstance(document, dict):
        for key, value in document.items():
            if NUL in key:
                yield (*at, key)
            else:
                yield from _nul_paths(value, (*at, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _nul_paths(value, (*at, index))
