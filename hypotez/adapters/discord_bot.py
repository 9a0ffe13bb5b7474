"""The Discord adapter: the spec's commands as real discord.py commands, prefix and slash.

Everything Discord-specific lives here. A message or an interaction becomes a
:class:`~hypotez.pipeline.Request`; the dispatcher's :class:`~hypotez.pipeline.OutgoingMessage` is sent back split
at 2,000 characters, with every mention disabled (a user's ``@everyone`` never pings anyone).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import io
import json
import logging
from typing import Any, Sequence

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from hypotez.adapters.discord_install import builders, install_commands
from hypotez.adapters.discord_audio import ffmpeg_source
from hypotez.adapters.discord_endpoint import TEST_SERVER_ENV, TestServer
from hypotez.adapters.discord_gateway import SlashSync, guard_parsers, keep_connected
from hypotez.adapters.discord_interactions import DEFER_AFTER, InteractionAnswer, answer_in_time, interaction_place
from hypotez.app import App
from hypotez.attachments import AttachmentPolicy
from hypotez.embeds import EmbedData
from hypotez.errors import BadArgument
from hypotez.invocation import Attachment, Author, ChannelRef, MemberRef, OpenedFile, Place
from hypotez.outgoing import Attachable, FileData
from hypotez.pipeline import OutgoingMessage, Request
from hypotez.reasons import Reason, library_reason
from hypotez.redaction import Redactor, redact_logs
from hypotez.declaration.model import ArgumentSpec, CommandSpec
from hypotez.text import DISCORD_LIMIT, split_message

log = logging.getLogger("hypotez.discord")

NO_MENTIONS = discord.AllowedMentions.none()
SLASH_HASH_SETTING = "slash_hash"

SLASH_TYPES: dict[str, Any] = {
    "text": str, "integer": int, "number": float, "boolean": bool, "choice": str, "json": str, "path": str,
    "attachment": discord.Attachment, "member": discord.Member, "channel": discord.abc.GuildChannel,
}


# --- Discord objects → hypotez data ------------------------------------------------------------


NOTHING: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1024)
def permission_names(value: int) -> frozenset[str]:
    """The names of the permissions in a permission value. Walking discord.py's flags costs tens of
    microseconds, and a server has only a few distinct values: each is worked out once. Aliases count
    (iterating skips them): a spec may name a flag either way (``manage_emojis``/``manage_expressions``)."""
    permissions = discord.Permissions(value)
    return frozenset(name for name in discord.Permissions.VALID_FLAGS if getattr(permissions, name))


def author_of(user: discord.abc.User) -> Author:
    roles = permissions = NOTHING
    voice_id = voice_name = None
    if isinstance(user, discord.Member):
        roles = frozenset(role.name for role in user.roles if not role.is_default())
        permissions = permission_names(user.guild_permissions.value)
        if user.voice is not None and user.voice.channel is not None:
            voice_id, voice_name = str(user.voice.channel.id), user.voice.channel.name
    return Author(id=str(user.id), name=user.name, display_name=user.display_name, roles=roles,
                  permissions=permissions, is_bot=user.bot, voice_channel_id=voice_id,
                  voice_channel_name=voice_name)


def place_of(channel: Any, guild: discord.Guild | None) -> Place:
    return Place(channel_id=str(channel.id), channel_name=getattr(channel, "name", None) or "",
                 guild_id=str(guild.id) if guild else None, guild_name=guild.name if guild else None)


def attachment_of(attachment: discord.Attachment, policy: AttachmentPolicy | None = None) -> Attachment:
    """The attachment for handlers; reading it downloads only from the policy's hosts, within its size."""
    policy = policy or AttachmentPolicy()
    return Attachment(filename=attachment.filename, size=attachment.size, content_type=attachment.content_type,
                      url=attachment.url,
                      read=policy.guard(attachment.filename, attachment.url, attachment.size, attachment.read))


class DiscordSent:
    """A sent message the handler may edit later (training progress)."""

    def __init__(self, message: discord.Message | discord.WebhookMessage, redact: Redactor | None = None):
        self.message = message
        self.id = str(message.id)
        self.redact = Redactor() if redact is None else redact

    async def edit(self, text: str) -> None:
        await self.message.edit(content=self.redact(text)[:DISCORD_LIMIT], allowed_mentions=NO_MENTIONS)


