"""Slash options with ``autocomplete:``: discord.py asks for suggestions as the user types, and gets
them from hypotez.autocomplete (the same rules as running the command: permissions, the server's own
files and values)."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import discord
from discord import app_commands

from hypotez.adapters.discord_inbound import author_of
from hypotez.adapters.discord_interactions import interaction_place
from hypotez.autocomplete import autocompleted, candidates
from hypotez.declaration.model import ArgumentSpec, CommandSpec

NAME_MAX = 100
_VALUE_TYPES: dict[str, Callable[[str], Any]] = {"integer": int, "number": float}


def _suggester(app: Any, command: CommandSpec, argument: ArgumentSpec
               ) -> Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[Any]]]]:
    convert = _VALUE_TYPES.get(argument.type, str)

    async def suggest(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[Any]]:
        values = await candidates(app.dispatcher, command, argument, author_of(interaction.user),
                                  interaction_place(interaction), str(current or ""))
        choices = []
        for value in values:
            try:
                choices.append(app_commands.Choice(name=value[:NAME_MAX], value=convert(value)))
            except ValueError:  # a suggestion that is not a number, for a number option: left out
                continue
        return choices

    return suggest


def attach_autocomplete(slash: app_commands.Command[Any, ..., Any], app: Any, command: CommandSpec) -> None:
    for argument in autocompleted(command):
        slash.autocomplete(argument.name)(_suggester(app, command, argument))
