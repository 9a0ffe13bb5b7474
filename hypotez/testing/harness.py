"""The harness: the real bot for a spec, driven the way Discord would drive it, offline.

Messages and slash-command interactions are made from gateway-style payloads and go through
discord.py's own machinery (``get_context``/``invoke``, the app-command tree). Nothing leaves the
process: the bot's HTTP session is replaced by :class:`~hypotez.testing.fake_http.FakeDiscordHTTP`."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any, Iterable

import discord

from hypotez.adapters.discord_bot import HypotezBot, create_bot
from hypotez.adapters.discord_translator import use_spec_translator
from hypotez.adapters.discord_voice import DiscordVoiceGateway
from hypotez.app import App, build_app, build_services
from hypotez.registry import load_registry
from hypotez.invocation import Author
from hypotez.testing.components import ComponentDriving
from hypotez.testing.events_harness import EventsHarness
from hypotez.testing.fake_http import Exchange, FakeDiscordHTTP, SentMessage
from hypotez.testing.fake_voice import FakeVoiceClient
from hypotez.testing.payloads import (APPLICATION_ID, BOT_ID, CDN, GUILD_ID, OPTION_TYPES, channel_of, discord_place,
                                      guild_payload, nest_options, timestamp, user_payload, voice_channel_of)

_NOBODY = Author(id="0", name="")

class BotHarness(ComponentDriving, EventsHarness):
    """The real bot for a spec, offline. Use as ``async with BotHarness.from_spec(...) as bot``."""

    def __init__(self, app: App):
        self.app = app
        self.bot: HypotezBot = create_bot(app)
        self.bot.voice_gateway = DiscordVoiceGateway(self.bot, client_class=FakeVoiceClient)
        self.http = FakeDiscordHTTP(user_payload(BOT_ID, "hypotez", bot=True))
        self._roles: dict[str, int] = {}
        self._ids = itertools.count(3_000_000_000_000_000)
        self.guild: discord.Guild | None = None
        # Servers the bot is in, by id: the default one (GUILD_ID) and any a test sends to (guild=...).
        self.guilds: dict[int, discord.Guild] = {}

    @classmethod
    def from_spec(cls, spec_path: str | Path = "commands.yaml", *, data_dir: str | Path,
                  templates_dir: str | Path | None = None, model_factory: Any = None,
                  voice_factory: Any = None) -> "BotHarness":
        registry = load_registry(Path(spec_path), templates_dir=Path(templates_dir) if templates_dir else None)
        factories = {k: v for k, v in (("model_factory", model_factory), ("voice_factory", voice_factory)) if v}
        services = build_services(registry.spec, Path(data_dir), **factories)
        return cls(build_app(registry, services))

    async def __aenter__(self) -> "BotHarness":
        await self.bot.__aenter__()
        # What HTTPClient.static_login would set up, with the fake in place of the aiohttp session.
        self.bot.http._HTTPClient__session = self.http  # type: ignore[attr-defined]
        self.bot.http._global_over = asyncio.Event()
        self.bot.http._global_over.set()
        state = self.bot._connection
        state.user = discord.ClientUser(state=state, data=self.http.bot_user)
        state.application_id = APPLICATION_ID
        self.guild = self.server(GUILD_ID)
        await use_spec_translator(self.bot.tree)  # as setup_hook does
        await self.app.start(self.bot.outbox_for)
        self._start_events()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.bot.__aexit__(*exc)
        await self.app.aclose()

    # -- the world ---------------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def _role_id(self, name: str) -> int:
        if name not in self._roles:
            self._roles[name] = self.next_id()
        return self._roles[name]

    def server(self, guild_id: int = GUILD_ID) -> discord.Guild:
        """The server ``guild_id`` (made the first time it is named): each has its own text channel
        (``channel_of``), a voice channel and its own roles."""
        guild = self.guilds.get(guild_id)
        if guild is None:
            state = self.bot._connection
            guild = discord.Guild(data=guild_payload(guild_id, self.http.bot_user), state=state)
            state._add_guild(guild)
            self.guilds[guild_id] = guild
        return guild

    channel_of = staticmethod(channel_of)
    voice_channel_of = staticmethod(voice_channel_of)

    def services_of(self, guild_id: int | None = GUILD_ID) -> Any:
        """The services as server ``guild_id`` sees them (its storage rows, its files, its model);
        None: as a direct message does."""
        place = discord_place(guild_id, self.channel_of(guild_id) if guild_id else 0)
        return self.app.dispatcher.services_at(place, _NOBODY)

    def data_folder(self, guild_id: int | None = GUILD_ID) -> Path:
        """Where server ``guild_id``'s files are (each server has its own part of the data folder)."""
        return self.services_of(guild_id).data.root

    def _ensure_roles(self, roles: Iterable[str], permissions: Iterable[str],
                      guild: discord.Guild | None = None) -> list[str]:
        """Create (once) a role per name, and one role carrying the given Discord permissions."""
        guild = guild or self.guild
        assert guild is not None
        ids = []
        for name in roles:
            role_id = self._role_id(name)
            if guild.get_role(role_id) is None:
                guild._add_role(discord.Role(guild=guild, state=self.bot._connection, data={
                    "id": str(role_id), "name": name, "permissions": "0", "position": 1, "color": 0,
                    "hoist": False, "managed": False, "mentionable": True}))
            ids.append(str(role_id))
        permissions = sorted(permissions)
        if permissions:
            name = "perms:" + ",".join(permissions)
            role_id = self._role_id(name)
            if guild.get_role(role_id) is None:
                value = discord.Permissions(**{p: True for p in permissions}).value
                guild._add_role(discord.Role(guild=guild, state=self.bot._connection, data={
                    "id": str(role_id), "name": name, "permissions": str(value), "position": 1, "color": 0,
                    "hoist": False, "managed": False, "mentionable": False}))
            ids.append(str(role_id))
        return ids

    def _member(self, user_id: int, name: str, roles: Iterable[str], permissions: Iterable[str],
                in_voice: bool, guild: discord.Guild | None = None) -> dict[str, Any]:
        guild = guild or self.guild
        assert guild is not None
        member = {"user": user_payload(user_id, name), "roles": self._ensure_roles(roles, permissions, guild),
                  "joined_at": timestamp(), "deaf": False, "mute": False, "flags": 0}
        if in_voice:
            voice_channel = self.voice_channel_of(guild.id)
            guild._update_voice_state({"user_id": str(user_id), "channel_id": str(voice_channel),
                                       "session_id": "s", "deaf": False, "mute": False, "self_deaf": False,
                                       "self_mute": False, "suppress": False, "member": member},
                                      voice_channel)
        return member

    def _attachments(self, channel_id: int, attachments: Iterable[tuple[Any, ...]]) -> list[dict]:
        """Attachment payloads from (filename, data, content_type) tuples; a fourth item, when given, is
        the URL Discord reports (to test what the bot does with a URL off Discord's CDN)."""
        out = []
        for filename, data, content_type, *url_given in attachments:
            attachment_id = self.next_id()
            url = url_given[0] if url_given else f"{CDN}/{channel_id}/{attachment_id}/{filename}"
            self.http.cdn[url] = data
            out.append({"id": str(attachment_id), "filename": filename, "size": len(data), "url": url,
                        "proxy_url": url, "content_type": content_type})
        return out

    # -- driving it --------------------------------------------------------------------------

    async def send(self, content: str, *, author: str = "ann", user_id: int = 4_000_000_000_000_001,
                   roles: Iterable[str] = (), permissions: Iterable[str] = (), dm: bool = False,
                   attachments: Iterable[tuple[Any, ...]] = (), reply_to: str | None = None,
                   in_voice: bool = False, mention_bot: bool = False, guild: int = GUILD_ID) -> Exchange:
        """Deliver a message from a user to the bot and return what the bot sent in answer to it (an
        :class:`Exchange`; messages the bot posts later, such as a training job's result, are in
        :attr:`sent`).

        ``content``: the message's text, prefix included (``"!hi"``). ``author``, ``user_id``: who
        sends it (the same ``user_id`` is the same person across calls). ``roles``: names of the
        server roles they have (made on the server the first time one is named); ``permissions``:
        Discord permission names they have (``"administrator"``, ``"manage_guild"``...), through a role
        carrying them. ``guild``: the server it is sent on (its general channel, see
        :meth:`channel_of`); ``dm=True``: a direct message instead (no server, no roles).
        ``attachments``: ``(filename, data, content_type)`` tuples, served from Discord's CDN; a fourth
        item is the URL Discord reports instead. ``reply_to``: the id of the message this one answers
        (a Discord reply). ``in_voice``: the author is in the server's voice channel.
        ``mention_bot``: the message starts by mentioning the bot."""
        state = self.bot._connection
        before = len(self.http.sent)
        message_id = self.next_id()
        if mention_bot:
            content = f"<@{BOT_ID}> {content}"
        payload: dict[str, Any] = {
            "id": str(message_id), "content": content, "author": user_payload(user_id, author),
            "timestamp": timestamp(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": [self.http.bot_user] if mention_bot else [], "mention_roles": [], "embeds": [],
            "pinned": False, "type": 19 if reply_to else 0, "flags": 0,
        }
        if dm:
            channel_id = self.next_id()
            channel: Any = discord.DMChannel(me=state.user, state=state, data={
                "id": str(channel_id), "type": 1, "recipients": [user_payload(user_id, author)]})
        else:
            server = self.server(guild)
            channel_id = self.channel_of(guild)
            channel = server.get_channel(channel_id)
            payload["guild_id"] = str(guild)
            payload["member"] = self._member(user_id, author, roles, permissions, in_voice, server)
            server._add_member(discord.Member(data=payload["member"], guild=server, state=state))
        payload["channel_id"] = str(channel_id)
        payload["attachments"] = self._attachments(channel_id, attachments)
        if reply_to:
            payload["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id)}
        message = discord.Message(state=state, channel=channel, data=payload)
        origin = self.http.origin.set(str(message_id))  # this task's context (see FakeDiscordHTTP.origin)
        try:
            await self.bot.on_message(message)
        finally:
            self.http.origin.reset(origin)
        return self._exchange(before, str(message_id))

    async def slash(self, name: str, *, author: str = "ann", user_id: int = 4_000_000_000_000_001,
                    roles: Iterable[str] = (), permissions: Iterable[str] = (),
                    attachments: dict[str, tuple[Any, ...]] | None = None, guild: int = GUILD_ID,
                    with_channel: bool = True, locale: str = "ru", **options: Any) -> Exchange:
        """Run the slash command ``/name`` on server ``guild`` and return the interaction's answer (an
        :class:`Exchange`: its immediate response, or a deferred response's follow-ups; a message's
        ``kind`` says which, ``ephemeral`` whether only the user sees it).

        ``options``: the command's arguments by name, with the values Discord would send (a string,
        an int, a bool; a member or channel as its id). ``attachments``: attachment arguments by name,
        each a ``(filename, data, content_type)`` tuple. ``author``, ``user_id``, ``roles``,
        ``permissions``, ``guild``: as for :meth:`send`. ``with_channel=False``: the interaction has no
        channel object (discord.py's ``channel`` is None). ``locale``: the user's Discord locale. Raises
        LookupError when the spec has no
        command ``name``."""
        state = self.bot._connection
        before = len(self.http.sent)
        command = self.app.dispatcher.find(name)
        if command is None:
            raise LookupError(f"the spec has no command {name!r}")
        server = self.server(guild)
        channel_id = self.channel_of(guild)
        member = self._member(user_id, author, roles, permissions, in_voice=False, guild=server)
        member_object = discord.Member(data=member, guild=server, state=state)
        server._add_member(member_object)
        resolved: dict[str, Any] = {}
        option_payloads = []
        interaction_id = self.next_id()
        for arg_name, value in options.items():
            argument = command.argument(arg_name)
            kind = OPTION_TYPES[argument.type] if argument else 3
            option_payloads.append({"name": arg_name, "type": kind, "value": value})
        for arg_name, given in (attachments or {}).items():
            [attachment] = self._attachments(channel_id, [given])
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            option_payloads.append({"name": arg_name, "type": 11, "value": attachment["id"]})
        payload = {
            "id": str(interaction_id), "application_id": str(APPLICATION_ID), "type": 2,
            "token": f"interaction-token-{interaction_id}",
            "version": 1, "guild_id": str(guild), "channel_id": str(channel_id),
            "channel": {"id": str(channel_id), "type": 0, "name": "general", "guild_id": str(guild),
                        "position": 0, "permission_overwrites": []},
            "member": {**member, "permissions": str(member_object.guild_permissions.value)},
            "locale": locale, "guild_locale": "ru", "app_permissions": str(discord.Permissions.all().value),
            "entitlements": [], "authorizing_integration_owners": {}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": {"id": str(self.next_id()), **nest_options(command.name, option_payloads), "type": 1,
                     "resolved": resolved},
        }
        if not with_channel:
            del payload["channel"]
        interaction = discord.Interaction(data=payload, state=state)
        origin = self.http.origin.set(payload["id"])
        try:
            await self.bot.tree._call(interaction)
        finally:
            self.http.origin.reset(origin)
        return self._exchange(before, payload["id"])

    async def autocomplete(self, name: str, option: str, current: str, *, author: str = "ann",
                           user_id: int = 4_000_000_000_000_001, roles: Iterable[str] = (),
                           guild: int = GUILD_ID, **options: Any) -> list[dict[str, Any]]:
        """The suggestions the bot gives while ``option`` of ``/name`` is typed (``current`` so far;
        ``options``: the other options already filled in): the choices it answers, as Discord gets them."""
        state = self.bot._connection
        server = self.server(guild)
        member = self._member(user_id, author, roles, (), in_voice=False, guild=server)
        server._add_member(discord.Member(data=member, guild=server, state=state))
        given = [{"name": key, "type": 3, "value": value} for key, value in options.items()]
        given.append({"name": option, "type": 3, "value": current, "focused": True})
        interaction_id = self.next_id()
        payload = {
            "id": str(interaction_id), "application_id": str(APPLICATION_ID), "type": 4,
            "token": f"interaction-token-{interaction_id}", "version": 1, "guild_id": str(guild),
            "channel_id": str(self.channel_of(guild)), "member": {**member, "permissions": "0"},
            "locale": "en-US", "guild_locale": "en-US", "app_permissions": "0", "entitlements": [],
            "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 10 * 1024 * 1024,
            "data": {"id": str(self.next_id()), **nest_options(name, given), "type": 1},
        }
        before = len(self.http.requests)
        await self.bot.tree._call(discord.Interaction(data=payload, state=state))
        answers = [r.json for r in self.http.requests[before:] if r.path.endswith("/callback")]
        return answers[-1]["data"]["choices"] if answers else []

    def _exchange(self, before: int, origin: str) -> Exchange:
        return Exchange([m for m in self.http.sent[before:] if m.origin == origin])

    @property
    def sent(self) -> list[SentMessage]:
        return self.http.sent

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until background work started by commands (training jobs) has finished."""
        wait = getattr(self.app.services.model, "wait_idle", None)
        if wait is not None:
            await asyncio.wait_for(wait(), timeout)
