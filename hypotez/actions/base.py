"""What an adapter does for actions (:class:`Actuator`), and how it says Discord refused (:class:`ActionRefused`).

An actuator is made for one event: it knows the server, the channel, the member and the message the
event is about, and checks the bot's own permissions and role hierarchy before it asks Discord."""

from __future__ import annotations

from typing import Protocol

from hypotez.errors import HypotezError
from hypotez.reasons import Reason


class ActionRefused(HypotezError):
    """An action that was not done, and why (a :class:`Reason`, worded per language)."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


class Actuator(Protocol):
    async def post(self, channel: str | None, text: str, nonce: str | None = None) -> bool:
        """Post ``text`` in ``channel`` (a name or an id; None: where the event happened). False when
        there is no such channel. ``nonce``: the same post sent twice is made once (Discord keeps the
        first message with a nonce for a few minutes and answers a repeat with it)."""

    def channel_named(self, channel: str) -> tuple[str, str] | None:
        """The id and name of the channel ``channel`` (a name or an id) names where the event happened,
        or None when there is none."""

    async def dm(self, text: str) -> None:
        """Send ``text`` to the member the event is about."""

    async def add_role(self, role: str) -> None: ...

    async def remove_role(self, role: str) -> None: ...

    async def delete_message(self) -> None: ...

    async def react(self, emoji: str) -> None: ...

    async def tell_admins(self, text: str) -> None:
        """Post in the spec's admin channel (bot.admin_channel), when it has one and the bot can."""
