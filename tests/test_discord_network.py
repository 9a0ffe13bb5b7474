"""The shipped bot over real sockets: ``hypotez run`` as a subprocess, unmodified discord.py inside it,
talking TLS to the local Discord test server (gateway v10 + REST) on 127.0.0.1.

One bot process serves the conversation tests (each in its own channel, so they cannot see each
other's replies); the start-up failures (bad token, missing intent) get their own short-lived ones.
"""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from fakes.bot_process import ROOT, BotProcess
from fakes.discord_model import RESUME_GATEWAY_URL
from fakes.discord_server import FakeDiscord
from support import FAQ

from hypotez.adapters.discord_endpoint import TestServer, _TestServerResolver
from hypotez.registry import load_spec

pytestmark = pytest.mark.asyncio(loop_scope="module")

SPEC = ROOT / "commands.yaml"
CHANNELS = ("general", "files", "training", "slash-training", "limits", "drops", "reconnects", "global", "stubborn")
MESSAGES = "POST /channels/{channel_id}/messages"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def discord():
    # Heartbeats every second, so a module's worth of them are sent and acknowledged.
    async with FakeDiscord(channels=CHANNELS, heartbeat_interval=1.0) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("network") / "data"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(discord, data_dir):
    process = await BotProcess.start(discord.env(), data_dir=data_dir)
    await process.alongside(discord.wait_until(lambda: discord.ready.is_set() and discord.command_syncs, 60,
                                               "the bot to sync its commands and join the gateway"))
    yield process
    code = await process.stop()
    assert code == 0, process.log
    assert "Traceback" not in process.log, process.log
    assert " ERROR " not in process.log, process.log  # no reply failed to send, no command crashed


async def test_start_up_syncs_the_specs_slash_commands(discord, bot):
    spec = load_spec(SPEC)
    # the slash commands, and the context menus (user and message commands)
    expected = sorted([c.name for c in spec.commands if c.slash] + [m.name for m in spec.interactions.context_menus])
    [synced] = discord.command_syncs
    assert sorted(c["name"] for c in synced) == expected
    train = next(c for c in synced if c["name"] == "train")
    assert [o["name"] for o in train["options"]][:2] == ["data", "data_dir"]
    assert {o["name"]: o["type"] for o in train["options"]}["file"] == 11  # an attachment option
    [identify] = discord.connections("identify")
    assert identify["host"] == "gateway.discord.gg"
    # Transport compression as discord.py asks for it: zlib-stream, or zstd-stream when zstandard is installed.
    assert identify["query"] in ({"v": "10", "encoding": "json", "compress": "zlib-stream"},
                                 {"v": "10", "encoding": "json", "compress": "zstd-stream"})
    assert identify["intents"] & (1 << 15), "the bot asks for the message content intent"


async def test_hi_by_prefix(discord, bot):
    [reply] = await discord.ask("!hi", user="Маша")
    assert reply.text.startswith("Привет, Маша!")
    assert reply.allowed_mentions == {"parse": []}, "replies never ping anyone"


async def test_hi_by_slash_command(discord, bot):
    interaction = await discord.slash("hi", user="Петя")
    await discord.wait_until(lambda: interaction.messages, 15, "an answer to /hi")
    assert [c["type"] for c in interaction.callbacks] == [4], "answered at once, not deferred"
    [reply] = interaction.messages
    assert reply.text.startswith("Привет, Петя!") and reply is interaction.original
    assert not interaction.followups


async def test_getfile_uploads_the_files_bytes(discord, bot, data_dir):
    server_files = data_dir / "servers" / str(discord.guild_id)  # the server's part of the data folder
    (server_files / "notes").mkdir(parents=True, exist_ok=True)
    content = "содержимое\n".encode() + bytes(range(256))
    (server_files / "notes" / "a.bin").write_bytes(content)
    [reply] = await discord.ask("!getfile notes/a.bin", channel="files")
    assert "`notes/a.bin`" in reply.text
    assert [(f.filename, f.data) for f in reply.files] == [("a.bin", content)]
    assert reply.attachments[0]["size"] == len(content)


