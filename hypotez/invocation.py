"""What a handler receives (an :class:`Invocation`) and what it returns (a :class:`Response`).

Adapters (Discord, console, tests) build these; handlers never see a discord.py object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from hypotez.opened import Attachable, OpenedFile

__all__ = ["Attachment", "Author", "ChannelRef", "Invocation", "MemberRef", "OpenedFile", "Outbox", "Place",
           "Resolver", "Response", "SentMessage"]

if TYPE_CHECKING:
    from hypotez.services import Services
    from hypotez.declaration.model import CommandSpec, Spec


# Author and Place are made for every message: plain slotted dataclasses, since a frozen one costs
# several times more to build (each field goes through object.__setattr__). Treat them as read-only.
@dataclass(slots=True)
class Author:
    id: str
    name: str
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    # Discord permission names as discord.py spells them: "administrator", "manage_guild", ...
    permissions: frozenset[str] = frozenset()
    is_bot: bool = False
    voice_channel_id: str | None = None
    voice_channel_name: str | None = None

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


@dataclass(slots=True)
class Place:
    channel_id: str
    channel_name: str = ""
    guild_id: str | None = None
    guild_name: str | None = None

    @property
    def is_dm(self) -> bool:
        return self.guild_id is None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to the message. ``read`` fetches its bytes (off the event loop)."""

    filename: str
    size: int
    content_type: str | None
    url: str
    read: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class MemberRef:
    id: str
    name: str
    display_name: str = ""
    mention: str = ""


@dataclass(frozen=True, slots=True)
class ChannelRef:
    id: str
    name: str
    mention: str = ""


class SentMessage(Protocol):
    """A message the bot has sent and may edit later (progress reports)."""

    id: str

    async def edit(self, text: str) -> None: ...


class Outbox(Protocol):
    """Where a handler can post messages after it has returned (training progress, results)."""

    async def send(self, text: str, files: "list[Attachable] | None" = None) -> SentMessage: ...

    def message(self, message_id: str) -> SentMessage:
        """A message sent earlier in this channel, to edit (a resumed job's progress message)."""
        ...


class Resolver(Protocol):
    """Finds members and channels named by users; each adapter provides one."""

    def member(self, text: str) -> MemberRef | None: ...

    def channel(self, text: str) -> ChannelRef | None: ...


@dataclass(slots=True)
class Response:
    """What a handler returns: data for a template, which of the command's templates to use,
    and files to attach. A handler may also return a plain dict (the data) or None."""

    data: dict[str, Any] = field(default_factory=dict)
    template: str | None = None  # key in the command's `reply` mapping; None = the default one
    files: list[Path | OpenedFile] = field(default_factory=list)
    # Remember this answer so `!correct <message id>` can find it (conversational answers).
    remember_as_answer: bool = False
    prompt: str | None = None
    # Nothing to send: the handler has already posted its messages through the outbox.
    silent: bool = False


@dataclass(slots=True)
class Invocation:
    command: "CommandSpec"
    author: Author
    place: Place
    services: "Services"
    language: str
    message_id: str | None = None
    # The message this one replies to (Discord "reply"), used e.g. by !correct without an id.
    reference_id: str | None = None
    content: str = ""
    attachments: tuple[Attachment, ...] = ()
    outbox: Outbox | None = None
    # Adapter-provided voice abilities (join/leave/play); None where the adapter has no voice.
    voice: Any = None
    # Renders another of the command's templates (progress messages sent through the outbox); set by
    # the pipeline. It takes the invocation as an argument rather than closing over it: a closure would
    # make a reference cycle, and every invocation would then wait for the garbage collector.
    renderer: "Callable[[Invocation, str | None, dict[str, Any]], str] | None" = None
    # The whole spec (the help command lists the commands from it).
    spec: "Spec | None" = None
    extras: dict[str, Any] = field(default_factory=dict)

    def word(self, reason: Any) -> Any:
        """``reason`` in the reply's language (a Reason from the catalogs; plain text as it is). For
        reasons a handler puts in its reply data: error replies are worded by the pipeline itself."""
        return self.services.word(reason, self.language)

    @property
    def can_render(self) -> bool:
        return self.renderer is not None

    def render(self, key: str | None, data: dict[str, Any]) -> str:
        """The text of the command's template for outcome ``key``, rendered with ``data``."""
        if self.renderer is None:
            raise LookupError("this invocation was made without a renderer")
        return self.renderer(self, key, data)