class DiscordOutbox:
    def __init__(self, channel: discord.abc.Messageable, redact: Redactor | None = None):
        self.channel = channel
        self.redact = Redactor() if redact is None else redact

    async def send(self, text: str, files: list[Attachable] | None = None) -> DiscordSent:
        messages = await send_parts(self.channel.send, self.redact(text), files or [])
        return DiscordSent(messages[-1], self.redact)

    def message(self, message_id: str) -> DiscordSent:
        get = getattr(self.channel, "get_partial_message", None)
        if get is None:  # an interaction's follow-up webhook: its messages are edited through it
            raise LookupError("this outbox cannot reach earlier messages")
        return DiscordSent(get(int(message_id)), self.redact)


class DiscordResolver:
    """Finds members and channels by mention, id or name in the message's server."""

    def __init__(self, guild: discord.Guild | None, message: discord.Message | None = None):
        self.guild = guild
        self.message = message

    @staticmethod
    def _id(text: str) -> int | None:
        digits = text.strip().lstrip("<@!#&").rstrip(">")
        return int(digits) if digits.isdigit() else None

    def member(self, text: str) -> MemberRef | None:
        found: discord.abc.User | None = None
        wanted = self._id(text)
        if self.message is not None and wanted is not None:
            found = next((m for m in self.message.mentions if m.id == wanted), None)
        if found is None and self.guild is not None:
            found = self.guild.get_member(wanted) if wanted is not None else \
                self.guild.get_member_named(text.strip().lstrip("@"))
        return member_ref(found) if found is not None else None

    def channel(self, text: str) -> ChannelRef | None:
        if self.guild is None:
            return None
        wanted = self._id(text)
        found = self.guild.get_channel(wanted) if wanted is not None else \
            discord.utils.get(self.guild.channels, name=text.strip().lstrip("#"))
        return channel_ref(found) if found is not None else None


def member_ref(user: discord.abc.User) -> MemberRef:
    return MemberRef(id=str(user.id), name=user.name, display_name=user.display_name, mention=user.mention)


def channel_ref(channel: Any) -> ChannelRef:
    return ChannelRef(id=str(channel.id), name=getattr(channel, "name", "") or "", mention=channel.mention)


def request_from_message(bot: "HypotezBot", message: discord.Message) -> Request:
    reference = message.reference.message_id if message.reference and message.reference.message_id else None
    guild = message.guild
    me = bot.user
    return Request(
        author=author_of(message.author),
        place=place_of(message.channel, guild),
        content=message.content,
        message_id=str(message.id),
        reference_id=str(reference) if reference else None,
        attachments=tuple(attachment_of(a, bot.attachment_policy) for a in message.attachments)
        if message.attachments else (),
        outbox=DiscordOutbox(message.channel, bot.redactor()),
        voice=bot.voice_gateway,
        resolver=DiscordResolver(guild, message),
        mentions_bot=me is not None and me in message.mentions,
    )


# --- voice -------------------------------------------------------------------------------------


class DiscordVoiceGateway:
    """Voice channels through discord.py's VoiceClient (Opus, and davey for Discord's end-to-end
    voice encryption). ``client_class`` is discord.py's own extension point for voice connections
    (a :class:`discord.VoiceProtocol`); tests give one that plays without a voice server."""

    def __init__(self, bot: commands.Bot, client_class: type[discord.VoiceProtocol] = discord.VoiceClient,
                 connect_timeout: float = 30.0):
        self.bot = bot
        self.client_class = client_class
        self.connect_timeout = connect_timeout

    def _guild(self, guild_id: str) -> discord.Guild:
        guild = self.bot.get_guild(int(guild_id))
        if guild is None:
            raise LookupError(f"the bot is not in server {guild_id}")
        return guild

    async def join(self, guild_id: str, channel_id: str) -> str:
        from hypotez.services.voice import VoiceConnectError, VoicePermissionError

        guild = self._guild(guild_id)
        channel = guild.get_channel(int(channel_id))
        if not isinstance(channel, (discord.VoiceChannel, discord.StageChannel)):
            raise LookupError(f"channel {channel_id} is not a voice channel")
        permissions = channel.permissions_for(guild.me)
        missing = [name for name in ("connect", "speak") if not getattr(permissions, name)]
        if missing:
            raise VoicePermissionError(missing, channel.name)
        client = guild.voice_client
        try:
            if client is not None and _is_connected(client):
                if client.channel.id == channel.id:
                    return "already"
                await client.move_to(channel)  # type: ignore[attr-defined]
                return "moved"
            if client is not None:  # a connection that died: drop it before connecting again
                await client.disconnect(force=True)
            await channel.connect(timeout=self.connect_timeout, self_deaf=True, cls=self.client_class)
        except asyncio.TimeoutError:
            raise VoiceConnectError(channel.name, Reason("voice.connect_timeout")) from None
        except discord.opus.OpusNotLoaded:
            raise VoiceConnectError(channel.name, Reason("voice.no_opus")) from None
        except (discord.ClientException, RuntimeError) as error:  # RuntimeError: PyNaCl/davey missing
            reason = library_reason(str(error), _VOICE_MESSAGES, "voice.other")
            raise VoiceConnectError(channel.name, reason) from None
        return "joined"

    async def leave(self, guild_id: str) -> bool:
        client = self._guild(guild_id).voice_client
        if client is None:
            return False
        await client.disconnect(force=False)
        return True

    def client(self, guild_id: str) -> Any:
        guild = self.bot.get_guild(int(guild_id))
        return guild.voice_client if guild is not None else None

    source = staticmethod(ffmpeg_source)


