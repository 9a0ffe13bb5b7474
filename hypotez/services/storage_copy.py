"""Copy every table of one storage into another, empty, one (``hypotez storage migrate``): all tenants'
rows, with their ids, in one transaction of the target — all of it lands or none.

The bot's memory and its schedules' runs, kept on SQLite in a file of their own (``state.sqlite3``), are
copied in the same transaction into the tables the PostgreSQL state store uses (migration 5).

The target must be empty: copying into a database that already holds rows would mix two bots' data or
double a copy made before, so it is refused with a message saying what is there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypotez.errors import ConfigError
from hypotez.services.storage import Storage
from hypotez.services.storage_dialect import POSTGRESQL, SQLITE

# Every table the storage keeps, in the order they are copied; a table added by a migration is added here
# (tests/test_storage_copy.py fails while one is missing). Tables with an id the database numbers.
COPIED_TABLES = ("feedback", "answers", "corrections", "jobs", "settings", "models")
NUMBERED_TABLES = ("feedback", "corrections")
BATCH = 2000  # rows read and written at a time: memory stays small on a big answers table


class CopyRefused(ConfigError):
    """The copy was not started: the operator must choose another target or empty it."""


def columns_of(storage: Storage, table: str) -> list[str]:
    backend = storage.backend
    if backend.dialect.name == SQLITE:
        return [row[1] for row in backend.all(f"PRAGMA table_info({table})")]
    rows = backend.all("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                       "AND table_name = ? ORDER BY ordinal_position", (table,))
    return [row[0] for row in rows]


def row_counts(storage: Storage) -> dict[str, int]:
    return {table: int(storage.backend.all(f"SELECT COUNT(*) FROM {table}")[0][0]) for table in COPIED_TABLES}


def _batches(storage: Storage, table: str, columns: list[str]) -> Iterator[list[tuple]]:
    """The table's rows in batches, in a stable order (SQLite's rowid; the columns on PostgreSQL)."""
    listed = ", ".join(columns)
    if storage.backend.dialect.name == SQLITE:
        last = -1
        while rows := storage.backend.all(f"SELECT rowid, {listed} FROM {table} WHERE rowid > ? ORDER BY rowid "
                                          f"LIMIT {BATCH}", (last,)):
            last = rows[-1][0]
            yield [row[1:] for row in rows]
        return
    offset = 0
    while rows := storage.backend.all(f"SELECT {listed} FROM {table} ORDER BY 1 LIMIT {BATCH} OFFSET ?", (offset,)):
        offset += len(rows)
        yield rows


def state_counts(target: Storage) -> dict[str, int]:
    from hypotez.services.state_store_sqlite import COPIED

    return {table: int(target.backend.all(f"SELECT COUNT(*) FROM {table}")[0][0]) for _, table in COPIED}


def copy_storage(source: Storage, target: Storage, state: Any = None) -> dict[str, int]:
    """Copy ``source`` (and ``state``, a SQLite state store, if given) into the empty ``target`` (both at
    the latest schema: opening them migrates them); the number of rows copied per table."""
    present = {table: count for table, count in row_counts(target).items() if count}
    if state is not None:
        present.update({table: count for table, count in state_counts(target).items() if count})
    if present:
        held = ", ".join(f"{table} {count}" for table, count in present.items())
        already = " — it looks like this copy was made already" if present == {
            t: c for t, c in row_counts(source).items() if c} else ""
        raise CopyRefused(f"the {target.describe()} is not empty ({held} rows){already}",
                          "hypotez storage migrate copies into an empty database only: give it a new database "
                          "(createdb), or empty that one first")
    copied: dict[str, int] = {}
    with target.backend.transaction() as tx:
        for table in COPIED_TABLES:
            columns = columns_of(source, table)
            missing = set(columns) - set(columns_of(target, table))
            if missing:
                raise CopyRefused(f"the {target.describe()} has no column {', '.join(sorted(missing))} in {table}",
                                  "both databases must be at the same schema version: upgrade hypotez")
            insert = (f"INSERT INTO {table} ({', '.join(columns)}) "
                      f"VALUES ({', '.join('?' * len(columns))})")
            copied[table] = 0
            for rows in _batches(source, table, columns):
                try:
                    tx.many(insert, rows)
                except Exception as error:  # the driver's own error: worded here, the copy rolled back
                    said = " ".join(str(error).split())
                    raise CopyRefused(f"a row of {table} cannot be stored in the {target.describe()}: {said}",
                                      "nothing was copied; fix or delete that row in the SQLite file "
                                      "and run the copy again") from None
                copied[table] += len(rows)
        if state is not None:
            copied.update(_copy_state(state, tx))
        if target.backend.dialect.name == POSTGRESQL:
            # New rows must be numbered after the copied ones.
            for table in NUMBERED_TABLES:
                tx.run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table} "
                       "HAVING MAX(id) IS NOT NULL")
    return copied


def _copy_state(state: Any, tx: Any) -> dict[str, int]:
    """The state file's rows into the PostgreSQL state tables, inside the copy's transaction."""
    from hypotez.services.state_store_sqlite import COPIED

    copied = {}
    for file_table, table in COPIED:
        columns, rows = state.rows(file_table)
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), BATCH):
            try:
                tx.many(insert, rows[start:start + BATCH])
            except Exception as error:  # the driver's own error: worded here, the copy rolled back
                said = " ".join(str(error).split())
                raise CopyRefused(f"a row of {file_table} in {state.path} cannot be stored: {said}",
                                  "nothing was copied; fix or delete that row in the state file and run the "
                                  "copy again") from None
        copied[table] = len(rows)
    return copied
