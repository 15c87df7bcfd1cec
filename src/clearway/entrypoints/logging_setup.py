"""Log lines for ``clearway serve`` and ``clearway demo``: one JSON object per line (or plain
text), uvicorn's own loggers included, each line carrying the id of the request it was
logged in.

A JSON line holds ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``, ``request_id``
while a request is served, every field passed with ``extra=``, and ``exc`` (the formatted
traceback) when an exception is logged. The request id lives in a context variable that the
API's request middleware sets (``clearway.entrypoints.api.observability``);
``current_request_id`` reads it, for the log lines and for anything else that records which
request it served (audit records).
"""

from __future__ import annotations

import logging
import logging.config
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

LogFormat = Literal["json", "text"]

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; the others came with ``extra=`` and go into the line.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    # uvicorn's copy of the message with terminal colours
    "color_message",
}


def current_request_id() -> str | None:
    """The id of the request being served in this context; None outside a request."""
    return _request_id.get()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make ``request_id`` the current request's id (until the token is reset)."""
    return _request_id.set(request_id)


def reset_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


def _request_id_of(record: logging.LogRecord) -> str | None:
    # A line logged with an explicit id (the access line) keeps it; others take the id of the
    # request being served when they are formatted, which is where they were logged.
    explicit = record.__dict__.get("request_id")
    return explicit if isinstance(explicit, str) else current_request_id()


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id_of(record)
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """``time level logger message``, then the request id and the extra fields as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = {
            key: value
            for key, value in record.__dict__.items()
            if key not in _STANDARD and not key.startswith("_")
        }
        request_id = _request_id_of(record)
        if request_id is not None:
            fields = {"request_id": request_id, **fields}
        if not fields:
            return text
        head, newline, rest = text.partition("\n")
        pairs = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{head} {pairs}{newline}{rest}"


def log_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: every logger, uvicorn's included, through one
    handler on standard error in ``log_format``. Given to uvicorn as its ``log_config``, it also
    applies in each worker process uvicorn starts."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "clearway",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"clearway": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"clearway": handler},
        "loggers": {
            name: {"handlers": ["clearway"], "level": level, "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
        "root": {"handlers": ["clearway"], "level": level},
    }


def configure_logging(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """Configure this process's logging; returns the configuration, for uvicorn."""
    config = log_config(log_format, level)
    logging.config.dictConfig(config)
    return config
