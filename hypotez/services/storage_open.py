"""Which storage backend a bot uses: ``bot.storage.database`` in the spec, overridden by the
``HYPOTEZ_DATABASE_URL`` environment variable.

A file name (the default ``hypotez.sqlite3``) is a SQLite file in the data folder's internal part; a
``postgresql://`` (or ``postgres://``) URL is a PostgreSQL database. Anything else is refused with a
message naming the setting it came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypotez.errors import ConfigError

ENV_VARIABLE = "HYPOTEZ_DATABASE_URL"
SETTING = "bot.storage.database"
DEFAULT_DATABASE = "hypotez.sqlite3"
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
SQLITE_FILE = re.compile(r"^[\w.-]+$")


def database_setting(storage_settings: Mapping[str, Any], env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The database to use and the name of the setting that chose it."""
    env = os.environ if env is None else env
    if env.get(ENV_VARIABLE, "").strip():
        return env[ENV_VARIABLE].strip(), f"the environment variable {ENV_VARIABLE}"
    return str(storage_settings.get("database", DEFAULT_DATABASE)), SETTING


def is_postgresql(database: str) -> bool:
    return database.startswith(POSTGRESQL_SCHEMES)


def open_backend(database: Path | str, internal: Path | None = None, *, setting: str = SETTING) -> Any:
    """The backend for ``database``: a PostgreSQL URL, a file name inside ``internal``, or (``internal``
    None) a path to a SQLite file."""
    if isinstance(database, str) and is_postgresql(database):
        from hypotez.services.storage_postgres import PostgresBackend  # psycopg only when it is asked for

        return PostgresBackend(database, setting=setting)
    from hypotez.services.storage_sqlite import SQLiteBackend

    if internal is None:
        return SQLiteBackend(database)
    if not SQLITE_FILE.match(str(database)):
        raise ConfigError(f"{setting}: {str(database)!r} is neither a SQLite file name nor a PostgreSQL URL",
                          "give a file name such as hypotez.sqlite3 (kept in the data folder) or "
                          "postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    return SQLiteBackend(internal / str(database))


def backend_for(storage_settings: Mapping[str, Any], internal: Path, env: Mapping[str, str] | None = None) -> Any:
    database, setting = database_setting(storage_settings, env)
    return open_backend(database, internal, setting=setting)
