"""Cooldowns counted together by every process of a bot when the storage is PostgreSQL: a user's turns
used in one process are used in the other, two processes racing for the last turn get one between them,
and the window slides as it does in memory. SQLite keeps the process's own cooldowns."""

from __future__ import annotations

import threading
import time

import pytest
from support import SHIPPED_SPEC

from hypotez.checks import Cooldowns
from hypotez.cooldowns_shared import SharedCooldowns, cooldowns_for
from hypotez.declaration.model import CommandSpec, CooldownSpec
from hypotez.errors import OnCooldown
from hypotez.incoming import Author, Place
from hypotez.services.storage import Storage

ANN, BOB = Author(id="u1", name="ann"), Author(id="u2", name="bob")
SERVER_A, SERVER_B = Place(channel_id="c1", guild_id="g1"), Place(channel_id="c2", guild_id="g2")


@pytest.fixture
def two_processes(postgres_url):
    stores = [Storage(postgres_url), Storage(postgres_url)]  # two pools, as two processes have
    yield [SharedCooldowns(store.backend) for store in stores]
    for store in stores:
        store.close()


def command(rate: int, per: float, scope: str = "user") -> CommandSpec:
    return CommandSpec(name="feedback", description="d", cooldown=CooldownSpec(rate=rate, per=per, scope=scope))


def test_a_users_turns_used_in_one_process_are_used_in_the_other(two_processes):
    first, second = two_processes
    spec = command(2, 30)
    first.record(spec, ANN, SERVER_A)
    second.record(spec, ANN, SERVER_B)  # another server, served by another process: the same person
    with pytest.raises(OnCooldown) as refused:
        first.check(spec, ANN, SERVER_A)
    assert 29 < refused.value.retry_after <= 30
    assert second.retry_after(spec, ANN, SERVER_B) > 29
    second.check(spec, BOB, SERVER_B)  # someone else is not held back
    server_wide = command(1, 30, "guild")
    first.record(server_wide, ANN, SERVER_A)
    second.record(server_wide, ANN, SERVER_B)  # a server's cooldown is that server's
    with pytest.raises(OnCooldown):
        second.record(server_wide, BOB, SERVER_A)


def test_two_processes_racing_for_the_last_turn_get_one(two_processes):
    spec = command(1, 30, "global")
    taken, refused = [], []
    start = threading.Barrier(8)

    def use(cooldowns):
        start.wait()
        try:
            cooldowns.record(spec, ANN, SERVER_A)
            taken.append(1)
        except OnCooldown:
            refused.append(1)

    threads = [threading.Thread(target=use, args=(two_processes[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(taken), len(refused)) == (1, 7)


def test_the_window_slides(two_processes):
    first, second = two_processes
    spec = command(1, 0.5)
    first.record(spec, ANN, SERVER_A)
    with pytest.raises(OnCooldown):
        second.record(spec, ANN, SERVER_A)
    time.sleep(0.6)
    second.record(spec, ANN, SERVER_A)


def test_sqlite_keeps_the_processs_own_cooldowns(tmp_path, postgres_url):
    store = Storage(tmp_path / "db.sqlite3")
    try:
        assert type(cooldowns_for(store)) is Cooldowns
    finally:
        store.close()


async def test_through_the_commands_of_two_bots(hypotez_bot, postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    first = hypotez_bot(spec=SHIPPED_SPEC, voice=False, data_dir=tmp_path / "first")
    second = hypotez_bot(spec=SHIPPED_SPEC, voice=False, data_dir=tmp_path / "second")
    async with first, second:
        assert isinstance(first.app.dispatcher.cooldowns, SharedCooldowns)
        for number in range(3):  # !feedback: 3 a minute per user
            assert "Не так быстро" not in (await first.send(f"!feedback отзыв {number}")).content
        reply = (await second.send("!feedback ещё один")).content
        assert reply.startswith("⏳ Не так быстро: `!feedback`"), reply
        assert "Не так быстро" not in (await second.send("!feedback другой", author="bob",
                                                          user_id=4_000_000_000_000_002)).content


async def test_a_cooldown_query_waits_off_the_event_loop(hypotez_bot, postgres_url, monkeypatch, tmp_path):
    """While the database keeps a use of !feedback waiting (another process holds its command's lock),
    the bot goes on with everything else; the use is then counted as before."""
    import asyncio

    import psycopg

    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    async with hypotez_bot(spec=SHIPPED_SPEC, voice=False, data_dir=tmp_path / "bot") as bot:
        other = psycopg.connect(postgres_url)
        other.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("cooldown\nfeedback\n4000000000000001",))
        # let go after 3 s whatever happens: a loop blocked by the query could not do it itself
        release = threading.Timer(3.0, other.commit)
        release.start()
        try:
            waiting = asyncio.create_task(bot.send("!feedback отзыв"))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            await asyncio.sleep(0.2)
            assert time.monotonic() - started < 1.0, "the event loop was blocked by the cooldown's query"
            assert not waiting.done(), "the use waits for the lock"
            other.commit()
            reply = await asyncio.wait_for(waiting, 10)
            assert "Не так быстро" not in reply.content
        finally:
            release.cancel()
            release.join()
            other.close()
