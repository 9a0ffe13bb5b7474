"""Voice through discord.py's real machinery: !join/!leave on the real commands.yaml, Russian voice
messages transcribed offline (Whisper, the shipped model) and answered, and answers spoken into the voice channel through a voice
connection at discord.py's boundary (hypotez.testing.FakeVoiceClient) with real FFmpeg audio sources."""

import asyncio
from pathlib import Path

import discord
import pytest
from audio import russian_voice_message, words
from support import ROOT, TEMPLATES

from hypotez.services.model import Example
from hypotez.testing import GUILD_ID, VOICE_CHANNEL_ID, FakeVoiceClient


def english_spec(tmp_path: Path) -> Path:
    """The shipped commands.yaml as an English bot."""
    text = (ROOT / "commands.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "commands.yaml"
    spec.write_text(text.replace("language: ru", "language: en"), encoding="utf-8")
    return spec


@pytest.fixture
async def bot(hypotez_bot, tmp_path):
    """The shipped bot, as it is: Russian, recognising speech offline with Whisper."""
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES) as harness:
        yield harness


def voice_client(bot) -> FakeVoiceClient | None:
    return bot.guild.voice_client


async def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_join_without_being_in_a_voice_channel(bot):
    reply = await bot.send("!join")
    assert "Вы не в голосовом канале" in reply.content
    assert voice_client(bot) is None


async def test_join_then_again_then_leave_then_again(bot):
    joined = await bot.send("!join", in_voice=True)
    assert "Зашёл в канал «Voice»" in joined.content
    client = voice_client(bot)
    assert isinstance(client, FakeVoiceClient) and client.is_connected()
    assert client.channel.id == VOICE_CHANNEL_ID and client.self_deaf is True

    again = await bot.send("!join", in_voice=True)
    assert "Я уже в канале «Voice»" in again.content

    left = await bot.send("!leave")
    assert "Вышел" in left.content or "вышел" in left.content
    assert voice_client(bot) is None and not client.is_connected()

    not_there = await bot.send("!leave")
    assert "не в голосовом канале" in not_there.content


async def test_join_without_the_permission_to_connect(bot):
    channel = bot.guild.get_channel(VOICE_CHANNEL_ID)
    deny = {"id": str(bot.guild.me.id), "type": 1, "allow": "0", "deny": str(1 << 20 | 1 << 21)}  # connect, speak
    channel._update(bot.guild, {"id": str(VOICE_CHANNEL_ID), "type": 2, "name": "Voice", "position": 1,
                                "permission_overwrites": [deny], "bitrate": 64000, "user_limit": 0})
    reply = await bot.send("!join", in_voice=True)
    assert "нет прав" in reply.content and "connect" in reply.content and "speak" in reply.content
    assert voice_client(bot) is None


async def test_join_that_times_out_says_so(bot):
    class Unreachable(FakeVoiceClient):
        async def connect(self, **kwargs):
            raise asyncio.TimeoutError

    bot.bot.voice_gateway.client_class = Unreachable
    reply = await bot.send("!join", in_voice=True)
    assert "Не получилось подключиться к каналу «Voice»" in reply.content
    assert "голосовой сервер Discord не ответил вовремя" in reply.content  # the reason in the reply's language
    assert voice_client(bot) is None


async def test_join_that_times_out_says_so_in_english_on_an_english_bot(tmp_path, hypotez_bot):
    spec = english_spec(tmp_path)

    class Unreachable(FakeVoiceClient):
        async def connect(self, **kwargs):
            raise asyncio.TimeoutError

    async with hypotez_bot(spec=spec, templates_dir=TEMPLATES) as bot:
        bot.bot.voice_gateway.client_class = Unreachable
        reply = await bot.send("!join", in_voice=True)
    assert reply.content.startswith(
        "⚠️ I could not connect to “Voice”: Discord's voice server did not answer in time. ")


@pytest.mark.parametrize("failure, russian", [
    (RuntimeError("PyNaCl library needed in order to use voice"), "не установлена библиотека PyNaCl"),
    (RuntimeError("davey library needed in order to use voice"), "не установлена библиотека davey"),
    (discord.ClientException("Voice gateway closed with 4006"), "Discord ответил: Voice gateway closed with 4006"),
])
async def test_join_failures_from_discord_py_are_worded_in_the_reply_language(bot, failure, russian):
    class Broken(FakeVoiceClient):
        async def connect(self, **kwargs):
            raise failure

    bot.bot.voice_gateway.client_class = Broken
    reply = await bot.send("!join", in_voice=True)
    assert reply.content.startswith("⚠️ Не получилось подключиться к каналу «Voice»: ")
    assert russian in reply.content


async def test_voice_commands_are_for_servers_only(bot):
    reply = await bot.send("!join", dm=True)
    assert reply.content and "сервер" in reply.content.lower()


def transcript_in(reply: str) -> str:
    """The transcript the reply shows (🎙️ «...»)."""
    return reply.split("🎙️ «", 1)[1].split("»", 1)[0]


async def test_a_russian_voice_message_is_transcribed_answered_and_spoken(bot, tmp_path):
    model = bot.services_of().model
    await model.train([Example("сколько примеров нужно для обучения", "Хватит и десяти примеров!", True)])
    await bot.settle(60)
    audio = russian_voice_message("Сколько примеров нужно для обучения?", tmp_path).read_bytes()

    reply = await bot.send("", attachments=[("voice-message.ogg", audio, "audio/ogg")], in_voice=True)

    assert words(transcript_in(reply.content)) == ["сколько", "примеров", "нужно", "для", "обучения"]
    assert "Хватит и десяти примеров!" in reply.content
    client = voice_client(bot)  # the bot joined the author's channel to speak the answer
    assert isinstance(client, FakeVoiceClient) and client.channel.id == VOICE_CHANNEL_ID
    await wait_until(lambda: len(client.played) == 1)
    assert client.played[0] > 25  # the whole answer (20 ms packets), not cut off
    spoken = bot.app.services.data.internal / "voice"
    await wait_until(lambda: not any(spoken.glob("*")))  # the temporary audio file is gone


async def test_answers_queue_up_in_the_channel_and_leave_clears_them(bot):
    model = bot.services_of().model
    await model.train([Example("first question", "The first answer, spoken slowly and completely.", True),
                       Example("second question", "The second answer, which must wait its turn.", True)])
    await bot.settle(60)
    await bot.send("!join", in_voice=True)
    client = voice_client(bot)
    await bot.send("first question", in_voice=True)
    await bot.send("second question", in_voice=True)
    await wait_until(lambda: len(client.played) == 2)
    assert all(packets > 25 for packets in client.played)
    player = bot.app.services.voice.players.player(str(GUILD_ID), client, bot.bot.voice_gateway.source)
    assert len(player.played) == 2 and not any(path.exists() for path in player.played)

    left = await bot.send("!leave")
    assert left.content and voice_client(bot) is None


async def test_unreadable_audio_gets_a_clear_reply(bot):
    reply = await bot.send("", attachments=[("voice-message.ogg", b"OggS" + b"\0" * 200, "audio/ogg")])
    assert reply.content.startswith("🎧 Не удалось обработать аудио") and "не читается как аудио" in reply.content
