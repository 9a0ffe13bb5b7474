"""Events on Discord: members joining and leaving, reactions added and removed, and the actions they
take (:class:`DiscordActuator`), on discord.py's gateway events; the schedules' targets (every server
with the named channel).

Before asking Discord, an action checks what Discord would refuse — the bot's permission in that
channel or server, a role that is not below the bot's highest role, a managed role — so the admins get
a reason they can act on; when Discord refuses anyway, its status and message are reported."""

from __future__ import annotations

import logging
from typing import Any, Callable

import discord

from hypotez.actions.base import ActionRefused
from hypotez.adapters.discord_inbound import place_of
from hypotez.adapters.discord_roles import assignable_role
from hypotez.adapters.discord_sending import NO_MENTIONS
from hypotez.events.info import MemberInfo, ServerInfo
from hypotez.events.scheduler import Target
from hypotez.incoming import Place
from hypotez.reasons import Reason

# The bot (hypotez.adapters.discord_bot.HypotezBot) that imports this module: named, not imported.
HypotezBot = Any

log = logging.getLogger("hypotez.discord.events")

DISCORD_LIMIT = 2000


def member_info(member: discord.abc.User) -> MemberInfo:
    roles = tuple(sorted(r.name for r in getattr(member, "roles", ()) if not r.is_default()))
    return MemberInfo(str(member.id), member.name, member.display_name, roles)


def server_info(guild: discord.Guild) -> ServerInfo:
    return ServerInfo(str(guild.id), guild.name, guild.member_count)


def find_channel(guild: discord.Guild | None, name: str) -> Any:
    if guild is None:
        return None
    if name.isdigit():
        found = guild.get_channel(int(name))
        if found is not None:
            return found
    return discord.utils.get(guild.text_channels, name=name.lstrip("#"))


def _refused(error: discord.HTTPException) -> ActionRefused:
    return ActionRefused(Reason("action.discord_refused", status=error.status, message=error.text or str(error)))


