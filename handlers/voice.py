"""Voice channels: !join and !leave. (Audio messages are transcribed in handlers.training:chat_reply.)"""

from __future__ import annotations

from typing import TypedDict

from hypotez import Invocation, Response
from hypotez.services.voice import VoiceConnectError, VoicePermissionError


class Joined(TypedDict, total=False):
    channel: str  # the voice channel's name (it replaces the scope's text channel in these templates)
    outcome: str  # "joined", "moved" or "already"
    missing: list[str]  # the permissions the bot lacks there
    reason: str


async def join(invocation: Invocation) -> Response[Joined]:
    author, place = invocation.author, invocation.place
    if invocation.voice is None or place.guild_id is None:
        return Response(template="unavailable")
    if not author.voice_channel_id:
        return Response(template="no_channel")
    try:
        outcome = await invocation.voice.join(place.guild_id, author.voice_channel_id)
    except VoicePermissionError as error:
        return Response(data={"missing": error.missing, "channel": error.channel}, template="no_permission")
    except VoiceConnectError as error:
        return Response(data={"channel": error.channel, "reason": invocation.word(error.reason)}, template="failed")
    return Response(data={"channel": author.voice_channel_name or author.voice_channel_id, "outcome": outcome},
                    template="already" if outcome == "already" else "joined")


async def leave(invocation: Invocation) -> Response[None]:
    place = invocation.place
    if invocation.voice is None or place.guild_id is None:
        return Response(template="unavailable")
    voice = invocation.services.voice
    left = await (voice.leave(invocation.voice, place.guild_id) if voice is not None
                  else invocation.voice.leave(place.guild_id))
    return Response(template="left" if left else "not_connected")
