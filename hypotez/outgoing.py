"""What the bot sends back (:class:`OutgoingMessage`), and how much one answer may send: at most
:data:`MAX_MESSAGES` messages. A longer text goes as a text file (:class:`FileData`, made in memory,
never written to disk) with a short message saying so, so that no command, whoever runs it, floods a
channel.

The pipeline applies the rule to every reply and to what handlers post through their outbox, so it
holds the same way on Discord (prefix and slash), in the console and in tests. Nothing here imports
discord; the words come from the catalog of the reply's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence, Union

from hypotez.embeds import EmbedData
from hypotez.reasons import Catalog, Reason
from hypotez.services.datafolder import OpenedFile
from hypotez.text import DISCORD_LIMIT, split_message

MAX_MESSAGES = 5
REPLY_FILENAME = "reply.txt"


@dataclass(frozen=True, slots=True)
class FileData:
    """A file to attach that exists only in memory."""

    filename: str
    data: bytes

    @property
    def name(self) -> str:  # what Path.name is for a file on disk
        return self.filename


# A file to attach: one in the data folder (opened, as checked), one by its path, or one made in memory.
Attachable = Union[Path, FileData, OpenedFile]


class EditableMessage(Protocol):
    """A message the bot has sent and may edit later (progress reports)."""

    id: str

    async def edit(self, text: str) -> None: ...


class Outbox(Protocol):
    """Where a handler can post messages after it has returned (training progress, results)."""

    async def send(self, text: str, files: "list[Attachable] | None" = None) -> EditableMessage: ...

    def message(self, message_id: str) -> EditableMessage:
        """A message sent earlier in this channel, to edit (a resumed job's progress message)."""
        ...


@dataclass(slots=True)
class OutgoingMessage:
    """What to send back. ``prompt`` is set when the answer should be remembered for !correct.

    Every reply the dispatcher makes is in ``language`` and takes at most :data:`MAX_MESSAGES`
    messages: a longer text is attached as a text file, ``text`` is then a short message saying so and
    ``attached_text`` the answer itself."""

    text: str
    files: list[Attachable] = field(default_factory=list)
    is_error: bool = False
    error_kind: str | None = None  # an error reply's kind (metrics count them): bad_argument, internal_error...
    prompt: str | None = None
    embeds: list[EmbedData] = field(default_factory=list)
    language: str | None = None
    attached_text: str | None = None
    # Only the user sees it (slash commands and components; a message in a channel cannot be so).
    ephemeral: bool = False
    # Rows of buttons and select menus (hypotez.components.rendered.RenderedComponent).
    components: list = field(default_factory=list)

    @property
    def answer(self) -> str:
        """The whole answer, wherever it is sent (in the message, or in the attached file)."""
        return self.attached_text if self.attached_text is not None else self.text


def too_many_messages(text: str) -> bool:
    """Whether ``text`` takes more than :data:`MAX_MESSAGES` messages once split at Discord's limit."""
    return len(text) > DISCORD_LIMIT and len(split_message(text)) > MAX_MESSAGES


def text_file(text: str, filename: str = REPLY_FILENAME) -> FileData:
    return FileData(filename, text.encode("utf-8"))


def fit(text: str, files: Sequence[Attachable], catalog: Catalog) -> tuple[str, list[Attachable]] | None:
    """``text`` and ``files`` as they are sent when the text takes too many messages: a short message in
    ``catalog``'s language, with the text attached as :data:`REPLY_FILENAME`. None when it fits."""
    if not too_many_messages(text):
        return None
    summary = catalog.render(Reason("reply.attached", characters=len(text), filename=REPLY_FILENAME))
    return summary, [*files, text_file(text)]


def finish_reply(reply: OutgoingMessage, language: str, catalog: Catalog) -> OutgoingMessage:
    """``reply`` as adapters send it: in ``language`` (``catalog``'s), and at most a few messages long."""
    reply.language = language
    fitted = fit(reply.text, reply.files, catalog)
    if fitted is not None:
        reply.attached_text = reply.text
        reply.text, reply.files = fitted
    return reply


def not_sent_reply(problem: Reason, catalog: Catalog, language: str, *, files: Sequence[str] = (),
                   sent: int = 0) -> OutgoingMessage:
    """The text-only reply telling the user an answer could not be sent, and why (``problem``): with
    its files (``files``, their names; nothing of it was sent), or only in part (``sent`` messages of
    it got through)."""
    if sent:
        reason = Reason("reply.cut_off", sent=sent, problem=problem)
    elif files:
        reason = Reason("reply.not_sent_files", files=[f"`{name}`" for name in files], problem=problem)
    else:
        reason = Reason("reply.not_sent", problem=problem)
    return OutgoingMessage(text=catalog.render(reason), is_error=True, language=language)


class LimitedOutbox:
    """A handler's outbox whose messages follow the same rule as replies (training progress, results
    posted later)."""

    __slots__ = ("inner", "catalog")

    def __init__(self, inner: Outbox, catalog: Catalog):
        self.inner = inner
        self.catalog = catalog

    async def send(self, text: str, files: "list[Attachable] | None" = None) -> EditableMessage:
        fitted = fit(text, files or [], self.catalog)
        if fitted is not None:
            text, files = fitted
        return await self.inner.send(text, files)
