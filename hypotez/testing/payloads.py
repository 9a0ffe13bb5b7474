"""The offline world of the harness: ids of its server, channels and bot, and the payloads it builds
(discord.py reads them as it reads Discord's)."""

from __future__ import annotations

from typing import Any

import discord

from hypotez.adapters.discord_payloads import timestamp, user_payload
from hypotez.invocation import Place

__all__ = ["APPLICATION_ID", "BOT_ID", "CDN", "CHANNEL_ID", "GUILD_ID", "OPTION_TYPES", "OWNER_ID",
           "PERMISSION_BITS", "VOICE_CHANNEL_ID", "channel_of", "discord_place", "guild_payload", "nest_options", "timestamp",
           "user_payload", "voice_channel_of"]

GUILD_ID = 1_000_000_000_000_001
CHANNEL_ID = 1_000_000_000_000_002
VOICE_CHANNEL_ID = 1_000_000_000_000_003
BOT_ID = 1_000_000_000_000_010
APPLICATION_ID = BOT_ID
OWNER_ID = 1_000_000_000_000_020
CDN = "https://cdn.discordapp.com/attachments"


def discord_place(guild_id: int | None, channel_id: int) -> Place:
    return Place(channel_id=str(channel_id), guild_id=str(guild_id) if guild_id is not None else None)


PERMISSION_BITS = dict(discord.Permissions.VALID_FLAGS)
OPTION_TYPES = {"text": 3, "choice": 3, "json": 3, "list": 3, "path": 3, "integer": 4, "boolean": 5, "member": 6,
                "channel": 7, "number": 10, "attachment": 11}


def channel_of(guild_id: int) -> int:
    """The text channel of server ``guild_id`` (CHANNEL_ID on the default server)."""
    return CHANNEL_ID if guild_id == GUILD_ID else guild_id + 2


def voice_channel_of(guild_id: int) -> int:
    """The voice channel of server ``guild_id`` (VOICE_CHANNEL_ID on the default server)."""
    return VOICE_CHANNEL_ID if guild_id == GUILD_ID else guild_id + 3


def guild_payload(guild_id: int, bot_user: dict[str, Any]) -> dict[str, Any]:
    """Server ``guild_id`` as the gateway describes it: a text and a voice channel, the bot as its one
    member, and an @everyone role without moderation permissions."""
    everyone = discord.Permissions.general() | discord.Permissions.text() | discord.Permissions.voice()
    everyone.update(administrator=False, manage_guild=False, manage_channels=False, manage_roles=False,
                    manage_messages=False, manage_webhooks=False, kick_members=False, ban_members=False,
                    mention_everyone=False, moderate_members=False, view_audit_log=False,
                    manage_expressions=False, manage_events=False, move_members=False, mute_members=False,
                    deafen_members=False, manage_threads=False)
    return {
        "id": str(guild_id), "name": "Test Server" if guild_id == GUILD_ID else f"Server {guild_id}",
        "owner_id": str(OWNER_ID), "features": [], "emojis": [],
        "stickers": [], "member_count": 2, "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "mfa_level": 0, "premium_tier": 0, "system_channel_flags": 0,
        "preferred_locale": "ru", "nsfw_level": 0,
        "roles": [{"id": str(guild_id), "name": "@everyone", "permissions": str(everyone.value),
                   "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False}],
        "channels": [
            {"id": str(channel_of(guild_id)), "type": 0, "name": "general", "position": 0,
             "permission_overwrites": []},
            {"id": str(voice_channel_of(guild_id)), "type": 2, "name": "Voice", "position": 1,
             "permission_overwrites": [], "bitrate": 64000, "user_limit": 0},
        ],
        "members": [{"user": bot_user, "roles": [], "joined_at": timestamp(), "deaf": False, "flags": 0,
                     "mute": False}],
        "voice_states": [],
    }


def nest_options(name: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``name`` and ``options`` of an interaction's data for the command ``name``: a subcommand
    (``"tag add"``) is an option of type 1 of its group, and a subcommand group one of type 2."""
    parts = name.split(" ")
    for depth in range(len(parts) - 1, 0, -1):
        options = [{"name": parts[depth], "type": 1 if depth == len(parts) - 1 else 2, "options": options}]
    return {"name": parts[0], "options": options}
