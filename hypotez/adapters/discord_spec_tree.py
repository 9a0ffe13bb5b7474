"""The spec's slash commands as discord.py would send them to Discord, without running a bot: the same
builders start-up uses (discord_install) on a bot that never connects. ``hypotez sync``, ``hypotez
invite`` and the running bot's own sync all send what this gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from hypotez.adapters.discord_commands import prefix_command, slash_command
from hypotez.adapters.discord_install import builders, install_commands
from hypotez.adapters.discord_translator import use_spec_translator
from hypotez.declaration.model import Spec


@dataclass(frozen=True, slots=True)
class _SpecOnly:
    """What building the commands reads of a registry (its spec): handlers need not be imported to know
    what Discord is sent."""

    spec: Spec


async def offline_bot(spec: Spec) -> commands.Bot:
    """A bot carrying the spec's commands, translated as the running bot's; it is never logged in (its
    commands run nothing here)."""
    bot = commands.Bot(command_prefix=spec.settings.prefix, intents=discord.Intents.default(), help_command=None)
    install_commands(bot, _SpecOnly(spec), *builders(None, prefix_command, slash_command))  # type: ignore[arg-type]
    await use_spec_translator(bot.tree)
    return bot


async def tree_payloads(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """What ``tree.sync()`` would send: each command's payload, translated when the tree has a translator."""
    translator = tree.translator
    if translator is None:
        return [command.to_dict(tree) for command in tree.get_commands()]
    return [await command.get_translated_payload(tree, translator) for command in tree.get_commands()]
