"""The harness's side of events: members joining and leaving, reactions added and removed, the bot's
own role, and a clock that moves when the test says — each delivered as the gateway event Discord sends
(GUILD_MEMBER_ADD, GUILD_MEMBER_REMOVE, MESSAGE_REACTION_ADD/REMOVE) through discord.py's parsers, so
the bot's listeners run as they do on Discord."""

from __future__ import annotations

import asyncio
from typing import Any, Iterable

import discord

from hypotez.adapters.discord_events import schedule_targets
from hypotez.events.clock import ManualClock
from hypotez.events.scheduler import Scheduler
from hypotez.testing.fake_http import Exchange
from hypotez.testing.payloads import BOT_ID, GUILD_ID, channel_of, timestamp, user_payload


class EventsHarness:
    """Mixed into :class:`~hypotez.testing.harness.BotHarness`."""

    bot: Any
    http: Any
    app: Any
    scheduler: Scheduler
    clock: ManualClock

    def _start_events(self) -> None:
        self.clock = ManualClock()
        self.scheduler = Scheduler(self.app, schedule_targets(self.bot), self.clock)

    async def _gateway(self, event: str, data: dict[str, Any], origin: str) -> Exchange:
        """Parse ``event`` as discord.py does and wait for the listeners it dispatched."""
        before_tasks = asyncio.all_tasks()
        before = len(self.http.sent)
        token = self.http.origin.set(origin)
        try:
            self.bot._connection.parsers[event](data)
        finally:
            self.http.origin.reset(token)
        for _ in range(3):  # a listener may dispatch more (discord.py's own follow-up events)
            started = [t for t in asyncio.all_tasks() - before_tasks if t is not asyncio.current_task()]
            if not started:
                break
            await asyncio.gather(*started, return_exceptions=True)
            before_tasks |= set(started)
        return Exchange([m for m in self.http.sent[before:] if m.origin == origin])

    def bot_role(self, permissions: Iterable[str] = ("manage_roles", "add_reactions", "manage_messages"), *,
                 position: int = 5, guild: int = GUILD_ID) -> None:
        """Give the bot a role with ``permissions`` at ``position`` (roles the harness makes are at 1)."""
        server = self.server(guild)  # type: ignore[attr-defined]
        role_id = self.next_id()  # type: ignore[attr-defined]
        value = discord.Permissions(**{p: True for p in permissions}).value
        server._add_role(discord.Role(guild=server, state=self.bot._connection, data={
            "id": str(role_id), "name": "hypotez-bot", "permissions": str(value), "position": position, "color": 0,
            "hoist": False, "managed": False, "mentionable": False}))
        member = {"user": self.http.bot_user, "roles": [str(role_id)], "joined_at": timestamp(), "deaf": False,
                  "mute": False, "flags": 0}
        server._add_member(discord.Member(data=member, guild=server, state=self.bot._connection))

    def role(self, name: str, *, position: int = 1, guild: int = GUILD_ID, managed: bool = False) -> int:
        """Make (once) a role called ``name`` on server ``guild``; its id."""
        server = self.server(guild)  # type: ignore[attr-defined]
        existing = discord.utils.get(server.roles, name=name)
        if existing is not None:
            return existing.id
        role_id = self._role_id(name)  # type: ignore[attr-defined]
        server._add_role(discord.Role(guild=server, state=self.bot._connection, data={
            "id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0, "hoist": False,
            "managed": managed, "mentionable": False}))
        return role_id

    def text_channel(self, name: str, *, guild: int = GUILD_ID) -> int:
        """Make (once) a text channel called ``name`` on server ``guild``; its id."""
        server = self.server(guild)  # type: ignore[attr-defined]
        existing = discord.utils.get(server.text_channels, name=name)
        if existing is not None:
            return existing.id
        channel_id = self.next_id()  # type: ignore[attr-defined]
        server._add_channel(discord.TextChannel(guild=server, state=self.bot._connection, data={
            "id": str(channel_id), "type": 0, "name": name, "position": len(server.channels),
            "permission_overwrites": []}))
        return channel_id

    async def join(self, name: str, *, user_id: int | None = None, guild: int = GUILD_ID) -> Exchange:
        """``name`` joins server ``guild`` (GUILD_MEMBER_ADD); what the bot sent about it."""
        user_id = user_id or self.next_id()  # type: ignore[attr-defined]
        data = {"guild_id": str(guild), "user": user_payload(user_id, name), "roles": [], "joined_at": timestamp(),
                "deaf": False, "mute": False, "flags": 0}
        return await self._gateway("GUILD_MEMBER_ADD", data, f"join-{user_id}")

    async def leave(self, name: str, *, user_id: int, guild: int = GUILD_ID) -> Exchange:
        """``name`` leaves server ``guild`` (GUILD_MEMBER_REMOVE)."""
        data = {"guild_id": str(guild), "user": user_payload(user_id, name)}
        return await self._gateway("GUILD_MEMBER_REMOVE", data, f"leave-{user_id}")

    async def set_roles(self, name: str, roles: Iterable[str], *, user_id: int, guild: int = GUILD_ID) -> Exchange:
        """Member ``name`` now has exactly ``roles`` (names; made on the server if new): GUILD_MEMBER_UPDATE."""
        data = {"guild_id": str(guild), "user": user_payload(user_id, name),
                "roles": [str(self.role(r, guild=guild)) for r in roles], "joined_at": timestamp(), "deaf": False,
                "mute": False, "flags": 0}
        return await self._gateway("GUILD_MEMBER_UPDATE", data, f"roles-{user_id}")

    async def react(self, emoji: str, message_id: str | int, *, author: str = "ann",
                    user_id: int = 4_000_000_000_000_001, roles: Iterable[str] = (), channel: int | None = None,
                    guild: int = GUILD_ID, remove: bool = False) -> Exchange:
        """``author`` adds (``remove=True``: removes) the reaction ``emoji`` on a message
        (MESSAGE_REACTION_ADD / MESSAGE_REACTION_REMOVE); what the bot sent about it."""
        server = self.server(guild)  # type: ignore[attr-defined]
        member = self._member(user_id, author, roles, (), False, server)  # type: ignore[attr-defined]
        server._add_member(discord.Member(data=member, guild=server, state=self.bot._connection))
        data: dict[str, Any] = {"user_id": str(user_id), "channel_id": str(channel or channel_of(guild)),
                                "message_id": str(message_id), "guild_id": str(guild),
                                "emoji": {"id": None, "name": emoji}, "burst": False, "type": 0}
        if not remove:
            data.update(member=member, message_author_id=str(BOT_ID), burst_colors=[])
        event = "MESSAGE_REACTION_REMOVE" if remove else "MESSAGE_REACTION_ADD"
        return await self._gateway(event, data, f"reaction-{message_id}-{user_id}")

    async def advance(self, seconds: float) -> list[Any]:
        """Move the clock on by ``seconds``, running the schedules that come due on the way; the messages
        the bot sent meanwhile."""
        before = len(self.http.sent)
        await self.scheduler.advance(seconds)
        return self.http.sent[before:]
