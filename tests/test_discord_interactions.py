"""Slash commands answered at once or deferred, interactions without a channel, error replies only
the user sees, a gateway event discord.py cannot read, a failing command sync — through discord.py's
own machinery (hypotez.testing.BotHarness), in-process."""

from __future__ import annotations

import asyncio
import logging
import textwrap

import pytest

from hypotez.adapters.discord_gateway import SlashSync
from hypotez.testing import CHANNEL_ID, GUILD_ID, BotHarness, user_payload

SPEC = """
bot: {language: en}
commands:
  hello:
    description: Say where
    text: "Hello, {{ user }}, in '{{ channel }}' on {{ server }}."
  slow:
    description: Slow work
    handler: work:slow
    text: "Done, {{ user }}."
  progress:
    description: Progress while working
    handler: work:progress
    text: "Finished."
  boom:
    description: Always fails
    handler: work:boom
    text: never shown
"""

HANDLERS = """
import asyncio


async def slow(invocation):
    await asyncio.sleep(0.3)
    return {}


async def progress(invocation):
    await asyncio.sleep(0.3)
    note = await invocation.outbox.send("Working: 50%")
    await note.edit("Working: 100%")
    return {}


async def boom(invocation):
    raise ValueError("secret detail")
"""

CALLBACK, FOLLOWUP = "/interactions/", "/webhooks/"


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, files={"work.py": textwrap.dedent(HANDLERS)}, model=False,
                           voice=False) as harness:
        yield harness


def calls(bot: BotHarness, since: int = 0) -> list[tuple[str, str, int | None]]:
    """(method, kind of route, callback type) of every interaction call the bot made."""
    out = []
    for request in bot.http.requests[since:]:
        if request.path.startswith(CALLBACK):
            out.append((request.method, "callback", (request.json or {}).get("type")))
        elif request.path.startswith(FOLLOWUP):
            out.append((request.method, "webhook", None))
    return out


async def test_a_reply_ready_at_once_is_the_immediate_response_in_one_call(bot):
    reply = await bot.slash("hello")
    assert reply.content == "Hello, ann, in 'general' on Test Server."
    [message] = reply.messages
    assert message.kind == "response" and not message.ephemeral
    assert calls(bot) == [("POST", "callback", 4)]


async def test_slow_work_is_deferred_and_followed_up(bot):
    bot.bot.defer_after = 0.05
    reply = await bot.slash("slow")
    assert reply.content == "Done, ann." and reply.messages[0].kind == "followup"
    assert calls(bot) == [("POST", "callback", 5), ("POST", "webhook", None)]


async def test_progress_after_a_deferral_is_sent_and_edited(bot):
    bot.bot.defer_after = 0.05
    reply = await bot.slash("progress")
    progress, finished = reply.messages
    assert progress.text == "Working: 100%" and progress.edits == ["Working: 100%"]
    assert finished.text == "Finished."
    assert calls(bot) == [("POST", "callback", 5), ("POST", "webhook", None), ("PATCH", "webhook", None),
                          ("POST", "webhook", None)]


async def test_an_interaction_without_a_channel_is_answered_in_its_server(bot):
    reply = await bot.slash("hello", with_channel=False)
    assert reply.content == "Hello, ann, in '' on Test Server."


async def test_an_error_without_a_channel_is_answered_and_only_the_user_sees_it(bot, caplog):
    with caplog.at_level(logging.ERROR):
        reply = await bot.slash("boom", with_channel=False)
    [message] = reply.messages
    assert message.text.startswith("💥 Something went wrong") and "secret detail" not in message.text
    assert message.ephemeral and message.kind == "response"
    assert "secret detail" in caplog.text


async def test_an_error_after_a_deferral_replaces_thinking_with_an_ephemeral_follow_up(bot):
    bot.bot.defer_after = 0.0
    reply = await bot.slash("boom")
    [message] = reply.messages
    assert message.ephemeral and message.kind == "followup"
    assert calls(bot) == [("POST", "callback", 5), ("DELETE", "webhook", None), ("POST", "webhook", None)]


async def test_a_message_update_discord_py_cannot_read_is_skipped_and_logged(bot, caplog):
    parse = bot.bot._connection.parsers["MESSAGE_UPDATE"]
    payload = {"id": "5", "channel_id": str(CHANNEL_ID), "guild_id": str(GUILD_ID), "content": "edited",
               "author": user_payload(7, "ann"), "timestamp": "2026-01-01T00:00:00+00:00",
               "edited_timestamp": "2026-01-01T00:00:01+00:00", "tts": False, "mention_everyone": False,
               "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0,
               "member": {"roles": [{"id": "9", "name": "Trainer"}], "joined_at": "2026-01-01T00:00:00+00:00",
                          "deaf": False, "mute": False, "flags": 0}}
    with caplog.at_level(logging.WARNING, logger="hypotez.discord"):
        parse(payload)  # discord.py's own parser raises TypeError on it; the guarded one returns
    [record] = caplog.records
    assert record.getMessage().startswith("skipped a MESSAGE_UPDATE event that discord.py could not read: TypeError")
    assert (await bot.send("!hello")).content == "Hello, ann, in 'general' on Test Server."


# --- the command sync in the background ---------------------------------------------------------


async def test_a_failed_sync_is_retried_with_growing_delays_until_it_succeeds(caplog):
    attempts: list[float] = []

    async def sync() -> None:
        attempts.append(asyncio.get_running_loop().time())
        if len(attempts) < 3:
            raise KeyError("id")

    with caplog.at_level(logging.WARNING, logger="hypotez.discord"):
        assert await SlashSync(sync, first_delay=0.05, max_delay=1.0, attempts=5).run() is True
    assert len(attempts) == 3
    # Waits measured on a loaded machine only grow: compare them with the delays asked for (0.05 s, then
    # double that), not with each other.
    first, second = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first >= 0.05 * 0.95 and second >= 0.1 * 0.95, "the delay doubles"
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        "could not sync slash commands (attempt 1 of 5", "could not sync slash commands (attempt 2 of 5"]
    assert "KeyError: 'id'" in caplog.records[0].getMessage()


async def test_a_sync_that_keeps_failing_is_given_up_after_its_attempts(caplog):
    tries = 0

    async def sync() -> None:
        nonlocal tries
        tries += 1
        raise RuntimeError("the server answered nonsense")

    with caplog.at_level(logging.WARNING, logger="hypotez.discord"):
        assert await SlashSync(sync, first_delay=0.01, max_delay=0.02, attempts=4).run() is False
    assert tries == 4
    assert caplog.records[-1].levelno == logging.ERROR
    last = caplog.records[-1].getMessage()
    assert "after 4 attempts" in last and "restart the bot" in last
