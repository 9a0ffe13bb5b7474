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

Tests drive it the way users would: ``say`` (a user's message), ``slash`` (a slash command), then wait
for what the bot sent (``ask``, ``wait_until``).
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import hashlib
import itertools
import json
import secrets
import ssl
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import trustme
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from hypotez.adapters.discord_endpoint import TEST_CA_ENV, TEST_SERVER_ENV
from hypotez.adapters.discord_payloads import user_payload

API = r"/api/v{version:\d+}"
GATEWAY_URL = "wss://gateway.discord.gg"
RESUME_GATEWAY_URL = "wss://gateway-us-east1-b.discord.gg"
CDN = "https://cdn.discordapp.com"
MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6  # message flag
# Every name discord.py may reach for a text bot; the certificate covers them all.
CERT_NAMES = ("discord.com", "*.discord.com", "discord.gg", "*.discord.gg", "discordapp.com", "*.discordapp.com",
              "discordapp.net", "*.discordapp.net")


class Op:
    DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
    REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", as Discord sends it: discord.py parses JSON only for that exact type.
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


@dataclass
class File:
    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class Message:
    """A message in the fake's world: a user's, or one the bot sent (``kind`` bot/original/followup)."""

    id: str
    channel_id: str
    author: dict[str, Any]
    content: str
    kind: str
    files: list[File] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    interaction_id: str | None = None
    flags: int = 0  # 64: ephemeral (only the user who ran the command sees it)
    edits: list[str] = field(default_factory=list)
    edited_at: list[float] = field(default_factory=list)
    created: float = field(default_factory=time.perf_counter)
    deleted: bool = False

    @property
    def text(self) -> str:
        """The latest content (after edits)."""
        return self.edits[-1] if self.edits else self.content

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)


@dataclass
class Interaction:
    id: str
    token: str
    name: str
    channel_id: str
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)  # callbacks answered with an error
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)

    @property
    def messages(self) -> list[Message]:
        """What the user sees: the original response (once it has content) and the follow-ups."""
        original = [self.original] if self.original is not None and not self.original.deleted \
            and (self.original.text or self.original.files) else []
        return original + self.followups


@dataclass
class Fault:
    """An injected error: the next ``times`` requests to ``route`` (e.g. ``POST /channels/{channel_id}/messages``)
    are answered with ``status`` (429: with ``retry_after``)."""

    route: str
    status: int = 429
    retry_after: float = 0.5
    times: int = 1
    channel_id: str | None = None
    hits: list[float] = field(default_factory=list)


@dataclass
class Request:
    method: str
    route: str
    path: str
    status: int
    at: float


class _Compressor:
    """Transport compression the client asked for in the gateway URL (``compress=...``)."""

    def __init__(self, kind: str | None):
        self.kind = kind
        self._zstd: Any = None
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            self._zstd = _zstd_compressor()
        elif kind is not None:
            raise ValueError(f"unknown compression {kind!r}")

    def pack(self, text: str) -> bytes | str:
        if self.kind is None:
            return text
        data = text.encode()
        if self.kind == "zlib-stream":
            return self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        return self._zstd(data)


def _zstd_compressor() -> Callable[[bytes], bytes]:
    try:  # Python ≥ 3.14
        from compression import zstd  # type: ignore[import-not-found]

        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    except ImportError:
        import zstandard  # type: ignore[import-not-found]

        stream = zstandard.ZstdCompressor().compressobj()
        return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


class _Connection:
    """One gateway websocket."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, compressor: _Compressor):
        self.request = request
        self.ws = ws
        self.compressor = compressor
        self.lock = asyncio.Lock()  # one writer at a time: the compression stream is stateful

    async def send(self, payload: dict[str, Any]) -> None:
        await self.send_text(json.dumps(payload))

    async def send_text(self, text: str) -> None:
        async with self.lock:
            packed = self.compressor.pack(text)
            if isinstance(packed, bytes):
                await self.ws.send_bytes(packed)
            else:
                await self.ws.send_str(packed)

    def drop(self) -> None:
        """Cut the connection without a close frame, as a network failure would."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass
