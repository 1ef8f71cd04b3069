"""Log lines with their request's id, and the JSON format (IAM_LOG_FORMAT=json): one object per line."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

from iam_console.logging_filters import scrub

# The id of the request (or "task:<id>" of the Celery job) this thread is serving; "-" outside of one.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("iam_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a response after the middleware has returned: its record names the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "iam_request_id", None) or current_request_id.get()
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", current_request_id.get()),
            "message": record.getMessage(),
        }
        if record.exc_info:
            # A traceback can quote a local variable or a request body: redacted like the message.
            line["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)
