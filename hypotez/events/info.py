"""What event templates see of a member, a server and a channel: ``{{ member }}`` is the member's name and
``{{ member.mention }}`` their mention; ``{{ server }}`` the server's name and ``{{ server.member_count }}``
how many members it has; ``{{ channel }}`` the channel's name and ``{{ channel.mention }}`` a link to it,
as in commands' templates. Plain frozen objects: the sandbox reads their fields, nothing else."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from hypotez.incoming import Author, Place
from hypotez.scope import Channel


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: str
    name: str
    display_name: str = ""
    roles: tuple[str, ...] = ()

    @property
    def mention(self) -> str:
        return f"<@{self.id}>" if self.id.isdigit() else f"@{self.name}"

    def __str__(self) -> str:
        return self.display_name or self.name

    @classmethod
    def of(cls, author: Author) -> "MemberInfo":
        return cls(author.id, author.name, author.shown_name, tuple(sorted(author.roles)))


@dataclass(frozen=True, slots=True)
class ServerInfo:
    id: str
    name: str
    member_count: int | None = None

    def __str__(self) -> str:
        return self.name


def place_scope(place: Place, server: ServerInfo | None, now: datetime.datetime) -> dict[str, Any]:
    """The names every event text may read about where and when it happens."""
    return {"channel": Channel(place.channel_id, place.channel_name), "channel_id": place.channel_id,
            "server": server if server is not None else (place.guild_name or ""), "server_id": place.guild_id or "",
            "now": now, "date": now.date().isoformat(), "time": now.strftime("%H:%M")}


def member_scope(member: MemberInfo) -> dict[str, Any]:
    caller = {"id": member.id, "name": member.name, "display_name": str(member), "mention": member.mention,
              "roles": list(member.roles)}
    return {"user": str(member), "user_id": member.id, "caller": caller, "member": member}
