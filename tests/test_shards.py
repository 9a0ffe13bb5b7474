"""Shard options and the identify lock, in one process: bad shard arguments are clear usage errors, and
the file lock lets one holder per bucket at a time, whichever process or shard asks."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

from hypotez.cli import main
from hypotez.services.identify_lock import FileIdentifyLock


@pytest.mark.parametrize("arguments, expected", [
    (["--shards", "5-3", "--shard-count", "8"], "the range 5-3 runs backwards: write 3-5"),
    (["--shards", "0-9", "--shard-count", "8"], "shards 8, 9 are beyond --shard-count 8: shards are numbered 0 to 7"),
    (["--shards", "8", "--shard-count", "8"], "shard 8 is beyond --shard-count 8: shards are numbered 0 to 7"),
    (["--shards", "0-3"], "--shards needs --shard-count: how many shards the bot has in all"),
    (["--shards", "one", "--shard-count", "2"], "'one' is not a shard or a range of shards: write shard numbers "
                                                "like 0-3 or 0,2,5-7"),
    (["--shards", "0-", "--shard-count", "2"], "'0-' is not a shard or a range of shards"),
    (["--shard-count", "0"], "'0' is not a number of shards: give a whole number from 1"),
])
def test_bad_shard_arguments_are_clear_messages(arguments, expected, capsys, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token.for-this-test")
    assert main(["run", *arguments]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


async def test_the_file_lock_has_one_holder_per_bucket(tmp_path):
    first, second = FileIdentifyLock(tmp_path / "locks"), FileIdentifyLock(tmp_path / "locks")
    await first.acquire(0)
    waiting = asyncio.ensure_future(second.acquire(0))
    await second.acquire(1)  # another bucket is free
    await asyncio.sleep(0.3)
    assert not waiting.done(), "bucket 0 is held"
    await first.release(0)
    await asyncio.wait_for(waiting, 5)
    cancelled = asyncio.ensure_future(first.acquire(0))  # held by second now: waiting can be cancelled
    await asyncio.sleep(0.2)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await second.aclose()
    await asyncio.wait_for(first.acquire(0), 5)
    await first.aclose()


async def test_a_killed_holder_does_not_block_the_others(tmp_path):
    folder = tmp_path / "locks"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import asyncio, sys, time
        from pathlib import Path
        from hypotez.services.identify_lock import FileIdentifyLock
        asyncio.run(FileIdentifyLock(Path({str(folder)!r})).acquire(0))
        print("held", flush=True)
        time.sleep(600)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = FileIdentifyLock(folder)
        waiting = asyncio.ensure_future(lock.acquire(0))
        await asyncio.sleep(0.3)
        assert not waiting.done(), "the other process holds bucket 0"
        holder.kill()
        await asyncio.wait_for(waiting, 5)
        await lock.aclose()
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_folder_is_named_by_a_hash_of_the_token(tmp_path):
    token = "MTIzNDU2Nzg5.secret-token-value"
    folder = FileIdentifyLock.for_token(token, tmp_path).folder
    assert folder.parent == tmp_path and token not in str(folder) and "secret" not in str(folder)
    assert FileIdentifyLock.for_token(token, tmp_path).folder == folder != FileIdentifyLock.for_token("x" * 20, tmp_path).folder
    assert not os.path.exists(folder)  # made on first use


async def test_the_watching_bot_runs_sharded_too(tmp_path):
    import functools

    import discord

    from hypotez.adapters.discord_reload import WatchingBot
    from hypotez.adapters.discord_shards import IdentifyTurns, sharded
    from hypotez.app import load_app
    from support import SHIPPED_SPEC

    app = load_app(SHIPPED_SPEC, tmp_path / "data", voice_factory=lambda *a: None)
    turns = IdentifyTurns(FileIdentifyLock(tmp_path / "locks"))
    bot_class = sharded(functools.partial(WatchingBot, spec_path=SHIPPED_SPEC, interval=1.0))
    bot = bot_class(app, shard_ids=[2, 3], shard_count=4, identify_turns=turns)
    try:
        assert isinstance(bot, discord.AutoShardedClient) and isinstance(bot, WatchingBot)
        assert bot.shard_ids == [2, 3] and bot.shard_count == 4 and bot.identify_turns is turns
        assert type(bot).before_identify_hook is not discord.Client.before_identify_hook
    finally:
        await app.aclose()
