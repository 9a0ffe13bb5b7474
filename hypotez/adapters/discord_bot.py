"""The Discord adapter's bot: the spec's commands on a discord.py bot, and its events.

Everything Discord-specific lives in ``hypotez/adapters/discord_*``. A message or an interaction becomes
a :class:`~hypotez.pipeline.Request` (discord_inbound); the dispatcher's :class:`~hypotez.pipeline.OutgoingMessage`
is sent back by :meth:`HypotezBot.deliver` (discord_sending). The commands are built by
discord_commands, voice goes through discord_voice, and running against Discord is discord_run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from time import perf_counter
from typing import Any, Callable

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from hypotez.adapters.discord_commands import prefix_command, slash_command
from hypotez.adapters.discord_components import HypotezItem, UsesInFlight, component_view, on_form_submit
from hypotez.adapters.discord_install import builders, install_commands
from hypotez.adapters.discord_events import DiscordEvents, message_actuator, schedule_targets
from hypotez.adapters.discord_gateway import guard_parsers, keep_connected
from hypotez.adapters.discord_inbound import author_of, request_from_message
from hypotez.adapters.discord_interactions import DEFER_AFTER, InteractionAnswer, interaction_place
from hypotez.adapters.discord_sending import NO_MENTIONS, DiscordOutbox, send_parts
from hypotez.adapters.discord_voice import DiscordVoiceGateway
from hypotez.adapters.discord_spec_tree import tree_payloads
from hypotez.adapters.discord_sync_plan import apply_plans, fetch_plans
from hypotez.adapters.discord_translator import localization_fingerprint, use_spec_translator
from hypotez.app import App
from hypotez.attachments import AttachmentPolicy
from hypotez.errors import BadArgument
from hypotez.events.scheduler import Scheduler
from hypotez.pipeline import OutgoingMessage, Request
from hypotez.reasons import Reason
from hypotez.redaction import Redactor

log = logging.getLogger("hypotez.discord")

SLASH_HASH_SETTING = "slash_hash"


class HypotezBot(commands.Bot):
    def __init__(self, app: App, *, intents: discord.Intents | None = None, defer_after: float = DEFER_AFTER,
                 schedules_clock: Callable[[], float] = time.time, **kwargs: Any):
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = True
            # Member events (join, leave) need the privileged members intent; nothing else does.
            intents.members = app.spec.events is not None and app.spec.events.needs_members
        # No reply ever pings: every send and edit disables mentions itself, and this default covers
        # any path that would not (discord.py applies it to messages, edits and interaction replies).
        kwargs.setdefault("allowed_mentions", NO_MENTIONS)
        super().__init__(command_prefix=app.spec.settings.prefix, intents=intents, help_command=None,
                         case_insensitive=app.spec.settings.case_insensitive,
                         **kwargs)
        self.app = app
        # Seconds a slash command may take before its answer is deferred ("thinking…").
        self.defer_after = defer_after
        # A gateway event discord.py cannot read is logged and skipped, not the end of the process.
        guard_parsers(self._connection.parsers)
        self._redactor: Redactor | None = None
        self._redactor_token: str | None = None
        self.attachment_policy = AttachmentPolicy.from_settings(app.spec.settings.attachments)
        self.voice_gateway: Any = DiscordVoiceGateway(self)
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        install_commands(self, app.registry, *builders(app, prefix_command, slash_command))
        # Buttons, select menus and forms, also those sent before a restart (hypotez.adapters.discord_components).
        self.component_uses = UsesInFlight()
        self.add_dynamic_items(HypotezItem)
        self.add_listener(functools.partial(on_form_submit, self), "on_interaction")
        DiscordEvents(self).install()
        self.scheduler: Scheduler | None = None
        self.schedules_clock = schedules_clock
        # At start-up the bot knows no server: the schedules are looked at again as each becomes known.
        for event in ("on_ready", "on_guild_available", "on_guild_join"):
            self.add_listener(self._wake_schedules, event)

    async def setup_hook(self) -> None:
        await use_spec_translator(self.tree)  # localized slash commands (discord_translator)
        await self.app.start(self.outbox_for, serves=self.serves_guild)
        self.scheduler = Scheduler(self.app, schedule_targets(self), self.schedules_clock)
        self.scheduler.start()

    async def _wake_schedules(self, *_: Any) -> None:
        if self.scheduler is not None:
            self.scheduler.wake()

    async def close(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        await super().close()

    def serves_guild(self, guild_id: str | None) -> bool:
        """Whether this process hears the server: its shard is one of this process's (direct messages
        come on shard 0). An unsharded bot hears every server."""
        shard_ids, count = getattr(self, "shard_ids", None), getattr(self, "shard_count", None)
        if not shard_ids or not count:
            return True
        shard = (int(guild_id) >> 22) % count if guild_id is not None and str(guild_id).isdigit() else 0
        return shard in shard_ids

    def outbox_for(self, channel_id: str) -> DiscordOutbox | None:
        """Where to post in a channel known only by its id (a training job resumed after a restart)."""
        if not channel_id.isdigit():
            return None
        return DiscordOutbox(self.get_partial_messageable(int(channel_id)), self.redactor())

    async def connect(self, *, reconnect: bool = True) -> None:
        # discord.py's reconnect loop, started again if something the server sent breaks it.
        await keep_connected(self, functools.partial(super().connect, reconnect=reconnect))

    def redactor(self) -> Redactor:
        """Takes the bot's token out of what it sends (a handler's error message could contain it).
        Built once per token: it is on every reply's path."""
        token = self.http.token
        if self._redactor is None or self._redactor_token != token:
            self._redactor, self._redactor_token = Redactor([token]), token
        return self._redactor

    async def deliver(self, send: Any, reply: OutgoingMessage, request: Request | None) -> None:
        """Send ``reply``; ``request`` is what it answers (None for a static reply: nothing to remember).
        When Discord does not take it, the user is told so in a message of text alone."""
        if not reply.text and not reply.files and not reply.embeds:
            return
        messages: list[Any] = []
        redact = self.redactor()
        started = perf_counter()
        try:
            embeds = [embed.map_text(redact) for embed in reply.embeds] if reply.embeds else ()
            view = component_view(reply.components) if reply.components else None
            await send_parts(send, redact(reply.text), reply.files, embeds, messages, view=view)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            self.app.observer.reply_sent(perf_counter() - started, False)
            await self._tell_not_sent(send, reply, request, error, len(messages))
        else:
            self.app.observer.reply_sent(perf_counter() - started, True)
        if messages and reply.prompt is not None and request is not None:  # an answer !correct may refer to later
            await self.app.dispatcher.remember(reply, request, str(messages[0].id))

    async def _tell_not_sent(self, send: Any, reply: OutgoingMessage, request: Request | None, error: Exception,
                             sent: int) -> None:
        """Log a reply Discord refused (after discord.py's own retries), and tell the user in a message
        of text alone what failed. When that fails too, it is logged, and the bot goes on."""
        where = f" in channel {request.place.channel_id}" if request is not None else ""
        files = [item.name for item in reply.files]
        log.error("could not send a reply%s (%d message(s) of it sent; files: %s): %s", where, sent,
                  ", ".join(files) or "none", error)
        if isinstance(error, discord.HTTPException):
            too_large = error.status == 413 or error.code == 40005  # Discord: "Request entity too large"
            problem = Reason("reply.too_large") if too_large else Reason("reply.discord_error", status=error.status)
        elif isinstance(error, (aiohttp.ClientError, TimeoutError)):
            problem = Reason("reply.no_connection")
        else:  # an OSError opening a file to attach
            problem = Reason("reply.file_unreadable")
        notice = self.app.dispatcher.not_sent(problem, reply.language, files=files, sent=sent)
        try:
            await send(content=self.redactor()(notice.text), allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as again:
            log.error("could not tell the user%s that their reply was not sent either: %s", where, again)

    async def process_commands(self, message: discord.Message) -> None:
        ctx = await self.get_context(message)
        if ctx.command is None and ctx.invoked_with:
            # Answered here rather than through on_command_error (a separate task), so the reply to
            # an unknown command is sent before the next message is handled, like any other reply.
            request = request_from_message(self, message)
            await self.deliver(ctx.channel.send, await self.app.dispatcher.unknown_command(ctx.invoked_with, request),
                               request)
            return
        await self.invoke(ctx)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if self.app.dispatcher.split_command(message.content) is not None:
            await self.process_commands(message)
            return
        request = request_from_message(self, message)
        request.actuator = message_actuator(self, message)
        reply = await self.app.dispatcher.converse(request)
        if reply is not None:
            await self.deliver(message.channel.send, reply, request)

    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        request = request_from_message(self, ctx.message)
        if isinstance(error, commands.CommandNotFound):
            name = ctx.invoked_with or ""
            reply = await self.app.dispatcher.unknown_command(name, request)
        else:
            original = getattr(error, "original", error)
            log.error("command %r failed", ctx.command, exc_info=original)
            reply = self.app.dispatcher.render_error(original, None, self.app.dispatcher.language_for(request),
                                                     internal=True)
        await self.deliver(ctx.channel.send, reply, request)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("error in %s", event_method)

    async def on_app_command_error(self, interaction: discord.Interaction,
                                   error: app_commands.AppCommandError) -> None:
        """A slash command that failed outside the pipeline: an option discord.py could not convert (a
        member who left, a channel the bot cannot see), a command Discord still lists but the spec no
        longer has, or an error while replying. The user gets the same reply a prefix command would."""
        request = Request(author=author_of(interaction.user), place=interaction_place(interaction),
                          message_id=str(interaction.id))
        dispatcher = self.app.dispatcher
        language = await dispatcher.resolve_language(request)
        name = interaction.command.qualified_name if interaction.command is not None else ""  # "tag add"
        command = dispatcher.find(name)
        if isinstance(error, app_commands.TransformerError) and command is not None:
            kind = "member" if error.type == discord.AppCommandOptionType.user else "channel"
            argument = next((a.name for a in command.arguments if a.type == kind), None)
            reply = dispatcher.render_error(BadArgument(argument, Reason(f"argument.no_such_{kind}")), command, language)
        elif isinstance(error, app_commands.CommandNotFound):
            reply = await dispatcher.unknown_command(error.name, request)  # interaction.command is None
        else:
            log.error("slash command %r failed", name, exc_info=getattr(error, "original", error))
            reply = dispatcher.render_error(error, command, language, internal=True)
        try:  # only the user who ran the command sees what went wrong
            await self.deliver(InteractionAnswer.of(interaction).sender(ephemeral=True), reply, request)
        except discord.HTTPException as send_error:  # the interaction expired: nothing more to do
            log.warning("could not answer a failed slash command: %s", send_error)

    def slash_shape_hash(self) -> str:
        shapes: list[Any] = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        shapes.append(localization_fingerprint(self.app.spec))
        return hashlib.sha256(json.dumps(shapes, sort_keys=True, default=str).encode()).hexdigest()

    async def sync_slash_commands(self) -> bool:
        """Sync the slash commands with Discord when their shape changed since the last sync."""
        shape = self.slash_shape_hash()
        storage = self.app.services.storage
        if await storage.get_setting(SLASH_HASH_SETTING) == shape:
            return False
        if self.app.spec.settings.slash_servers:  # to those servers, and none left globally
            plans = await fetch_plans(self.http, self.application_id, await tree_payloads(self.tree),
                                      self.app.spec.settings.slash_servers)
            await apply_plans(self.http, self.application_id, plans)
        else:
            await self.tree.sync()
        await storage.set_setting(SLASH_HASH_SETTING, shape)
        log.info("slash commands synced (%d)", len(self.tree.get_commands()))
        return True


def create_bot(app: App, **kwargs: Any) -> HypotezBot:
    return HypotezBot(app, **kwargs)

