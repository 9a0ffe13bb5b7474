"""What every reply template can use, besides the command's arguments and its handler's data.

One place defines it: the pipeline fills it in, and the spec checks use the names to catch a
misspelt ``{{ usr }}`` at validate time instead of when someone runs the command.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypotez.invocation import Invocation

# name → what it is (the guide and `hypotez new command` show these).
SCOPE = {
    "user": "the caller's display name",
    "user_id": "the caller's id",
    "caller": "the caller: caller.name, caller.display_name, caller.id, caller.mention, caller.roles",
    "channel": "the channel's name",
    "channel_id": "the channel's id",
    "server": "the server's name (empty in direct messages)",
    "server_id": "the server's id (empty in direct messages)",
    "now": "the current date and time (UTC), e.g. now.strftime('%d.%m.%Y')",
    "date": "today's date (UTC), e.g. 2026-11-25",
    "time": "the current time (UTC), e.g. 14:05",
    "command": "the command's name",
    "prefix": "the command prefix, e.g. !",
    "bot": "the bot's name",
    "language": "the language of the reply, e.g. en",
}


def base_scope(prefix: str, bot: str, language: str) -> dict[str, Any]:
    return {"prefix": prefix, "bot": bot, "language": language}


def invocation_scope(invocation: "Invocation", now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    author, place = invocation.author, invocation.place
    caller = {"id": author.id, "name": author.name, "display_name": author.shown_name,
              "mention": f"<@{author.id}>" if author.id.isdigit() else f"@{author.name}",
              "roles": sorted(author.roles)}
    return {
        "user": author.shown_name, "user_id": author.id, "caller": caller,
        "channel": place.channel_name, "channel_id": place.channel_id,
        "server": place.guild_name or "", "server_id": place.guild_id or "",
        "now": now, "date": now.date().isoformat(), "time": now.strftime("%H:%M"),
        "command": invocation.command.name,
    }
