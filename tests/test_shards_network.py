"""Two ``hypotez run`` processes, each with its own range of a bot's shards, against one local Discord
test server with a server on each shard: each process answers only the servers of its shards, every
message is answered once, and the processes take turns to IDENTIFY per ``max_concurrency`` bucket."""

from __future__ import annotations

import asyncio
import re

import aiohttp
from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord
from test_metrics_network import samples

from hypotez.adapters.discord_shards import IDENTIFY_INTERVAL

ENDPOINT = re.compile(r"metrics on http://([\d.]+):(\d+)/metrics")
SHARDS = 4


async def endpoint(bot: BotProcess) -> str:
    for _ in range(600):
        match = ENDPOINT.search(bot.log)
        if match:
            return f"http://{match[1]}:{match[2]}"
        await bot.alongside(asyncio.sleep(0.05))
    raise AssertionError(f"no metrics endpoint in the log:\n{bot.log}")


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            return response.status, await response.text()


async def healthy(bot: BotProcess, base: str, timeout: float = 60.0) -> None:
    body = ""
    for _ in range(int(timeout / 0.1)):
        status, body = await bot.alongside(get(base + "/healthz"))
        if status == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not healthy after {timeout} s: {body}\n{bot.log}")


async def test_each_process_answers_only_the_servers_of_its_shards(tmp_path):
    async with FakeDiscord(channels=("home",), shards=SHARDS, max_concurrency=2) as discord:
        guilds = {f"s{shard}": discord.add_guild(f"server {shard}", [f"s{shard}"], shard=(shard, SHARDS))
                  for shard in range(SHARDS)}
        low = await BotProcess.start(discord.env(), data_dir=tmp_path / "low",
                                     extra_args=("--shards", "0-1", "--shard-count", str(SHARDS), "--metrics-port", "0"))
        high = await BotProcess.start(discord.env(), data_dir=tmp_path / "high",
                                      extra_args=("--shards", "2,3", "--shard-count", str(SHARDS), "--metrics-port", "0"))
        try:
            low_url, high_url = await endpoint(low), await endpoint(high)
            await healthy(low, low_url)
            await healthy(high, high_url)

            assert sorted(discord.shards_identified()) == [(shard, SHARDS) for shard in range(SHARDS)]
            # A session hears the servers of its shard only, so each process knows only its own.
            for session in discord.sessions.values():
                assert session.shard is not None
                assert {discord.shard_of(g, SHARDS) for g in discord.guilds_on(session.shard)} <= {session.shard[0]}

            channels = ["home", *guilds]
            for channel in channels:
                [reply] = await discord.ask("!hi", channel=channel, user=f"user-{channel}")
                assert reply.text.startswith(f"Привет, user-{channel}!")
            await asyncio.sleep(1.0)  # a second answer from the other process would have come by now
            for channel in channels:
                assert len(discord.bot_messages(channel)) == 1, f"#{channel} answered more than once"

            def shard(channel: str) -> int:
                return discord.shard_of(discord.guild_of(discord.channel(channel)), SHARDS)

            answered_low = sum(1 for c in channels if shard(c) in (0, 1))
            hi = 'hypotez_commands_total{command="hi",outcome="ok"}'
            low_metrics = samples((await get(low_url + "/metrics"))[1])
            high_metrics = samples((await get(high_url + "/metrics"))[1])
            assert low_metrics.get(hi, 0) == answered_low
            assert high_metrics.get(hi, 0) == len(channels) - answered_low
            assert {k for k in low_metrics if k.startswith("hypotez_gateway_latency_seconds{")} == {
                'hypotez_gateway_latency_seconds{shard="0"}', 'hypotez_gateway_latency_seconds{shard="1"}'}

            # max_concurrency 2: shards 0 and 2 share a bucket, 1 and 3 the other — across the two processes.
            times = {tuple(e["shard"]): e["time"] for e in discord.connections("identify")}
            for first, second in ((0, 2), (1, 3)):
                gap = abs(times[(first, SHARDS)] - times[(second, SHARDS)])
                assert gap >= IDENTIFY_INTERVAL - 0.1, f"shards {first} and {second} identified {gap:.2f} s apart"
        finally:
            codes = [await low.stop(), await high.stop()]
        for bot, code in zip((low, high), codes):
            assert code == 0, bot.log
            assert "Traceback" not in bot.log, bot.log
        assert "shard 0 of 4 ready" in low.log and "shard 3 of 4 ready" in high.log
        assert not any(f"shard {s} of 4 ready" in low.log for s in (2, 3))

