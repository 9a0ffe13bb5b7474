"""Which state store a bot uses: the one beside its storage (:mod:`hypotez.services.state_store`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypotez.services.state_store import STATE_DATABASE, StateStore


def open_state_store(storage: Any, internal: Path) -> StateStore:
    """The state store beside ``storage``: in its PostgreSQL database, or SQLite's own file in ``internal``."""
    if getattr(storage.backend, "url", None) is not None:
        from hypotez.services.state_store_postgres import PostgresStateStore  # psycopg only when it is used

        return PostgresStateStore(storage.backend)
    from hypotez.services.state_store_sqlite import SQLiteStateStore

    return SQLiteStateStore(internal / STATE_DATABASE)
