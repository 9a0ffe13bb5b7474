"""What comes in with a message, as every adapter describes it: who sent it (:class:`Author`), where
(:class:`Place`), the files attached (:class:`Attachment`), the members and channels it names. Plain data:
this module imports nothing of hypotez (the pipeline, tenancy and the services all read these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable, NamedTuple


class MemberFacts(NamedTuple):
    """What an adapter works out about a message's author only when something reads it."""

    roles: frozenset[str]
    permissions: frozenset[str]
    voice_channel_id: str | None = None
    voice_channel_name: str | None = None


_NO_FACTS = MemberFacts(frozenset(), frozenset())


class Author:
    """Who sent a message. Made for every message, and read-only: :meth:`replace` makes a changed copy.

    ``roles`` (names), ``permissions`` (Discord permission names as discord.py spells them:
    "administrator", "manage_guild", ...) and the voice channel are given, or, with ``facts``, worked
    out by that function when first read: on Discord they cost more than the rest of a message's data,
    and most replies read none of them."""

    __slots__ = ("id", "name", "display_name", "is_bot", "_facts", "_known")

    def __init__(self, id: str, name: str, display_name: str = "", roles: frozenset[str] = frozenset(),
                 permissions: frozenset[str] = frozenset(), is_bot: bool = False,
                 voice_channel_id: str | None = None, voice_channel_name: str | None = None, *,
                 facts: Callable[[], MemberFacts] | None = None):
        self.id, self.name, self.display_name, self.is_bot = id, name, display_name, is_bot
        self._facts = facts
        self._known = _NO_FACTS if facts is not None else \
            MemberFacts(roles, permissions, voice_channel_id, voice_channel_name)

    def _read(self) -> MemberFacts:
        if self._facts is not None:
            self._known, self._facts = self._facts(), None
        return self._known

    @property
    def roles(self) -> frozenset[str]:
        return self._read().roles

    @property
    def permissions(self) -> frozenset[str]:
        return self._read().permissions

    @property
    def voice_channel_id(self) -> str | None:
        return self._read().voice_channel_id

    @property
    def voice_channel_name(self) -> str | None:
        return self._read().voice_channel_name

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name

    def _fields(self) -> dict[str, object]:
        facts = self._read()
        return {"id": self.id, "name": self.name, "display_name": self.display_name, "roles": facts.roles,
                "permissions": facts.permissions, "is_bot": self.is_bot,
                "voice_channel_id": facts.voice_channel_id, "voice_channel_name": facts.voice_channel_name}

    def replace(self, **changes: object) -> "Author":
        """A copy with ``changes`` (``roles=...``), as :func:`dataclasses.replace` makes one."""
        return Author(**{**self._fields(), **changes})  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Author) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, as the dataclass it replaces

    def __repr__(self) -> str:
        return "Author(" + ", ".join(f"{key}={value!r}" for key, value in self._fields().items()) + ")"


# Place is made for every message: a plain slotted dataclass, since a frozen one costs several times
# more to build (each field goes through object.__setattr__). Treat it as read-only.
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
