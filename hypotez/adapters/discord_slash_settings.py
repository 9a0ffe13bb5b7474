"""Discord's own settings of a slash command, from the spec: who sees it by default, where it is offered
and how the bot may be installed for it, NSFW; and option ranges as ``app_commands.Range``, so Discord's
client refuses a number or a text out of range before it is sent (the pipeline checks them again: a
spec's rules hold for the prefix form and for any client)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from hypotez.declaration.model import ArgumentSpec
from hypotez.declaration.model_groups import DiscordSideSpec

# Discord's bounds of an option's min_value/max_value (±2^53) and min_length/max_length (0-6000).
NUMBER_BOUND = 2 ** 53
TEXT_BOUND = 6000
_RANGED = {"integer": int, "number": float, "text": str}


def apply_discord_side(command: app_commands.Command[Any, ..., Any] | app_commands.Group,
                       side: DiscordSideSpec | None) -> None:
    """Set ``side`` on a top-level command or group (discord.py sends these only for top-level ones)."""
    if side is None:
        return
    if side.default_permissions:
        command.default_permissions = discord.Permissions(**{name: True for name in side.default_permissions})
    if side.contexts:
        command.allowed_contexts = app_commands.AppCommandContext(
            guild="guild" in side.contexts, dm_channel="dm" in side.contexts,
            private_channel="private_channel" in side.contexts)
    if side.installs:
        command.allowed_installs = app_commands.AppInstallationType(
            guild="guild" in side.installs, user="user" in side.installs)
    command.nsfw = side.nsfw


def ranged(argument: ArgumentSpec, annotation: Any) -> Any:
    """``annotation`` as ``app_commands.Range[type, low, high]`` when the argument's rules bound it."""
    kind = _RANGED.get(argument.type)
    if kind is None or argument.choices:
        return annotation
    rules = argument.rules
    if kind is str:
        low, high = rules.get("minLength"), rules.get("maxLength")
        if low is None and high is None:
            return annotation
        return app_commands.Range[str, min(int(low or 0), TEXT_BOUND), min(int(high or TEXT_BOUND), TEXT_BOUND)]
    low, high = rules.get("minimum"), rules.get("maximum")
    if kind is int:  # an exclusive bound of a whole number is the next whole number inside it
        if rules.get("exclusiveMinimum") is not None:
            low = max(low if low is not None else -NUMBER_BOUND, int(rules["exclusiveMinimum"]) + 1)
        if rules.get("exclusiveMaximum") is not None:
            high = min(high if high is not None else NUMBER_BOUND, int(rules["exclusiveMaximum"]) - 1)
    if low is None and high is None:
        return annotation
    return app_commands.Range[kind, kind(low) if low is not None else None,  # type: ignore[valid-type]
                              kind(high) if high is not None else None]
