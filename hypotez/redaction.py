"""Keeping secrets (the Discord token) out of logs, replies and error messages.

:class:`Redactor` replaces every secret in a text with ``[redacted]``. :func:`redact_logs` puts a
:class:`RedactingFilter` on every handler of the root logger, so a record from any logger (discord.py's
debug output, a handler's traceback, ``hypotez run``'s own messages) is cleaned before it is written.
Filters go on handlers, not loggers: a logger's filter does not see records its children propagate.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable

MASK = "[redacted]"
# Shorter values are not secrets worth the risk of blanking ordinary words.
MIN_SECRET_LENGTH = 8


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()):
        found = {secret.strip() for secret in secrets if secret and len(secret.strip()) >= MIN_SECRET_LENGTH}
        self.secrets = sorted(found, key=len, reverse=True)  # longest first: one may contain another

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


class RedactingFilter(logging.Filter):
    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact_logs(secrets: Iterable[str | None], logger: logging.Logger | None = None) -> Callable[[], None]:
    """Redact ``secrets`` in everything the handlers of ``logger`` (default: the root logger) write.
    Returns a function that takes the filter off again."""
    redactor = Redactor(secrets)
    target = logger or logging.getLogger()
    if not redactor:
        return lambda: None
    log_filter = RedactingFilter(redactor)
    handlers = list(target.handlers)
    for handler in handlers:
        handler.addFilter(log_filter)

    def remove() -> None:
        for handler in handlers:
            handler.removeFilter(log_filter)

    return remove
