"""What comes in with a message, as every adapter describes it: who sent it (:class:`Author`), where
(:class:`Place`), the files attached (:class:`Attachment`), the members and channels it names. Plain data:
this module imports nothing of hypotez (the pipeline, tenancy and the services all read these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable


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


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What templates may show of a server besides its name and id (``server.member_count``...), as the
    adapter knows it. Gathered only when a template asks (:attr:`Place.facts`)."""

    member_count: int = 0
    owner: "MemberRef | None" = None
    icon: str = ""  # the icon's link, empty without one
    created: datetime | None = None
    description: str = ""
    boosts: int = 0
    boost_level: int = 0


@dataclass(slots=True)
class Place:
    channel_id: str
    channel_name: str = ""
    guild_id: str | None = None
    guild_name: str | None = None
    # Gathers the server's facts, called only when a template reads them (most replies do not).
    facts: Callable[[], ServerFacts] | None = None

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
