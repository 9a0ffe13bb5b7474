"""Command groups on the bot: one prefix command per top-level group (``!tag``), which hands the whole
message to the dispatcher to resolve (``!tag add x`` → ``tag add``), and one ``app_commands.Group`` per
top-level group for the slash form, with subcommand groups one level deeper (``/config role set``)."""

from __future__ import annotations

from typing import Any, Callable

from discord import app_commands
from discord.ext import commands

from hypotez.adapters.discord_inbound import request_from_message
from hypotez.adapters.discord_slash_settings import apply_discord_side
from hypotez.adapters.discord_translator import localized
from hypotez.declaration.model import CommandSpec, Spec
from hypotez.declaration.model_groups import GroupSpec

SlashBuilder = Callable[[CommandSpec], app_commands.Command[Any, ..., Any]]
DESCRIPTION_MAX = 100


def group_prefix_command(group: GroupSpec) -> commands.Command[Any, ..., Any]:
    async def callback(ctx: commands.Context[Any]) -> None:
        bot: Any = ctx.bot  # the HypotezBot: its app's dispatcher is the current one (after a reload too)
        request = request_from_message(bot, ctx.message)
        reply = await bot.app.dispatcher.handle_message(request)
        if reply is not None:
            await bot.deliver(ctx.channel.send, reply, request)

    return commands.Command(callback, name=group.name, help=group.description)


def slash_group(spec: Spec, group: GroupSpec, slash: SlashBuilder,
                parent: app_commands.Group | None = None) -> app_commands.Group | None:
    """The slash form of ``group`` and what is under it, or None when none of it is a slash command."""
    description = " ".join(group.description.split())[:DESCRIPTION_MAX] or "…"
    words = group.localized
    built = app_commands.Group(name=localized(group.name.rpartition(" ")[2], words and words.names),
                               description=localized(description, words and words.descriptions,
                                                     lambda text: " ".join(text.split())[:DESCRIPTION_MAX]),
                               parent=parent)
    leaves = {c.name: c for c in spec.commands}
    for child in group.child_names():
        if child in spec.groups:
            if spec.groups[child].slash:  # discord.py adds a group made with a parent to that parent
                slash_group(spec, spec.groups[child], slash, built)
        elif child in leaves and leaves[child].slash:
            built.add_command(slash(leaves[child]))
    if not built.commands:
        if parent is not None:
            parent.remove_command(built.name)
        return None
    if parent is None:
        apply_discord_side(built, group.discord)
    return built


def install_groups(bot: commands.Bot, spec: Spec, slash: SlashBuilder) -> None:
    for group in spec.groups.values():
        if group.depth != 1:
            continue
        bot.add_command(group_prefix_command(group))
        built = slash_group(spec, group, slash) if group.slash else None
        if built is not None:
            bot.tree.add_command(built)
