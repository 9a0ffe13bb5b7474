"""Answering a slash command: at once when the reply is ready in time, deferred only for slow work.

Discord wants an interaction answered within 3 s. Most replies are ready in milliseconds: they go as
the interaction's immediate response (callback type 4), one API call, no "thinking…" flash, and the
only kind of response some servers accept. Work still running after :data:`DEFER_AFTER` seconds
(training, transcription) is deferred (type 5) and its reply sent as a follow-up. Messages a handler
posts while it runs (training progress) take the same path: the first message is the response, every
later one a follow-up, and each can be edited.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Awaitable, TypeVar

import discord

from hypotez.adapters.discord_inbound import server_facts
from hypotez.invocation import Place

log = logging.getLogger("hypotez.discord")

T = TypeVar("T")

# Seconds to wait for a reply before deferring; Discord's own limit for the first response is 3 s.
DEFER_AFTER = 2.0


def interaction_place(interaction: discord.Interaction) -> Place:
    """Where the interaction happened. ``interaction.channel`` is None when the server sent no channel
    object the bot could resolve; the server comes from the interaction's guild id even then."""
    channel = interaction.channel
    guild = interaction.guild
    return Place(channel_id=str(interaction.channel_id) if interaction.channel_id else "",
                 channel_name=getattr(channel, "name", None) or "",
                 guild_id=str(interaction.guild_id) if interaction.guild_id else None,
                 guild_name=guild.name if guild is not None else None,
                 facts=functools.partial(server_facts, guild) if guild is not None else None)


class InteractionAnswer:
    """Everything sent in answer to one interaction. The first message is the interaction's response
    (unless it was deferred); later ones are follow-ups. One per interaction (:meth:`of`), so the slash
    command, its handler's messages and the error handler agree on what was sent already."""

    _KEY = "hypotez.answer"

    def __init__(self, interaction: discord.Interaction):
        self.interaction = interaction
        # Responding is one step (is it done? then respond): messages sent at once must not both try it.
        self._lock = asyncio.Lock()
        # Deferred, and Discord still shows "thinking…": the next follow-up takes that message's place.
        self._thinking = False

    @classmethod
    def of(cls, interaction: discord.Interaction) -> "InteractionAnswer":
        answer = interaction.extras.get(cls._KEY)
        if answer is None:
            answer = interaction.extras[cls._KEY] = cls(interaction)
        return answer

    async def defer(self) -> None:
        """Show "thinking…" until the reply comes (Discord then allows 15 minutes), unless something has
        been sent already."""
        async with self._lock:
            if self.interaction.response.is_done():
                return
            try:
                await self.interaction.response.defer(thinking=True)
            except discord.HTTPException as error:
                # Some servers accept only an immediate response: the reply may still be in time for one.
                log.warning("could not defer the answer to interaction %s (it will be sent when ready): %s",
                            self.interaction.id, error)
                return
            self._thinking = True

    def sender(self, *, ephemeral: bool = False) -> Any:
        """A ``send(**kwargs)`` for :meth:`HypotezBot.deliver`; ``ephemeral``: only the user sees it."""
        async def send(**kwargs: Any) -> discord.InteractionMessage | discord.WebhookMessage:
            return await self.send(ephemeral=ephemeral, **kwargs)

        return send

    async def send(self, *, ephemeral: bool = False,
                   **kwargs: Any) -> discord.InteractionMessage | discord.WebhookMessage:
        """Send one message (``content``, ``files``, ``embeds``, ``allowed_mentions``); the sent message,
        which can be edited later. Also the ``send`` of a handler's outbox (see DiscordOutbox)."""
        async with self._lock:
            response = self.interaction.response
            if not response.is_done():
                callback = await response.send_message(ephemeral=ephemeral, **kwargs)
                if isinstance(callback.resource, discord.InteractionMessage):
                    return callback.resource
                return await self.interaction.original_response()  # a server that did not return it
            if self._thinking and ephemeral:
                # The first follow-up would fill in the "thinking…" message, which is not ephemeral:
                # take it away, so this message goes on its own and only the user sees it.
                try:
                    await self.interaction.delete_original_response()
                except discord.HTTPException as error:
                    log.debug("could not remove the deferred response of %s: %s", self.interaction.id, error)
            self._thinking = False
            return await self.interaction.followup.send(wait=True, ephemeral=ephemeral, **kwargs)


async def answer_in_time(answer: InteractionAnswer, work: Awaitable[T], defer_after: float = DEFER_AFTER) -> T:
    """Run ``work`` (the command); if it is not done within ``defer_after`` seconds and nothing has been
    sent yet, defer the answer. Its result, once done."""
    task = asyncio.ensure_future(work)
    try:
        finished, _ = await asyncio.wait({task}, timeout=defer_after)
        if not finished:
            await answer.defer()
        return await task
    finally:
        if not task.done():  # cancelled while waiting: the command goes with it
            task.cancel()
