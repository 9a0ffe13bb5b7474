"""IDENTIFY turns shared through PostgreSQL advisory locks (storage in PostgreSQL): one holder per
bucket among processes, a waiting acquire can be cancelled, a killed holder blocks nobody, and the lock
is the one chosen when the storage is PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest
from support import SHIPPED_SPEC

from hypotez.adapters.discord_shards import identify_lock_for
from hypotez.app import load_app
from hypotez.services.identify_lock import FileIdentifyLock
from hypotez.services.identify_lock_postgres import PostgresIdentifyLock

TOKEN = "MTIzNDU2Nzg5.secret-token-value"


async def test_one_holder_per_bucket_and_a_cancelled_wait_holds_nothing(postgres_url):
    first, second = PostgresIdentifyLock(postgres_url, TOKEN), PostgresIdentifyLock(postgres_url, TOKEN)
    other_bot = PostgresIdentifyLock(postgres_url, "another.token")
    await first.acquire(0)
    waiting = asyncio.ensure_future(second.acquire(0))
    await second.acquire(1)  # another bucket is free
    await asyncio.wait_for(other_bot.acquire(0), 5)  # another bot's bucket 0 is its own
    await asyncio.sleep(0.4)
    assert not waiting.done(), "bucket 0 is held"
    await first.release(0)
    await asyncio.wait_for(waiting, 5)
    cancelled = asyncio.ensure_future(first.acquire(0))  # held by second now
    await asyncio.sleep(0.3)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await second.aclose()
    await asyncio.wait_for(first.acquire(0), 5)
    for lock in (first, other_bot):
        await lock.aclose()


async def test_a_killed_holder_does_not_block_the_others(postgres_url):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import asyncio, time
        from hypotez.services.identify_lock_postgres import PostgresIdentifyLock
        async def hold():
            lock = PostgresIdentifyLock({postgres_url!r}, {TOKEN!r})
            await lock.acquire(0)
            print("held", flush=True)
            await asyncio.sleep(600)
        asyncio.run(hold())
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = PostgresIdentifyLock(postgres_url, TOKEN)
        waiting = asyncio.ensure_future(lock.acquire(0))
        await asyncio.sleep(0.4)
        assert not waiting.done(), "the other process holds bucket 0"
        holder.kill()  # kill -9: the server ends its session and drops the lock
        await asyncio.wait_for(waiting, 10)
        await lock.aclose()
    finally:
        holder.kill()
        holder.wait()


def test_postgresql_storage_chooses_the_advisory_lock_and_sqlite_the_file_lock(postgres_url, tmp_path, monkeypatch):
    monkeypatch.delenv("HYPOTEZ_DATABASE_URL", raising=False)
    app = load_app(SHIPPED_SPEC, tmp_path / "sqlite", voice_factory=lambda *a: None)
    try:
        assert isinstance(identify_lock_for(app, TOKEN), FileIdentifyLock)
    finally:
        asyncio.run(app.aclose())
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    app = load_app(SHIPPED_SPEC, tmp_path / "pg", voice_factory=lambda *a: None)
    try:
        lock = identify_lock_for(app, TOKEN)
        assert isinstance(lock, PostgresIdentifyLock) and lock.url == postgres_url
    finally:
        asyncio.run(app.aclose())
