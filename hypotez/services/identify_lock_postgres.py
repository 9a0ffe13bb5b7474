"""The :class:`~hypotez.services.identify_lock.IdentifyLock` of a bot whose processes share a PostgreSQL
storage, on one machine or several: a session advisory lock per ``max_concurrency`` bucket,
``pg_try_advisory_lock(bot, bucket)`` with ``bot`` a 32-bit number drawn from a hash of the token (two
bots on one database do not wait for each other; the token itself is never sent).

Each held bucket has a connection of its own: advisory locks are re-entrant within one session, and two
shards of one process must exclude each other too. A process that dies loses its connections, and the
server drops their locks at once: a killed bot never blocks the others.
"""

from __future__ import annotations

import asyncio
import hashlib

import psycopg

from hypotez.services.identify_lock import IdentifyLock

POLL = 0.1  # seconds between attempts while another process holds the bucket
CONNECT_TIMEOUT = 10


def bot_key(token: str) -> int:
    """A signed 32-bit number for the bot with ``token`` (advisory locks take two int4 keys)."""
    return int.from_bytes(hashlib.sha256(token.encode()).digest()[:4], "big", signed=True)


class PostgresIdentifyLock(IdentifyLock):
    def __init__(self, url: str, token: str, *, poll: float = POLL):
        self.url = url
        self.key = bot_key(token)
        self.poll = poll
        self._held: dict[int, psycopg.AsyncConnection] = {}

    async def acquire(self, bucket: int) -> None:
        connection = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        try:
            while not (await (await connection.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                                       (self.key, bucket))).fetchone())[0]:
                await asyncio.sleep(self.poll)
        except BaseException:
            await connection.close()  # a cancelled wait holds nothing
            raise
        self._held[bucket] = connection

    async def release(self, bucket: int) -> None:
        connection = self._held.pop(bucket, None)
        if connection is not None:
            await connection.close()  # the session ends: the server drops its advisory lock

    async def aclose(self) -> None:
        for bucket in list(self._held):
            await self.release(bucket)
