"""The same load through 1 and 2 shard processes sharing one PostgreSQL vs one process on SQLite:
messages answered per second, and the bots' CPU per answered ``!hi`` (summed over the bot processes).

Three configurations, each with a local Discord test server of its own (TLS on 127.0.0.1) holding the
same servers, half of them on shard 0 and half on shard 1 of 2 (``add_guild(..., shard=(id, 2))``):

* ``SQLite, 1 process``: ``hypotez run`` with all servers, its data folder's SQLite;
* ``PostgreSQL, 1 process``: ``hypotez run --shards 0-1 --shard-count 2`` (both shards in one process);
* ``PostgreSQL, 2 processes``: ``--shards 0 --shard-count 2`` and ``--shards 1 --shard-count 2``, each with
  its own data folder, both on one database (``HYPOTEZ_DATABASE_URL``) of one private PostgreSQL.

Users say ``!hi`` in closed loops (one channel each, spread over the servers); in each round every
configuration is measured once, in alternating order, so machine noise falls on all of them. The bot
figure is the CPU time (user + system, /proc) of the configuration's bot processes per answered message
in the measured window; PostgreSQL's own CPU (its server processes) is shown beside it. Medians over
rounds, ratios to the SQLite process.

    .venv/bin/python benchmarks/bench_shards.py [--users 16] [--servers 4] [--seconds 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

from bench_network import Driver, cpu_seconds, load_discord_fakes

from hypotez.testing.postgres import PostgresServer

SHARDS = 2
CONFIGURATIONS = {  # name: (on PostgreSQL, the --shards of each process)
    "SQLite, 1 process": (False, [None]),
    "PostgreSQL, 1 process": (True, ["0-1"]),
    "PostgreSQL, 2 processes": (True, ["0", "1"]),
}


def postgres_cpu(postgres: PostgresServer) -> float:
    """CPU time so far of the PostgreSQL server: the postmaster and its children (backends, writers);
    their connections are pooled, so the same backends live through a measured window."""
    postmaster = int((postgres.root / "data" / "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    total = 0.0
    for pid in [postmaster, *map(int, children)]:
        try:
            total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass  # a process that ended between the listing and the read
    return total


async def closed_loops(driver: Driver, bots: list, postgres: PostgresServer | None, seconds: float):
    """One measured window of ``driver``'s closed loops; (answered/s, bot cores, PostgreSQL cores)."""
    pids = [bot.process.pid for bot in bots]

    def probe() -> tuple[float, float]:
        return sum(cpu_seconds(pid) for pid in pids), postgres_cpu(postgres) if postgres else 0.0

    work = driver.closed_loops(seconds, 0.5, probe)
    for bot in bots:  # fail at once, with its log, if any bot process exits meanwhile
        work = bot.alongside(work)
    throughput, _, (bot_cores, postgres_cores) = await work
    return throughput, bot_cores, postgres_cores


async def start(stack: AsyncExitStack, fake, bot_process, tmp: Path, index: int, users: int, servers: int,
                database_url: str | None, shard_ranges: list[str | None]):
    """A test server with ``servers`` servers (alternately on shard 0 and 1) and ``users`` channels spread
    over them, and the configuration's bot processes connected to it; its Driver."""
    server = await stack.enter_async_context(fake.FakeDiscord(channels=("home",), shards=SHARDS))
    channels = [f"c{i}" for i in range(users)]
    for number in range(servers):
        server.add_guild(f"server {number}", channels[number::servers], shard=(number % SHARDS, SHARDS))
    env = {**server.env(), **({"HYPOTEZ_DATABASE_URL": database_url} if database_url else {})}
    bots = []
    for shards in shard_ranges:
        extra = ("--shards", shards, "--shard-count", str(SHARDS)) if shards else ()
        bots.append(await bot_process.BotProcess.start(env, data_dir=tmp / f"data{index}-{shards}", extra_args=extra))
    driver = Driver(server, users)
    return server, bots, driver


