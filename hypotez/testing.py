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
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import aiohttp
import discord

from hypotez.adapters.discord_bot import HypotezBot, create_bot
from hypotez.adapters.discord_voice import DiscordVoiceGateway
from hypotez.app import App, build_app, build_services
from hypotez.invocation import Author, Place
from hypotez.declaration import load_spec

GUILD_ID = 1_000_000_000_000_001
CHANNEL_ID = 1_000_000_000_000_002
VOICE_CHANNEL_ID = 1_000_000_000_000_003
BOT_ID = 1_000_000_000_000_010
APPLICATION_ID = BOT_ID
OWNER_ID = 1_000_000_000_000_020
CDN = "https://cdn.discordapp.com/attachments"

_NOBODY = Author(id="0", name="")


def discord_place(guild_id: int | None, channel_id: int) -> Place:
    return Place(channel_id=str(channel_id), guild_id=str(guild_id) if guild_id is not None else None)


PERMISSION_BITS = dict(discord.Permissions.VALID_FLAGS)
OPTION_TYPES = {"text": 3, "choice": 3, "json": 3, "path": 3, "integer": 4, "boolean": 5, "member": 6,
                "channel": 7, "number": 10, "attachment": 11}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def user_payload(user_id: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "global_name": name, "discriminator": "0", "avatar": None,
            "bot": bot}


# --- the HTTP boundary ---------------------------------------------------------------------------


@dataclass
class CapturedFile:
    filename: str
    data: bytes


@dataclass
class CapturedRequest:
    method: str
    path: str
    params: dict[str, Any]
    json: Any
    files: list[CapturedFile]


@dataclass
class SentMessage:
    """A message the bot sent (or an interaction reply), as Discord received it."""

    id: str
    channel_id: str
    content: str
    files: list[CapturedFile]
    allowed_mentions: dict[str, Any] | None
    edits: list[str] = field(default_factory=list)
    # "message"; for slash commands "response" (the interaction's immediate response) or "followup"
    kind: str = "message"
    embeds: list[dict[str, Any]] = field(default_factory=list)  # as Discord received them (JSON)
    # The id of the user's message or interaction this was sent in answer to (None: unknown).
    origin: str | None = None
    flags: int = 0  # as Discord received them; 64: ephemeral

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def text(self) -> str:
        """The latest content (after edits)."""
        return self.edits[-1] if self.edits else self.content


class _FakeResponse:
    def __init__(self, status: int, body: Any, content_type: str = "application/json"):
        self.status = status
        self.reason = "OK" if status < 400 else "Error"
        if isinstance(body, bytes):
            self._bytes, self._text = body, ""
        else:
            self._text = "" if body is None else (body if isinstance(body, str) else json.dumps(body))
            self._bytes = self._text.encode()
        # Discord's rate-limit headers, with room to spare: the fake never limits.
        self.headers = {"content-type": content_type, "X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "49",
                        "X-Ratelimit-Reset": f"{datetime.datetime.now().timestamp() + 1:.3f}",
                        "X-Ratelimit-Reset-After": "1.000", "X-Ratelimit-Bucket": "fake-bucket"}
        self.content_type = content_type

    async def text(self, encoding: str = "utf-8") -> str:
        return self._text

    async def read(self) -> bytes:
        return self._bytes

    async def json(self) -> Any:
        return json.loads(self._text)

    async def __aenter__(self) -> "_FakeResponse":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None

    def release(self) -> None:
        return None


def _form_fields(form: aiohttp.FormData) -> tuple[Any, list[CapturedFile]]:
    payload: Any = None
    files: list[CapturedFile] = []
    for options, _headers, value in form._fields:
        name = options.get("name", "")
        if name == "payload_json":
            payload = json.loads(value if isinstance(value, str) else value.read())
        elif name.startswith("files["):
            data = value.read() if hasattr(value, "read") else bytes(value)
            files.append(CapturedFile(options.get("filename", name), data))
    return payload, files


