"""What every reply template can use, besides the command's arguments and its handler's data.

One place defines it: the pipeline fills it in, and the spec checks use the names and their shapes
(:data:`SHAPES`, hypotez.shapes) to catch a misspelt ``{{ usr }}`` or ``{{ caller.nmae }}`` at validate
time instead of when someone runs the command.

``caller``, ``server``, ``channel`` and ``server.owner`` are texts (a name: ``{{ server }}`` prints it,
``server == "console"`` compares it) that also carry attributes (``server.member_count``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Collection

from hypotez.incoming import MemberRef, ServerFacts

if TYPE_CHECKING:
    from hypotez.invocation import Invocation


class Member(str):
    """A person: their display name as text, with ``.name``, ``.display_name``, ``.id``, ``.mention``."""

    name: str
    display_name: str
    id: str
    mention: str

    def __new__(cls, id: str, name: str, display_name: str = "", mention: str = "") -> "Member":
        shown = display_name or name
        self = super().__new__(cls, shown)
        self.id, self.name, self.display_name = id, name, shown
        self.mention = mention or (f"<@{id}>" if id.isdigit() else f"@{name}" if name else "")
        return self


class Caller(Member):
    """Who wrote the message: a :class:`Member` with ``.roles`` (their role names, sorted)."""

    roles: list[str]

    def __new__(cls, id: str, name: str, display_name: str = "", roles: Collection[str] = ()) -> "Caller":
        self = super().__new__(cls, id, name, display_name)
        self.roles = sorted(roles)
        return self


class Channel(str):
    """Where the message was written: its name as text, with ``.name``, ``.id``, ``.mention``."""

    name: str
    id: str
    mention: str

    def __new__(cls, id: str, name: str) -> "Channel":
        self = super().__new__(cls, name)
        self.id, self.name = id, name
        self.mention = f"<#{id}>" if id.isdigit() else f"#{name}"
        return self


class Server(str):
    """The server: its name as text (empty in direct messages), with what moderators reach for."""

    name: str
    id: str
    member_count: int
    owner: Member
    icon: str
    created: datetime.datetime | None
    description: str
    boosts: int
    boost_level: int

    def __new__(cls, id: str, name: str, facts: ServerFacts | None = None) -> "Server":
        facts = facts or ServerFacts()
        self = super().__new__(cls, name)
        self.id, self.name = id, name
        owner = facts.owner or MemberRef(id="", name="")
        self.owner = Member(owner.id, owner.name, owner.display_name, owner.mention)
        self.member_count, self.icon, self.created = facts.member_count, facts.icon, facts.created
        self.description, self.boosts, self.boost_level = facts.description, facts.boosts, facts.boost_level
        return self


# name → what it holds (the guide and `hypotez new command` show these).
SCOPE = {
    "user": "the caller's display name",
    "user_id": "the caller's id",
    "caller": "the caller: caller.name, caller.display_name, caller.id, caller.mention, caller.roles",
    "channel": "the channel's name: channel.name, channel.id, channel.mention",
    "channel_id": "the channel's id",
    "server": "the server's name (empty in direct messages): server.member_count, server.owner, server.icon, "
              "server.created, server.description, server.boosts, server.boost_level, server.id",
    "server_id": "the server's id (empty in direct messages)",
    "now": "the current date and time (UTC), e.g. now | date",
    "date": "today's date (UTC), e.g. 2026-11-25",
    "time": "the current time (UTC), e.g. 14:05",
    "command": "the command's name",
    "prefix": "the command prefix, e.g. !",
    "bot": "the bot's name",
    "language": "the language of the reply, e.g. en",
}

# name → its shape, for the template checks.
SHAPES: dict[str, Any] = {
    "user": str, "user_id": str, "caller": Caller, "channel": Channel, "channel_id": str, "server": Server,
    "server_id": str, "now": datetime.datetime, "date": str, "time": str, "command": str, "prefix": str,
    "bot": str, "language": str,
}


# The names invocation_scope gives (base_scope gives the others).
INVOCATION_NAMES = frozenset(SHAPES) - {"prefix", "bot", "language"}
_CLOCK_NAMES = frozenset({"now", "date", "time"})


def base_scope(prefix: str, bot: str, language: str) -> dict[str, Any]:
    return {"prefix": prefix, "bot": bot, "language": language}


def invocation_scope(invocation: "Invocation", now: datetime.datetime | None = None,
                     names: Collection[str] | None = None) -> dict[str, Any]:
    """The scope of one invocation. ``names``: the names the template reads, when known: only those are
    made (a reply goes out on every message: ``{{ user }}`` need not cost the server's facts, the
    clock and the channel), and nothing for one that reads none of these names (``Привет, {{ name }}``
    reads the handler's data alone)."""
    if names is not None and INVOCATION_NAMES.isdisjoint(names):
        return {}
    wanted = INVOCATION_NAMES if names is None else INVOCATION_NAMES.intersection(names)
    author, place = invocation.author, invocation.place
    scope: dict[str, Any] = {}
    if "user" in wanted:
        scope["user"] = author.shown_name
    if "user_id" in wanted:
        scope["user_id"] = author.id
    if "caller" in wanted:
        scope["caller"] = Caller(author.id, author.name, author.display_name, author.roles)
    if "channel" in wanted:
        scope["channel"] = Channel(place.channel_id, place.channel_name)
    if "channel_id" in wanted:
        scope["channel_id"] = place.channel_id
    if "server" in wanted:
        scope["server"] = Server(place.guild_id or "", place.guild_name or "",
                                 place.facts() if place.facts is not None else None)
    if "server_id" in wanted:
        scope["server_id"] = place.guild_id or ""
    if not _CLOCK_NAMES.isdisjoint(wanted):
        now = now or datetime.datetime.now(datetime.timezone.utc)
        scope.update(now=now, date=now.date().isoformat(), time=now.strftime("%H:%M"))
    if "command" in wanted:
        scope["command"] = invocation.command.name
    return scope
