"""The spec's needs (hypotez.declaration.needs) in Discord's terms: an invite URL asking for the
permissions, and the start-up messages when Discord refuses an intent or a server did not give the bot
a permission, naming the commands and events that cannot work."""

from __future__ import annotations

import discord

from hypotez.declaration.needs import PRIVILEGED_INTENTS, Needs

PORTAL = "https://discord.com/developers/applications"
PORTAL_NAMES = {"message_content": "Message Content", "members": "Server Members", "presences": "Presence"}
SCOPES = ("bot", "applications.commands")


def listing(items: list[str], most: int = 6) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def permissions_of(needs: Needs) -> discord.Permissions:
    return discord.Permissions(**{name: True for name in needs.permissions})


def invite_url(needs: Needs, client_id: int | str) -> str:
    return discord.utils.oauth_url(client_id, permissions=permissions_of(needs), scopes=SCOPES)


def describe_needs(needs: Needs) -> list[str]:
    lines = ["gateway intents:"]
    for intent, what in needs.intents.items():
        privileged = (f" (privileged: turn it on at {PORTAL} → your application → Bot → Privileged Gateway "
                      "Intents)") if intent in PRIVILEGED_INTENTS else ""
        lines.append(f"  {intent}{privileged} — {listing(what)}")
    lines.append(f"bot permissions (value {permissions_of(needs).value}):")
    lines += [f"  {name} — {listing(what)}" for name, what in needs.permissions.items()]
    return lines


def missing_intent_message(needs: Needs) -> str:
    """Discord refuses a privileged intent without saying which (close code 4014): the message names
    each one the bot asks for (message content always; server members for member events)."""
    asked = [name for name in PRIVILEGED_INTENTS if name in needs.intents] or ["message_content"]
    if len(asked) == 1:
        [name] = [PORTAL_NAMES[i] for i in asked]
        return (f"Discord refused the {name} intent, which these need: {listing(needs.affected(asked))}. "
                f"Enable it at {PORTAL} → your application → Bot → Privileged Gateway Intents → {name} Intent, "
                "then start the bot again.")
    which = "; ".join(f"{PORTAL_NAMES[i]}, which these need: {listing(needs.affected([i]))}" for i in asked)
    switches = " and ".join(f"{PORTAL_NAMES[i]} Intent" for i in asked)
    return (f"Discord refused a privileged intent the bot asks for: {which}. Enable them at {PORTAL} → your "
            f"application → Bot → Privileged Gateway Intents → {switches}, then start the bot again.")


def missing_permissions(needs: Needs, granted: discord.Permissions) -> list[str]:
    return [name for name in needs.permissions if not getattr(granted, name, False)]


def missing_permissions_message(needs: Needs, server: str, missing: list[str], client_id: int | None) -> str:
    again = f" or invite it again: {invite_url(needs, client_id)}" if client_id else ""
    return (f"on server {server} the bot lacks the permissions {', '.join(missing)}, so these cannot work there: "
            f"{listing(needs.affected(missing))}. Give the bot's role those permissions (Server Settings → "
            f"Roles){again}")
