"""Test your spec: the real bot, built from a spec, driven the way Discord would drive it, offline.

``BotHarness`` builds the app (spec, services, dispatcher) and the real discord.py bot from it. Messages
and slash-command interactions are made from gateway-style payloads and go through discord.py's own
machinery (``get_context``/``invoke``, the app-command tree). Nothing leaves the process: the bot's
HTTP session is replaced by :class:`FakeDiscordHTTP`, which answers like Discord's REST API and
records every request, so tests can look at exactly what would have been sent.

    async def test_hi(tmp_path):
        async with BotHarness.from_spec("commands.yaml", data_dir=tmp_path) as bot:
            reply = await bot.send("!hi")
            assert "Привет" in reply.content

With pytest, the ``hypotez_bot`` fixture (hypotez.testing.plugin, registered when hypotez is
installed) makes the same bots in a test's temporary folder:

    async def test_hi(hypotez_bot):
        async with hypotez_bot(spec="commands.yaml", model=False, voice=False) as bot:
            assert "Привет" in (await bot.send("!hi")).content

The parts: ``payloads`` (ids and gateway payloads), ``fake_http`` (the REST boundary and what was
sent), ``fake_voice`` (a voice connection without a voice server), ``harness`` (the bot driven).
"""

from hypotez.testing.fake_http import CapturedFile, CapturedRequest, Exchange, FakeDiscordHTTP, SentMessage
from hypotez.testing.fake_voice import FakeVoiceClient
from hypotez.testing.harness import BotHarness
from hypotez.testing.payloads import (APPLICATION_ID, BOT_ID, CDN, CHANNEL_ID, GUILD_ID, OPTION_TYPES, OWNER_ID,
                                      PERMISSION_BITS, VOICE_CHANNEL_ID, discord_place, user_payload)

__all__ = ["APPLICATION_ID", "BOT_ID", "CDN", "CHANNEL_ID", "GUILD_ID", "OPTION_TYPES", "OWNER_ID", "PERMISSION_BITS",
           "VOICE_CHANNEL_ID", "BotHarness", "CapturedFile", "CapturedRequest", "Exchange", "FakeDiscordHTTP",
           "FakeVoiceClient", "SentMessage", "discord_place", "user_payload"]
