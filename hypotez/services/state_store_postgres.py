"""The bot's memory and its schedules' runs in the bot's PostgreSQL database (tables ``state_values``,
``state_applied`` and ``schedule_runs``, made by migration 5), shared by every process of the bot.

* An increment is one statement on the row (``UPDATE … SET value = value + by`` or ``INSERT … ON CONFLICT
  DO UPDATE``): the row lock makes concurrent increments from any number of processes add up exactly.
* A key's row limit (``state_limits.max_rows``) holds across processes: a write that would add an
  owner's first row takes a transaction-scoped advisory lock on (tenant, scope, key) before it counts,
  so two processes cannot both take the last place.
* A schedule's turn (:meth:`PostgresStateStore.schedule_turn`) is a session advisory lock on
  (server, schedule), held on a connection of its own while the run is claimed and posted: another
  process that finds the run due waits for it, then sees it claimed. A process killed mid-run loses its
  connection, and with it the lock: the next process to look finds the claimed run and posts it (with
  the same nonce, see :mod:`hypotez.events.scheduler`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Iterable

from hypotez.services.state_records import (APPLIED_KEPT, Owner, Ranked, ScheduleRow, StateFull, encoded_value,
                                            tenant_of)
from hypotez.services.state_store import StateStore

TURN_WAIT = 2.0  # seconds a schedule's turn is waited for (another process posting; a killed one's lock going)
TURN_POLL = 0.05
ROW = "tenant = ? AND scope = ? AND key = ? AND owner = ?"


def as_integer(column: str) -> str:
    """A counter's stored text as a number (0 for a value that is not one, as SQLite's CAST gives, instead
    of an error). No '?' in it: the dialect reads that as a placeholder."""
    return f"(CASE WHEN {column} ~ '^-{{0,1}}[0-9]+$' THEN CAST({column} AS BIGINT) ELSE 0 END)"


class PostgresStateStore(StateStore):
    def __init__(self, backend: Any):
        self.backend = backend  # the main storage's PostgreSQL backend: its pool, its migrated schema

    def close(self) -> None:
        return None  # the storage owns the connections

    # -- values ---------------------------------------------------------------------------------

    def read_sync(self, tenant: str, owners: Iterable[Owner], keys: Iterable[str]) -> dict[tuple[str, str], Any]:
        owners, keys = list(owners), list(keys)
        if not owners or not keys:
            return {}
        pairs = " OR ".join("(tenant = ? AND scope = ? AND owner = ?)" for _ in owners)
        params = [part for owner in owners for part in (tenant_of(owner.scope, tenant), owner.scope, owner.id)]
        rows = self.backend.all(f"SELECT scope, key, value FROM state_values WHERE ({pairs}) AND key = ANY(?)",
                                (*params, keys))
        return {(scope, key): json.loads(value) for scope, key, value in rows}

    @staticmethod
    def _first_time(tx: Any, once: str | None) -> bool:
        """Inside the write's transaction: False when the write tagged ``once`` was already made."""
        if once is None:
            return True
        now = time.time()
        tx.run("DELETE FROM state_applied WHERE at < ?", (now - APPLIED_KEPT,))
        return bool(tx.all("INSERT INTO state_applied (tag, at) VALUES (?, ?) ON CONFLICT (tag) DO NOTHING "
                           "RETURNING tag", (once, now)))

    @staticmethod
    def _make_room(tx: Any, tenant: str, owner: Owner, key: str, max_rows: int) -> None:
        """Before an owner's first row of ``key``: refuse it when ``max_rows`` others have one. Under a lock
        on the key, so every process counts the rows the others have committed."""
        tx.run("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (f"state\n{tenant}\n{owner.scope}\n{key}",))
        [(count,)] = tx.all("SELECT COUNT(*) FROM state_values WHERE tenant = ? AND scope = ? AND key = ? "
                            "AND owner <> ?", (tenant, owner.scope, key, owner.id))
        if count >= max_rows:
            raise StateFull("too_many_rows", key, max_rows)

    def write_sync(self, tenant: str, owner: Owner, key: str, value: Any, *, label: str = "",
                   max_length: int = 1000, max_rows: int = 100_000, once: str | None = None) -> Any:
        encoded = encoded_value(key, value, max_length)
        tenant = tenant_of(owner.scope, tenant)
        row, now = (tenant, owner.scope, key, owner.id), time.time()
        with self.backend.transaction() as tx:
            if not self._first_time(tx, once):
                return value
            if tx.all(f"UPDATE state_values SET value = ?, label = ?, updated = ? WHERE {ROW} RETURNING 1",
                      (encoded, label, now, *row)):
                return value
            self._make_room(tx, tenant, owner, key, max_rows)
            tx.run("INSERT INTO state_values (tenant, scope, key, owner, value, label, updated) VALUES (?,?,?,?,?,?,?) "
                   "ON CONFLICT (tenant, scope, key, owner) DO UPDATE SET value = excluded.value, "
                   "label = excluded.label, updated = excluded.updated", (*row, encoded, label, now))
        return value

    def increment_sync(self, tenant: str, owner: Owner, key: str, by: int = 1, *, start: int = 0, label: str = "",
                       max_rows: int = 100_000, once: str | None = None) -> int:
        tenant = tenant_of(owner.scope, tenant)
        row, now = (tenant, owner.scope, key, owner.id), time.time()
        with self.backend.transaction() as tx:
            if not self._first_time(tx, once):
                stored = tx.all(f"SELECT value FROM state_values WHERE {ROW}", row)
                return int(stored[0][0]) if stored else start
            stored = tx.all(f"UPDATE state_values SET value = CAST({as_integer('value')} + ? AS TEXT), label = ?, "
                            f"updated = ? WHERE {ROW} RETURNING value", (by, label, now, *row))
            if not stored:
                self._make_room(tx, tenant, owner, key, max_rows)
                stored = tx.all(
                    "INSERT INTO state_values (tenant, scope, key, owner, value, label, updated) VALUES (?,?,?,?,?,?,?) "
                    "ON CONFLICT (tenant, scope, key, owner) DO UPDATE SET value = "
                    f"CAST({as_integer('state_values.value')} + ? AS TEXT), label = excluded.label, "
                    "updated = excluded.updated RETURNING value", (*row, str(start + by), label, now, by))
        return int(stored[0][0])

    def top_sync(self, tenant: str, scope: str, key: str, limit: int) -> list[Ranked]:
        rows = self.backend.all(
            f"SELECT owner, label, {as_integer('value')} AS n FROM state_values WHERE tenant = ? AND scope = ? "
            "AND key = ? ORDER BY n DESC, updated ASC LIMIT ?", (tenant_of(scope, tenant), scope, key, limit))
        return [Ranked(rank, owner, label, int(n)) for rank, (owner, label, n) in enumerate(rows, 1)]

    # -- schedules ------------------------------------------------------------------------------

    def schedule_sync(self, server: str, name: str) -> ScheduleRow | None:
        row = self.backend.one("SELECT next_run, pending, fingerprint, acted FROM schedule_runs WHERE tenant = ? "
                               "AND name = ?", (server, name))
        return ScheduleRow(row[0], row[1], row[2], bool(row[3])) if row is not None else None

    def set_schedule_sync(self, server: str, name: str, row: ScheduleRow) -> None:
        self.backend.run(
            "INSERT INTO schedule_runs (tenant, name, next_run, pending, acted, fingerprint) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT (tenant, name) DO UPDATE SET next_run = excluded.next_run, pending = excluded.pending, "
            "acted = excluded.acted, fingerprint = excluded.fingerprint",
            (server, name, row.next_run, row.pending, int(row.acted), row.fingerprint))

    @asynccontextmanager
    async def schedule_turn(self, server: str, name: str) -> AsyncIterator[bool]:
        lock = f"schedule\n{server}\n{name}"
        connection = await asyncio.to_thread(self.backend.borrow)
        held = False

        def give_back() -> None:
            try:
                if held:
                    connection.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (lock,))
            finally:
                self.backend.give_back(connection)  # a broken connection is dropped by the pool, its lock with it

        try:
            deadline = time.monotonic() + TURN_WAIT
            while True:
                [(held,)] = await asyncio.to_thread(lambda: connection.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (lock,)).fetchall())
                if held or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(TURN_POLL)
            yield held
        finally:
            # Shielded: a cancelled scheduler still lets go of the lock and returns the connection.
            await asyncio.shield(asyncio.to_thread(give_back))
