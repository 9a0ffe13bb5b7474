"""Log lines as JSON, one object per line (``--log-format json``): time, level, logger, message, and the
server and command being handled when the line was written during a command.

The server and command come from :data:`LOG_CONTEXT`, which the pipeline sets for the time it handles a
command. A ContextVar is per task, not shared state: each invocation (each asyncio task) sees its own,
and two bots in one process never see each other's."""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
from typing import Any

# (server id or None, command name) of the invocation this task is handling; None outside one.
LOG_CONTEXT: contextvars.ContextVar[tuple[str | None, str] | None] = contextvars.ContextVar(
    "hypotez_log_context", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object per record; a traceback, when there is one, is the ``exception`` field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = LOG_CONTEXT.get()
        server = getattr(record, "server", context[0] if context else None)
        command = getattr(record, "command", context[1] if context else None)
        if server is not None:
            entry["server"] = str(server)
        if command is not None:
            entry["command"] = str(command)
        if record.exc_info and not record.exc_text:  # as logging.Formatter does; redaction already set it
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int, log_format: str = "text") -> None:
    """The root logger's handler writes ``log_format`` ("text" or "json") to stderr (as logging.basicConfig:
    nothing changes when the root logger already has handlers, e.g. under pytest's log capture)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r}: choose one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
