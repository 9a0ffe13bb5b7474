"""The ``bot.metrics`` part of the spec's schema: where ``hypotez run`` serves Prometheus metrics and
its health endpoint (``--metrics-port`` / ``--metrics-host`` on the command line win over it)."""

from __future__ import annotations

from typing import Any

METRICS_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "description": "Prometheus metrics on http://HOST:PORT/metrics and health on /healthz while the bot runs "
                   "on Discord (hypotez run); --metrics-port and --metrics-host override these.",
    "properties": {
        "port": {"type": "integer", "minimum": 1, "maximum": 65535,
                 "description": "The TCP port, e.g. 9108."},
        "host": {"type": "string", "minLength": 1,
                 "description": "The address to listen on (default 127.0.0.1; 0.0.0.0: every interface)."},
    },
    "required": ["port"],
}
