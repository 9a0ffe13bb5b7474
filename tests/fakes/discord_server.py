"""A local Discord test server: enough of Discord's gateway (v10) and REST API for an unmodified
discord.py client to log in, connect, receive messages and interactions, and answer them.

One aiohttp server on 127.0.0.1 with TLS (a throw-away certificate authority from ``trustme``) plays
every Discord host: the REST API (``discord.com/api/v10``), the gateway (``gateway.discord.gg`` and the
resume gateway), and the CDN (``cdn.discordapp.com``). ``hypotez run`` reaches it through the settings
in :mod:`hypotez.adapters.discord_endpoint` (``env()`` gives them), which resolve Discord's host names
here; discord.py's URLs and certificate checks stay as they are.

Gateway: HELLO, heartbeats and their ACKs, IDENTIFY → READY + GUILD_CREATE, RESUME (events missed while
disconnected are replayed from the session's log, in order) → RESUMED, RECONNECT, INVALID_SESSION,
close codes 4004 (bad token) and 4014 (disallowed intents), zlib-stream and zstd-stream transport
compression when the client asks for it.

REST: ``/users/@me``, ``/oauth2/applications/@me``, ``/gateway/bot``, application commands (bulk
overwrite), messages (create/edit/fetch/delete, JSON or multipart with attachments), typing,
interaction callbacks and follow-ups, the CDN. Every answer carries Discord's rate-limit headers; 429s
come from injected faults (``fail``) or from a global limit per second (``global_limit``, off by default,
so benchmarks measure the bot rather than the limit).

Quirks other implementations of Discord's API were seen to have, for tests that the bot survives them:
a MESSAGE_UPDATE with role objects where Discord sends role ids (``update_with_role_objects``), a frame
that is not JSON (``send_raw``), command syncs answered without ids (``syncs_without_ids``), an
INTERACTION_CREATE without a ``channel`` object (``slash(..., with_channel=False)``), and interaction
callbacks other than an immediate message refused (``immediate_responses_only``).

Events (tests/fakes/discord_events_side.py): members joining and leaving (GUILD_MEMBER_ADD/REMOVE),
reactions (MESSAGE_REACTION_ADD/REMOVE), and the REST routes of the bot's actions (roles, reactions,
direct-message channels, a member fetched); roles may be given positions and permissions, the bot roles.

Tests drive it the way users would: ``say`` (a user's message), ``slash`` (a slash command), then wait
for what the bot sent (``ask``, ``wait_until``).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import secrets
import ssl
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer

from fakes.discord_components_side import ComponentsSide
from fakes.discord_events_side import EventsSide
from fakes.discord_gateway_side import GatewaySide, Session
from fakes.discord_guilds_side import GuildsSide
from fakes.discord_model import API, CDN, CERT_NAMES, Fault, File, Interaction, Message, Request
from fakes.discord_rest import RestSide
from hypotez.adapters.discord_endpoint import TEST_CA_ENV, TEST_SERVER_ENV
from hypotez.adapters.discord_payloads import timestamp, user_payload


class FakeDiscord(RestSide, GatewaySide, GuildsSide, ComponentsSide, EventsSide):
    """The test server. ``async with FakeDiscord() as discord:`` starts it on a free loopback port.

    This class holds the world (server, channels, users, what happened) and what tests call; its REST
    routes are in :class:`~fakes.discord_rest.RestSide`, its gateway in
    :class:`~fakes.discord_gateway_side.GatewaySide`."""

    def __init__(self, *, token: str = "test-token.fake.discord", message_content_allowed: bool = True,
                 members_allowed: bool = True,
                 heartbeat_interval: float = 41.25, global_limit: float | None = None,
                 bucket_limit: int = 10_000, echo_bot_messages: bool = True, channels: Iterable[str] = ("general",),
                 trainers: Iterable[str] = ("ann",), immediate_responses_only: bool = False,
                 shards: int = 1, max_concurrency: int = 1):
        self.token = token
        self.message_content_allowed = message_content_allowed
        self.members_allowed = members_allowed  # the privileged Server Members intent (member events)
        self.heartbeat_interval = heartbeat_interval
        self.global_limit = global_limit  # requests per second, all routes together; None: unlimited
        self.bucket_limit = bucket_limit  # what X-RateLimit-Limit says per route (never reached)
        self.echo_bot_messages = echo_bot_messages  # the bot's own messages come back as MESSAGE_CREATE
        # Quirks of other implementations of Discord's API (a bot must survive them):
        # interaction callbacks other than an immediate message (type 4) are refused, as some servers do;
        self.immediate_responses_only = immediate_responses_only
        # the next this-many command syncs are answered 200 with commands that carry no ``id``.
        self.syncs_without_ids = 0
        self._ids = itertools.count(1_300_000_000_000_000_000)
        self.guild_id = self.next_id()
        self.bot_user = {**user_payload(self.next_id(), "hypotez", bot=True), "verified": True, "flags": 0,
                         "mfa_enabled": False}
        self.application_id = self.bot_user["id"]
        self.owner = user_payload(self.next_id(), "owner")
        self.roles: dict[str, str] = {"@everyone": self.guild_id, "Trainer": self.next_id()}
        # Roles' positions and permission bits other than the defaults (position 1, no permissions), and
        # the roles the bot itself has (events' actions need its permissions and its place among roles).
        self.role_positions: dict[str, int] = {}
        self.role_permissions: dict[str, int] = {}
        self.bot_roles: list[str] = []
        self.member_count = 2
        self._init_events()
        self.channels: dict[str, str] = {}
        for name in channels:
            self.channels[name] = self.next_id()
        self._init_guilds(shards, max_concurrency)  # more servers: add_guild (fakes.discord_guilds_side)
        self.users: dict[str, dict[str, Any]] = {}
        self.trainers = set(trainers)
        # what happened
        self.messages: dict[str, Message] = {}
        self.by_channel: dict[str, list[Message]] = collections.defaultdict(list)
        self.bot_by_channel: dict[str, list[Message]] = collections.defaultdict(list)
        self.interactions: dict[str, Interaction] = {}
        self.commands: dict[str, dict[str, Any]] = {}
        self.command_syncs: list[list[dict[str, Any]]] = []
        self.guild_commands: dict[str, dict[str, dict[str, Any]]] = {}  # a server's own commands, by name
        self.guild_command_syncs: dict[str, list[list[dict[str, Any]]]] = {}
        self.requests: list[Request] = []
        self.gateway_log: list[dict[str, Any]] = []  # identify / resume / closes, with host and query
        self.heartbeats: list[int | None] = []  # the sequence number each heartbeat carried
        self.said_at: dict[str, float] = {}  # user message id → when it was dispatched
        self.faults: list[Fault] = []
        # channel id → seconds the answer to a message posted there is held back (the message is already
        # in the channel): a bot stopped meanwhile has posted it without knowing
        self.slow_posts: dict[str, float] = {}
        # (channel id, nonce) → the message first posted with it: a post with ``enforce_nonce`` repeating
        # it is answered with that message, and nothing new is posted (as Discord does for a few minutes)
        self.nonces: dict[tuple[str, str], Message] = {}
        self.cdn: dict[str, File] = {}
        self.sessions: dict[str, Session] = {}
        # While this event is unset, IDENTIFY waits before READY (tests of a bot not yet connected).
        self.identify_gate: asyncio.Event | None = None
        self.ready = asyncio.Event()  # GUILD_CREATE sent: the bot sees the server
        # Waiters by channel id (None: any change), so a busy channel does not wake every waiter.
        self._waiters: dict[str | None, list[tuple[Callable[[], Any], asyncio.Future[Any]]]] = \
            collections.defaultdict(list)
        self._recent: collections.deque[float] = collections.deque()
        self._server: TestServer | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="fake-discord-")
        self.ca_file = Path(self._dir.name) / "ca.pem"
        self.port = 0

    def next_id(self) -> str:
        return str(next(self._ids))

    # -- running -------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._middleware])
        get, post, put, patch, delete = (app.router.add_get, app.router.add_post, app.router.add_put,
                                         app.router.add_patch, app.router.add_delete)
        get("/", self.gateway)
        get(API + "/users/@me", self.me)
        get(API + "/oauth2/applications/@me", self.application_info)
        get(API + "/gateway/bot", self.gateway_bot)
        get(API + "/gateway", self.gateway_bot)
        put(API + "/applications/{application_id}/commands", self.bulk_overwrite)
        put(API + "/applications/{application_id}/guilds/{guild_id}/commands", self.bulk_overwrite)
        get(API + "/applications/{application_id}/commands", self.list_commands)
        get(API + "/applications/{application_id}/guilds/{guild_id}/commands", self.list_guild_commands)
        post(API + "/channels/{channel_id}/messages", self.create_message)
        get(API + "/channels/{channel_id}/messages/{message_id}", self.get_message)
        patch(API + "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        delete(API + "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        post(API + "/channels/{channel_id}/typing", self.typing)
        post(API + "/interactions/{interaction_id}/{token}/callback", self.interaction_callback)
        post(API + "/webhooks/{application_id}/{token}", self.followup)
        get(API + "/webhooks/{application_id}/{token}/messages/{message_id}", self.get_followup)
        patch(API + "/webhooks/{application_id}/{token}/messages/{message_id}", self.edit_followup)
        delete(API + "/webhooks/{application_id}/{token}/messages/{message_id}", self.delete_followup)
        get("/attachments/{channel_id}/{attachment_id}/{filename}", self.cdn_file)
        self.add_event_routes(app.router)
        return app

    async def start(self) -> "FakeDiscord":
        ca = trustme.CA()
        ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*CERT_NAMES).configure_cert(context)
        self._server = TestServer(self.app(), host="127.0.0.1")
        await self._server.start_server(ssl=context, access_log=None)
        self.port = self._server.port
        return self

    async def close(self) -> None:
        for session in self.sessions.values():
            if session.connection is not None:
                await session.connection.ws.close()
        if self._server is not None:
            await self._server.close()
        self._dir.cleanup()

    async def __aenter__(self) -> "FakeDiscord":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment for ``hypotez run`` to use this server with its token."""
        return {TEST_SERVER_ENV: self.address, TEST_CA_ENV: str(self.ca_file), "DISCORD_TOKEN": self.token}

    # -- the world -------------------------------------------------------------------------------------

    def channel(self, name: str = "general") -> str:
        return self.channels[name]

    def user(self, name: str) -> dict[str, Any]:
        if name not in self.users:
            self.users[name] = user_payload(int(self.next_id()), name)
        return self.users[name]

    def _member(self, name: str) -> dict[str, Any]:
        roles = [self.roles["Trainer"]] if name in self.trainers else []
        return {"roles": roles, "joined_at": timestamp(), "deaf": False, "mute": False, "flags": 0}

    def _guild(self, guild_id: str | None = None) -> dict[str, Any]:
        # @everyone: read/send messages, attach files, use application commands, connect/speak; no admin.
        everyone = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31) | (1 << 20) | (1 << 21)
        guild_id = guild_id or self.guild_id
        channels = [{"id": channel_id, "type": 0, "name": name, "position": index, "permission_overwrites": [],
                     "guild_id": guild_id} for index, (name, channel_id) in enumerate(self.channels.items())
                    if self.guild_of(channel_id) == guild_id]
        role_ids = {**self.roles, "@everyone": guild_id}  # @everyone's id is its server's
        roles = [{"id": role_id, "name": name,
                  "permissions": str(everyone if name == "@everyone" else self.role_permissions.get(name, 0)),
                  "position": 0 if name == "@everyone" else self.role_positions.get(name, 1), "color": 0,
                  "hoist": False, "managed": False, "mentionable": False, "flags": 0}
                 for name, role_id in role_ids.items()]
        members = [{"user": user, "roles": [self.roles[r] for r in self.bot_roles] if user is self.bot_user else [],
                    "joined_at": timestamp(), "deaf": False, "mute": False, "flags": 0}
                   for user in (self.bot_user, self.owner)]
        # The first server's count follows :join/:leave (fakes.discord_events_side); the others' is who is in it.
        member_count = self.member_count if guild_id == self.guild_id else len(members)
        return {"id": guild_id, "name": self.guild_names[guild_id], "owner_id": self.owner["id"], "unavailable": False,
                "features": [], "emojis": [], "stickers": [], "member_count": member_count, "large": False,
                "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
                "mfa_level": 0, "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "ru",
                "nsfw_level": 0, "joined_at": timestamp(), "roles": roles, "channels": channels, "members": members,
                "voice_states": [], "presences": [], "threads": [], "stage_instances": [],
                "guild_scheduled_events": [], "soundboard_sounds": []}

    def _message_payload(self, message: Message) -> dict[str, Any]:
        payload = {"id": message.id, "channel_id": message.channel_id, "guild_id": self.guild_of(message.channel_id),
                   "author": message.author, "content": message.text, "timestamp": timestamp(),
                   "edited_timestamp": timestamp() if message.edits else None, "tts": False, "mention_everyone": False,
                   "mentions": [], "mention_roles": [], "attachments": message.attachments, "embeds": [],
                   "components": message.components, "pinned": False, "type": 0, "flags": 0}
        if message.kind == "user":
            payload["member"] = self._member(message.author["username"])
        if message.interaction_id is not None:
            payload["webhook_id"] = self.application_id
        return payload

    def _store_files(self, channel_id: str, files: list[File]) -> list[dict[str, Any]]:
        attachments = []
        for file in files:
            attachment_id = self.next_id()
            path = f"/attachments/{channel_id}/{attachment_id}/{file.filename}"
            self.cdn[path] = file
            attachments.append({"id": attachment_id, "filename": file.filename, "size": len(file.data),
                                "url": CDN + path, "proxy_url": CDN + path, "content_type": file.content_type})
        return attachments

    def _add(self, message: Message) -> Message:
        self.messages[message.id] = message
        self.by_channel[message.channel_id].append(message)
        if message.kind != "user":
            self.bot_by_channel[message.channel_id].append(message)
        self._notify(message.channel_id)
        return message

    # -- driving the bot ------------------------------------------------------------------------------

    async def say(self, content: str, *, user: str = "ann", channel: str = "general",
                  attachments: Iterable[tuple[str, bytes, str | None]] = ()) -> Message:
        """A user writes ``content`` (with files) in a channel: MESSAGE_CREATE on the gateway."""
        channel_id = self.channel(channel)
        files = [File(name, data, content_type) for name, data, content_type in attachments]
        message = Message(self.next_id(), channel_id, self.user(user), content, "user", files,
                          self._store_files(channel_id, files))
        self._add(message)
        self.said_at[message.id] = time.perf_counter()
        await self.dispatch("MESSAGE_CREATE", self._message_payload(message))
        return message

    def bot_messages(self, channel: str = "general") -> list[Message]:
        return self.bot_by_channel[self.channel(channel)]

    async def ask(self, content: str, *, expect: int = 1, timeout: float = 15.0, channel: str = "general",
                  **kwargs: Any) -> list[Message]:
        """Say ``content`` and wait for the bot's next ``expect`` messages in that channel."""
        before = len(self.bot_messages(channel))
        await self.say(content, channel=channel, **kwargs)
        await self.wait_until(lambda: len(self.bot_messages(channel)) >= before + expect, timeout,
                              f"{expect} bot message(s) in #{channel} after {content!r}", channel)
        return self.bot_messages(channel)[before:before + expect]

    async def slash(self, name: str, *, user: str = "ann", channel: str = "general",
                    attachments: dict[str, tuple[str, bytes, str | None]] | None = None,
                    with_channel: bool = True, focused: str | None = None, **options: Any) -> Interaction:
        """A user runs ``/name`` with ``options`` (and files for attachment options, by option name):
        INTERACTION_CREATE for a synced command. ``with_channel=False``: the event has no ``channel``
        object, only ``channel_id`` (as some servers send it). ``name`` may be a subcommand, ``"tag add"``,
        or ``"config role set"``; a command synced to this server is found too. ``focused``: the option
        being typed — an autocomplete interaction, answered with choices (``callbacks[0]["data"]``)."""
        top, *subs = name.split(" ")
        command = self.commands.get(top) or self.guild_commands.get(self.guild_id, {}).get(top)
        if command is None:
            raise LookupError(f"/{top} was never synced (synced: {sorted(self.commands)})")
        leaf = command
        for sub in subs:
            leaf = next(o for o in leaf.get("options", []) if o["name"] == sub)
        kinds = {option["name"]: option["type"] for option in leaf.get("options", [])}
        channel_id = self.channel(channel)
        guild_id = self.guild_of(channel_id)
        interaction = Interaction(self.next_id(), secrets.token_urlsafe(24), name, channel_id)
        self.interactions[interaction.id] = interaction
        everyone_and_member = str((1 << 11) | (1 << 31) | (1 << 10) | (1 << 15))
        option_payloads = [{"name": key, "type": kinds.get(key, 3), "value": value, **({"focused": True} if key ==
                            focused else {})} for key, value in options.items()]
        resolved: dict[str, Any] = {}
        for key, (filename, data, content_type) in (attachments or {}).items():
            [attachment] = self._store_files(channel_id, [File(filename, data, content_type)])
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            option_payloads.append({"name": key, "type": 11, "value": attachment["id"]})
        payload: dict[str, Any] = {
            "id": interaction.id, "application_id": self.application_id, "type": 4 if focused else 2,
            "token": interaction.token,
            "version": 1, "guild_id": guild_id, "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 0, "name": channel, "guild_id": guild_id, "position": 0,
                        "permission_overwrites": []},
            "member": {**self._member(user), "user": self.user(user), "permissions": everyone_and_member},
            "locale": "ru", "guild_locale": "ru", "app_permissions": str((1 << 53) - 1), "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": {"id": command["id"], "name": top, "type": 1, "guild_id": command.get("guild_id"),
                     "options": _nested(subs, option_payloads), "resolved": resolved},
        }
        if not with_channel:
            del payload["channel"]
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def update_with_role_objects(self, message: Message) -> None:
        """MESSAGE_UPDATE for a user's message whose member ``roles`` are role objects where Discord sends
        role ids: a payload discord.py's parser cannot read (it raises)."""
        payload = self._message_payload(message)
        payload["edited_timestamp"] = timestamp()
        payload["member"]["roles"] = [{"id": role_id, "name": name} for name, role_id in self.roles.items()
                                      if name != "@everyone"]
        await self.dispatch("MESSAGE_UPDATE", payload)

    async def send_raw(self, frame: str) -> None:
        """Send ``frame`` as it is (not an event, not even JSON) on the live gateway connection."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("no gateway connection")
        async with session.lock:
            await session.connection.send_text(frame)

    async def ask_slash(self, name: str, *, expect: int = 1, timeout: float = 15.0, **kwargs: Any) -> list[Message]:
        interaction = await self.slash(name, **kwargs)
        await self.wait_until(lambda: len(interaction.messages) >= expect, timeout, f"an answer to /{name}")
        return interaction.messages[:expect]

    # -- waiting ---------------------------------------------------------------------------------------

    def _notify(self, channel_id: str | None = None) -> None:
        for key in {channel_id, None}:
            waiters = self._waiters.get(key)
            for entry in list(waiters or ()):
                predicate, future = entry
                if future.done():
                    waiters.remove(entry)
                    continue
                try:
                    result = predicate()
                except Exception as error:  # a broken predicate fails its waiter, not the server
                    future.set_exception(error)
                    continue
                if result:
                    future.set_result(result)
                    waiters.remove(entry)

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "a condition",
                         channel: str | None = None) -> Any:
        """Wait until ``predicate()`` is true (checked after every change the bot makes, or only after
        changes in ``channel`` when given); return its value."""
        result = predicate()
        if result:
            return result
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        waiters = self._waiters[self.channel(channel) if channel else None]
        waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            recent = [f"{m.kind} #{m.channel_id}: {m.text[:80]!r}" for m in list(self.messages.values())[-6:]]
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last messages: {recent}") from None
        finally:
            if entry in waiters:
                waiters.remove(entry)


def _nested(subs: list[str], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Options of a subcommand wrapped as Discord sends them: a subcommand (type 1) inside its group
    (type 2)."""
    for depth in range(len(subs) - 1, -1, -1):
        options = [{"name": subs[depth], "type": 1 if depth == len(subs) - 1 else 2, "options": options}]
    return options
