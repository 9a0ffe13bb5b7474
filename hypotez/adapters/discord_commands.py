"""The spec's commands as real discord.py commands: a prefix command and, when the spec asks for one,
a slash command per command. :func:`hypotez.adapters.discord_install.install_commands` puts them on a bot
(at start and after a reload)."""

from __future__ import annotations

import inspect
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from hypotez.adapters.discord_autocomplete import attach_autocomplete
from hypotez.adapters.discord_inbound import (DiscordResolver, attachment_of, author_of, channel_ref, member_ref,
                                              request_from_message)
from hypotez.adapters.discord_interactions import InteractionAnswer, answer_in_time, interaction_place
from hypotez.adapters.discord_sending import DiscordOutbox
from hypotez.adapters.discord_slash_settings import apply_discord_side, ranged
from hypotez.adapters.discord_translator import localized
from hypotez.app import App
from hypotez.attachments import AttachmentPolicy
from hypotez.declaration.model import ArgumentSpec, CommandSpec
from hypotez.pipeline import Request

SLASH_TYPES: dict[str, Any] = {
    "text": str, "integer": int, "number": float, "boolean": bool, "choice": str, "json": str, "list": str,
    "path": str,
    "attachment": discord.Attachment, "member": discord.Member, "channel": discord.abc.GuildChannel,
}


def prefix_command(app: App, spec: CommandSpec) -> commands.Command:
    # No parameters for discord.py to convert: the pipeline parses the raw text after the command name
    # itself (the same way for the console), so discord.py's converters would only cost time.
    async def callback(ctx: commands.Context) -> None:
        bot: Any = ctx.bot  # the HypotezBot: it delivers the reply
        rest = ctx.view.read_rest()
        request: Request | None = None
        # A reply that is the same for everyone needs nothing else from the message.
        reply = app.dispatcher.static_reply(spec, str(ctx.guild.id) if ctx.guild else None, rest)
        if reply is None:
            request = request_from_message(bot, ctx.message)
            reply = await app.dispatcher.run_command(spec, request, rest)
        await bot.deliver(ctx.channel.send, reply, request)

    return commands.Command(callback, name=spec.name, aliases=list(spec.aliases), help=spec.description)


def _slash_description(text: str) -> str:
    text = " ".join(text.split())
    return (text[:99] + "…" if len(text) > 100 else text) or "…"


def _slash_parameters(spec: CommandSpec) -> list[inspect.Parameter]:
    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=discord.Interaction)]
    for argument in spec.arguments:
        required = argument.required and not argument.has_default
        parameters.append(inspect.Parameter(
            argument.name, inspect.Parameter.KEYWORD_ONLY, annotation=ranged(argument, SLASH_TYPES[argument.type]),
            default=inspect.Parameter.empty if required else None))
    return parameters


def _slash_value(argument: ArgumentSpec, value: Any, policy: AttachmentPolicy | None = None) -> Any:
    if isinstance(value, discord.Attachment):
        return attachment_of(value, policy)
    if isinstance(value, (discord.Member, discord.User)):
        return member_ref(value)
    if argument.type == "channel" and value is not None and hasattr(value, "mention"):
        return channel_ref(value)
    return value


def slash_command(app: App, spec: CommandSpec) -> app_commands.Command:
    async def callback(interaction: discord.Interaction, **options: Any) -> None:
        bot: Any = interaction.client  # the HypotezBot
        values = {name: _slash_value(spec.argument(name), value, bot.attachment_policy)  # type: ignore[arg-type]
                  for name, value in options.items() if value is not None}
        typed = " ".join(f"{name}={value}" for name, value in options.items() if value is not None)
        answer = InteractionAnswer.of(interaction)
        request = Request(
            author=author_of(interaction.user),
            place=interaction_place(interaction),
            content=f"/{spec.name} {typed}".strip(),
            message_id=str(interaction.id),
            outbox=DiscordOutbox(answer, bot.redactor()),  # type: ignore[arg-type]  # it has send(**kwargs)
            voice=bot.voice_gateway,
            resolver=DiscordResolver(interaction.guild),
            locale=interaction.locale.value,
        )
        # Answered at once when ready in time, deferred only for slow work (see discord_interactions).
        reply = await answer_in_time(answer, app.dispatcher.run_command(spec, request, values), bot.defer_after)
        await bot.deliver(answer.sender(ephemeral=reply.is_error or reply.ephemeral), reply, request)

    callback.__signature__ = inspect.Signature(_slash_parameters(spec))  # type: ignore[attr-defined]
    # Per-language words go to Discord through the translator (discord_translator).
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        a.name: localized(_slash_description(a.description), a.localized and a.localized.descriptions,
                          _slash_description) for a in spec.arguments}
    callback.__discord_app_commands_param_rename__ = {  # type: ignore[attr-defined]
        a.name: localized(a.name, a.localized.names) for a in spec.arguments if a.localized and a.localized.names}
    choices = {a.name: [app_commands.Choice(name=localized(str(c)[:100], a.localized and a.localized.choice_names.get(
        str(c))), value=str(c)) for c in a.choices] for a in spec.arguments if a.choices}
    if choices:
        callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    # A subcommand is named by its own part ("add" of "tag add"); its group is built in discord_groups.
    words = spec.localized
    command = app_commands.Command(name=localized(spec.name.rpartition(" ")[2], words and words.names),
                                   description=localized(_slash_description(spec.description),
                                                         words and words.descriptions, _slash_description),
                                   callback=callback)
    apply_discord_side(command, spec.discord)
    attach_autocomplete(command, app, spec)
    return command


