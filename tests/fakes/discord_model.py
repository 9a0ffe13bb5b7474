"""What the local Discord test server keeps: messages, files, interactions, injected faults and the
requests it received, and the constants of Discord's protocol it plays."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API = r"/api/v{version:\d+}"
GATEWAY_URL = "wss://gateway.discord.gg"
RESUME_GATEWAY_URL = "wss://gateway-us-east1-b.discord.gg"
CDN = "https://cdn.discordapp.com"
MESSAGE_CONTENT_INTENT = 1 << 15
MEMBERS_INTENT = 1 << 1
EPHEMERAL = 1 << 6  # message flag
# Every name discord.py may reach for a text bot; the certificate covers them all.
CERT_NAMES = ("discord.com", "*.discord.com", "discord.gg", "*.discord.gg", "discordapp.com", "*.discordapp.com",
              "discordapp.net", "*.discordapp.net")


class Op:
    DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
    REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", as Discord sends it: discord.py parses JSON only for that exact type.
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


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
    components: list[dict[str, Any]] = field(default_factory=list)  # rows of buttons and select menus

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
    message_id: str | None = None  # a component's interaction: the message the component is on
    modal: dict[str, Any] | None = None  # the form the bot opened in answer (callback type 9)

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