async def main(users: int, servers: int, seconds: float, rounds: int) -> int:
    fake, bot_process = load_discord_fakes()
    rates: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    bot_ms: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    postgres_ms: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    codes: dict[str, list[int]] = {}
    once: dict[str, tuple[int, int]] = {}  # messages said, replies
    postgres = PostgresServer.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with AsyncExitStack() as stack:
                running = {}
                for index, (name, (on_postgres, shard_ranges)) in enumerate(CONFIGURATIONS.items()):
                    url = postgres.create_database(f"bench_shards_{index}") if on_postgres else None
                    running[name] = await start(stack, fake, bot_process, Path(tmp), index, users, servers, url,
                                                shard_ranges)
                try:
                    for name, (server, bots, driver) in running.items():
                        expected = [(shard, SHARDS) for shard in range(SHARDS)] if CONFIGURATIONS[name][1][0] else []
                        wait = server.wait_until(lambda s=server, e=expected: s.ready.is_set() and
                                                 sorted(s.shards_identified()) == e, 120, "the bots")
                        for bot in bots:
                            wait = bot.alongside(wait)
                        await wait
                        for _ in range(3):  # warm-up, every channel (so every shard): first templates, pools
                            for channel in driver.channels:
                                await bots[0].alongside(driver.one(channel, "warm-up"))
                    names = list(CONFIGURATIONS)
                    for round_index in range(rounds):
                        for name in (names if round_index % 2 == 0 else names[::-1]):
                            server, bots, driver = running[name]
                            on_postgres = CONFIGURATIONS[name][0]
                            rate, bot_cores, postgres_cores = await closed_loops(
                                driver, bots, postgres if on_postgres else None, seconds)
                            rates[name].append(rate)
                            bot_ms[name].append(bot_cores / rate * 1000)
                            postgres_ms[name].append(postgres_cores / rate * 1000)
                    await asyncio.sleep(1.0)  # a second answer from another process would have come by now
                    for name, (server, bots, driver) in running.items():
                        said = sum(1 for m in server.messages.values() if m.kind == "user")
                        once[name] = (said, sum(len(v) for v in server.bot_by_channel.values()))
                finally:
                    for name, (server, bots, driver) in running.items():
                        codes[name] = [await bot.stop() for bot in bots]
    finally:
        postgres.stop()

    print(f"bench_shards: the same !hi load through hypotez run on SQLite vs 1 and 2 shard processes on one "
          f"PostgreSQL (local Discord test server, TLS, 127.0.0.1); {users} users in closed loops over {servers} "
          f"servers on {SHARDS} shards, {rounds} interleaved rounds of {seconds:g} s, medians")
    base_rate = statistics.median(rates["SQLite, 1 process"])
    base_cost = statistics.median(bot_ms["SQLite, 1 process"])
    print(f"  {'':26s}{'answered/s':>11s}{'ratio':>7s}{'bot CPU/msg':>14s}{'ratio':>7s}{'PostgreSQL CPU/msg':>20s}")
    for name in CONFIGURATIONS:
        rate, cost = statistics.median(rates[name]), statistics.median(bot_ms[name])
        database = f"{statistics.median(postgres_ms[name]):8.3f} ms" if CONFIGURATIONS[name][0] else "-"
        print(f"  {name:26s}{rate:11.0f}{rate / base_rate:6.2f}x{cost:11.3f} ms{cost / base_cost:6.2f}x{database:>20s}")
    paired = {name: statistics.median(c / b for c, b in zip(bot_ms[name], bot_ms["SQLite, 1 process"]))
              for name in CONFIGURATIONS}
    print("  bot CPU per message, median of the rounds' own ratios to SQLite: "
          + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in paired.items()))
    for name in CONFIGURATIONS:
        print(f"    {name:24s} rounds: " + ", ".join(f"{r:.0f}/s {c:.3f} ms" for r, c in zip(rates[name], bot_ms[name])))
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; exit codes "
          + ", ".join(f"{name} {codes[name]}" for name in CONFIGURATIONS) + ")")
    print("  every message answered exactly once: " + ", ".join(
        f"{name} {said} said, {answered} answered" for name, (said, answered) in once.items()))
    ok = all(said == answered for said, answered in once.values())
    return 0 if ok and not any(any(c) for c in codes.values()) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16, help="users talking at once (one channel each)")
    parser.add_argument("--servers", type=int, default=4, help="Discord servers, alternately on shard 0 and 1")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    arguments = parser.parse_args()
    raise SystemExit(asyncio.run(main(arguments.users, arguments.servers, arguments.seconds, arguments.rounds)))