# discord.py's messages when a voice connection cannot start → catalog keys (the English texts are
# these messages); any other message is shown as discord.py wrote it.
_VOICE_MESSAGES = {
    "PyNaCl library needed in order to use voice": "voice.no_pynacl",
    "davey library needed in order to use voice": "voice.no_davey",
    "davey library needed in order to use E2EE voice": "voice.no_davey_e2ee",
    "Already connected to a voice channel.": "voice.already_connected",
}



def _is_connected(client: discord.VoiceProtocol) -> bool:
    is_connected = getattr(client, "is_connected", None)
    return bool(is_connected()) if is_connected is not None else False


# --- sending -----------------------------------------------------------------------------------


def discord_embed(data: EmbedData) -> discord.Embed:
    """hypotez's embed data → a real discord.Embed (limits were checked when it was rendered)."""
    embed = discord.Embed(title=data.title or None, description=data.description or None, url=data.url or None,
                          colour=data.color)
    for item in data.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if data.footer:
        embed.set_footer(text=data.footer)
    if data.image:
        embed.set_image(url=data.image)
    if data.thumbnail:
        embed.set_thumbnail(url=data.thumbnail)
    return embed


def discord_file(item: Attachable) -> discord.File:
    """A file to upload: an opened file from its stream (what was checked when it was opened), one made
    in memory (a long answer as text) from its bytes, a path by name."""
    if isinstance(item, OpenedFile):
        return discord.File(item.stream, filename=item.name)
    if isinstance(item, FileData):
        return discord.File(io.BytesIO(item.data), filename=item.filename)
    return discord.File(str(item), filename=item.name)


async def send_parts(send: Any, text: str, files: Sequence[Attachable], embeds: Sequence[EmbedData] = (),
                     sent: list[Any] | None = None) -> list[Any]:
    """Send ``text`` split at Discord's limit, files and embeds on the first part, mentions disabled.
    Returns the messages sent; each is also appended to ``sent`` as soon as it is, so that when one
    fails the caller knows how many got through. Opened files are closed once sent (or once sending
    failed)."""
    try:
        return await _send_parts(send, text, files, embeds, [] if sent is None else sent)
    finally:
        for item in files:
            if isinstance(item, OpenedFile):
                item.close()


async def _send_parts(send: Any, text: str, files: Sequence[Attachable], embeds: Sequence[EmbedData],
                      sent: list[Any]) -> list[Any]:
    parts = split_message(text) or [""]
    if len(parts) == 1 and parts[0] and not files and not embeds:  # most replies: one message of text
        sent.append(await send(content=parts[0], allowed_mentions=NO_MENTIONS))
        return sent
    for index, part in enumerate(parts):
        kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if part:
            kwargs["content"] = part
        if index == 0 and files:
            kwargs["files"] = [discord_file(item) for item in files]
        if index == 0 and embeds:
            kwargs["embeds"] = [discord_embed(embed) for embed in embeds]
        if "content" not in kwargs and "files" not in kwargs and "embeds" not in kwargs:
            continue
        sent.append(await send(**kwargs))
    return sent


# --- building commands -------------------------------------------------------------------------


