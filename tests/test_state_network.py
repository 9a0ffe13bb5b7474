"""The bot's memory across shard processes, over real sockets: two ``hypotez run`` processes with
different shard ranges against the local Discord test server and one real PostgreSQL. A person's
counter (state.user) and the bot's (state.global) count on together whichever process serves the
message; after a reshard (the ranges swapped, new empty data folders) a server's counter (state.server)
goes on from where the other process left it."""

from __future__ import annotations

from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord
from test_shards_network import endpoint, healthy

SHARDS = 2
SPEC = '''
bot:
  name: sharedstate
  language: en
commands:
  hi:
    description: Say hi
    text: hi
state:
  karma: {scope: user, type: counter}
  messages: {scope: server, type: counter}
  total: {scope: global, type: counter}
triggers:
  thanks:
    contains: thanks
    actions: [{increment: karma}, {increment: messages}, {increment: total}]
    text: "karma {{ state.user.karma }}, server {{ state.server.messages }}, all {{ state.global.total }}"
'''


async def shard_processes(discord: FakeDiscord, env: dict, tmp_path, ranges: tuple[str, str], round_: str):
    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    started = [await BotProcess.start(env, data_dir=tmp_path / f"{round_}-{shards}", spec=spec, extra_args=(
        "--shards", shards, "--shard-count", str(SHARDS), "--metrics-port", "0")) for shards in ranges]
    for bot in started:
        await healthy(bot, await endpoint(bot), timeout=60)
    return started


async def stop_all(processes) -> None:
    for bot in processes:
        assert await bot.stop() == 0, bot.log
        assert "Traceback" not in bot.log, bot.log


async def thanks(discord: FakeDiscord, channel: str) -> str:
    [reply] = await discord.ask("thanks!", channel=channel, user="ann")
    return reply.text


async def test_counters_are_shared_by_shard_processes_and_follow_a_reshard(postgres_url, tmp_path):
    async with FakeDiscord(channels=("home",), shards=SHARDS) as discord:
        for shard in range(SHARDS):
            discord.add_guild(f"server {shard}", [f"s{shard}"], shard=(shard, SHARDS))
        env = {**discord.env(), "HYPOTEZ_DATABASE_URL": postgres_url}
        processes = await shard_processes(discord, env, tmp_path, ("0", "1"), "first")
        try:
            assert await thanks(discord, "s0") == "karma 1, server 1, all 1"
            assert await thanks(discord, "s1") == "karma 2, server 1, all 2", "served by the other process"
            assert await thanks(discord, "s0") == "karma 3, server 2, all 3"
        finally:
            await stop_all(processes)
        processes = await shard_processes(discord, env, tmp_path, ("1", "0"), "second")  # the ranges swapped
        try:
            assert await thanks(discord, "s0") == "karma 4, server 3, all 4"
            assert await thanks(discord, "s1") == "karma 5, server 2, all 5"
        finally:
            await stop_all(processes)
