"""Discord objects → hypotez data: the author, the place, attachments, members and channels named in
a message, and the :class:`~hypotez.pipeline.Request` a message becomes."""

from __future__ import annotations

import functools
from typing import Any

import discord

from hypotez.adapters.discord_sending import DiscordOutbox
from hypotez.attachments import AttachmentPolicy
from hypotez.incoming import MemberFacts, ServerFacts
from hypotez.invocation import Attachment, Author, ChannelRef, MemberRef, Place
from hypotez.pipeline import Request


@functools.lru_cache(maxsize=1024)
def permission_names(value: int) -> frozenset[str]:
    """The names of the permissions in a permission value. Walking discord.py's flags costs tens of
    microseconds, and a server has only a few distinct values: each is worked out once. Aliases count
    (iterating skips them): a spec may name a flag either way (``manage_emojis``/``manage_expressions``)."""
    permissions = discord.Permissions(value)
    return frozenset(name for name in discord.Permissions.VALID_FLAGS if getattr(permissions, name))


def author_of(user: discord.abc.User) -> Author:
    """The author of a message; a server member's roles, permissions and voice channel are worked out
    only when read (walking the roles costs more than the rest of the message: most replies read none)."""
    facts = functools.partial(member_facts, user) if isinstance(user, discord.Member) else None
    return Author(id=str(user.id), name=user.name, display_name=user.display_name, is_bot=user.bot, facts=facts)


def member_facts(member: discord.Member) -> MemberFacts:
    voice = member.voice
    channel = voice.channel if voice is not None else None
    return MemberFacts(roles=frozenset(role.name for role in member.roles if not role.is_default()),
                       permissions=permission_names(member.guild_permissions.value),
                       voice_channel_id=str(channel.id) if channel is not None else None,
                       voice_channel_name=channel.name if channel is not None else None)


def place_of(channel: Any, guild: discord.Guild | None) -> Place:
    return Place(channel_id=str(channel.id), channel_name=getattr(channel, "name", None) or "",
                 guild_id=str(guild.id) if guild else None, guild_name=guild.name if guild else None,
                 facts=functools.partial(server_facts, guild) if guild else None)


def server_facts(guild: discord.Guild) -> ServerFacts:
    """What templates show of a server (``server.member_count``, ``server.owner``...). The owner's name
    is known when discord.py has them among the server's members; their id and mention always."""
    owner = guild.owner
    owner_ref = member_ref(owner) if owner is not None else \
        MemberRef(id=str(guild.owner_id), name="", mention=f"<@{guild.owner_id}>") if guild.owner_id else None
    return ServerFacts(member_count=guild.member_count or 0, owner=owner_ref,
                       icon=guild.icon.url if guild.icon is not None else "", created=guild.created_at,
                       description=guild.description or "", boosts=guild.premium_subscription_count or 0,
                       boost_level=guild.premium_tier)


def attachment_of(attachment: discord.Attachment, policy: AttachmentPolicy | None = None) -> Attachment:
    """The attachment for handlers; reading it downloads only from the policy's hosts, within its size."""
    policy = policy or AttachmentPolicy()
    return Attachment(filename=attachment.filename, size=attachment.size, content_type=attachment.content_type,
                      url=attachment.url,
                      read=policy.guard(attachment.filename, attachment.url, attachment.size, attachment.read))


class DiscordResolver:
    """Finds members and channels by mention, id or name in the message's server."""

    def __init__(self, guild: discord.Guild | None, message: discord.Message | None = None):
        self.guild = guild
        self.message = message

    @staticmethod
    def _id(text: str) -> int | None:
        digits = text.strip().lstrip("<@!#&").rstrip(">")
        return int(digits) if digits.isdigit() else None

    def member(self, text: str) -> MemberRef | None:
        found: discord.abc.User | None = None
        wanted = self._id(text)
        if self.message is not None and wanted is not None:
            found = next((m for m in self.message.mentions if m.id == wanted), None)
        if found is None and self.guild is not None:
            found = self.guild.get_member(wanted) if wanted is not None else \
                self.guild.get_member_named(text.strip().lstrip("@"))
        return member_ref(found) if found is not None else None

    def channel(self, text: str) -> ChannelRef | None:
        if self.guild is None:
            return None
        wanted = self._id(text)
        found = self.guild.get_channel(wanted) if wanted is not None else \
            discord.utils.get(self.guild.channels, name=text.strip().lstrip("#"))
        return channel_ref(found) if found is not None else None


def member_ref(user: discord.abc.User) -> MemberRef:
    return MemberRef(id=str(user.id), name=user.name, display_name=user.display_name, mention=user.mention)


def channel_ref(channel: Any) -> ChannelRef:
    return ChannelRef(id=str(channel.id), name=getattr(channel, "name", "") or "", mention=channel.mention)


def request_from_message(bot: Any, message: discord.Message) -> Request:
    """The request a message makes; ``bot`` is the HypotezBot it came to (its attachment policy,
    redactor and voice gateway)."""
    reference = message.reference.message_id if message.reference and message.reference.message_id else None
    guild = message.guild
    me = bot.user
    return Request(
        author=author_of(message.author),
        place=place_of(message.channel, guild),
        content=message.content,
        message_id=str(message.id),
        reference_id=str(reference) if reference else None,
        attachments=tuple(attachment_of(a, bot.attachment_policy) for a in message.attachments)
        if message.attachments else (),
        outbox=DiscordOutbox(message.channel, bot.redactor()),
        voice=bot.voice_gateway,
        resolver=DiscordResolver(guild, message),
        mentions_bot=me is not None and me in message.mentions,
    )


