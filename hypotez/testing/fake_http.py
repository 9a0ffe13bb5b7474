"""The HTTP boundary of the offline harness: a stand-in for the aiohttp session of discord.py's HTTP
client, answering the REST routes a bot uses to reply and recording every request."""

from __future__ import annotations

import contextvars
import datetime
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp

from hypotez.testing.fake_http_events import EventsLedger, events_route
from hypotez.testing.payloads import CDN, CHANNEL_ID, timestamp



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
    components: list[dict[str, Any]] = field(default_factory=list)  # rows of buttons and selects (JSON)

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
        # Components: the forms (modals) the bot opened, by interaction id; the message each component
        # interaction was on (an "update message" response edits it); roles given and taken.
        self.modals: dict[str, dict[str, Any]] = {}
        self.interaction_messages: dict[str, str] = {}
        self.role_changes: list[tuple[str, str, str, str]] = []  # (PUT|DELETE, guild, user, role)
        self.events = EventsLedger()  # what the events' actions did (roles, reactions, deletions, DMs)

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
                                     origin=self.origin.get(), flags=int(body.get("flags") or 0),
                                     components=list(body.get("components") or [])))
        return {
            "id": message_id, "channel_id": channel_id, "content": body.get("content") or "",
            "author": self.bot_user, "timestamp": timestamp(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "embeds": embeds, "pinned": False,
            "type": 0, "flags": 0, "components": list(body.get("components") or []),
            "attachments": [{"id": str(self.next_id()), "filename": f.filename, "size": len(f.data),
                             "url": f"{CDN}/{channel_id}/{f.filename}", "proxy_url": ""} for f in files],
        }

    def _edit(self, message_id: str, channel_id: str, body: dict[str, Any]) -> dict:
        for message in self.sent:
            if message.id == message_id:
                message.edits.append(body.get("content") if body.get("content") is not None else message.text)
                if "components" in body:
                    message.components = list(body["components"] or [])
                channel_id = message.channel_id
        return {"id": message_id, "channel_id": channel_id, "content": body.get("content") or "",
                "author": self.bot_user, "timestamp": timestamp(), "edited_timestamp": timestamp(), "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "embeds": [], "pinned": False,
                "type": 0, "flags": 0, "attachments": []}

    def _answer(self, method: str, path: str, body: dict[str, Any], files: list[CapturedFile]) -> _FakeResponse:
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 3 and parts[0] == "channels" and parts[2] == "messages":
            nonce = str(body["nonce"]) if body.get("enforce_nonce") and body.get("nonce") is not None else None
            if nonce in self.events.nonces:  # Discord: the message already sent with this nonce, no new one
                return _FakeResponse(200, self.events.nonces[nonce])
            message = self._message(parts[1], body, files, "message")
            if nonce is not None:
                self.events.nonces[nonce] = message
            return _FakeResponse(200, message)
        if method == "PATCH" and len(parts) == 4 and parts[0] == "channels" and parts[2] == "messages":
            if parts[3] in self.missing_messages:
                return _FakeResponse(404, {"message": "Unknown Message", "code": 10008})
            return _FakeResponse(200, self._edit(parts[3], parts[1], body))
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            resource: dict[str, Any] = {"type": body.get("type", 4)}
            if body.get("type") == 4:  # an immediate response: a message
                resource["message"] = self._message(str(CHANNEL_ID), body.get("data") or {}, files, "response")
                self.originals[parts[2]] = resource["message"]["id"]
            elif body.get("type") == 7 and parts[1] in self.interaction_messages:  # update the pressed message
                resource["message"] = self._edit(self.interaction_messages[parts[1]], str(CHANNEL_ID),
                                                 body.get("data") or {})
            elif body.get("type") == 9:  # open a form
                self.modals[parts[1]] = body.get("data") or {}
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
        routed = events_route(self.events, method, parts, body, self.next_id, self.bot_user)
        if routed is not None and routed[0] == 204 and parts[0] == "guilds" and parts[4:5] == ["roles"]:
            self.role_changes.append((method, parts[1], parts[3], parts[5]))  # buttons' role toggles
        if routed is not None:
            return _FakeResponse(routed[0], routed[1], "application/json" if routed[1] is not None else "text/plain")
        return _FakeResponse(404, {"message": f"the fake does not know {method} {path}", "code": 0})



@dataclass
class Exchange:
    """What the bot sent in answer to one message or interaction."""

    messages: list[SentMessage]
    # The form (modal) the bot opened in answer, as Discord received it (title, custom_id, components).
    modal: dict[str, Any] | None = None

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
