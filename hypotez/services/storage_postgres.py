"""The PostgreSQL backend of the storage, for bots that outgrow one process (``bot.storage.database:
postgresql://…`` or ``HYPOTEZ_DATABASE_URL``).

psycopg 3, synchronous, with a connection pool: the storage API already runs its calls in worker threads,
so a blocking driver fits it as it is (asyncpg would need a second, async, code path for every call),
and psycopg is what the PostgreSQL job queue (procrastinate) speaks too. Connections are in autocommit:
a write outside a transaction is committed (synchronous_commit) before the call returns, as on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from hypotez.errors import ConfigError
from hypotez.services.storage_dialect import POSTGRESQL_DIALECT
from hypotez.services.storage_notify import CHANNEL, ChangeListener, payload

CONNECT_TIMEOUT = 10  # seconds: an unreachable server is reported at start-up, not waited for
POOL_SIZE = 8  # more than the default thread pool's share the bot uses at once; idle ones are cheap


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable PostgreSQL URL)"
    host = parts.get("host", "localhost")
    port = parts.get("port", "5432")
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}:{port}/{parts.get('dbname', '')}"


def connect_error(url: str, setting: str, error: Exception) -> ConfigError:
    """One clear message for a database that cannot be used: which setting, what the server said."""
    said = " ".join(line.strip() for line in str(error).splitlines() if line.strip()) or type(error).__name__
    # libpq says "connection to server at "HOST", port N failed: REASON": the reason is what matters.
    said = re.sub(r"^(FATAL|ERROR):\s+", "", said.rsplit(" failed: ", 1)[-1])
    return ConfigError(f"{setting}: cannot use the PostgreSQL database {redacted(url)}: {said}",
                       "check the host, port, database name, user and password in that setting "
                       "(postgresql://USER:PASSWORD@HOST:PORT/DATABASE) and that the server is running")


def check_url(url: str, setting: str) -> None:
    """Refuse a URL that cannot name a database, before any connection is tried."""
    hint = "write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise ConfigError(f"{setting}: {redacted(url)} is not a PostgreSQL URL ({error})", hint) from None
    for port in str(parts.get("port", "5432")).split(","):
        if not port.isdigit():
            raise ConfigError(f"{setting}: the port {port!r} in {redacted(url)} is not a number", hint)


class PostgresTransaction:
    def __init__(self, connection: psycopg.Connection):
        self._connection = connection

    def run(self, sql: str, params: Sequence = ()) -> None:
        self._connection.execute(POSTGRESQL_DIALECT.sql(sql), params)

    def all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._connection.execute(POSTGRESQL_DIALECT.sql(sql), params).fetchall()

    def many(self, sql: str, rows: Iterable[Sequence]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(POSTGRESQL_DIALECT.sql(sql), rows)


class PostgresBackend:
    dialect = POSTGRESQL_DIALECT
    path = None  # not a file

    def __init__(self, url: str, *, setting: str = "bot.storage.database", pool_size: int = POOL_SIZE):
        self.url = url
        check_url(url, setting)
        # One connection first, so a wrong URL, a refused password or a server that is down is one
        # message naming the setting (a pool only reports that it timed out).
        try:
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
        except (psycopg.Error, ValueError) as error:
            raise connect_error(url, setting, error) from None
        # Each connection is checked (an empty query, one round trip) as it leaves the pool: after the
        # server restarts, the pool's idle connections are dead, and without the check the first call on
        # each would fail. A dead one is dropped and a new connection made instead.
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, name="hypotez-storage",
                                    check=ConnectionPool.check_connection,
                                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT})

    def describe(self) -> str:
        return f"PostgreSQL database {redacted(self.url)}"

    def close(self) -> None:
        self._pool.close()

    def run(self, sql: str, params: Sequence = ()) -> None:
        with self._pool.connection() as connection:
            connection.execute(self.dialect.sql(sql), params)

    def all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._pool.connection() as connection:
            return connection.execute(self.dialect.sql(sql), params).fetchall()

    def one(self, sql: str, params: Sequence = ()) -> tuple | None:
        with self._pool.connection() as connection:
            return connection.execute(self.dialect.sql(sql), params).fetchone()

    def borrow(self) -> psycopg.Connection:
        """A connection of the pool kept by the caller (a session advisory lock held across awaits);
        handed back with :meth:`give_back`."""
        return self._pool.getconn()

    def give_back(self, connection: psycopg.Connection) -> None:
        self._pool.putconn(connection)

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        with self._pool.connection() as connection, connection.transaction():
            yield PostgresTransaction(connection)

    # -- changes heard by the other processes (storage_notify) ------------------------------

    def announce(self, tx: PostgresTransaction, origin: str, key: str) -> None:
        """Announce a change of setting ``key``, delivered when ``tx`` commits."""
        tx.run("SELECT pg_notify(?, ?)", (CHANNEL, payload(origin, key)))

    def listen(self, origin: str, callback) -> ChangeListener:
        return ChangeListener(self.url, origin, callback)