def prefix_command(app: App, spec: CommandSpec) -> commands.Command:
    # No parameters for discord.py to convert: the pipeline parses the raw text after the command name
    # itself (the same way for the console), so discord.py's converters would only cost time.
    async def callback(ctx: commands.Context) -> None:
        bot: HypotezBot = ctx.bot
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
            argument.name, inspect.Parameter.KEYWORD_ONLY, annotation=SLASH_TYPES[argument.type],
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
        bot: HypotezBot = interaction.client  # type: ignore[assignment]
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
        )
        # Answered at once when ready in time, deferred only for slow work (see discord_interactions).
        reply = await answer_in_time(answer, app.dispatcher.run_command(spec, request, values), bot.defer_after)
        await bot.deliver(answer.sender(ephemeral=reply.is_error), reply, request)

    callback.__signature__ = inspect.Signature(_slash_parameters(spec))  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        a.name: _slash_description(a.description) for a in spec.arguments}
    choices = {a.name: [app_commands.Choice(name=str(c)[:100], value=str(c)) for c in a.choices]
               for a in spec.arguments if a.choices}
    if choices:
        callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    return app_commands.Command(name=spec.name, description=_slash_description(spec.description),
                                callback=callback)


# --- the bot -----------------------------------------------------------------------------------


class HypotezBot(commands.Bot):
    def __init__(self, app: App, *, intents: discord.Intents | None = None, defer_after: float = DEFER_AFTER,
                 **kwargs: Any):
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = True
            intents.members = False
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

    async def setup_hook(self) -> None:
        await self.app.start(self.outbox_for)

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
        try:
            embeds = [embed.map_text(redact) for embed in reply.embeds] if reply.embeds else ()
            await send_parts(send, redact(reply.text), reply.files, embeds, messages)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            await self._tell_not_sent(send, reply, request, error, len(messages))
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
        name = interaction.command.name if interaction.command is not None else ""
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
        shapes = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        return hashlib.sha256(json.dumps(shapes, sort_keys=True, default=str).encode()).hexdigest()

    async def sync_slash_commands(self) -> bool:
        """Sync the slash commands with Discord when their shape changed since the last sync."""
        shape = self.slash_shape_hash()
        storage = self.app.services.storage
        if await storage.get_setting(SLASH_HASH_SETTING) == shape:
            return False
        await self.tree.sync()
        await storage.set_setting(SLASH_HASH_SETTING, shape)
        log.info("slash commands synced (%d)", len(self.tree.get_commands()))
        return True


def create_bot(app: App, **kwargs: Any) -> HypotezBot:
    return HypotezBot(app, **kwargs)


class _RunningBot(HypotezBot):
    slash_sync: SlashSync | None = None

    async def setup_hook(self) -> None:
        await super().setup_hook()
        # In the background: start-up never waits on it, and a failed sync is retried.
        self.slash_sync = SlashSync(self.sync_slash_commands)
        self.slash_sync.start()

    async def close(self) -> None:
        if self.slash_sync is not None:
            await self.slash_sync.stop()
        await super().close()

    async def on_ready(self) -> None:
        log.info("logged in as %s; prefix %r", self.user, self.app.spec.settings.prefix)


INVALID_TOKEN = ("Discord refused the token (DISCORD_TOKEN). Get a new one at "
                 "https://discord.com/developers/applications → your application → Bot → Reset Token, "
                 "and put it in .env as DISCORD_TOKEN=...")
MISSING_INTENT = ("Discord refused the Message Content intent. Enable it at "
                  "https://discord.com/developers/applications → your application → Bot → "
                  "Privileged Gateway Intents → Message Content Intent, then start the bot again.")


RunningBot = _RunningBot  # the public name (hot reload extends it)


async def _run(app: App, token: str, *, test_server: TestServer | None = None, **kwargs: Any) -> int:
    if test_server is not None:
        # Tests only: Discord's hosts resolve to a local test server (see discord_endpoint).
        log.warning("connecting to the Discord test server at %s instead of Discord (%s is set)",
                    test_server.address, TEST_SERVER_ENV)
        kwargs["connector"] = test_server.connector()
    bot = kwargs.pop("bot_class", _RunningBot)(app, **kwargs)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error(INVALID_TOKEN)
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(MISSING_INTENT)
        return 1
    finally:
        await app.aclose()
    return 0


def run_bot(app: App, token: str, *, test_server: TestServer | None = None, **kwargs: Any) -> int:
    import asyncio

    # The token never reaches a log line: discord.py's debug output, tracebacks, our own messages.
    unredact = redact_logs([token])
    try:
        return asyncio.run(_run(app, token, test_server=test_server, **kwargs))
    except KeyboardInterrupt:
        return 0
    finally:
        unredact()