class FakeDiscordHTTP:
    """Stands in for the aiohttp session of discord.py's HTTP client: answers the REST routes a bot
    uses to reply, and records every request.

    :attr:`failure` makes it refuse requests the way Discord can: a function of the request that gives
    an error status to answer with, or None to answer normally. ``lambda r: 503 if r.files else None``
    refuses every upload (discord.py retries a 500 five times, for 25 s, then raises the same
    ``DiscordServerError`` that a 503 raises at once)."""

    def __init__(self, bot_user: dict[str, Any]):
        self.bot_user = bot_user
        self.requests: list[CapturedRequest] = []
        self.sent: list[SentMessage] = []
        self.cdn: dict[str, bytes] = {}
        self.fetched: list[str] = []  # every URL the bot downloaded (attachments)
        self.missing_messages: set[str] = set()  # message ids whose edits are answered 404 (deleted)
        self._ids = itertools.count(2_000_000_000_000_000)
        self.originals: dict[str, str] = {}  # interaction token → id of its immediate response
        self.closed = False
        # Set by the harness around each message it delivers: what the bot sends while handling it is
        # tagged with it, so concurrent conversations each get their own replies.
        self.origin: contextvars.ContextVar[str | None] = contextvars.ContextVar("origin", default=None)
        self.failure: Callable[[CapturedRequest], int | None] | None = None

    def next_id(self) -> int:
        return next(self._ids)

    async def close(self) -> None:
        self.closed = True

    def get(self, url: str, **kwargs: Any) -> _FakeResponse:
        self.fetched.append(str(url))
        data = self.cdn.get(url.split("?")[0])
        return _FakeResponse(200 if data is not None else 404, data if data is not None else b"",
                             "application/octet-stream")

    def request(self, method: str, url: str, **kwargs: Any) -> _FakeResponse:
        path = re.sub(r"^https?://[^/]+/api/v\d+", "", str(url))
        data = kwargs.get("data")
        files: list[CapturedFile] = []
        if isinstance(data, aiohttp.FormData):
            body, files = _form_fields(data)
        elif isinstance(data, (str, bytes)) and data:
            body = json.loads(data)
        else:
            body = kwargs.get("json")
        params = dict(kwargs.get("params") or {})
        captured = CapturedRequest(method, path.split("?")[0], params, body, files)
        self.requests.append(captured)
        status = self.failure(captured) if self.failure is not None else None
        if status:
            return _FakeResponse(status, {"message": f"the fake refused {method} {captured.path}", "code": 0})
        return self._answer(method, path.split("?")[0], body or {}, files)

    def _message(self, channel_id: str, body: dict[str, Any], files: list[CapturedFile], kind: str) -> dict:
        message_id = str(self.next_id())
        embeds = list(body.get("embeds") or [])
        self.sent.append(SentMessage(message_id, channel_id, body.get("content") or "", files,
                                     body.get("allowed_mentions"), kind=kind, embeds=embeds,
                                     origin=self.origin.get(), flags=int(body.get("flags") or 0)))
        return {
            "id": message_id, "channel_id": channel_id, "content": body.get("content") or "",
            "author": self.bot_user, "timestamp": _now(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "embeds": embeds, "pinned": False,
            "type": 0, "flags": 0,
            "attachments": [{"id": str(self.next_id()), "filename": f.filename, "size": len(f.data),
                             "url": f"{CDN}/{channel_id}/{f.filename}", "proxy_url": ""} for f in files],
        }

    def _edit(self, message_id: str, channel_id: str, body: dict[str, Any]) -> dict:
        for message in self.sent:
            if message.id == message_id:
                message.edits.append(body.get("content") or "")
                channel_id = message.channel_id
        return {"id": message_id, "channel_id": channel_id, "content": body.get("content") or "",
                "author": self.bot_user, "timestamp": _now(), "edited_timestamp": _now(), "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "embeds": [], "pinned": False,
                "type": 0, "flags": 0, "attachments": []}

    def _answer(self, method: str, path: str, body: dict[str, Any], files: list[CapturedFile]) -> _FakeResponse:
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 3 and parts[0] == "channels" and parts[2] == "messages":
            return _FakeResponse(200, self._message(parts[1], body, files, "message"))
        if method == "PATCH" and len(parts) == 4 and parts[0] == "channels" and parts[2] == "messages":
            if parts[3] in self.missing_messages:
                return _FakeResponse(404, {"message": "Unknown Message", "code": 10008})
            return _FakeResponse(200, self._edit(parts[3], parts[1], body))
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            resource: dict[str, Any] = {"type": body.get("type", 4)}
            if body.get("type") == 4:  # an immediate response: a message
                resource["message"] = self._message(str(CHANNEL_ID), body.get("data") or {}, files, "response")
                self.originals[parts[2]] = resource["message"]["id"]
            return _FakeResponse(200, {
                "interaction": {"id": parts[1], "type": 2,
                                "response_message_id": resource["message"]["id"] if "message" in resource else None,
                                "response_message_loading": body.get("type") == 5,
                                "response_message_ephemeral": False, "activity_instance_id": None},
                "resource": resource,
            })
        if parts[0] == "webhooks" and len(parts) == 5 and parts[4] == "@original":
            parts[4] = self.originals.get(parts[2], "@original")
        if method == "DELETE" and parts[0] == "webhooks" and len(parts) == 5:
            return _FakeResponse(204, None, "text/plain")
        if method == "POST" and parts[0] == "webhooks" and len(parts) == 3:
            return _FakeResponse(200, self._message(str(CHANNEL_ID), body, files, "followup"))
        if method == "PATCH" and parts[0] == "webhooks" and len(parts) == 5:
            return _FakeResponse(200, self._edit(parts[4], str(CHANNEL_ID), body))
        if method == "POST" and parts[:1] == ["channels"] and parts[-1] == "typing":
            return _FakeResponse(204, None)
        if method == "PUT" and parts[0] == "applications":  # slash command sync
            return _FakeResponse(200, [])
        return _FakeResponse(404, {"message": f"the fake does not know {method} {path}", "code": 0})


# --- conversations --------------------------------------------------------------------------------


@dataclass
class Exchange:
    """What the bot sent in answer to one message or interaction."""

    messages: list[SentMessage]

    @property
    def content(self) -> str:
        return "\n".join(m.text for m in self.messages)

    @property
    def files(self) -> list[CapturedFile]:
        return [f for m in self.messages for f in m.files]

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The embeds sent, as Discord's JSON (title, description, color, fields, footer, image...)."""
        return [e for m in self.messages for e in m.embeds]

    def __str__(self) -> str:
        return self.content


class FakeVoiceClient(discord.VoiceProtocol):
    """A voice connection at discord.py's boundary (its ``VoiceProtocol`` extension point, which
    ``channel.connect(cls=...)`` takes): no voice server, but a played source is read to its end, 20 ms
    packet by packet, in a thread as discord.py's AudioPlayer does, and recorded in :attr:`played`.
    Set :attr:`packet_seconds` to 0.02 to play in real time as Discord does (a test that must catch
    something still playing); by default packets are read as fast as they decode."""

    packet_seconds = 0.0

    def __init__(self, client: Any, channel: Any):
        super().__init__(client, channel)
        self.connected = False
        self.self_deaf: bool | None = None
        self.played: list[int] = []  # packets read from each source, in the order they were played
        self._source: discord.AudioSource | None = None
        self._stop = threading.Event()

    async def connect(self, *, timeout: float, reconnect: bool, self_deaf: bool = False,
                      self_mute: bool = False) -> None:
        self.connected, self.self_deaf = True, self_deaf

    async def disconnect(self, *, force: bool = False) -> None:
        self.stop()
        if self.channel is not None and self.client is not None:
            self.cleanup()  # forgets this connection in discord.py's state, as VoiceClient does
        self.connected = False

    async def move_to(self, channel: Any, *, timeout: float | None = 30.0) -> None:
        self.channel = channel

    def is_connected(self) -> bool:
        return self.connected

    def is_playing(self) -> bool:
        return self._source is not None

    def stop(self) -> None:
        self._stop.set()

    def play(self, source: discord.AudioSource, *, after: Any = None, **options: Any) -> None:
        if self._source is not None:
            raise discord.ClientException("Already playing audio.")  # what VoiceClient.play raises
        self._source = source
        self._stop.clear()

        def run() -> None:
            packets = 0
            while not self._stop.is_set() and source.read():
                packets += 1
                if self.packet_seconds:
                    self._stop.wait(self.packet_seconds)
            source.cleanup()
            self.played.append(packets)
            self._source = None
            if after is not None:
                after(None)

        threading.Thread(target=run, name="fake-voice-player", daemon=True).start()


class BotHarness:
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
        spec = load_spec(Path(spec_path), templates_dir=Path(templates_dir) if templates_dir else None)
        factories = {k: v for k, v in (("model_factory", model_factory), ("voice_factory", voice_factory)) if v}
        services = build_services(spec, Path(data_dir), **factories)
        return cls(build_app(spec, services))

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
        await self.app.start(self.bot.outbox_for)
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
            guild = discord.Guild(data=self._guild_payload(guild_id), state=state)
            state._add_guild(guild)
            self.guilds[guild_id] = guild
        return guild

    @staticmethod
    def channel_of(guild_id: int) -> int:
        """The text channel of server ``guild_id`` (CHANNEL_ID on the default server)."""
        return CHANNEL_ID if guild_id == GUILD_ID else guild_id + 2

    @staticmethod
    def voice_channel_of(guild_id: int) -> int:
        return VOICE_CHANNEL_ID if guild_id == GUILD_ID else guild_id + 3

    def services_of(self, guild_id: int | None = GUILD_ID) -> Any:
        """The services as server ``guild_id`` sees them (its storage rows, its files, its model);
        None: as a direct message does."""
        place = discord_place(guild_id, self.channel_of(guild_id) if guild_id else 0)
        return self.app.dispatcher.services_at(place, _NOBODY)

    def data_folder(self, guild_id: int | None = GUILD_ID) -> Path:
        """Where server ``guild_id``'s files are (each server has its own part of the data folder)."""
        return self.services_of(guild_id).data.root

    def _guild_payload(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
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
                {"id": str(self.channel_of(guild_id)), "type": 0, "name": "general", "position": 0,
                 "permission_overwrites": []},
                {"id": str(self.voice_channel_of(guild_id)), "type": 2, "name": "Voice", "position": 1,
                 "permission_overwrites": [], "bitrate": 64000, "user_limit": 0},
            ],
            "members": [{"user": self.http.bot_user, "roles": [], "joined_at": _now(), "deaf": False, "flags": 0,
                         "mute": False}],
            "voice_states": [],
        }

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
                  "joined_at": _now(), "deaf": False, "mute": False, "flags": 0}
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
        """Deliver a message from a user to the bot and return what the bot sent in answer. ``guild``:
        the server it is sent on (its general channel); ``dm=True``: a direct message instead."""
        state = self.bot._connection
        before = len(self.http.sent)
        message_id = self.next_id()
        if mention_bot:
            content = f"<@{BOT_ID}> {content}"
        payload: dict[str, Any] = {
            "id": str(message_id), "content": content, "author": user_payload(user_id, author),
            "timestamp": _now(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
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
                    with_channel: bool = True, **options: Any) -> Exchange:
        """Run the slash command ``/name`` with ``options`` (argument name → value) on server ``guild``
        and return the interaction's answer (its immediate response, or a deferred response's
        follow-ups). ``with_channel=False``: the interaction has no channel object (discord.py's
        ``channel`` is None)."""
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
            "locale": "ru", "guild_locale": "ru", "app_permissions": str(discord.Permissions.all().value),
            "entitlements": [], "authorizing_integration_owners": {}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": {"id": str(self.next_id()), "name": command.name, "type": 1, "options": option_payloads,
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
