"""The bot's CPU per answered ``!hi`` over the network: ``hypotez run`` (the shipped commands.yaml) vs a
bare, hand-written discord.py bot answering ``!hi`` with the same text (benchmarks/_bare_bot.py), and
``hypotez run --metrics-port`` (the Prometheus endpoint on), each a subprocess connected to a local
Discord test server of its own (TLS on 127.0.0.1) through the same transport settings.

Users say ``!hi`` in closed loops (one channel each). In each round every bot is loaded in the same
seconds, so whatever the machine does then (other processes, the host's steal time) falls on all of
them alike; this process, driving the three servers, paces them alike too. The figure is the bot
process's CPU time (user + system, /proc) per answered message in the measured window; the median
over rounds and the median of each round's own ratio are printed; the target (hypotez ≤ 1.10× the
bare bot) is read on the rounds' own ratios (on the medians with ``--apart``).

``--apart``: the bots loaded one after another in each round (alternating order), each then saturated
(several messages per wake-up). On this machine one bot's rounds then range up to 2x, so a run's
ratio moves by ±0.1. ``--rate R``: messages at a steady R per second (an open loop, as Discord's users
send them, the bots idle between messages) instead of closed loops.

    .venv/bin/python benchmarks/bench_network_bare.py [--users 16] [--seconds 3] [--rounds 9] [--rate R] [--apart]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

from _common import verdict
from bench_network import ROOT, Driver, cpu_seconds, load_discord_fakes, measure

TARGET = 1.10
BARE_BOT = ROOT / "benchmarks" / "_bare_bot.py"
VARIANTS = {"bare discord.py": None, "hypotez run": (), "hypotez run --metrics-port": ("--metrics-port", "0")}


async def start(bot_process, server, variant: tuple[str, ...] | None, data_dir: Path):
    if variant is not None:
        return await bot_process.BotProcess.start(server.env(), data_dir=data_dir, extra_args=variant)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
    environment.update(server.env())
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(BARE_BOT), env=environment, cwd=str(ROOT), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    return bot_process.BotProcess(process)


async def one_round(driver: Driver, bot, seconds: float, rate: float | None) -> tuple[float, float]:
    """The bot's CPU seconds per answered message in one round, and the messages answered per second."""
    if rate is None:
        result = await measure(driver, bot, seconds, warmup=0.5)
        return (result.bot_cores / result.throughput if result.throughput else float("nan")), result.throughput
    before = cpu_seconds(bot.process.pid)
    answered = len(await bot.alongside(driver.paced(rate, seconds)))
    return (cpu_seconds(bot.process.pid) - before) / answered, rate


async def main(users: int, seconds: float, rounds: int, rate: float | None, together: bool) -> int:
    fake, bot_process = load_discord_fakes()
    per_message: dict[str, list[float]] = {name: [] for name in VARIANTS}
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    codes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with AsyncExitStack() as stack:
            running = {}
            for index, (name, variant) in enumerate(VARIANTS.items()):
                server = await stack.enter_async_context(fake.FakeDiscord(channels=[f"c{i}" for i in range(users)]))
                bot = await start(bot_process, server, variant, Path(tmp) / f"data{index}")
                running[name] = (server, bot, Driver(server, users))
            try:
                for server, bot, driver in running.values():
                    await bot.alongside(server.wait_until(lambda s=server: s.ready.is_set(), 120, "the bot"))
                    await bot.alongside(driver.idle(50))  # warm-up: first templates, connection pool
                names = list(VARIANTS)
                for round_index in range(rounds):
                    order = names if round_index % 2 == 0 else names[::-1]
                    if together:  # every bot under load in the same seconds: the machine's moments are shared
                        results = await asyncio.gather(*(one_round(running[name][2], running[name][1], seconds, rate)
                                                         for name in order))
                    else:
                        results = [await one_round(running[name][2], running[name][1], seconds, rate)
                                   for name in order]
                    for name, (cost, answered_per_second) in zip(order, results):
                        if cost != cost:  # nothing answered in a whole round: say which bot, with its log
                            raise SystemExit(f"{name} answered nothing in round {round_index + 1}; its log ends:\n"
                                             + running[name][1].log[-4000:])
                        per_message[name].append(cost)
                        rates[name].append(answered_per_second)
            finally:
                for name, (server, bot, driver) in running.items():
                    codes[name] = await bot.stop()
    bare = statistics.median(per_message["bare discord.py"])
    load = f"{users} users in closed loops" if rate is None else f"{rate:g} messages/s over {users} channels"
    load += ", the bots loaded together" if together else ""
    print(f"bench_network_bare: bot CPU per answered !hi through the local Discord test server (TLS, 127.0.0.1); "
          f"{load}, {rounds} interleaved rounds of {seconds:g} s, medians")
    for name in VARIANTS:
        cost = statistics.median(per_message[name])
        rounds_text = ", ".join(f"{value * 1000:.3f}" for value in per_message[name])
        print(f"  {name:28s} {cost * 1000:6.3f} ms per message = {cost / bare:4.2f}x bare "
              f"(rounds: {rounds_text} ms; ~{statistics.median(rates[name]):.0f} answered/s)")
    medians = statistics.median(per_message["hypotez run"]) / bare
    with_metrics = statistics.median(per_message["hypotez run --metrics-port"]) / bare
    paired = statistics.median(h / b for h, b in zip(per_message["hypotez run"], per_message["bare discord.py"]))
    # Loaded together, a round's bots share its conditions, so its own ratio is the measure; one after
    # another, the medians are (each round's bots then meet different moments of the machine).
    ratio, named = (paired, "median of the rounds' own ratios") if together else (medians, "ratio of the medians")
    print(f"  hypotez / bare = {ratio:.2f}, the {named} (target <= {TARGET:.2f}): {verdict(ratio <= TARGET)}; "
          f"ratio of the medians {medians:.2f}, median of the rounds' own ratios {paired:.2f}; "
          f"with metrics on: {with_metrics:.2f}")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; exit codes "
          + ", ".join(f"{name} {code}" for name, code in codes.items()) + ")")
    return 0 if ratio <= TARGET and not any(codes.values()) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16, help="users talking at once (one channel each)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds")
    parser.add_argument("--rate", type=float, help="messages per second, steady (default: closed loops)")
    parser.add_argument("--apart", action="store_true",
                        help="load the bots one after another in each round (default: in the same seconds)")
    arguments = parser.parse_args()
    raise SystemExit(asyncio.run(main(arguments.users, arguments.seconds, arguments.rounds, arguments.rate,
                                      not arguments.apart)))
