"""What a handler receives (an :class:`Invocation`) and what it returns (a :class:`Response`).

Adapters (Discord, console, tests) build these; handlers never see a discord.py object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, Protocol, TypeVar

# What handlers read from an invocation, importable from here as before.
from hypotez.incoming import Attachment, Author, ChannelRef, MemberRef, Place
from hypotez.outgoing import EditableMessage, Outbox
from hypotez.services.datafolder import OpenedFile
from hypotez.reasons import builtin_catalog

if TYPE_CHECKING:
    from hypotez.services import Services
    from hypotez.declaration.model import CommandSpec, Spec
    from hypotez.reasons import Reasons

__all__ = ["Attachment", "Author", "ChannelRef", "EditableMessage", "Invocation", "MemberRef", "OpenedFile",
           "Outbox", "Place", "Resolver", "Response"]


class Resolver(Protocol):
    """Finds members and channels named by users; each adapter provides one."""

    def member(self, text: str) -> MemberRef | None: ...

    def channel(self, text: str) -> ChannelRef | None: ...


# The shape of a handler's data (a TypedDict): ``-> Response[Greeting]`` lets `validate` check every name
# the command's templates read against it (hypotez.registry.handler_data).
Data = TypeVar("Data")


@dataclass(slots=True)
class Response(Generic[Data]):
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
    # The reason catalogs of the registry this invocation runs on (set by the pipeline): a handler words a
    # Reason exactly as error replies do, and after a hot reload still with the catalogs it began with.
    reasons: "Reasons | None" = None
    extras: dict[str, Any] = field(default_factory=dict)

    def word(self, reason: Any) -> Any:
        """``reason`` in the reply's language (a Reason from the catalogs; plain text as it is). For
        reasons a handler puts in its reply data: error replies are worded by the pipeline itself."""
        catalog = self.reasons.catalog(self.language) if self.reasons is not None else builtin_catalog(self.language)
        return catalog.render(reason)

    @property
    def can_render(self) -> bool:
        return self.renderer is not None

    def render(self, key: str | None, data: dict[str, Any]) -> str:
        """The text of the command's template for outcome ``key``, rendered with ``data``."""
        if self.renderer is None:
            raise LookupError("this invocation was made without a renderer")
        return self.renderer(self, key, data)
