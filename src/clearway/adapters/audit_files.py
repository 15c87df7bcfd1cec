"""The audit trail as files an auditor takes away: CSV (``detail`` as JSON in its column) and
JSON Lines, written a chunk at a time so that an export of millions of records streams."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from clearway.adapters.audit_trail import AuditRecord

COLUMNS = (
    "id",
    "occurred_at",
    "actor",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "channel",
    "client",
    "request_id",
    "detail",
)
_CHUNK = 64 * 1024


def record_document(found: AuditRecord) -> dict[str, Any]:
    document = {name: getattr(found, name) for name in COLUMNS}
    document["occurred_at"] = found.occurred_at.isoformat()
    return document


def csv_chunks(records: Iterable[AuditRecord]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for found in records:
        document = record_document(found)
        document["detail"] = orjson.dumps(found.detail, option=orjson.OPT_SORT_KEYS).decode()
        writer.writerow(document[name] for name in COLUMNS)
        if buffer.tell() > _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_lines(records: Iterable[AuditRecord]) -> Iterator[bytes]:
    for found in records:
        yield orjson.dumps(record_document(found)) + b"\n"


def export_file(
    records: Iterable[AuditRecord], format: str
) -> tuple[Iterator[str] | Iterator[bytes], str, str]:
    """The chunks of a CSV (``format`` ``csv``) or JSON Lines export, its media type and its
    file name."""
    if format == "csv":
        return csv_chunks(records), "text/csv; charset=utf-8", "audit-trail.csv"
    return json_lines(records), "application/jsonl", "audit-trail.jsonl"
