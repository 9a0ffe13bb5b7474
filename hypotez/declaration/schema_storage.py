"""The JSON Schema of ``bot.storage``: where the bot keeps its feedback, answers, jobs and settings."""

from __future__ import annotations

STORAGE_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "database": {
            "type": "string",
            "anyOf": [{"pattern": r"^[\w.-]+$"}, {"pattern": r"^postgres(ql)?://\S+$"}],
            "description": "A SQLite file name, kept in the data folder (default hypotez.sqlite3), or a "
                           "PostgreSQL URL, postgresql://USER:PASSWORD@HOST:PORT/DATABASE, for several "
                           "bot processes sharing one database. The environment variable "
                           "HYPOTEZ_DATABASE_URL overrides it (keeps a password out of the spec).",
        },
        "jobs": {
            "enum": ["in_process", "queue"],
            "description": "Where training jobs run: in_process (default: in the bot's own process, one at a "
                           "time) or queue (PostgreSQL only: queued in the database and run by `hypotez "
                           "worker` processes, on this machine or others).",
        },
    },
}
