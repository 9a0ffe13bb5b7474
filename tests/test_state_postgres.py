"""The bot's memory and its schedules on PostgreSQL, shared by several processes of one bot: increments
from several processes at once add up exactly, a key's row limit holds across them, a due run is
posted by one process only, and a process killed while it holds a schedule's turn gives it up."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from hypotez.services.state_records import Owner, StateFull
from hypotez.services.state_store_postgres import TURN_WAIT, PostgresStateStore
from hypotez.services.storage import Storage

INCREMENTS = 150
PROCESSES = 3
WORKER = """
import sys
from hypotez.services.state_records import Owner
from hypotez.services.state_store_postgres import PostgresStateStore
from hypotez.services.storage import Storage

storage = Storage(sys.argv[1])
store = PostgresStateStore(storage.backend)
print("ready", flush=True)
sys.stdin.readline()  # every process starts counting at once
for n in range(int(sys.argv[2])):
    store.increment_sync("g", Owner("server", "1"), "messages")
    store.increment_sync("g", Owner("global", "*"), "total", 2)
storage.close()
"""
HOLDER = """
import asyncio, sys
from hypotez.services.state_store_postgres import PostgresStateStore
from hypotez.services.storage import Storage

async def main():
    storage = Storage(sys.argv[1])
    async with PostgresStateStore(storage.backend).schedule_turn("g", "hourly") as mine:
        print("held" if mine else "refused", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.fixture
def two_stores(postgres_url):
    storages = [Storage(postgres_url), Storage(postgres_url)]  # two pools, as two processes have
    yield [PostgresStateStore(storage.backend) for storage in storages]
    for storage in storages:
        storage.close()


def test_increments_from_several_processes_at_once_are_all_counted(postgres_url):
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, postgres_url, str(INCREMENTS)], text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(PROCESSES)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    storage = Storage(postgres_url)
    try:
        store = PostgresStateStore(storage.backend)
        assert store.read_sync("g", [Owner("server", "1"), Owner("global", "*")], ["messages", "total"]) == {
            ("server", "messages"): PROCESSES * INCREMENTS, ("global", "total"): 2 * PROCESSES * INCREMENTS}
    finally:
        storage.close()


def test_a_keys_row_limit_holds_across_processes(two_stores):
    stored, refused = [], []
    start = threading.Barrier(12)

    def first_value(store, member: int) -> None:
        start.wait()
        try:
            store.increment_sync("g", Owner("member", str(member)), "points", max_rows=5)
            stored.append(member)
        except StateFull as full:
            refused.append((full.what, full.limit))

    threads = [threading.Thread(target=first_value, args=(two_stores[n % 2], n)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(stored), refused) == (5, [("too_many_rows", 5)] * 7)
    assert sorted(r.id for r in two_stores[0].top_sync("g", "member", "points", 10)) == sorted(map(str, stored))
    # a member who has a value may change it however full the key is
    assert two_stores[1].increment_sync("g", Owner("member", str(stored[0])), "points", max_rows=5) == 2


def test_a_tagged_write_is_made_once_whichever_process_repeats_it(two_stores):
    first, second = two_stores
    owner = Owner("server", "1")
    assert first.increment_sync("g", owner, "runs", once="hourly@1") == 1
    assert second.increment_sync("g", owner, "runs", once="hourly@1") == 1, "the repeat changes nothing"
    assert second.increment_sync("g", owner, "runs", once="hourly@2") == 2


SPEC = '''
bot:
  name: cronbot
  language: en
commands:
  hi:
    description: Hi
    text: hi
state:
  posts: {scope: server, type: counter}
schedules:
  hourly:
    every: 3600
    channel: general
    actions: [{increment: posts}]
    text: "hourly #{{ state.server.posts }}"
'''


async def test_two_processes_that_find_a_run_due_post_it_once(hypotez_bot, postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    first = hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=tmp_path / "first")
    second = hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=tmp_path / "second")
    async with first, second:  # the same server seen by both (during a reshard, say)
        start = first.clock.now
        await first.advance(0)  # the first run is stored
        for hour in range(1, 6):
            first.clock.now = second.clock.now = start + hour * 3600
            await asyncio.gather(first.scheduler.tick(), second.scheduler.tick())
        posts = [m.text for bot in (first, second) for m in bot.http.sent if m.text.startswith("hourly")]
        assert sorted(posts) == [f"hourly #{n}" for n in range(1, 6)], "each run once, its counter once"


async def test_a_killed_process_gives_up_its_turn(two_stores, postgres_url):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, postgres_url], text=True, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        async with two_stores[0].schedule_turn("g", "hourly") as mine:
            assert not mine, "another process has the turn"
        assert time.monotonic() - started >= TURN_WAIT * 0.9, "it was waited for"
        async with two_stores[0].schedule_turn("g", "daily") as mine:
            assert mine, "another schedule's turn is free"
    finally:
        holder.kill()
        holder.wait(timeout=30)
    async with two_stores[1].schedule_turn("g", "hourly") as mine:
        assert mine, "the killed process's connection, and its lock with it, are gone"
    async with two_stores[0].schedule_turn("g", "hourly") as mine:
        assert mine, "and the turn let go at the end of the block"
