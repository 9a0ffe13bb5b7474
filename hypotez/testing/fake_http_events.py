"""The REST routes the events' actions use, for the harness's fake HTTP session: roles given and taken,
reactions, deleted messages, direct-message channels. Each is recorded in :attr:`EventsLedger` so tests
see what the bot did; :attr:`EventsLedger.refuse` makes Discord refuse one kind of action."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class EventsLedger:
    roles_added: list[tuple[str, str]] = field(default_factory=list)  # (user id, role id)
    roles_removed: list[tuple[str, str]] = field(default_factory=list)
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (message id, emoji)
    deleted: list[str] = field(default_factory=list)  # message ids
    dm_channels: dict[str, str] = field(default_factory=dict)  # channel id → user id
    # action kind ("role", "reaction", "delete", "dm") → the HTTP status Discord answers with instead
    refuse: dict[str, int] = field(default_factory=dict)
    # nonce → the message first sent with it: Discord answers a repeat (enforce_nonce) with that message
    nonces: dict[str, dict[str, Any]] = field(default_factory=dict)


def events_route(ledger: EventsLedger, method: str, parts: list[str], body: dict[str, Any],
                 next_id: Callable[[], int], bot_user: dict[str, Any]) -> tuple[int, Any] | None:
    """(status, JSON body) for an events route, or None when ``parts`` is not one."""
    if parts[:1] == ["guilds"] and len(parts) == 6 and parts[2] == "members" and parts[4] == "roles":
        if "role" in ledger.refuse:
            return ledger.refuse["role"], {"message": "Missing Permissions", "code": 50013}
        (ledger.roles_added if method == "PUT" else ledger.roles_removed).append((parts[3], parts[5]))
        return 204, None
    if parts[:1] == ["channels"] and len(parts) == 7 and parts[4] == "reactions" and method == "PUT":
        if "reaction" in ledger.refuse:
            return ledger.refuse["reaction"], {"message": "Missing Permissions", "code": 50013}
        ledger.reactions.append((parts[3], urllib.parse.unquote(parts[5])))
        return 204, None
    if parts[:1] == ["channels"] and len(parts) == 4 and parts[2] == "messages" and method == "DELETE":
        if "delete" in ledger.refuse:
            return ledger.refuse["delete"], {"message": "Missing Permissions", "code": 50013}
        ledger.deleted.append(parts[3])
        return 204, None
    if parts == ["users", "@me", "channels"] and method == "POST":
        if "dm" in ledger.refuse:
            return ledger.refuse["dm"], {"message": "Cannot send messages to this user", "code": 50007}
        channel_id = str(next_id())
        ledger.dm_channels[channel_id] = str(body.get("recipient_id"))
        return 200, {"id": channel_id, "type": 1, "last_message_id": None,
                     "recipients": [{"id": str(body.get("recipient_id")), "username": "member",
                                     "discriminator": "0", "avatar": None, "global_name": None}]}
    return None
