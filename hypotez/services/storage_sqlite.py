"""The SQLite backend of the storage: one file in the data folder, WAL, every write synced on commit.

The embedded, zero-configuration default. One connection shared by the worker threads the async API
runs in, behind a lock (sqlite3 connections are not safe to use from two threads at once).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from hypotez.services.storage_dialect import SQLITE_DIALECT


class SQLiteTransaction:
    """Statements run inside one transaction (``SQLiteBackend.transaction``)."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    def run(self, sql: str, params: Sequence = ()) -> None:
        self._connection.execute(sql, params)

    def all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._connection.execute(sql, params).fetchall()

    def many(self, sql: str, rows: Iterable[Sequence]) -> None:
        self._connection.executemany(sql, rows)


class SQLiteBackend:
    dialect = SQLITE_DIALECT

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self.connection.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed transaction is on disk before commit returns, even in WAL mode.
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute("PRAGMA busy_timeout=5000")

    def describe(self) -> str:
        return f"SQLite database {self.path}"

    def close(self) -> None:
        with self._lock:
            self.connection.close()

    # Outside a transaction every statement commits on its own (isolation_level=None: autocommit).
    def run(self, sql: str, params: Sequence = ()) -> None:
        with self._lock:
            self.connection.execute(sql, params)

    def all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self.connection.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence = ()) -> tuple | None:
        with self._lock:
            return self.connection.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[SQLiteTransaction]:
        """All of it is committed or none: IMMEDIATE takes the write lock at once, so two processes
        migrating or copying the same file never interleave."""
        with self._lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTransaction(self.connection)
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    # One process uses the file: there are no other processes to tell of a change.
    def announce(self, tx: SQLiteTransaction, origin: str, key: str) -> None:
        return None

    def listen(self, origin: str, callback) -> None:
        return None
