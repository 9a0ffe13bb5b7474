"""Per-message storage cost, SQLite vs PostgreSQL, in one run: the storage calls the bot makes for a
message, through the async API the bot uses (a worker-thread hop per call), against a SQLite file (WAL,
synchronous=FULL) and a private PostgreSQL server on this machine with its durable defaults (fsync on,
synchronous_commit on) — every write committed before the call returns, on both.

    `!hi`        the reply language (cached after the first message: no query)
    answer       a model answer remembered for `!correct` (1 write)
    `!feedback`  the feedback stored and the latest listed (1 write, 1 read)
    `!correct`   the answer looked up and the correction stored (1 read, 1 write)
    50 at once   fifty `!feedback` arriving together (SQLite writes one at a time; PostgreSQL in parallel)

Wall time per message (median of interleaved rounds) and this process's CPU per message (the bot's
share; the PostgreSQL server's own CPU is in its processes). One message after another, the wall time
is the database's commit round trip (PostgreSQL: another process, over TCP, flushing its WAL); what the
bot pays is its CPU. Target: PostgreSQL costs the bot ≤ 2.5× SQLite's CPU per message, and fifty at
once take ≤ 2 ms per message (≥ 500 messages a second).

    .venv/bin/python benchmarks/bench_storage.py
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from pathlib import Path

from _common import interleaved, verdict
from hypotez.services.storage import Storage
from hypotez.testing.postgres import PostgresServer

ROUNDS, BATCH, CONCURRENT = 15, 40, 50


def messages(storage: Storage) -> dict:
    numbers = itertools.count(1)

    async def hi() -> None:
        await storage.guild_language("10")

    async def answer() -> None:
        await storage.record_answer(str(next(numbers)), "как тебя зовут?", "Меня зовут hypotez.", "20", "1",
                                    tenant="10")

    async def feedback() -> None:
        await storage.add_feedback("1", "ann", "бот отвечает быстро", "10", "20", tenant="10")
        await storage.latest_feedback(5, tenant="10")

    async def correct() -> None:
        found = await storage.find_answer("1", tenant="10")
        await storage.add_correction(found.message_id, "1", found.prompt, found.answer, "Я hypotez.", tenant="10")

    async def together() -> None:
        await asyncio.gather(*(feedback() for _ in range(CONCURRENT)))

    return {"`!hi`": hi, "answer": answer, "`!feedback`": feedback, "`!correct`": correct,
            f"{CONCURRENT} at once": together}


async def measure(storages: dict[str, Storage]) -> dict[str, dict[str, tuple[float, float]]]:
    """backend → message → (wall seconds, CPU seconds) per message."""
    kinds = {name: messages(storage) for name, storage in storages.items()}
    for storage in storages.values():
        await storage.record_answer("1", "как тебя зовут?", "Меня зовут hypotez.", tenant="10")
        await storage.guild_language("10")
    results: dict[str, dict[str, tuple[float, float]]] = {name: {} for name in storages}
    for kind in next(iter(kinds.values())):
        per_call = {name: calls[kind] for name, calls in kinds.items()}
        cpu = {name: 0.0 for name in per_call}
        counted = {}

        for name, call in per_call.items():
            async def timed(call=call, name=name) -> None:
                started = time.process_time()
                await call()
                cpu[name] += time.process_time() - started
            counted[name] = timed
        batch = 2 if kind.endswith("at once") else BATCH
        wall = await interleaved(counted, ROUNDS, batch)
        size = CONCURRENT if kind.endswith("at once") else 1
        for name in per_call:
            results[name][kind] = (wall[name] / size, cpu[name] / (ROUNDS * batch * size))
    return results


async def main() -> None:
    server = PostgresServer.start(durable=True)
    try:
        with tempfile.TemporaryDirectory() as root:
            storages = {"SQLite": Storage(Path(root) / "bench.sqlite3"),
                        "PostgreSQL": Storage(server.create_database("bench"))}
            try:
                results = await measure(storages)
            finally:
                for storage in storages.values():
                    storage.close()
    finally:
        server.stop()
    print(f"{'message':<14}{'SQLite wall':>13}{'PostgreSQL wall':>17}{'ratio':>8}"
          f"{'SQLite CPU':>13}{'PostgreSQL CPU':>16}{'ratio':>8}")
    ok = True
    for kind, (sqlite_wall, sqlite_cpu) in results["SQLite"].items():
        pg_wall, pg_cpu = results["PostgreSQL"][kind]
        ratio = pg_wall / sqlite_wall if sqlite_wall else float("inf")
        print(f"{kind:<14}{sqlite_wall * 1e3:>10.3f} ms{pg_wall * 1e3:>14.3f} ms{ratio:>7.2f}×"
              f"{sqlite_cpu * 1e3:>10.3f} ms{pg_cpu * 1e3:>13.3f} ms{pg_cpu / sqlite_cpu if sqlite_cpu else 0:>7.2f}×")
        if kind != "`!hi`":  # no query at all: both are the thread-free cached read
            ok &= pg_cpu <= 2.5 * sqlite_cpu
        if kind.endswith("at once"):
            ok &= pg_wall <= 0.002
    print(f"PostgreSQL ≤ 2.5× SQLite's CPU per message, ≤ 2 ms per message at {CONCURRENT} at once: {verdict(ok)}")


if __name__ == "__main__":
    asyncio.run(main())
