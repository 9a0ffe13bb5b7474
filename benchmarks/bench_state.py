"""The cost of one operation on the bot's memory (``state:``), SQLite's file vs the bot's PostgreSQL
database: an increment (one committed transaction), a read of the values a text shows (3 owners, 2
keys: one query on PostgreSQL, one per owner on SQLite) and a leaderboard (top 10 of 200), each called
directly and through the async API the events engine uses (a worker thread per call).

PostgreSQL is a local server started for the run with its durable defaults (fsync on, as SQLite's
synchronous=FULL is), over TCP on 127.0.0.1. Rounds alternate between the stores; medians are printed.

    .venv/bin/python benchmarks/bench_state.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from hypotez.services.state_records import Owner
from hypotez.services.state_store_postgres import PostgresStateStore
from hypotez.services.state_store_sqlite import SQLiteStateStore
from hypotez.services.storage import Storage
from hypotez.testing.postgres import PostgresServer

ROUNDS = 5
CALLS = 400
OWNERS = [Owner("member", "1"), Owner("user", "1"), Owner("server", "g")]


def operations(store):
    return {
        "increment": lambda: store.increment_sync("g", OWNERS[0], "points"),
        "read (3 owners, 2 keys)": lambda: store.read_sync("g", OWNERS, ["points", "karma"]),
        "top 10 of 200": lambda: store.top_sync("g", "member", "points", 10),
    }


async def async_increment(store) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        await store.increment("g", OWNERS[0], "points")
    return (time.perf_counter() - started) / CALLS


def one_round(store) -> dict[str, float]:
    out = {}
    for name, call in operations(store).items():
        started = time.perf_counter()
        for _ in range(CALLS):
            call()
        out[name] = (time.perf_counter() - started) / CALLS
    out["increment, async API"] = asyncio.run(async_increment(store))
    return out


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-state-"))
    server = PostgresServer.start(durable=True)
    storage = Storage(server.create_database())
    stores = {"sqlite": SQLiteStateStore(folder / "state.sqlite3"), "postgresql": PostgresStateStore(storage.backend)}
    try:
        for store in stores.values():
            for member in range(200):
                store.increment_sync("g", Owner("member", str(member)), "points", member)
            one_round(store)  # warm-up
        results: dict[str, dict[str, list[float]]] = {name: {} for name in stores}
        for _ in range(ROUNDS):
            for name, store in stores.items():
                for operation, seconds in one_round(store).items():
                    results[name].setdefault(operation, []).append(seconds)
        print(f"{'operation':26} {'sqlite':>10} {'postgresql':>12} {'ratio':>7}")
        for operation in results["sqlite"]:
            sqlite, postgresql = (statistics.median(results[name][operation]) * 1e6 for name in stores)
            print(f"{operation:26} {sqlite:8.0f}µs {postgresql:10.0f}µs {postgresql / sqlite:6.1f}×")
    finally:
        stores["sqlite"].close()
        storage.close()
        server.stop()


if __name__ == "__main__":
    main()
