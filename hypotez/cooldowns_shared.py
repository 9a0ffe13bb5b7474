"""Cooldowns every process of a bot counts together, when the storage is PostgreSQL.

A server's messages reach one process (its shard), but a ``user`` cooldown follows a person into
servers other processes serve, a ``global`` one covers every server, and after a reshard a server's
``guild`` and ``channel`` cooldowns move with it. So each use is a row of ``cooldown_uses``, timed by the
database's clock (the processes' clocks may differ), and a use is recorded under an advisory lock on its
command and scope: two processes cannot both take the last turn.

The pipeline and the events engine await the ``*_async`` calls, which run the query in a worker thread
(as the storage's calls do), so the event loop goes on serving other messages meanwhile; a command
without a cooldown asks nothing. The synchronous calls are those of :class:`~hypotez.checks.Cooldowns`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypotez.checks import Cooldowns
from hypotez.errors import OnCooldown
from hypotez.incoming import Author, Place

NOW = "extract(epoch FROM clock_timestamp())"


class SharedCooldowns(Cooldowns):
    def __init__(self, backend: Any):
        super().__init__()
        self.backend = backend  # the storage's PostgreSQL backend (its connection pool)

    def _wait(self, tx: Any, key: tuple[str, str], rate: int, per: float) -> float:
        """Seconds until ``key`` may be used again (0: now), over the uses of the last ``per`` seconds."""
        count, oldest, now = tx.all(f"SELECT COUNT(*), MIN(used), {NOW} FROM cooldown_uses WHERE command = ? "
                                    f"AND scope = ? AND used > {NOW} - ?", (*key, per))[0]
        if int(count) < rate:
            return 0.0
        return max(0.0, per - (float(now) - float(oldest)))

    def retry_after(self, command: Any, author: Author, place: Place) -> float:
        cooldown = command.cooldown
        if cooldown is None:
            return 0.0
        with self.backend.transaction() as tx:
            return self._wait(tx, self._key(command, cooldown, author, place), cooldown.rate, cooldown.per)

    def record(self, command: Any, author: Author, place: Place) -> None:
        cooldown = command.cooldown
        if cooldown is None:
            return
        key = self._key(command, cooldown, author, place)
        with self.backend.transaction() as tx:
            tx.run("SELECT pg_advisory_xact_lock(hashtext(?))", (f"cooldown\n{key[0]}\n{key[1]}",))
            tx.run(f"DELETE FROM cooldown_uses WHERE command = ? AND scope = ? AND used <= {NOW} - ?",
                   (*key, cooldown.per))
            wait = self._wait(tx, key, cooldown.rate, cooldown.per)
            if wait > 0:
                raise OnCooldown(wait)
            tx.run(f"INSERT INTO cooldown_uses (command, scope, used) VALUES (?, ?, {NOW})", key)

    async def retry_after_async(self, command: Any, author: Author, place: Place) -> float:
        if command.cooldown is None:
            return 0.0
        return await asyncio.to_thread(self.retry_after, command, author, place)

    async def check_async(self, command: Any, author: Author, place: Place) -> None:
        if command.cooldown is not None:
            await asyncio.to_thread(self.check, command, author, place)

    async def record_async(self, command: Any, author: Author, place: Place) -> None:
        if command.cooldown is not None:
            await asyncio.to_thread(self.record, command, author, place)


def cooldowns_for(storage: Any) -> Cooldowns:
    """Shared cooldowns when ``storage`` is PostgreSQL; this process's own (in memory) on SQLite."""
    backend = getattr(storage, "backend", None)
    if getattr(backend, "url", None) is not None:
        return SharedCooldowns(backend)
    return Cooldowns()
