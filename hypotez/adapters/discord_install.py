"""The bot's discord.py commands, built from the registry: the one place both start-up and a hot
reload put them on the bot (prefix commands, and slash commands for those that declare them)."""

from __future__ import annotations

from typing import Any, Callable

from discord import app_commands
from discord.ext import commands

from hypotez.adapters.discord_groups import install_groups
from hypotez.adapters.discord_components import context_menu_commands
from hypotez.declaration.model import CommandSpec
from hypotez.registry import Registry

PrefixBuilder = Callable[[CommandSpec], commands.Command]
SlashBuilder = Callable[[CommandSpec], app_commands.Command]


def install_commands(bot: commands.Bot, registry: Registry, prefix: PrefixBuilder, slash: SlashBuilder) -> None:
    """Replace ``bot``'s commands with those of ``registry`` (synchronously: no message is handled half-way
    through). ``prefix`` and ``slash`` build one discord.py command from a command of the spec."""
    settings = registry.spec.settings
    for command in list(bot.commands):
        bot.remove_command(command.name)
    bot.tree.clear_commands(guild=None)
    bot.command_prefix = settings.prefix
    for command_spec in registry.spec.commands:
        if command_spec.yaml_path:  # a group's subcommand: under its group (discord_groups)
            continue
        bot.add_command(prefix(command_spec))
        if command_spec.slash:
            bot.tree.add_command(slash(command_spec))
    install_groups(bot, registry.spec, slash)
    if getattr(bot, "app", None) is not None:  # context menus (hypotez.adapters.discord_components)
        for menu in context_menu_commands(bot.app):  # type: ignore[attr-defined]
            bot.tree.add_command(menu)


def builders(app: Any, prefix_command: Callable[..., Any], slash_command: Callable[..., Any]
             ) -> tuple[PrefixBuilder, SlashBuilder]:
    """The two builders for ``app`` from the adapter's ``prefix_command(app, spec)`` / ``slash_command``."""
    return (lambda spec: prefix_command(app, spec)), (lambda spec: slash_command(app, spec))