class _Session:
    id: str
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)  # every dispatched event, for RESUME
    connection: _Connection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class FakeDiscord:
    """The test server. ``async with FakeDiscord() as discord:`` starts it on a free loopback port."""

    def __init__(self, *, token: str = "test-token.fake.discord", message_content_allowed: bool = True,
                 heartbeat_interval: float = 41.25, global_limit: float | None = None,
                 bucket_limit: int = 10_000, echo_bot_messages: bool = True, channels: Iterable[str] = ("general",),
                 trainers: Iterable[str] = ("ann",), immediate_responses_only: bool = False):
        self.token = token
        self.message_content_allowed = message_content_allowed
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
        self.channels: dict[str, str] = {}
        for name in channels:
            self.channels[name] = self.next_id()
        self.users: dict[str, dict[str, Any]] = {}
        self.trainers = set(trainers)
        # what happened
        self.messages: dict[str, Message] = {}
        self.by_channel: dict[str, list[Message]] = collections.defaultdict(list)
        self.bot_by_channel: dict[str, list[Message]] = collections.defaultdict(list)
        self.interactions: dict[str, Interaction] = {}
        self.commands: dict[str, dict[str, Any]] = {}
        self.command_syncs: list[list[dict[str, Any]]] = []
        self.requests: list[Request] = []
        self.gateway_log: list[dict[str, Any]] = []  # identify / resume / closes, with host and query
        self.heartbeats: list[int | None] = []  # the sequence number each heartbeat carried
        self.said_at: dict[str, float] = {}  # user message id → when it was dispatched
        self.faults: list[Fault] = []
        self.cdn: dict[str, File] = {}
        self.sessions: dict[str, _Session] = {}
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
        return {"roles": roles, "joined_at": _now(), "deaf": False, "mute": False, "flags": 0}

    def _guild(self) -> dict[str, Any]:
        # @everyone: read/send messages, attach files, use application commands, connect/speak; no admin.
        everyone = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31) | (1 << 20) | (1 << 21)
        channels = [{"id": channel_id, "type": 0, "name": name, "position": index, "permission_overwrites": [],
                     "guild_id": self.guild_id} for index, (name, channel_id) in enumerate(self.channels.items())]
        roles = [{"id": role_id, "name": name, "permissions": str(everyone if name == "@everyone" else 0),
                  "position": 0 if name == "@everyone" else 1, "color": 0, "hoist": False, "managed": False,
                  "mentionable": False, "flags": 0} for name, role_id in self.roles.items()]
        members = [{"user": user, "roles": [], "joined_at": _now(), "deaf": False, "mute": False, "flags": 0}
                   for user in (self.bot_user, self.owner)]
        return {"id": self.guild_id, "name": "Test Server", "owner_id": self.owner["id"], "unavailable": False,
                "features": [], "emojis": [], "stickers": [], "member_count": len(members), "large": False,
                "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
                "mfa_level": 0, "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "ru",
                "nsfw_level": 0, "joined_at": _now(), "roles": roles, "channels": channels, "members": members,
                "voice_states": [], "presences": [], "threads": [], "stage_instances": [],
                "guild_scheduled_events": [], "soundboard_sounds": []}

    def _message_payload(self, message: Message) -> dict[str, Any]:
        payload = {"id": message.id, "channel_id": message.channel_id, "guild_id": self.guild_id,
                   "author": message.author, "content": message.text, "timestamp": _now(),
                   "edited_timestamp": _now() if message.edits else None, "tts": False, "mention_everyone": False,
                   "mentions": [], "mention_roles": [], "attachments": message.attachments, "embeds": [],
                   "components": [], "pinned": False, "type": 0, "flags": 0}
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
                    with_channel: bool = True, **options: Any) -> Interaction:
        """A user runs ``/name`` with ``options`` (and files for attachment options, by option name):
        INTERACTION_CREATE for a synced command. ``with_channel=False``: the event has no ``channel``
        object, only ``channel_id`` (as some servers send it)."""
        command = self.commands.get(name)
        if command is None:
            raise LookupError(f"/{name} was never synced (synced: {sorted(self.commands)})")
        kinds = {option["name"]: option["type"] for option in command.get("options", [])}
        channel_id = self.channel(channel)
        interaction = Interaction(self.next_id(), secrets.token_urlsafe(24), name, channel_id)
        self.interactions[interaction.id] = interaction
        everyone_and_member = str((1 << 11) | (1 << 31) | (1 << 10) | (1 << 15))
        option_payloads = [{"name": key, "type": kinds.get(key, 3), "value": value} for key, value in options.items()]
        resolved: dict[str, Any] = {}
        for key, (filename, data, content_type) in (attachments or {}).items():
            [attachment] = self._store_files(channel_id, [File(filename, data, content_type)])
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            option_payloads.append({"name": key, "type": 11, "value": attachment["id"]})
        payload: dict[str, Any] = {
            "id": interaction.id, "application_id": self.application_id, "type": 2, "token": interaction.token,
            "version": 1, "guild_id": self.guild_id, "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 0, "name": channel, "guild_id": self.guild_id, "position": 0,
                        "permission_overwrites": []},
            "member": {**self._member(user), "user": self.user(user), "permissions": everyone_and_member},
            "locale": "ru", "guild_locale": "ru", "app_permissions": str((1 << 53) - 1), "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": {"id": command["id"], "name": name, "type": 1, "guild_id": None, "options": option_payloads,
                     "resolved": resolved},
        }
        if not with_channel:
            del payload["channel"]
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def update_with_role_objects(self, message: Message) -> None:
        """MESSAGE_UPDATE for a user's message whose member ``roles`` are role objects where Discord sends
        role ids: a payload discord.py's parser cannot read (it raises)."""
        payload = self._message_payload(message)
        payload["edited_timestamp"] = _now()
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

    # -- faults ----------------------------------------------------------------------------------------

    def fail(self, route: str, *, status: int = 429, retry_after: float = 0.5, times: int = 1,
             channel: str | None = None) -> Fault:
        """Answer the next ``times`` requests to ``route`` (``"POST /channels/{channel_id}/messages"``) with
        ``status``; a 429 carries ``retry_after`` like Discord's."""
        fault = Fault(route, status, retry_after, times, self.channel(channel) if channel else None)
        self.faults.append(fault)
        return fault

    def _fault_for(self, route: str, request: web.Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.route == route and \
                    (fault.channel_id is None or request.match_info.get("channel_id") == fault.channel_id):
                fault.times -= 1
                fault.hits.append(time.perf_counter())
                return fault
        return None

    def _over_global_limit(self) -> float | None:
        """Seconds to wait when the global limit is reached, else None (and the request is counted)."""
        if self.global_limit is None:
            return None
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.global_limit:
            return max(0.001, 1.0 - (now - self._recent[0]))
        self._recent.append(now)
        return None

    def _rate_limit_headers(self, route: str, request: web.Request) -> dict[str, str]:
        major = request.match_info.get("channel_id") or request.match_info.get("token") or ""
        bucket = hashlib.sha1(f"{route}:{major}".encode()).hexdigest()[:16]
        return {"X-RateLimit-Limit": str(self.bucket_limit), "X-RateLimit-Remaining": str(self.bucket_limit - 1),
                "X-RateLimit-Reset": f"{time.time() + 1:.3f}", "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": bucket}

    @staticmethod
    def _too_many(retry_after: float, scope: str) -> web.Response:
        # Discord's 429 body and headers; discord.py only trusts a 429 that came through Discord's proxy
        # (a ``Via`` header), anything else it takes for a Cloudflare ban.
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": scope == "global"}
        headers = {"Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Scope": scope, "Via": "1.1 google"}
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update({"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}"})
        return _json(body, status=429, headers=headers)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        info = request.match_info
        canonical = info.route.resource.canonical if info.route.resource is not None else request.path
        route = f"{request.method} {canonical.removeprefix('/api/v{version}')}"
        response = await self._answer(request, handler, route)
        self.requests.append(Request(request.method, route, request.path, response.status, time.perf_counter()))
        return response

    async def _answer(self, request: web.Request, handler: Any, route: str) -> web.StreamResponse:
        api = request.path.startswith("/api/")
        # Interactions and webhooks are authorised by their token in the URL, like on Discord.
        authorised = "/interactions/" in request.path or "/webhooks/" in request.path
        if api and not authorised and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        if api:
            wait = self._over_global_limit()
            if wait is not None:
                return self._too_many(wait, "global")
            fault = self._fault_for(route, request)
            if fault is not None:
                if fault.status == 429:
                    return self._too_many(fault.retry_after, "user")
                return _json({"message": f"injected {fault.status}", "code": 0}, status=fault.status)
        response = await handler(request)
        if api:
            response.headers.update(self._rate_limit_headers(route, request))
        return response

    # -- REST ------------------------------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        return _json(self.bot_user)

    async def application_info(self, request: web.Request) -> web.Response:
        return _json({
            "id": self.application_id, "name": "hypotez", "description": "", "icon": None, "bot_public": True,
            "bot_require_code_grant": False, "owner": self.owner, "team": None, "verify_key": "0" * 64,
            "flags": 1 << 19 if self.message_content_allowed else 0, "bot": self.bot_user})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return _json({"url": GATEWAY_URL, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}})

    async def bulk_overwrite(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.command_syncs.append(body)
        self.commands = {}
        for command in body:
            self.commands[command["name"]] = {**command, "id": self.next_id(), "application_id": self.application_id,
                                              "version": self.next_id(), "type": command.get("type", 1)}
        self._notify()
        if self.syncs_without_ids > 0:
            self.syncs_without_ids -= 1
            return _json([{key: value for key, value in command.items() if key != "id"}
                          for command in self.commands.values()])
        return _json(list(self.commands.values()))

    async def list_commands(self, request: web.Request) -> web.Response:
        return _json(list(self.commands.values()))

    async def _read_body(self, request: web.Request) -> tuple[dict[str, Any], list[File]]:
        if not request.content_type.startswith("multipart/"):
            return await request.json(), []
        body: dict[str, Any] = {}
        files: list[File] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            elif part.name and part.name.startswith("files["):
                files.append(File(part.filename or part.name, bytes(await part.read()),
                                  part.headers.get("Content-Type")))
        return body, files

    def _bot_message(self, channel_id: str, body: dict[str, Any], files: list[File], kind: str,
                     interaction: Interaction | None = None) -> Message:
        return Message(self.next_id(), channel_id, self.bot_user, body.get("content") or "", kind, files,
                       self._store_files(channel_id, files), body.get("allowed_mentions"),
                       interaction.id if interaction else None, int(body.get("flags") or 0))

    async def _echo(self, event: str, message: Message) -> None:
        if self.echo_bot_messages:
            await self.dispatch(event, self._message_payload(message))

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel_id"]
        if channel_id not in self.channels.values():
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        body, files = await self._read_body(request)
        if not body.get("content") and not files:
            return _json({"message": "Cannot send an empty message", "code": 50006}, status=400)
        if len(body.get("content") or "") > 2000:
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": {"content": {
                "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}},
                status=400)
        message = self._add(self._bot_message(channel_id, body, files, "bot"))
        await self._echo("MESSAGE_CREATE", message)
        return _json(self._message_payload(message))

    def _find(self, message_id: str, channel_id: str | None = None) -> Message | None:
        message = self.messages.get(message_id)
        if message is None or (channel_id is not None and message.channel_id != channel_id):
            return None
        return message

    async def get_message(self, request: web.Request) -> web.Response:
        message = self._find(request.match_info["message_id"], request.match_info["channel_id"])
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self._message_payload(message))

    def _edit(self, message: Message, body: dict[str, Any]) -> None:
        message.edits.append(body.get("content") if body.get("content") is not None else message.text)
        message.edited_at.append(time.perf_counter())
        self._notify(message.channel_id)

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._find(request.match_info["message_id"], request.match_info["channel_id"])
        if message is None or message.kind == "user":
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        body, _files = await self._read_body(request)
        self._edit(message, body)
        await self._echo("MESSAGE_UPDATE", message)
        return _json(self._message_payload(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._find(request.match_info["message_id"], request.match_info["channel_id"])
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        message.edits.append("")
        self._notify(message.channel_id)
        return web.Response(status=204)

    async def typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    def _interaction(self, request: web.Request) -> Interaction | None:
        token = request.match_info["token"]
        return next((i for i in self.interactions.values() if i.token == token), None)

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(request.match_info["interaction_id"])
        if interaction is None or interaction.token != request.match_info["token"]:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if interaction.callbacks:
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060},
                                     status=400)
        body, files = await self._read_body(request)
        kind = body.get("type")
        if self.immediate_responses_only and kind != 4:
            interaction.refused.append(body)
            self._notify()
            return _json({"message": f"Interaction response type {kind} is not supported", "code": 50035,
                          "errors": {"type": {"_errors": [{"code": "BASE_TYPE_CHOICES",
                                                            "message": "Value must be one of (4,)."}]}}},
                         status=400)
        interaction.callbacks.append(body)
        if kind in (4, 5):  # a message (4), or "thinking…" to be filled in by the first follow-up (5)
            interaction.original = self._bot_message(interaction.channel_id, body.get("data") or {}, files,
                                                     "original", interaction)
            self._add(interaction.original)
        self._notify()
        resource: dict[str, Any] = {"type": kind}
        if interaction.original is not None:
            resource["message"] = self._message_payload(interaction.original)
        return _json({
            "interaction": {"id": interaction.id, "type": 2, "response_message_id": interaction.original.id
                            if interaction.original else None, "response_message_loading": kind == 5,
                            "response_message_ephemeral": bool(interaction.original and interaction.original.ephemeral),
                            "activity_instance_id": None},
            "resource": resource})

    async def followup(self, request: web.Request) -> web.StreamResponse:
        interaction = self._interaction(request)
        if interaction is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        body, files = await self._read_body(request)
        original = interaction.original
        deferred = interaction.callbacks and interaction.callbacks[0].get("type") == 5
        if deferred and original is not None and not original.deleted and not original.text and not original.files \
                and not original.edits:
            # Discord: the first follow-up after a deferred response fills in the "thinking…" message.
            original.content, original.files = body.get("content") or "", files
            original.attachments = self._store_files(interaction.channel_id, files)
            message = original
            self._notify(interaction.channel_id)
        else:
            message = self._bot_message(interaction.channel_id, body, files, "followup", interaction)
            interaction.followups.append(message)
            self._add(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return _json(self._message_payload(message))
        return web.Response(status=204)

    async def get_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message_id = request.match_info["message_id"]
        message = (interaction.original if interaction and message_id == "@original"
                   else self._find(message_id))
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self._message_payload(message))

    async def edit_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message_id = request.match_info["message_id"]
        message = (interaction.original if interaction and message_id == "@original"
                   else self._find(message_id))
        if interaction is None or message is None or message.interaction_id != interaction.id:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        body, _files = await self._read_body(request)
        self._edit(message, body)
        return _json(self._message_payload(message))

    async def delete_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message_id = request.match_info["message_id"]
        message = (interaction.original if interaction and message_id == "@original"
                   else self._find(message_id))
        if interaction is None or message is None or message.interaction_id != interaction.id or message.deleted:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        message.deleted = True
        self._notify(message.channel_id)
        return web.Response(status=204)

    async def cdn_file(self, request: web.Request) -> web.Response:
        file = self.cdn.get(request.path)
        if file is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=file.data, content_type=file.content_type or "application/octet-stream")

    # -- gateway ---------------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to the bot's sessions; a disconnected session gets it when it resumes."""
        for session in list(self.sessions.values()):
            async with session.lock:
                session.seq += 1
                payload = {"op": Op.DISPATCH, "t": event, "s": session.seq, "d": data}
                session.log.append(payload)
                if session.connection is not None:
                    try:
                        await session.connection.send(payload)
                    except ConnectionError:  # it dropped: the event waits in the log for RESUME
                        session.connection = None

    def _live_session(self) -> _Session | None:
        return next((s for s in self.sessions.values() if s.connection is not None), None)

    async def drop_gateway(self) -> None:
        """Cut the gateway connection abruptly (as a network failure would)."""
        session = self._live_session()
        if session is None:
            raise RuntimeError("no gateway connection to drop")
        async with session.lock:
            connection, session.connection = session.connection, None
            assert connection is not None
            connection.drop()

    async def send_reconnect(self) -> None:
        """op 7 RECONNECT: Discord asks the client to reconnect and resume."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("no gateway connection")
        await session.connection.send({"op": Op.RECONNECT, "d": None})

    async def invalidate_session(self) -> None:
        """op 9 INVALID_SESSION (not resumable): the client must identify again and gets a new session."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("no gateway connection")
        connection = session.connection
        del self.sessions[session.id]
        await connection.send({"op": Op.INVALID_SESSION, "d": False})

    def _log_gateway(self, entry: dict[str, Any]) -> None:
        self.gateway_log.append(entry)
        self._notify()

    def connections(self, kind: str) -> list[dict[str, Any]]:
        return [entry for entry in self.gateway_log if entry["kind"] == kind]

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        compress = request.query.get("compress")
        try:
            compressor = _Compressor(compress)
        except (ValueError, ImportError):
            return _json({"message": f"unsupported compression {compress!r}"}, status=400)
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = _Connection(request, ws, compressor)
        session: _Session | None = None
        info = {"host": request.host.split(":")[0], "query": dict(request.query)}
        try:
            await connection.send({"op": Op.HELLO, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}})
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(frame.data)
                op, data = payload.get("op"), payload.get("d")
                if op == Op.HEARTBEAT:
                    self.heartbeats.append(data)
                    await connection.send({"op": Op.HEARTBEAT_ACK})
                    self._notify()
                elif op == Op.IDENTIFY:
                    session = await self._identify(connection, data, info)
                    if session is None:
                        break
                elif op == Op.RESUME:
                    session = await self._resume(connection, data, info)
                    if session is None:
                        break
        except ConnectionError:  # the client went away mid-send: the session waits for a RESUME
            pass
        finally:
            if session is not None and session.connection is connection:
                session.connection = None
            self._log_gateway({"kind": "closed", **info, "code": ws.close_code})
        return ws

    async def _identify(self, connection: _Connection, data: dict[str, Any], info: dict[str, Any]) -> _Session | None:
        self._log_gateway({"kind": "identify", **info, "intents": data.get("intents")})
        if data.get("token") != self.token:
            return await self._refuse(connection, 4004, "Authentication failed.", info)
        if data.get("intents", 0) & MESSAGE_CONTENT_INTENT and not self.message_content_allowed:
            return await self._refuse(connection, 4014, "Disallowed intent(s).", info)
        session = _Session(secrets.token_hex(16))
        self.sessions[session.id] = session
        async with session.lock:
            session.connection = connection
        await self.dispatch("READY", {
            "v": 10, "user": self.bot_user, "guilds": [{"id": self.guild_id, "unavailable": True}],
            "session_id": session.id, "session_type": "normal", "resume_gateway_url": RESUME_GATEWAY_URL,
            "application": {"id": self.application_id, "flags": 1 << 19 if self.message_content_allowed else 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "user_settings": {}})
        await self.dispatch("GUILD_CREATE", self._guild())
        self.ready.set()
        self._notify()
        return session

    async def _refuse(self, connection: _Connection, code: int, reason: str, info: dict[str, Any]) -> None:
        self._log_gateway({"kind": "refused", **info, "code": code})
        await connection.ws.close(code=code, message=reason.encode())

    async def _resume(self, connection: _Connection, data: dict[str, Any], info: dict[str, Any]) -> _Session | None:
        self._log_gateway({"kind": "resume", **info, "seq": data.get("seq")})
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.token:
            await connection.send({"op": Op.INVALID_SESSION, "d": False})
            return None
        async with session.lock:
            seq = data.get("seq") or 0
            for payload in session.log:
                if payload["s"] > seq:
                    await connection.send(payload)
            session.connection = connection
            session.seq += 1
            resumed = {"op": Op.DISPATCH, "t": "RESUMED", "s": session.seq, "d": {}}
            session.log.append(resumed)
            await connection.send(resumed)
        self._notify()
        return session
