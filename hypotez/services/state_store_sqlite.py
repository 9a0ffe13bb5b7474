"""The bot's memory and its schedules' next runs in SQLite (WAL), a file of its own
(``DATA/.hypotez/state.sqlite3``): the zero-configuration store of one process
(:mod:`hypotez.services.state_store`). Every write is committed (synchronous FULL) before it returns."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from hypotez.services.state_records import (APPLIED_KEPT, Owner, Ranked, ScheduleRow, StateFull, encoded_value,
                                            tenant_of)
from hypotez.services.state_store import StateStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    tenant TEXT NOT NULL,
    scope TEXT NOT NULL,
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL,
    PRIMARY KEY (tenant, scope, key, owner)
);
CREATE TABLE IF NOT EXISTS applied (
    tag TEXT PRIMARY KEY,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_runs (
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    next_run REAL NOT NULL,
    pending REAL,
    acted INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);
"""
# The file's tables and, in the same order, the PostgreSQL tables they are copied to (storage_copy).
COPIED = (("state", "state_values"), ("applied", "state_applied"), ("schedule_runs", "schedule_runs"))


class SQLiteStateStore(StateStore):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """The columns and every row of one of the file's tables (for a copy to PostgreSQL)."""
        with self._lock:
            cursor = self._db.execute(f"SELECT * FROM {table}")
            return [column[0] for column in cursor.description], cursor.fetchall()

    # -- values ---------------------------------------------------------------------------------

    def read_sync(self, tenant: str, owners: Iterable[Owner], keys: Iterable[str]) -> dict[tuple[str, str], Any]:
        out: dict[tuple[str, str], Any] = {}
        keys = list(keys)
        if not keys:
            return out
        marks = ",".join("?" * len(keys))
        with self._lock:
            for owner in owners:
                rows = self._db.execute(
                    f"SELECT key, value FROM state WHERE tenant = ? AND scope = ? AND owner = ? AND key IN ({marks})",
                    (tenant_of(owner.scope, tenant), owner.scope, owner.id, *keys)).fetchall()
                for key, value in rows:
                    out[(owner.scope, key)] = json.loads(value)
        return out

    def _new_row_allowed(self, tenant: str, owner: Owner, key: str, max_rows: int) -> None:
        exists = self._db.execute("SELECT 1 FROM state WHERE tenant = ? AND scope = ? AND key = ? AND owner = ?",
                                  (tenant, owner.scope, key, owner.id)).fetchone()
        if exists is None:
            [count] = self._db.execute("SELECT COUNT(*) FROM state WHERE tenant = ? AND scope = ? AND key = ?",
                                       (tenant, owner.scope, key)).fetchone()
            if count >= max_rows:
                raise StateFull("too_many_rows", key, max_rows)

    def _first_time(self, once: str | None) -> bool:
        """Inside a transaction: False when the write tagged ``once`` was already made (a scheduled run
        posted again after a crash does its writes once); the tag is kept with the write."""
        if once is None:
            return True
        now = time.time()
        self._db.execute("DELETE FROM applied WHERE at < ?", (now - APPLIED_KEPT,))
        return self._db.execute("INSERT OR IGNORE INTO applied (tag, at) VALUES (?, ?)", (once, now)).rowcount == 1

    def _transaction(self, work: Any) -> Any:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            result = work()
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return result

    def write_sync(self, tenant: str, owner: Owner, key: str, value: Any, *, label: str = "",
                   max_length: int = 1000, max_rows: int = 100_000, once: str | None = None) -> Any:
        encoded = encoded_value(key, value, max_length)
        tenant = tenant_of(owner.scope, tenant)

        def work() -> None:
            if not self._first_time(once):
                return
            self._new_row_allowed(tenant, owner, key, max_rows)
            self._db.execute(
                "INSERT INTO state (tenant, scope, owner, key, value, label, updated) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT (tenant, scope, key, owner) DO UPDATE SET value = excluded.value, "
                "label = excluded.label, updated = excluded.updated",
                (tenant, owner.scope, owner.id, key, encoded, label, time.time()))

        with self._lock:
            self._transaction(work)
        return value

    def increment_sync(self, tenant: str, owner: Owner, key: str, by: int = 1, *, start: int = 0, label: str = "",
                       max_rows: int = 100_000, once: str | None = None) -> int:
        tenant = tenant_of(owner.scope, tenant)

        def work() -> int:
            if not self._first_time(once):
                row = self._db.execute("SELECT value FROM state WHERE tenant = ? AND scope = ? AND key = ? "
                                       "AND owner = ?", (tenant, owner.scope, key, owner.id)).fetchone()
                return int(row[0]) if row else start
            self._new_row_allowed(tenant, owner, key, max_rows)
            [value] = self._db.execute(
                "INSERT INTO state (tenant, scope, owner, key, value, label, updated) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT (tenant, scope, key, owner) DO UPDATE SET "
                "value = CAST(CAST(value AS INTEGER) + ? AS TEXT), label = excluded.label, updated = excluded.updated "
                "RETURNING value",
                (tenant, owner.scope, owner.id, key, str(start + by), label, time.time(), by)).fetchone()
            return int(value)

        with self._lock:
            return self._transaction(work)

    def top_sync(self, tenant: str, scope: str, key: str, limit: int) -> list[Ranked]:
        with self._lock:
            rows = self._db.execute(
                "SELECT owner, label, CAST(value AS INTEGER) AS n FROM state WHERE tenant = ? AND scope = ? "
                "AND key = ? ORDER BY n DESC, updated ASC LIMIT ?",
                (tenant_of(scope, tenant), scope, key, limit)).fetchall()
        return [Ranked(rank, owner, label, int(n)) for rank, (owner, label, n) in enumerate(rows, 1)]

    # -- schedules ------------------------------------------------------------------------------

    def schedule_sync(self, server: str, name: str) -> ScheduleRow | None:
        with self._lock:
            row = self._db.execute("SELECT next_run, pending, fingerprint, acted FROM schedule_runs WHERE tenant = ? "
                                   "AND name = ?", (server, name)).fetchone()
        return ScheduleRow(row[0], row[1], row[2], bool(row[3])) if row is not None else None

    def set_schedule_sync(self, server: str, name: str, row: ScheduleRow) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO schedule_runs (tenant, name, next_run, pending, acted, fingerprint) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT (tenant, name) DO UPDATE SET next_run = excluded.next_run, pending = excluded.pending, "
                "acted = excluded.acted, fingerprint = excluded.fingerprint",
                (server, name, row.next_run, row.pending, int(row.acted), row.fingerprint))
