"""Running some of a bot's shards in this process (``hypotez run --shards 0-3 --shard-count 8``):
discord.py's ``AutoShardedClient`` with ``shard_ids``, and IDENTIFY coordinated with the bot's other
processes through an :class:`~hypotez.services.identify_lock.IdentifyLock` in ``before_identify_hook``.

Discord routes a server's events to shard ``(guild_id >> 22) % shard_count``; a process only hears the
servers of its shards, and answers only them."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import discord

from hypotez.services.identify_lock import FileIdentifyLock, IdentifyLock

log = logging.getLogger("hypotez.discord")

# Discord: one IDENTIFY per rate-limit bucket (shard_id % max_concurrency) every 5 seconds.
IDENTIFY_INTERVAL = 5.0


def identify_lock_for(app: Any, token: str) -> IdentifyLock:
    """The lock the bot's processes share: with the storage in PostgreSQL (processes on any machine that
    reaches it), its advisory locks; with SQLite (one machine), a file lock."""
    url = getattr(getattr(app.services.storage, "backend", None), "url", None)
    if url is not None:
        from hypotez.services.identify_lock_postgres import PostgresIdentifyLock

        return PostgresIdentifyLock(url, token)
    return FileIdentifyLock.for_token(token)


class IdentifyTurns:
    """Each IDENTIFY takes its bucket's lock and keeps it for :data:`IDENTIFY_INTERVAL` seconds after, so
    the next IDENTIFY in that bucket — in any process — comes at least that much later."""

    def __init__(self, lock: IdentifyLock, *, interval: float = IDENTIFY_INTERVAL):
        self.lock = lock
        self.interval = interval
        self.max_concurrency: int | None = None
        self._releases: set[asyncio.Task[None]] = set()

    async def wait_turn(self, bot: discord.AutoShardedClient, shard_id: int | None) -> None:
        if self.max_concurrency is None:  # what Discord says about this bot, asked once
            try:
                self.max_concurrency = max(1, (await bot.fetch_session_start_limits()).max_concurrency)
            except (discord.HTTPException, discord.GatewayNotFound) as error:
                log.warning("could not read the identify concurrency (%s): one shard at a time", error)
                self.max_concurrency = 1
        bucket = (shard_id or 0) % self.max_concurrency
        await self.lock.acquire(bucket)
        log.info("shard %s identifying (bucket %d of %d)", shard_id, bucket, self.max_concurrency)
        task = asyncio.ensure_future(self._release_later(bucket))
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    async def _release_later(self, bucket: int) -> None:
        try:
            await asyncio.sleep(self.interval)
        finally:
            await self.lock.release(bucket)

    async def aclose(self) -> None:
        for task in list(self._releases):
            task.cancel()
        await asyncio.gather(*self._releases, return_exceptions=True)
        await self.lock.aclose()


class ShardedBot:
    """Mixed in before a hypotez bot class and ``discord.AutoShardedClient`` (see :func:`sharded`)."""

    identify_turns: IdentifyTurns

    def __init__(self, *args: Any, identify_turns: IdentifyTurns, **kwargs: Any):
        self.identify_turns = identify_turns
        super().__init__(*args, **kwargs)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Replaces discord.py's pause, which only spaces the shards of this process.
        await self.identify_turns.wait_turn(self, shard_id)  # type: ignore[arg-type]

    async def on_shard_ready(self, shard_id: int) -> None:
        servers = sum(1 for guild in self.guilds if guild.shard_id == shard_id)  # type: ignore[attr-defined]
        log.info("shard %d of %s ready: %d server(s)", shard_id, self.shard_count, servers)  # type: ignore[attr-defined]

    async def close(self) -> None:
        try:
            await super().close()  # type: ignore[misc]
        finally:
            await self.identify_turns.aclose()


def _sharded_class(bot_class: type) -> type:
    return type(f"Sharded{bot_class.__name__}", (ShardedBot, bot_class, discord.AutoShardedClient), {})


def sharded(bot_class: Any) -> Any:
    """``bot_class`` (a class, or a functools.partial of one) run as an auto-sharded bot."""
    if isinstance(bot_class, functools.partial):
        return functools.partial(_sharded_class(bot_class.func), *bot_class.args, **bot_class.keywords)
    return _sharded_class(bot_class)