async def test_train_reports_progress_by_editing_one_message(discord, bot):
    started, progress, finished = await discord.ask(
        "!train", expect=3, timeout=60, channel="training",
        attachments=[("faq.jsonl", FAQ.read_bytes(), "application/jsonl")])
    assert "Обучение начато" in started.text and "faq.jsonl" in started.text
    assert progress.edits, "the progress message is edited as the job moves"
    assert progress.text.endswith("100%") or "100%" in progress.text
    edits = [r for r in discord.requests if r.route == "PATCH /channels/{channel_id}/messages/{message_id}"
             and r.path.endswith(progress.id)]
    assert len(edits) == len(progress.edits) and all(r.status == 200 for r in edits)
    assert "завершено" in finished.text
    [answer] = await discord.ask("как тебя зовут?", channel="training")
    assert answer.text == "Меня зовут hypotez."


async def test_slash_train_with_an_attachment_edits_its_follow_up(discord, bot):
    interaction = await discord.slash("train", channel="slash-training",
                                      attachments={"file": ("faq.jsonl", FAQ.read_bytes(), "application/jsonl")})
    await discord.wait_until(lambda: len(interaction.messages) >= 3, 60, "started, progress and result")
    started, progress, finished = interaction.messages[:3]
    assert "Обучение начато" in started.text and "faq.jsonl" in started.text
    assert progress.edits and "100%" in progress.text
    edits = [r for r in discord.requests if r.route == "PATCH /webhooks/{application_id}/{token}/messages/{message_id}"]
    assert len(edits) >= len(progress.edits) and all(r.status == 200 for r in edits)
    assert "завершено" in finished.text


async def test_heartbeats_are_acknowledged_and_keep_the_session(discord, bot):
    identifies = len(discord.connections("identify"))
    beats = len(discord.heartbeats)
    await discord.wait_until(lambda: len(discord.heartbeats) >= beats + 2, 10, "two more heartbeats")
    assert discord.heartbeats[-1] is not None, "a heartbeat carries the last sequence number"
    assert len(discord.connections("identify")) == identifies, "no zombie-connection reconnect"


async def test_a_429_on_send_delays_the_reply_but_it_arrives(discord, bot):
    fault = discord.fail(MESSAGES, retry_after=0.75, channel="limits")
    [reply] = await discord.ask("!hi", channel="limits")
    assert reply.text.startswith("Привет, ann!")
    [refused_at] = fault.hits
    assert reply.created - refused_at >= 0.7, "discord.py waited retry_after before sending again"
    assert len(discord.bot_messages("limits")) == 1, "sent once, not twice"


async def test_a_reply_still_limited_after_discord_py_gives_up_is_sent_once(discord, bot):
    # discord.py tries a request five times; in a burst against the global limit a reply can be
    # refused more often than that, and it used to be lost.
    fault = discord.fail(MESSAGES, retry_after=0.2, times=6, channel="stubborn")
    [reply] = await discord.ask("!hi", channel="stubborn", timeout=30)
    assert reply.text.startswith("Привет, ann!")
    assert len(fault.hits) == 6 and fault.times == 0
    assert len(discord.bot_messages("stubborn")) == 1, "sent once, not twice"


async def test_the_global_rate_limit_is_honoured(discord, bot):
    discord.global_limit = 4  # requests per second, for this test only
    try:
        for name in ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"):
            await discord.say("!hi", user=name, channel="global")
        await discord.wait_until(lambda: len(discord.bot_messages("global")) >= 8, 30, "8 replies")
    finally:
        discord.global_limit = None
    assert sorted(m.text.split("!")[0] for m in discord.bot_messages("global")) == \
        sorted(f"Привет, u{i}" for i in range(1, 9))
    assert any(r.status == 429 for r in discord.requests), "the limit was hit and waited out"


