"""A schedule over real sockets: ``hypotez run`` as a subprocess, unmodified discord.py inside it, against
the local Discord test server. The schedules' clock is set with ``--schedules-from`` (it then runs at
the real pace), so a daily 9:00 post can be reached in seconds: it is posted in its channel on time as
soon as the server is known, a run missed while the bot was down is posted once after the restart
(``missed: once``) and never again, a bot stopped while its post is under way finishes it instead of
posting it again at the next start, and one killed then posts it again with the same nonce, which the
test server (as Discord) answers with the first message."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")

SPEC = '''
bot:
  name: netschedules
  language: en
commands:
  hi:
    description: Say hi
    text: hi
schedules:
  morning:
    cron: "0 9 * * *"
    timezone: UTC
    channel: news
    missed: once
    text: "Good morning, {{ server }}: the run of {{ run.strftime('%Y-%m-%d %H:%M') }}"
'''


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def discord():
    async with FakeDiscord(channels=("general", "news")) as server:
        yield server


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schedule-network")
    (folder / "commands.yaml").write_text(SPEC, encoding="utf-8")
    return folder


async def start_at(discord: FakeDiscord, folder, when: str) -> BotProcess:
    """``hypotez run`` with the schedules' clock at ``when``; the data folder is kept across runs."""
    return await BotProcess.start(discord.env(), data_dir=folder / "data", spec=folder / "commands.yaml",
                                  extra_args=("--schedules-from", when))


async def logged(bot: BotProcess, text: str, timeout: float = 30.0) -> None:
    async def appears() -> None:
        while text not in bot.log:
            await asyncio.sleep(0.05)
    await bot.alongside(asyncio.wait_for(appears(), timeout))


async def stopped(bot: BotProcess) -> None:
    code = await bot.stop()
    assert code == 0, bot.log
    assert "Traceback" not in bot.log, bot.log


def news(discord: FakeDiscord) -> list[str]:
    return [m.text for m in discord.bot_messages("news")]


async def test_a_schedule_posts_on_time_and_a_missed_run_once_after_a_restart(discord, folder):
    # The first start stores the next run (9:00) as soon as the server is known.
    bot = await start_at(discord, folder, "2026-12-02T08:00:00Z")
    await logged(bot, "next run 2026-12-02T09:00:00+00:00")
    await stopped(bot)

    # Two seconds before 9:00: posted in #news at 9:00, without waiting for the loop's next look.
    bot = await start_at(discord, folder, "2026-12-02T08:59:58Z")
    await bot.alongside(discord.wait_until(lambda: news(discord), 20, "the 9:00 post", "news"))
    [posted] = news(discord)
    assert posted.startswith("Good morning, ") and posted.endswith("the run of 2026-12-02 09:00")
    assert discord.bot_messages("general") == []
    await logged(bot, "next run 2026-12-03T09:00:00+00:00")
    await stopped(bot)

    # Down for three days: the runs of the 3rd, 4th and 5th were missed; the latest is posted once.
    bot = await start_at(discord, folder, "2026-12-05T10:00:00Z")
    await bot.alongside(discord.wait_until(lambda: len(news(discord)) == 2, 20, "the missed run", "news"))
    assert news(discord)[1].endswith("the run of 2026-12-05 09:00")
    assert "3 run(s) missed while the bot was down, one posted now" in bot.log
    await logged(bot, "next run 2026-12-06T09:00:00+00:00")
    await stopped(bot)

    # Started again the same morning: nothing is posted again.
    bot = await start_at(discord, folder, "2026-12-05T10:00:30Z")
    await logged(bot, "next run 2026-12-06T09:00:00+00:00")
    assert [m.text for m in await bot.alongside(discord.ask("!hi"))] == ["hi"]
    assert len(news(discord)) == 2
    await stopped(bot)


async def test_a_bot_stopped_while_posting_finishes_the_post_and_does_not_post_it_again(discord, folder):
    before = len(news(discord))
    discord.slow_posts[discord.channel("news")] = 3.0  # Discord takes its time to answer the 9:00 post
    bot = await start_at(discord, folder, "2026-12-06T08:59:59Z")
    await bot.alongside(discord.wait_until(lambda: len(news(discord)) > before, 20, "the 9:00 post", "news"))
    await stopped(bot)  # Ctrl+C while the post is under way
    del discord.slow_posts[discord.channel("news")]

    bot = await start_at(discord, folder, "2026-12-06T09:00:40Z")
    await logged(bot, "next run 2026-12-07T09:00:00+00:00")
    assert [m.text for m in await bot.alongside(discord.ask("!hi"))] == ["hi"]
    assert news(discord)[before:] == [news(discord)[before]]
    assert news(discord)[before].endswith("the run of 2026-12-06 09:00")
    await stopped(bot)



async def test_a_bot_killed_while_posting_posts_again_with_the_same_nonce_and_discord_keeps_one(discord, tmp_path):
    """kill -9 between Discord taking the post and the bot marking the run posted: the restarted bot cannot
    know, so it posts the run again, with the same nonce; Discord answers with the first message."""
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    channel = discord.channel("news")
    path = f"/api/v10/channels/{channel}/messages"

    def posted() -> int:
        return sum(1 for r in discord.requests if r.method == "POST" and r.path == path)

    before = len(news(discord))
    discord.slow_posts[channel] = 2.0  # the answer to the post does not reach the killed bot
    bot = await start_at(discord, tmp_path, "2026-12-10T08:59:59Z")
    await bot.alongside(discord.wait_until(lambda: len(news(discord)) > before, 20, "the 9:00 post", "news"))
    bot.process.kill()
    await bot.process.wait()
    del discord.slow_posts[channel]
    await asyncio.sleep(2.5)  # the held request ends (answered, or dropped with the connection)
    posts = posted()

    bot = await start_at(discord, tmp_path, "2026-12-10T09:00:40Z")
    await logged(bot, "next run 2026-12-11T09:00:00+00:00")
    assert [m.text for m in await bot.alongside(discord.ask("!hi"))] == ["hi"]
    assert posted() == posts + 1, "the restarted bot posts the claimed run again"
    assert news(discord)[before:] == ["Good morning, Test Server: the run of 2026-12-10 09:00"], "Discord kept one"
    await stopped(bot)
