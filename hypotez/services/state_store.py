"""The bot's memory (``state:`` in the spec) and its schedules' next runs, behind one interface with a
store per backend, chosen as the main storage is (``bot.storage.database``, ``HYPOTEZ_DATABASE_URL``; :mod:`state_open`):

* SQLite (:mod:`state_store_sqlite`, the zero-configuration default): a file of its own next to the main
  database (``DATA/.hypotez/state.sqlite3``), so counters bumped on every matching message do not queue
  behind the main storage's writes. One process uses it.
* PostgreSQL (:mod:`state_store_postgres`): tables in the bot's database, shared by every process, so
  after a reshard a server's counters and schedule runs follow it, limits hold across processes, and a
  due run is posted by one process only.

Every write is committed before the call returns, so an acknowledged value or run survives ``kill -9``.
Rows belong to a tenant like every other row (:mod:`hypotez.tenancy`): a member's, a channel's and a
server's values to the server's tenant; a user's values (the same person on every server) and global
ones to the bot itself (:data:`BOT_TENANT`). A schedule's row belongs to the server it posts on.

A store implements the ``*_sync`` methods and :meth:`StateStore.schedule_turn`; the async methods run
the synchronous ones in a worker thread, so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
import functools
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Iterable

from hypotez.services.state_records import (BOT_SCOPES, BOT_TENANT, Owner, Ranked, ScheduleRow, StateFull,
                                            tenant_of)

__all__ = ["BOT_SCOPES", "BOT_TENANT", "STATE_DATABASE", "Owner", "Ranked", "ScheduleRow", "StateFull", "StateStore",
           "tenant_of"]

STATE_DATABASE = "state.sqlite3"


class StateStore(ABC):
    """The interface every state store has: a store that leaves out a ``*_sync`` method cannot be made."""

    @abstractmethod
    def close(self) -> None:
        ...

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    # -- values ---------------------------------------------------------------------------------

    @abstractmethod
    def read_sync(self, tenant: str, owners: Iterable[Owner], keys: Iterable[str]) -> dict[tuple[str, str], Any]:
        """(scope, key) → value for each owner's stored values among ``keys``."""

    async def read(self, tenant: str, owners: Iterable[Owner], keys: Iterable[str]) -> dict[tuple[str, str], Any]:
        return await self._call(self.read_sync, tenant, list(owners), list(keys))

    @abstractmethod
    def write_sync(self, tenant: str, owner: Owner, key: str, value: Any, *, label: str = "",
                   max_length: int = 1000, max_rows: int = 100_000, once: str | None = None) -> Any:
        """Store ``value``; refused (:class:`StateFull`) when longer than ``max_length`` characters, or when
        it would be the owner's first value of ``key`` and ``max_rows`` owners already have one. ``once``:
        a tag; a second write with the same tag changes nothing."""

    async def write(self, tenant: str, owner: Owner, key: str, value: Any, **kwargs: Any) -> Any:
        return await self._call(self.write_sync, tenant, owner, key, value, **kwargs)

    @abstractmethod
    def increment_sync(self, tenant: str, owner: Owner, key: str, by: int = 1, *, start: int = 0, label: str = "",
                       max_rows: int = 100_000, once: str | None = None) -> int:
        """Add ``by`` to a counter (``start`` when it has no value yet) atomically; the new value."""

    async def increment(self, tenant: str, owner: Owner, key: str, by: int = 1, **kwargs: Any) -> int:
        return await self._call(self.increment_sync, tenant, owner, key, by, **kwargs)

    @abstractmethod
    def top_sync(self, tenant: str, scope: str, key: str, limit: int) -> list[Ranked]:
        ...

    async def top(self, tenant: str, scope: str, key: str, limit: int) -> list[Ranked]:
        return await self._call(self.top_sync, tenant, scope, key, limit)

    # -- schedules ------------------------------------------------------------------------------
    # A schedule posts on each server, so its row is keyed by the server's id whatever the tenancy (one
    # tenant may span servers: bot.tenancy: shared). The tables' column keeps its name, ``tenant``: under
    # the default tenancy a server's tenant is its id, so those rows stay where they were.

    @abstractmethod
    def schedule_sync(self, server: str, name: str) -> ScheduleRow | None:
        ...

    async def schedule(self, server: str, name: str) -> ScheduleRow | None:
        return await self._call(self.schedule_sync, server, name)

    @abstractmethod
    def set_schedule_sync(self, server: str, name: str, row: ScheduleRow) -> None:
        ...

    async def set_schedule(self, server: str, name: str, row: ScheduleRow) -> None:
        await self._call(self.set_schedule_sync, server, name, row)

    @asynccontextmanager
    async def schedule_turn(self, server: str, name: str) -> AsyncIterator[bool]:
        """This process's turn to claim and post the schedule's runs on server ``server``: True while no other
        process has it (held until the block ends, and let go if the process dies); False: another
        process is running it now. One process per store needs no more than its own scheduler's lock."""
        yield True

