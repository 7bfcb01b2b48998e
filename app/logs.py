"""Log lines as JSON objects, one per line on standard output, each carrying the id of the
request it belongs to.

The request id lives in a context variable set by the request-log middleware
(app.http.requestlog); FastAPI copies the context into the thread that runs a `def` handler, so
every line logged while serving a request carries its id. Only fields named here reach the line:
a record's `extra` is read through ALLOWED_FIELDS, so a careless `extra={"password": ...}` is
dropped rather than written."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

ALLOWED_FIELDS = ("method", "path", "status", "duration_ms", "bytes", "client", "user_id", "user_agent")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        for name in ALLOWED_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def log_config(level: str = "info") -> dict[str, Any]:
    """A logging.config.dictConfig for the server: JSON lines for our loggers and uvicorn's.

    uvicorn's access log is left off: it writes the query string, which can carry codes and
    search terms; our request log writes the path alone."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stdout": {**handler, "stream": "ext://sys.stdout"}},
        "loggers": {
            "hocso": {"handlers": ["stdout"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stdout"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
        },
    }