async def test_a_gateway_drop_mid_conversation_resumes_without_losing_or_repeating(discord, bot):
    resumes_before = len(discord.connections("resume"))
    identifies_before = len(discord.connections("identify"))
    [first] = await discord.ask("!hi", user="first", channel="drops")
    await discord.drop_gateway()
    # Said while the bot is disconnected: Discord keeps them for the session and replays them on RESUME.
    for name in ("second", "third"):
        await discord.say("!hi", user=name, channel="drops")
    await bot.alongside(discord.wait_until(lambda: len(discord.bot_messages("drops")) >= 3, 30,
                                           "the replies to the messages said while disconnected"))
    resume = discord.connections("resume")[resumes_before]
    assert resume["host"] == RESUME_GATEWAY_URL.removeprefix("wss://"), "resumed on the resume gateway URL"
    assert len(discord.connections("identify")) == identifies_before, "resumed, not a new session"
    [then] = await discord.ask("!hi", user="fourth", channel="drops")
    names = [m.text.split("!")[0] for m in discord.bot_messages("drops")]
    assert names == ["Привет, first", "Привет, second", "Привет, third", "Привет, fourth"]
    assert first.text.startswith("Привет, first") and then.text.startswith("Привет, fourth")


async def test_reconnect_and_invalid_session_are_followed(discord, bot):
    resumes_before = len(discord.connections("resume"))
    identifies_before = len(discord.connections("identify"))
    await discord.send_reconnect()
    await discord.wait_until(lambda: len(discord.connections("resume")) > resumes_before, 15, "a RESUME")
    [after_reconnect] = await discord.ask("!hi", user="r1", channel="reconnects")
    await discord.invalidate_session()
    await discord.wait_until(lambda: len(discord.connections("identify")) > identifies_before
                             and discord._live_session() is not None, 15, "a new IDENTIFY")
    [after_invalid] = await discord.ask("!hi", user="r2", channel="reconnects")
    assert after_reconnect.text.startswith("Привет, r1") and after_invalid.text.startswith("Привет, r2")
    assert len(discord.bot_messages("reconnects")) == 2


# --- start-up failures: a clear message, a non-zero exit, no traceback --------------------------------


async def run_to_exit(server: FakeDiscord, data_dir: Path, **env: str) -> tuple[int, str]:
    process = await BotProcess.start({**server.env(), **env}, data_dir=data_dir)
    try:
        code = await process.wait(timeout=60)
    finally:
        await process.stop()
    return code, process.log


async def test_an_invalid_token_is_refused_clearly(tmp_path):
    async with FakeDiscord() as server:
        started = time.perf_counter()
        code, log = await run_to_exit(server, tmp_path / "data", DISCORD_TOKEN="not-the-token")
    assert code != 0
    assert "Discord refused the token (DISCORD_TOKEN)" in log and "Reset Token" in log
    assert "Traceback" not in log and "not-the-token" not in log
    assert not server.connections("identify"), "it never reached the gateway"
    assert time.perf_counter() - started < 60


async def test_a_missing_message_content_intent_says_how_to_enable_it(tmp_path):
    async with FakeDiscord(message_content_allowed=False) as server:
        code, log = await run_to_exit(server, tmp_path / "data")
    assert code != 0
    assert [entry["code"] for entry in server.connections("refused")] == [4014]
    assert "Message Content Intent" in log and "https://discord.com/developers/applications" in log
    assert "Privileged Gateway Intents" in log
    assert "Traceback" not in log and server.token not in log


# --- the endpoint setting itself, in-process ----------------------------------------------------------


async def test_the_connector_reaches_the_server_as_discord_and_nothing_else(discord):
    server = TestServer.from_env(discord.env())
    async with aiohttp.ClientSession(connector=server.connector()) as session:
        headers = {"Authorization": f"Bot {discord.token}"}
        async with session.get("https://discord.com/api/v10/gateway/bot", headers=headers) as response:
            assert response.status == 200 and response.headers["X-RateLimit-Limit"]
            assert (await response.json())["url"] == "wss://gateway.discord.gg"
        async with session.get("https://discord.com/api/v10/users/@me") as response:
            assert response.status == 401, "no token, no answer"
        with pytest.raises(aiohttp.ClientConnectorError, match="not a Discord host"):
            await session.get("https://example.com/")


async def test_certificates_are_still_checked(discord):
    server = TestServer.from_env(discord.env())
    # The same resolver without the test CA: the server's certificate is not trusted.
    connector = aiohttp.TCPConnector(resolver=_TestServerResolver(server))
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await session.get("https://discord.com/api/v10/gateway/bot")
