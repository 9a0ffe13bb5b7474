"""A real server's quirks never stop the bot: ``hypotez run`` as a subprocess (unmodified discord.py)
against the local Discord test server sending what other implementations of Discord's API were seen
to send — a gateway event discord.py cannot parse, a frame that is not JSON, a command sync answered
without ids, an interaction without a channel object, a server that accepts only immediate responses.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
import pytest_asyncio

from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord, Interaction

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHANNELS = ("general", "updates", "frames", "nochannel", "immediate", "slow", "errors")
SLOW = 2.6  # seconds: past the 2 s the bot waits before deferring

SPEC = """
bot:
  name: quirks
  language: en
  prefix: "!"
commands:
  hi:
    description: Say hello
    text: "Hello, {{ user }}!"
  slow:
    description: Slow work, then an answer
    handler: slowwork:slow
    text: "Done, {{ user }}."
  progress:
    description: Progress messages while working, then an answer
    handler: slowwork:progress
    arguments:
      early: {type: boolean, default: false, description: post the first message at once}
    text: "Finished {{ steps }} steps."
  boom:
    description: Always fails
    handler: slowwork:boom
    arguments:
      slow: {type: boolean, default: false, description: fail only after a while}
    text: never shown
"""

HANDLERS = f"""
import asyncio

SLOW = {SLOW}


async def slow(invocation):
    await asyncio.sleep(SLOW)
    return {{}}


async def progress(invocation, early=False):
    if early:
        await invocation.outbox.send("Started.")
    await asyncio.sleep(SLOW)
    note = await invocation.outbox.send("Working: 50%")
    await note.edit("Working: 100%")
    return {{"steps": 2}}


async def boom(invocation, slow=False):
    if slow:
        await asyncio.sleep(SLOW)
    raise ValueError("secret detail")
"""


def write_bot(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "slowwork.py").write_text(textwrap.dedent(HANDLERS))
    (folder / "commands.yaml").write_text(SPEC)
    return folder / "commands.yaml"


async def start_bot(server: FakeDiscord, folder: Path) -> BotProcess:
    process = await BotProcess.start(server.env(), data_dir=folder / "data", spec=write_bot(folder), cwd=folder)
    await process.alongside(server.wait_until(lambda: server.ready.is_set(), 60, "the bot to join the gateway"))
    return process


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def discord():
    async with FakeDiscord(channels=CHANNELS, heartbeat_interval=1.0) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord, tmp_path_factory):
    process = await start_bot(discord, tmp_path_factory.mktemp("quirks"))
    await process.alongside(discord.wait_until(lambda: discord.commands, 30, "the slash commands synced"))
    yield process
    code = await process.stop()
    assert code == 0, process.log
    assert discord.token not in process.log
    # The only tracebacks logged are /boom's, on purpose.
    tracebacks = [index for index, line in enumerate(process.lines) if line.startswith("Traceback")]
    assert all("command 'boom' failed" in process.lines[index - 1] for index in tracebacks), process.log


async def logged(process: BotProcess, text: str, timeout: float = 15.0) -> str:
    """Wait for the bot to log a line containing ``text``; that line."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        line = next((line for line in process.lines if text in line), None)
        if line is not None:
            return line
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never logged {text!r}:\n{process.log}")


def calls_for(discord: FakeDiscord, interaction: Interaction) -> list[str]:
    """Every API call the bot made to answer ``interaction`` (method and route)."""
    return [r.route for r in discord.requests if interaction.id in r.path or interaction.token in r.path]


# --- the gateway ---------------------------------------------------------------------------------------


async def test_a_malformed_gateway_event_is_logged_and_the_connection_stays_up(discord, bot):
    identifies, resumes = len(discord.connections("identify")), len(discord.connections("resume"))
    said = await discord.say("a message edited later", user="maria", channel="updates")
    await discord.update_with_role_objects(said)
    [reply] = await bot.alongside(discord.ask("!hi", user="maria", channel="updates"))
    assert reply.text == "Hello, maria!"
    line = await logged(bot, "MESSAGE_UPDATE")
    assert "skipped a MESSAGE_UPDATE event that discord.py could not read: TypeError" in line, line
    assert "the connection stays up" in line
    assert len(discord.connections("identify")) == identifies and len(discord.connections("resume")) == resumes


async def test_a_frame_that_is_not_json_is_logged_and_the_connection_made_again(discord, bot):
    identifies = len(discord.connections("identify"))
    await discord.send_raw("this is not JSON")
    await bot.alongside(discord.wait_until(lambda: len(discord.connections("identify")) > identifies
                                           and discord._live_session() is not None, 30, "a new connection"))
    [reply] = await bot.alongside(discord.ask("!hi", user="frank", channel="frames"))
    assert reply.text == "Hello, frank!"
    await logged(bot, "the gateway connection failed on something the server sent: JSONDecodeError")


# --- interactions --------------------------------------------------------------------------------------


async def test_an_interaction_without_a_channel_object_is_answered(discord, bot):
    interaction = await discord.slash("hi", user="nina", channel="nochannel", with_channel=False)
    await bot.alongside(discord.wait_until(lambda: interaction.messages, 15, "an answer to /hi"))
    [reply] = interaction.messages
    assert reply.text == "Hello, nina!" and reply.channel_id == discord.channel("nochannel")


