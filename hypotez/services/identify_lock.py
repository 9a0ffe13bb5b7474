"""Taking turns to IDENTIFY with Discord's gateway, across every process of one bot.

Discord lets a bot start one session per ``max_concurrency`` bucket (``shard_id % max_concurrency``)
every 5 seconds. discord.py waits between the shards of one process only; processes that run other
shards of the same bot must share a lock per bucket. :class:`IdentifyLock` is that lock; here is the
implementation for the processes of one machine (:class:`FileIdentifyLock`, ``flock`` on a file per
bucket). Bots spread over machines need one every machine reaches: a PostgreSQL advisory lock
(``pg_advisory_lock(key)`` on the shared database) implements the same two methods."""

from __future__ import annotations

import abc
import asyncio
import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

POLL = 0.05  # seconds between attempts while another process holds the bucket


class IdentifyLock(abc.ABC):
    """One holder at a time per bucket, among every process of the bot."""

    @abc.abstractmethod
    async def acquire(self, bucket: int) -> None:
        """Wait until this process holds ``bucket`` (cancellable while waiting)."""

    @abc.abstractmethod
    async def release(self, bucket: int) -> None:
        """Let the next process (or shard) have ``bucket``."""

    async def aclose(self) -> None:
        """Release whatever is still held."""


class FileIdentifyLock(IdentifyLock):
    """``flock`` on ``folder/identify-<bucket>.lock``. A lock dies with its process (a killed bot never
    blocks the others), and every acquire opens the file anew, so two shards of one process exclude each
    other too. Waiting polls without blocking, so stopping the bot never hangs on a thread."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._held: dict[int, int] = {}  # bucket → file descriptor holding its lock

    @classmethod
    def for_token(cls, token: str, base: Path | None = None) -> "FileIdentifyLock":
        """The lock shared by every process of the bot with ``token`` on this machine (the folder is named
        by a hash of the token, never the token)."""
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        return cls(Path(base or tempfile.gettempdir()) / f"hypotez-identify-{digest}")

    async def acquire(self, bucket: int) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.folder / f"identify-{bucket}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    await asyncio.sleep(POLL)
        except BaseException:
            os.close(fd)
            raise
        self._held[bucket] = fd

    async def release(self, bucket: int) -> None:
        fd = self._held.pop(bucket, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor drops its flock

    async def aclose(self) -> None:
        for bucket in list(self._held):
            await self.release(bucket)
