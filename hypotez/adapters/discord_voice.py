"""Voice channels on Discord: joining, moving, leaving, through discord.py's voice connections."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord.ext import commands

from hypotez.adapters.discord_audio import ffmpeg_source
from hypotez.reasons import Reason, library_reason


class DiscordVoiceGateway:
    """Voice channels through discord.py's VoiceClient (Opus, and davey for Discord's end-to-end
    voice encryption). ``client_class`` is discord.py's own extension point for voice connections
    (a :class:`discord.VoiceProtocol`); tests give one that plays without a voice server."""

    def __init__(self, bot: commands.Bot, client_class: type[discord.VoiceProtocol] = discord.VoiceClient,
                 connect_timeout: float = 30.0):
        self.bot = bot
        self.client_class = client_class
        self.connect_timeout = connect_timeout

    def _guild(self, guild_id: str) -> discord.Guild:
        guild = self.bot.get_guild(int(guild_id))
        if guild is None:
            raise LookupError(f"the bot is not in server {guild_id}")
        return guild

    async def join(self, guild_id: str, channel_id: str) -> str:
        from hypotez.services.voice import VoiceConnectError, VoicePermissionError

        guild = self._guild(guild_id)
        channel = guild.get_channel(int(channel_id))
        if not isinstance(channel, (discord.VoiceChannel, discord.StageChannel)):
            raise LookupError(f"channel {channel_id} is not a voice channel")
        permissions = channel.permissions_for(guild.me)
        missing = [name for name in ("connect", "speak") if not getattr(permissions, name)]
        if missing:
            raise VoicePermissionError(missing, channel.name)
        client = guild.voice_client
        try:
            if client is not None and _is_connected(client):
                if client.channel.id == channel.id:
                    return "already"
                await client.move_to(channel)  # type: ignore[attr-defined]
                return "moved"
            if client is not None:  # a connection that died: drop it before connecting again
                await client.disconnect(force=True)
            await channel.connect(timeout=self.connect_timeout, self_deaf=True, cls=self.client_class)
        except asyncio.TimeoutError:
            raise VoiceConnectError(channel.name, Reason("voice.connect_timeout")) from None
        except discord.opus.OpusNotLoaded:
            raise VoiceConnectError(channel.name, Reason("voice.no_opus")) from None
        except (discord.ClientException, RuntimeError) as error:  # RuntimeError: PyNaCl/davey missing
            reason = library_reason(str(error), _VOICE_MESSAGES, "voice.other")
            raise VoiceConnectError(channel.name, reason) from None
        return "joined"

    async def leave(self, guild_id: str) -> bool:
        client = self._guild(guild_id).voice_client
        if client is None:
            return False
        await client.disconnect(force=False)
        return True

    def client(self, guild_id: str) -> Any:
        guild = self.bot.get_guild(int(guild_id))
        return guild.voice_client if guild is not None else None

    source = staticmethod(ffmpeg_source)


# discord.py's messages when a voice connection cannot start → catalog keys (the English texts are
# these messages); any other message is shown as discord.py wrote it.
_VOICE_MESSAGES = {
    "PyNaCl library needed in order to use voice": "voice.no_pynacl",
    "davey library needed in order to use voice": "voice.no_davey",
    "davey library needed in order to use E2EE voice": "voice.no_davey_e2ee",
    "Already connected to a voice channel.": "voice.already_connected",
}



def _is_connected(client: discord.VoiceProtocol) -> bool:
    is_connected = getattr(client, "is_connected", None)
    return bool(is_connected()) if is_connected is not None else False


