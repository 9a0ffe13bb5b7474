"""Over the network: the whole pipeline, ``hypotez run`` (a real subprocess, unmodified discord.py, the
shipped commands.yaml) against the local Discord test server over TLS on 127.0.0.1: gateway events in,
discord.py's command machinery, the YAML pipeline and templates, replies out through the REST API.

* Throughput: ``!hi`` answered per second with many users talking at once (closed loops, one channel
  each), as a ratio to Discord's global limit of 50 requests per second per bot. Target ≥ 10×.
  The test server applies no rate limit here, so the bot, not the limit, is measured.
  On a shared machine the bot gets less than its core, so the bot's CPU time per answered message is
  measured too: the rate one core of its own would sustain.
* Latency of ``!hi`` (user message sent → reply received by the server), p50/p99 under that load and
  paced at a steady 10× the limit (500 messages per second; 80 % of the median round's throughput
  when the machine did not let the bot reach that), as ratios to the idle latency (one message at a time).

The bot process and the test server (with the load driver) are two processes: the machine's 2 cores.

    .venv/bin/python benchmarks/bench_network.py [--users 64] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from _common import verdict

ROOT = Path(__file__).resolve().parent.parent
DISCORD_GLOBAL_LIMIT = 50  # requests per second per bot
TARGET = 10.0


def _load_test_fake(name: str) -> ModuleType:
    """The Discord test server lives with the tests (tests/fakes/); load that file by path rather than
    make tests/ importable."""
    spec = importlib.util.spec_from_file_location(f"fakes.{name}", ROOT / "tests" / "fakes" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def load_discord_fakes() -> tuple[ModuleType, ModuleType]:
    """The Discord test server (tests/fakes/discord_server.py, after the parts it imports) and
    tests/fakes/bot_process.py."""
    for part in ("discord_model", "discord_components_side", "discord_events_side", "discord_gateway_side",
                 "discord_guilds_side", "discord_rest"):
        _load_test_fake(part)
    return _load_test_fake("discord_server"), _load_test_fake("bot_process")


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of a process so far: this one, or ``pid`` (Linux /proc)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Driver:
    def __init__(self, server, users: int):
        self.server = server
        self.channels = [f"c{i}" for i in range(users)]
        self.latencies: list[float] = []

    async def one(self, channel: str, user: str) -> float:
        """Say !hi, wait for its reply; the latency as the server saw it."""
        server = self.server
        before = len(server.bot_messages(channel))
        said = await server.say("!hi", user=user, channel=channel)
        await server.wait_until(lambda: len(server.bot_messages(channel)) > before, 30, "a reply", channel)
        reply = server.bot_messages(channel)[before]
        assert reply.text.startswith(f"Привет, {user}!"), reply.text
        return reply.created - server.said_at[said.id]

    async def idle(self, count: int) -> list[float]:
        return [await self.one(self.channels[0], "idle") for _ in range(count)]

    async def closed_loops(self, seconds: float, warmup: float,
                           probe: Callable[[], tuple[float, float]]) -> tuple[float, list[float], tuple[float, float]]:
        """Every user says !hi again as soon as the bot answered. After the warm-up (new connections,
        first-time work), for ``seconds``: replies per second, their latencies, and how many cores the
        bot and this process used (``probe`` reads their CPU times)."""
        start = time.perf_counter()
        measure_from, measure_to = start + warmup, start + warmup + seconds
        counted: list[float] = []

        async def user_loop(index: int) -> None:
            channel = self.channels[index]
            while time.perf_counter() < measure_to:
                took = await self.one(channel, f"user{index}")
                if measure_from <= time.perf_counter() <= measure_to:
                    counted.append(took)

        async def cpu_window() -> tuple[float, float]:
            await asyncio.sleep(warmup)
            before, began = probe(), time.perf_counter()
            await asyncio.sleep(seconds)
            after, wall = probe(), time.perf_counter() - began
            return (after[0] - before[0]) / wall, (after[1] - before[1]) / wall

        window = asyncio.create_task(cpu_window())
        await asyncio.gather(*(user_loop(i) for i in range(len(self.channels))))
        return len(counted) / seconds, counted, await window

    async def paced(self, rate: float, seconds: float) -> list[float]:
        """Open loop: messages at a steady ``rate`` per second, spread over the channels."""
        tasks = []
        start = time.perf_counter()
        for index in range(int(rate * seconds)):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self._one_in_flight(self.channels[index % len(self.channels)],
                                                                 f"paced{index}")))
        return list(await asyncio.gather(*tasks))

    async def _one_in_flight(self, channel: str, user: str) -> float:
        # Several paced messages can be in flight in one channel and be answered in any order: find this
        # message's reply by the name it greets.
        server = self.server
        replies = server.bot_messages(channel)
        before = len(replies)
        greeting = f"Привет, {user}!"
        said = await server.say("!hi", user=user, channel=channel)

        def reply():
            return next((m for m in replies[before:] if m.text.startswith(greeting)), None)

        found = await server.wait_until(reply, 60, f"the reply to {user}", channel)
        return found.created - server.said_at[said.id]


@dataclass
class Round:
    throughput: float
    latencies: list[float]
    bot_cores: float
    server_cores: float


async def measure(driver: Driver, bot, seconds: float, warmup: float) -> Round:
    pid = bot.process.pid
    throughput, latencies, (bot_cores, server_cores) = await bot.alongside(
        driver.closed_loops(seconds, warmup, lambda: (cpu_seconds(pid), cpu_seconds())))
    return Round(throughput, latencies, bot_cores, server_cores)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


async def main(users: int, seconds: float, rounds: int) -> int:
    fake, bot_process = load_discord_fakes()
    steady_rate = DISCORD_GLOBAL_LIMIT * TARGET
    with tempfile.TemporaryDirectory() as tmp:
        async with fake.FakeDiscord(channels=[f"c{i}" for i in range(users)]) as server:
            bot = await bot_process.BotProcess.start(server.env(), data_dir=Path(tmp) / "data")
            try:
                await bot.alongside(server.wait_until(lambda: server.ready.is_set(), 120, "the bot"))
                driver = Driver(server, users)
                await driver.idle(20)  # warm-up: first templates, connection pool
                idle = await driver.idle(100)
                measured = [await measure(driver, bot, seconds, warmup=1.0) for _ in range(rounds)]
                best = max(measured, key=lambda r: r.throughput)
                # Paced at 10x the limit, or at 80 % of what this (shared) machine let the bot reach
                # in a typical (median) round.
                typical = statistics.median(r.throughput for r in measured)
                steady_rate = min(steady_rate, round(0.8 * typical))
                steady = await bot.alongside(driver.paced(steady_rate, seconds))
                said = sum(1 for m in server.messages.values() if m.kind == "user")
                await server.wait_until(lambda: sum(len(v) for v in server.bot_by_channel.values()) >= said, 30,
                                        "every reply")
                answered = sum(len(v) for v in server.bot_by_channel.values())
            finally:
                code = await bot.stop()
    failed_requests = [r for r in server.requests if r.status >= 400]

    ratio = best.throughput / DISCORD_GLOBAL_LIMIT
    idle_p50, idle_p99 = statistics.median(idle), percentile(idle, 0.99)
    p50, p99 = statistics.median(best.latencies), percentile(best.latencies, 0.99)
    print(f"bench_network: hypotez run <-> local Discord test server (TLS, 127.0.0.1), shipped commands.yaml, !hi; "
          f"{users} users in closed loops, best of {rounds} rounds of {seconds:.0f} s")
    print(f"  throughput        {best.throughput:7.1f} answered/s = {ratio:5.1f}x Discord's global limit of "
          f"{DISCORD_GLOBAL_LIMIT}/s (target >= {TARGET:.0f}x): {verdict(ratio >= TARGET)}")
    print("    rounds:          " + ", ".join(f"{r.throughput:.0f}/s (bot {r.bot_cores:.2f} cores, "
                                              f"server+driver {r.server_cores:.2f})" for r in measured))
    per_message = best.bot_cores / best.throughput
    capacity = 1 / per_message / DISCORD_GLOBAL_LIMIT
    print(f"    bot CPU per answered message {per_message * 1000:.2f} ms: a core of its own would answer "
          f"~{1 / per_message:.0f}/s = {capacity:.1f}x the limit (target >= {TARGET:.0f}x): "
          f"{verdict(capacity >= TARGET)}")
    print(f"    (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work shares them)")
    print(f"  idle latency      p50 {ms(idle_p50)}  p99 {ms(idle_p99)}  ({len(idle)} messages, one at a time)")
    print(f"  at full load      p50 {ms(p50)}  p99 {ms(p99)}  = {p50 / idle_p50:.1f}x / {p99 / idle_p99:.1f}x idle "
          f"({len(best.latencies)} messages, {users} in flight)")
    s50, s99 = statistics.median(steady), percentile(steady, 0.99)
    print(f"  paced at {steady_rate:.0f}/s   p50 {ms(s50)}  p99 {ms(s99)}  = {s50 / idle_p50:.1f}x / "
          f"{s99 / idle_p99:.1f}x idle ({len(steady)} messages, {steady_rate / DISCORD_GLOBAL_LIMIT:.1f}x the limit)")
    print(f"  every message answered exactly once: {said} said, {answered} answered; "
          f"{len(failed_requests)} failed requests; bot exit code {code}")
    ok = ratio >= TARGET and answered == said and not failed_requests and code == 0
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=64, help="users talking at once (one channel each)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=3, help="closed-loop rounds (the best one is reported)")
    arguments = parser.parse_args()
    raise SystemExit(asyncio.run(main(arguments.users, arguments.seconds, arguments.rounds)))