async def test_an_unknown_slash_command_without_a_channel_object_gets_an_ephemeral_answer(discord, bot):
    # A command Discord still lists but the bot no longer has: answered by the bot's app-command error handler.
    discord.commands["gone"] = {"name": "gone", "id": discord.next_id(), "type": 1, "options": []}
    interaction = await discord.slash("gone", user="nina", channel="nochannel", with_channel=False)
    await bot.alongside(discord.wait_until(lambda: interaction.messages, 15, "an answer to /gone"))
    [reply] = interaction.messages
    assert "There is no command `!gone`" in reply.text and reply.ephemeral
    assert "Task exception was never retrieved" not in bot.log


async def test_a_fast_reply_is_the_immediate_response_one_call_on_a_server_that_accepts_only_that(discord, bot):
    discord.immediate_responses_only = True
    try:
        interaction = await discord.slash("hi", user="ivan", channel="immediate")
        await bot.alongside(discord.wait_until(lambda: interaction.messages, 15, "an answer to /hi"))
    finally:
        discord.immediate_responses_only = False
    [reply] = interaction.messages
    assert reply.text == "Hello, ivan!" and reply.kind == "original" and not reply.ephemeral
    assert [c["type"] for c in interaction.callbacks] == [4] and not interaction.refused
    assert calls_for(discord, interaction) == ["POST /interactions/{interaction_id}/{token}/callback"]


async def test_progress_posted_at_once_works_on_a_server_that_accepts_only_immediate_responses(discord, bot):
    # Training's pattern: a first message at once, progress edited later, then the result.
    discord.immediate_responses_only = True
    try:
        interaction = await discord.slash("progress", early=True, channel="immediate")
        await bot.alongside(discord.wait_until(lambda: len(interaction.messages) >= 3, 20, "three messages"))
    finally:
        discord.immediate_responses_only = False
    started, progress, finished = interaction.messages
    assert [c["type"] for c in interaction.callbacks] == [4] and not interaction.refused
    assert started.text == "Started." and started.kind == "original"
    assert progress.text == "Working: 100%" and progress.edits == ["Working: 100%"]
    assert finished.text == "Finished 2 steps."


async def test_slow_work_is_deferred_then_followed_up(discord, bot):
    interaction = await discord.slash("slow", user="olga", channel="slow")
    await bot.alongside(discord.wait_until(lambda: interaction.callbacks, 15, "the deferral"))
    assert [c["type"] for c in interaction.callbacks] == [5]
    assert not interaction.messages, "nothing but 'thinking…' until the work is done"
    await bot.alongside(discord.wait_until(lambda: interaction.messages, 15, "the follow-up"))
    [reply] = interaction.messages
    assert reply.text == "Done, olga." and reply is interaction.original, "the follow-up replaced 'thinking…'"


async def test_progress_after_a_deferral_fills_in_the_deferred_message_and_is_edited(discord, bot):
    interaction = await discord.slash("progress", channel="slow")
    await bot.alongside(discord.wait_until(lambda: len(interaction.messages) >= 2, 20, "progress and result"))
    progress, finished = interaction.messages
    assert [c["type"] for c in interaction.callbacks] == [5]
    assert progress is interaction.original and progress.text == "Working: 100%"
    assert finished.text == "Finished 2 steps." and finished.kind == "followup"


async def test_an_error_reply_is_ephemeral_at_once_and_after_a_deferral(discord, bot):
    fast = await discord.slash("boom", channel="errors")
    slow = await discord.slash("boom", slow=True, channel="errors")
    await bot.alongside(discord.wait_until(lambda: fast.messages and slow.messages, 20, "both error replies"))
    for interaction in (fast, slow):
        [reply] = interaction.messages
        assert reply.text.startswith("💥 Something went wrong while running"), reply.text
        assert "secret detail" not in reply.text
        assert reply.ephemeral, "only the user who ran the command sees it"
    assert [c["type"] for c in fast.callbacks] == [4]
    assert [c["type"] for c in slow.callbacks] == [5] and slow.original is not None and slow.original.deleted


# --- the command sync ----------------------------------------------------------------------------------


async def test_a_sync_answered_without_ids_leaves_prefix_commands_working_and_is_retried(tmp_path):
    async with FakeDiscord(channels=("general",)) as server:
        server.syncs_without_ids = 1
        process = await start_bot(server, tmp_path / "bot")
        try:
            # Start-up went on: prefix commands answer while the sync is failing.
            [reply] = await process.alongside(server.ask("!hi", user="sam"))
            assert reply.text == "Hello, sam!"
            await process.alongside(server.wait_until(lambda: len(server.command_syncs) >= 2, 30, "a second sync"))
            await process.alongside(logged(process, "slash commands synced"))
            [answer] = await process.alongside(server.ask_slash("hi", user="sam"))
            assert answer.text == "Hello, sam!"
        finally:
            code = await process.stop()
    assert code == 0, process.log
    failure = await logged(process, "could not sync slash commands")
    assert "attempt 1 of" in failure and "KeyError: 'id'" in failure and "prefix commands still work" in failure
    assert "Traceback" not in process.log and server.token not in process.log