class DiscordActuator:
    """The actions of one event on Discord: ``member`` (who it is about), ``message`` (what it is about)."""

    def __init__(self, bot: HypotezBot, guild: discord.Guild | None, channel: Any, member: Any = None,
                 message: Any = None):
        self.bot, self.guild, self.channel, self.member, self.message = bot, guild, channel, member, message

    def _needs(self, permission: str, channel: Any = None) -> None:
        if self.guild is None:
            return
        me = self.guild.me
        where = channel if channel is not None else None
        permissions = where.permissions_for(me) if where is not None else me.guild_permissions
        if not getattr(permissions, permission):
            raise ActionRefused(Reason("action.missing_permission", permission=permission))

    async def post(self, channel: str | None, text: str, nonce: str | None = None) -> bool:
        target = self.channel if channel is None else find_channel(self.guild, channel)
        if target is None:
            return False
        extra = {"nonce": nonce} if nonce is not None else {}  # discord.py then asks Discord to enforce it
        try:
            await target.send(self.bot.redactor()(text)[:DISCORD_LIMIT], allowed_mentions=NO_MENTIONS, **extra)
        except discord.HTTPException as error:
            log.error("could not post in channel %s: %s", getattr(target, "id", "?"), error)
            return False
        return True

    def channel_named(self, channel: str) -> tuple[str, str] | None:
        found = find_channel(self.guild, channel)
        return (str(found.id), found.name) if found is not None else None

    async def dm(self, text: str) -> None:
        if self.member is None:
            raise ActionRefused(Reason("action.no_member"))
        try:
            await self.member.send(self.bot.redactor()(text)[:DISCORD_LIMIT], allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            raise ActionRefused(Reason("action.dm_closed")) from None
        except discord.HTTPException as error:
            raise _refused(error) from None

    def _role(self, name: str) -> discord.Role:
        if self.guild is None:  # a button in a direct message
            raise ActionRefused(Reason("action.role_in_dm"))
        if not isinstance(self.member, discord.Member):
            raise ActionRefused(Reason("action.no_member"))
        return assignable_role(self.guild, name)

    async def add_role(self, role: str) -> None:
        found = self._role(role)
        try:
            await self.member.add_roles(found, reason="hypotez: declared in commands.yaml")
        except discord.HTTPException as error:
            raise _refused(error) from None

    async def remove_role(self, role: str) -> None:
        found = self._role(role)
        try:
            await self.member.remove_roles(found, reason="hypotez: declared in commands.yaml")
        except discord.HTTPException as error:
            raise _refused(error) from None

    async def delete_message(self) -> None:
        if self.message is None:
            raise ActionRefused(Reason("action.no_message"))
        author = getattr(self.message, "author", None)  # a partial message (a reaction's) has none
        if self.guild is not None and (author is None or author.id != self.bot.user.id):
            self._needs("manage_messages", self.channel)
        try:
            await self.message.delete()
        except discord.NotFound:
            return  # already gone: what was asked is done
        except discord.HTTPException as error:
            raise _refused(error) from None

    async def react(self, emoji: str) -> None:
        if self.message is None:
            raise ActionRefused(Reason("action.no_message"))
        self._needs("add_reactions", self.channel)
        self._needs("read_message_history", self.channel)
        try:
            await self.message.add_reaction(emoji)
        except discord.HTTPException as error:
            raise _refused(error) from None

    async def tell_admins(self, text: str) -> None:
        name = self.bot.app.spec.settings.admin_channel
        if name is not None and self.guild is not None:
            await self.post(str(name), text)


def message_actuator(bot: HypotezBot, message: discord.Message) -> DiscordActuator:
    return DiscordActuator(bot, message.guild, message.channel, message.author, message)


def schedule_targets(bot: HypotezBot) -> Callable[[Any], list[Target]]:
    """Every server the bot is in that has the schedule's channel."""
    def targets(schedule: Any) -> list[Target]:
        out = []
        for guild in bot.guilds:
            channel = find_channel(guild, schedule.response.channel or "")
            if channel is not None:
                out.append(Target(Place(str(channel.id), channel.name, str(guild.id), guild.name), server_info(guild),
                                  DiscordActuator(bot, guild, channel)))
        return out

    return targets


class DiscordEvents:
    """The gateway events the spec's events answer, as listeners on the bot."""

    def __init__(self, bot: HypotezBot):
        self.bot = bot

    def install(self) -> None:
        for name in ("on_member_join", "on_raw_member_remove", "on_member_update", "on_raw_reaction_add",
                     "on_raw_reaction_remove"):
            self.bot.add_listener(getattr(self, name), name)

    async def _common(self, guild: discord.Guild, user_id: int) -> tuple[Any, str, str]:
        dispatcher = self.bot.app.dispatcher
        tenant = dispatcher.tenancy.scope(str(guild.id), str(user_id)).tenant
        language = await dispatcher.server_language(str(guild.id))
        return dispatcher.events, tenant, language

    async def _member_event(self, kind: str, guild: discord.Guild, user: Any) -> None:
        engine, tenant, language = await self._common(guild, user.id)
        if engine is None or user.bot:
            return
        channel = guild.system_channel or (guild.text_channels[0] if guild.text_channels else None)
        place = Place(str(channel.id) if channel else "", channel.name if channel else "", str(guild.id), guild.name)
        await engine.on_member(kind, member=member_info(user), server=server_info(guild), place=place, tenant=tenant,
                               language=language, actuator=DiscordActuator(self.bot, guild, channel, user))

    async def on_member_join(self, member: discord.Member) -> None:
        await self._member_event("join", member.guild, member)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        guild = self.bot.get_guild(payload.guild_id)
        if guild is not None:
            await self._member_event("leave", guild, payload.user)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        old, new = {r.name for r in before.roles}, {r.name for r in after.roles}
        if old == new or after.bot:
            return
        engine, tenant, language = await self._common(after.guild, after.id)
        if engine is None:
            return
        guild = after.guild
        channel = guild.system_channel or (guild.text_channels[0] if guild.text_channels else None)
        place = Place(str(channel.id) if channel else "", channel.name if channel else "", str(guild.id), guild.name)
        await engine.on_roles(new - old, old - new, member=member_info(after), server=server_info(guild), place=place,
                              tenant=tenant, language=language, actuator=DiscordActuator(self.bot, guild, channel, after))

    async def _reaction(self, added: bool, payload: discord.RawReactionActionEvent) -> None:
        guild = self.bot.get_guild(payload.guild_id) if payload.guild_id else None
        if guild is None or (self.bot.user is not None and payload.user_id == self.bot.user.id):
            return
        engine, tenant, language = await self._common(guild, payload.user_id)
        channel = guild.get_channel(payload.channel_id)
        if engine is None or channel is None:
            return
        place = place_of(channel, guild)
        emoji = str(payload.emoji)
        if not engine.reactions_for(emoji, str(payload.message_id), place):
            return
        member = payload.member or guild.get_member(payload.user_id)
        if member is None:
            try:
                member = await guild.fetch_member(payload.user_id)
            except discord.HTTPException:
                log.warning("reaction %s by %s: the member cannot be found", emoji, payload.user_id)
                return
        if member.bot:
            return
        message = channel.get_partial_message(payload.message_id)
        await engine.on_reaction(added, emoji=emoji, message_id=str(payload.message_id), member=member_info(member),
                                 server=server_info(guild), place=place, tenant=tenant, language=language,
                                 actuator=DiscordActuator(self.bot, guild, channel, member, message))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(True, payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(False, payload)
