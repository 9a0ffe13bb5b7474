"""The spec's needs (hypotez.declaration.needs) in Discord's terms: an invite URL asking for the
permissions, and the start-up messages when Discord refuses an intent or a server did not give the bot
a permission, naming the commands that cannot work."""

from __future__ import annotations

import discord

from hypotez.declaration.needs import PRIVILEGED_INTENTS, Needs

PORTAL = "https://discord.com/developers/applications"
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
    return (f"Discord refused the Message Content intent, which these need: "
            f"{listing(needs.affected(['message_content']))}. Enable it at {PORTAL} → your application → Bot → "
            "Privileged Gateway Intents → Message Content Intent, then start the bot again.")


def missing_permissions(needs: Needs, granted: discord.Permissions) -> list[str]:
    return [name for name in needs.permissions if not getattr(granted, name, False)]


def missing_permissions_message(needs: Needs, server: str, missing: list[str], client_id: int | None) -> str:
    again = f" or invite it again: {invite_url(needs, client_id)}" if client_id else ""
    return (f"on server {server} the bot lacks the permissions {', '.join(missing)}, so these cannot work there: "
            f"{listing(needs.affected(missing))}. Give the bot's role those permissions (Server Settings → "
            f"Roles){again}")
