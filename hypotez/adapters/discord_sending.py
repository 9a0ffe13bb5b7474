"""Sending to Discord: text split at 2,000 characters with files and embeds on the first part, every
mention disabled (a user's ``@everyone`` never pings anyone), and messages a handler may edit later."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any, Callable, Sequence

import discord

from hypotez.embeds import EmbedData
from hypotez.invocation import OpenedFile
from hypotez.outgoing import Attachable, FileData
from hypotez.redaction import Redactor
from hypotez.text import DISCORD_LIMIT, split_message

NO_MENTIONS = discord.AllowedMentions.none()
# discord.py waits out a 429 and tries again, five times in all, then gives up. A bot hitting Discord's
# global limit in a burst can be refused more often than that, and a reply is not something to drop:
# a refused request was not carried out, so sending it again cannot post it twice.
LIMITED_RETRIES = 3
LONGEST_WAIT = 10.0  # seconds: a longer limit is an outage, reported as a failed reply

log = logging.getLogger("hypotez.discord")


class DiscordSent:
    """A sent message the handler may edit later (training progress)."""

    def __init__(self, message: discord.Message | discord.WebhookMessage, redact: Redactor | None = None):
        self.message = message
        self.id = str(message.id)
        self.redact = Redactor() if redact is None else redact

    async def edit(self, text: str) -> None:
        await self.message.edit(content=self.redact(text)[:DISCORD_LIMIT], allowed_mentions=NO_MENTIONS)


class DiscordOutbox:
    def __init__(self, channel: discord.abc.Messageable, redact: Redactor | None = None):
        self.channel = channel
        self.redact = Redactor() if redact is None else redact

    async def send(self, text: str, files: list[Attachable] | None = None) -> DiscordSent:
        messages = await send_parts(self.channel.send, self.redact(text), files or [])
        return DiscordSent(messages[-1], self.redact)

    def message(self, message_id: str) -> DiscordSent:
        get = getattr(self.channel, "get_partial_message", None)
        if get is None:  # an interaction's follow-up webhook: its messages are edited through it
            raise LookupError("this outbox cannot reach earlier messages")
        return DiscordSent(get(int(message_id)), self.redact)


def discord_embed(data: EmbedData) -> discord.Embed:
    """hypotez's embed data → a real discord.Embed (limits were checked when it was rendered)."""
    embed = discord.Embed(title=data.title or None, description=data.description or None, url=data.url or None,
                          colour=data.color)
    for item in data.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if data.footer:
        embed.set_footer(text=data.footer)
    if data.image:
        embed.set_image(url=data.image)
    if data.thumbnail:
        embed.set_thumbnail(url=data.thumbnail)
    return embed


def discord_file(item: Attachable) -> discord.File:
    """A file to upload: an opened file from its stream (what was checked when it was opened), one made
    in memory (a long answer as text) from its bytes, a path by name."""
    if isinstance(item, OpenedFile):
        item.stream.seek(0)  # from its start, also when a refused send is sent again
        return discord.File(item.stream, filename=item.name)
    if isinstance(item, FileData):
        return discord.File(io.BytesIO(item.data), filename=item.filename)
    return discord.File(str(item), filename=item.name)


async def send_parts(send: Any, text: str, files: Sequence[Attachable], embeds: Sequence[EmbedData] = (),
                     sent: list[Any] | None = None, view: Any = None) -> list[Any]:
    """Send ``text`` split at Discord's limit, files and embeds on the first part, mentions disabled.
    Returns the messages sent; each is also appended to ``sent`` as soon as it is, so that when one
    fails the caller knows how many got through. Opened files are closed once sent (or once sending
    failed)."""
    sent = [] if sent is None else sent
    if not files and not embeds and view is None:
        parts = split_message(text)
        if len(parts) == 1:  # most replies: one message of text, sent without the general path's layers
            sent.append(await send_one(send, lambda: {"content": parts[0], "allowed_mentions": NO_MENTIONS}))
            return sent
    try:
        return await _send_parts(send, text, files, embeds, sent, view)
    finally:
        for item in files:
            if isinstance(item, OpenedFile):
                item.close()


async def _send_parts(send: Any, text: str, files: Sequence[Attachable], embeds: Sequence[EmbedData],
                      sent: list[Any], view: Any = None) -> list[Any]:
    parts = split_message(text) or [""]
    for index, part in enumerate(parts):
        def message(index: int = index, part: str = part) -> dict[str, Any]:
            kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
            if part:
                kwargs["content"] = part
            if index == 0 and files:  # discord.File objects are spent by a send: made anew for each try
                kwargs["files"] = [discord_file(item) for item in files]
            if index == 0 and embeds:
                kwargs["embeds"] = [discord_embed(embed) for embed in embeds]
            if index == len(parts) - 1 and view is not None:  # components go under the last part
                kwargs["view"] = view
            return kwargs

        if not part and not (index == 0 and (files or embeds)):
            continue
        sent.append(await send_one(send, message))
    return sent


async def send_one(send: Any, message: Callable[[], dict[str, Any]]) -> Any:
    """``send(**message())``, sent again (a new ``message()``) when Discord still refuses it with a 429
    after discord.py's own tries, up to LIMITED_RETRIES times."""
    retries = 0
    while True:
        try:
            return await send(**message())
        except discord.HTTPException as error:
            wait = limited_for(error)
            if wait is None or retries == LIMITED_RETRIES:
                raise
            retries += 1
            log.warning("Discord still rate-limits a message after discord.py's retries; sending it again in %.1f s",
                        wait)
            await asyncio.sleep(wait)


def limited_for(error: discord.HTTPException) -> float | None:
    """Seconds Discord asks to wait before a refused request is sent again; None when it was not a
    429, or the wait is longer than LONGEST_WAIT."""
    if error.status != 429:
        return None
    headers = getattr(error.response, "headers", None) or {}
    try:
        wait = float(headers.get("Retry-After", 1.0))
    except ValueError:
        wait = 1.0
    return wait if wait <= LONGEST_WAIT else None


