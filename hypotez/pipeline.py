"""One pipeline per invocation, the same for every adapter (Discord prefix, slash, console, tests):

request → checks (place, permissions, cooldown) → arguments bound, converted, validated → Invocation
→ handler(invocation, **arguments) → template rendered in the sandbox → :class:`OutgoingMessage`.

A command whose answer cannot depend on who asks (no checks, handler or arguments; a text without
expressions) is answered from text found when the registry was built (:meth:`Dispatcher.static_reply`).

Adapters only translate their world into a :class:`Request` and send the :class:`OutgoingMessage` back.
"""

from __future__ import annotations

import logging
import random
from time import perf_counter
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Mapping


from hypotez import autocomplete, command_groups
from hypotez.arguments import ConversionContext, bind_text, finish
from hypotez.checks import Cooldowns, check_argument_permissions, check_permissions, check_place
from hypotez.components.attach import ReplyParts, carried_arguments
from hypotez.declaration.model_components import MESSAGES_OWNER
from hypotez.events.wiring import add_command_state, event_engine, run_triggers
from hypotez.errors import BadReply, CommandError, UnknownCommand
from hypotez.invocation import Attachment, Author, Invocation, Outbox, Place, Resolver, Response
from hypotez.outgoing import LimitedOutbox, OutgoingMessage
from hypotez.registry import Registry
from hypotez.inline_answers import InlineRenderer
from hypotez.answering import Answering
from hypotez.observability.jsonlog import LOG_CONTEXT
from hypotez.observability.observer import OK, Observer, outcome_of
from hypotez.services import Services
from hypotez.declaration.model import ArgumentSpec, CommandSpec
from hypotez.tenancy import Tenancy
from hypotez.user_locale import interaction_language

log = logging.getLogger("hypotez.pipeline")

# The pseudo-command that answers messages which are not commands (bot.messages in the spec).
MESSAGE_COMMAND = "<message>"


@dataclass(slots=True)
class Request:
    """What an adapter knows about an incoming message or interaction."""

    author: Author
    place: Place
    content: str = ""
    message_id: str | None = None
    reference_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    outbox: Outbox | None = None
    voice: Any = None
    resolver: Resolver | None = None
    mentions_bot: bool = False
    # The user's Discord locale ("en-US"; interactions only): the reply language with bot.locale_replies.
    locale: str | None = None
    # Does what an event's actions ask (roles, reactions, DMs): hypotez.actions.base.Actuator; per adapter.
    actuator: Any = None


class Dispatcher(Answering):
    """The pipeline on one :class:`Registry`. A hot reload makes a new dispatcher on a new registry; an
    invocation already running keeps the one it began with."""

    def __init__(self, registry: Registry, services: Services, *, cooldowns: Cooldowns | None = None,
                 rng: random.Random | None = None, observer: Observer | None = None):
        self.registry = registry
        self.observer = observer if observer is not None else Observer()  # told how commands went (metrics)
        self.spec = registry.spec
        self.handlers = registry.handlers
        self.renderer = registry.renderer
        self.cooldowns = cooldowns or Cooldowns()
        # Picks one of several texts (`text: [a, b]`); tests seed it.
        self.rng = rng or random.Random()
        self.inline = InlineRenderer(self.renderer, self.spec.settings.language, self.rng)
        # The words for the reasons errors carry, per language (render_error).
        self.reasons = registry.reasons
        self.services = services
        self._index = self.spec.command_index()
        self._groups = command_groups.folded(self.spec.groups, self.spec.settings.case_insensitive)
        self.tenancy = Tenancy.from_settings(self.spec.settings.tenancy, self.spec.settings.home_server)
        self._server_views: dict[str, Services] = {}
        # Commands whose reply is the same for everyone (static_reply), found when the registry was built.
        self._static_texts = registry.static_texts
        self.parts = ReplyParts(self.spec.interactions, self.renderer, self.spec.settings.language)
        # Triggers, member events, reactions, schedules (hypotez.events); None when the spec has none.
        self.events = event_engine(self)

    # -- looking things up ------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return self.spec.settings.prefix

    def find(self, name: str) -> CommandSpec | None:
        key = name.lower() if self.spec.settings.case_insensitive else name
        return self._index.get(key)

    def suggestions(self, name: str) -> list[str]:
        visible = [n for c in self.spec.commands if not c.hidden for n in c.names]
        in_group = command_groups.suggestions(self._groups, name, visible, fold=self.spec.settings.case_insensitive)
        if in_group is not None:
            return in_group
        return get_close_matches(name.lower(), visible, n=3, cutoff=0.6)

    def language_for(self, request: Request) -> str:
        """The reply language without waiting: the server's choice if already known, else the default."""
        return self._allowed(self.services.storage.cached_guild_language(request.place.guild_id))

    async def resolve_language(self, request: Request) -> str:
        """The reply language: the server's own choice (`!language`), else the spec's default."""
        return self._allowed(await self.services.storage.guild_language(request.place.guild_id))

    def language_at(self, place: Place) -> str:
        """The reply language at ``place`` without waiting (the server's when known, else the default)."""
        return self._cached_language(place.guild_id) or self.spec.settings.language
    async def server_language(self, guild_id: str | None) -> str:
        """The reply language on server ``guild_id`` (events, schedules): as :meth:`resolve_language`."""
        return self._cached_language(guild_id) or self._allowed(await self.services.storage.guild_language(guild_id))

    def _cached_language(self, guild_id: str | None) -> str | None:
        """The reply language when it is known without the database (all but a server's first message)."""
        storage = self.services.storage
        if not storage.knows_guild_language(guild_id):
            return None
        return self._allowed(storage.cached_guild_language(guild_id))

    def _allowed(self, language: str | None) -> str:
        settings = self.spec.settings
        return language if language in settings.languages else settings.language

    def split_command(self, content: str) -> tuple[str, str] | None:
        """'!train data=x' → ('train', 'data=x'); None when the text is not a command."""
        if not content.startswith(self.prefix):
            return None
        body = content[len(self.prefix):]
        if not body or body[0].isspace():
            return None
        name, _, rest = body.partition(" ")
        if "\n" in name:
            name, _, more = name.partition("\n")
            rest = more + (" " + rest if rest else "")
        return name, rest

    # -- the pipeline -----------------------------------------------------------------------

    async def handle_message(self, request: Request) -> OutgoingMessage | None:
        """Route a plain message: a command, a conversational message, or nothing to answer."""
        parts = self.split_command(request.content)
        if parts is not None:
            name, rest = command_groups.resolve(self._groups, *parts, fold=self.spec.settings.case_insensitive)
            command = self.find(name)
            if command is None and name in self._groups and self.find("help") is not None:  # "!tag": its help
                command, rest = self.find("help"), name
            if command is None:
                return await self.unknown_command(name, request)
            return await self.run_command(command, request, rest)
        return await self.converse(request)

    async def converse(self, request: Request) -> OutgoingMessage | None:
        """Answer a message that is not a command: its triggers first, then, when the spec says how
        (bot.messages) and no trigger stopped it, the conversational reply."""
        if self.events is not None and not await run_triggers(self, request):
            return None
        messages = self.spec.settings.messages
        if messages is None or (not request.content.strip() and not request.attachments):
            return None
        if not request.place.is_dm and not request.mentions_bot:
            if messages.mention_only:
                return None
            if messages.channels and request.place.channel_id not in messages.channels \
                    and request.place.channel_name not in messages.channels:
                return None
        command = CommandSpec(name=MESSAGE_COMMAND, description="conversational reply", handler=messages.handler,
                              reply_templates=messages.reply_templates, slash=False, builtin=True)
        return await self.run_command(command, request, {"message": request.content})

    async def unknown_command(self, name: str, request: Request) -> OutgoingMessage:
        return self.render_error(UnknownCommand(name, self.suggestions(name)), None, await self.resolve_language(request))

    async def run_command(self, command: CommandSpec, request: Request, raw: str | Mapping[str, Any]) -> OutgoingMessage:
        """Run ``command``. ``raw`` is the text after the command name (prefix commands, console) or a
        mapping of argument name → value (slash commands, already split by Discord)."""
        user_language = interaction_language(self.spec.settings, request.locale)  # bot.locale_replies
        static = None if user_language else self.static_reply(command, request.place.guild_id, raw)
        if static is not None:
            return static
        started = perf_counter()
        context = LOG_CONTEXT.set((request.place.guild_id, command.name))  # log lines name the server, command
        try:
            reply = await self._run_command(command, request, raw, user_language)
        finally:  # the context is this task's: reset it, or the next message handled by the task keeps it
            LOG_CONTEXT.reset(context)
        self.observer.command_done(command.name, outcome_of(reply.is_error, reply.error_kind), perf_counter() - started)
        return reply

    async def _run_command(self, command: CommandSpec, request: Request, raw: str | Mapping[str, Any],
                           user_language: str | None) -> OutgoingMessage:
        language = (user_language or self._cached_language(request.place.guild_id)
                    or await self.resolve_language(request))
        checked = not command.unrestricted
        try:
            if checked:
                check_place(command, request.place)
                check_permissions(command, request.author, request.place)
                await self.cooldowns.check_async(command, request.author, request.place)
            if isinstance(raw, str) and autocomplete.autocompleted(command):  # "did you mean" (hypotez.autocomplete)
                await autocomplete.check_near_misses(self, command, request.author, request.place, bind_text(command, raw))
            arguments = self._arguments(command, request, raw)
            if autocomplete.autocompleted(command):
                await autocomplete.remember(self, command, request.author, request.place, arguments)
            if checked:
                await self.cooldowns.record_async(command, request.author, request.place)
        except CommandError as error:
            return self.render_error(error, command, language)
        invocation = Invocation(
            command=command, author=request.author, place=request.place, services=self.services_for(request),
            language=language, message_id=request.message_id, reference_id=request.reference_id,
            content=request.content, attachments=request.attachments, outbox=request.outbox,
            voice=request.voice, spec=self.spec,
            renderer=self._render_for, reasons=self.reasons,
        )
        return await self._call(command, invocation, arguments, request)

    def static_reply(self, command: CommandSpec, guild_id: str | None, raw: str | Mapping[str, Any]) -> OutgoingMessage | None:
        """The reply to ``command`` when it is the same text whoever asks, or None. It is when the command
        has no checks, no handler and no arguments, none were given, and its text or template has no
        expressions: then nothing about the message matters but its server's language, and adapters
        can answer before gathering the rest (a ``!ping`` costs what a hand-written one does)."""
        texts = self._static_texts.get(command.name)
        if texts is None or texts[0] is not command or (raw.strip() if isinstance(raw, str) else raw):
            return None
        started = perf_counter()
        language = self._cached_language(guild_id)
        if language is None:  # a server's first message: its language is in the database
            return None
        text = texts[1].get(language)
        if text is None:
            return None
        self.observer.command_done(command.name, OK, perf_counter() - started)
        return self._finished(OutgoingMessage(text=text), language)

    def _arguments(self, command: CommandSpec, request: Request, raw: str | Mapping[str, Any]) -> dict[str, Any]:
        """The handler's keyword arguments: ``raw`` bound to the command's arguments, converted, validated."""
        if command.name == MESSAGE_COMMAND:
            return {}  # the conversational handler takes the message from the invocation
        given = raw.strip() if isinstance(raw, str) else raw
        if not command.arguments and not given:
            return {}  # nothing to bind: the plain "!hi" on every reply's path
        bound = bind_text(command, raw) if isinstance(raw, str) else dict(raw)
        return finish(command, bound, self._conversion_context(request), request.attachments)

    async def _call(self, command: CommandSpec, invocation: Invocation, arguments: dict[str, Any],
                    request: Request) -> OutgoingMessage:
        language = invocation.language
        if invocation.outbox is not None:  # what the handler posts itself follows the same rule as replies
            invocation.outbox = LimitedOutbox(invocation.outbox, self.reasons.catalog(language))
        try:
            if command.handler is None:
                response = Response(data={})
            else:
                handler = self.handlers[command.handler]
                if command.name == MESSAGE_COMMAND:
                    result = await handler(invocation)
                else:
                    result = await handler(invocation, **arguments)
                response = _as_response(result)
            if response.silent:
                return self._finished(OutgoingMessage(text="", files=list(response.files)), language)
            data = {**arguments, **response.data}
            if self.events is not None and self.events.reads_state(command, language):  # the bot's memory
                await add_command_state(self, command, invocation, data)
            text, embeds = self._render_answer(command, response.template, data, invocation)
            prompt = None
            if response.remember_as_answer or command.name == MESSAGE_COMMAND:
                prompt = response.prompt if response.prompt is not None else request.content
            reply = self._finished(OutgoingMessage(text=text, files=list(response.files), prompt=prompt,
                                                   embeds=embeds), language)
            owner = MESSAGES_OWNER if command.name == MESSAGE_COMMAND else command.name
            if self.parts.has_parts(owner):  # ephemeral, buttons and select menus (hypotez.components)
                await self.parts.attach(reply, owner, response.template, {**self.template_data(invocation, language),
                                        **data}, carried_arguments(arguments), language,
                                        self.services.storage.set_setting)
            return reply
        except CommandError as error:
            return self.render_error(error, command, language)
        except BadReply as error:  # the spec author must act: say where in the log, tell the user briefly
            log.error("%s", error)
            return self.render_error(error, command, invocation.language)
        except Exception as error:  # a bug in a handler or a template: log it, answer briefly, go on
            log.exception("command %r failed: %s", command.name, error)
            return self.render_error(error, command, language, internal=True)

    def services_for(self, request: Request) -> Services:
        """The services as the tenant of ``request`` sees them (hypotez.tenancy): nothing of another
        server's is reachable through them."""
        return self.services_at(request.place, request.author)

    def services_at(self, place: Place, author: Author) -> Services:
        guild_id = place.guild_id
        if guild_id is not None:  # a server's scope is the same for all its members: on every message's path
            view = self._server_views.get(guild_id)
            if view is None:
                view = self._server_views[guild_id] = self.services.for_scope(self.tenancy.scope(guild_id, ""))
            return view
        return self.services.for_scope(self.tenancy.scope(None, author.id))

    def invocation_for_job(self, target: Mapping[str, Any], outbox: Outbox) -> Invocation | None:
        """An invocation that reports a resumed job where it was started (``target``: what
        :func:`hypotez.progress.notify_target` kept), or None when the spec no longer has its command."""
        command = self.find(str(target.get("command", "")))
        if command is None:
            return None
        author = Author(id=str(target.get("user_id", "")), name=str(target.get("user_name", "")))
        place = Place(channel_id=str(target.get("channel_id", "")), channel_name=str(target.get("channel_name", "")),
                      guild_id=target.get("guild_id"))
        return Invocation(command=command, author=author, place=place, services=self.services_at(place, author),
                          language=self._allowed(target.get("language")), outbox=outbox, spec=self.spec,
                          renderer=self._render_for, reasons=self.reasons)

    def _conversion_context(self, request: Request) -> ConversionContext:
        def resolve_path(argument: ArgumentSpec, value: str) -> Path:
            data = self.services_for(request).data  # looked up only for commands that take a path
            return data.resolve(value, must_exist=argument.must_exist, kind=argument.kind)

        def permit(argument: ArgumentSpec) -> None:
            check_argument_permissions(argument, request.author, request.place)

        resolver = request.resolver
        return ConversionContext(
            resolve_path=resolve_path,
            resolve_member=resolver.member if resolver else None,
            resolve_channel=resolver.channel if resolver else None,
            permit=permit,
            validator=self.registry.validator,
        )

    # -- after sending ----------------------------------------------------------------------

    async def remember(self, reply: OutgoingMessage, request: Request, message_id: str) -> None:
        """Store a sent answer so `!correct <message id>` can find what it answered."""
        if reply.is_error or not reply.text or reply.prompt is None:
            return
        await self.services_for(request).storage.record_answer(message_id, reply.prompt, reply.answer,
                                                               request.place.channel_id, request.author.id)


def _as_response(result: Any) -> Response:
    if result is None:
        return Response()
    if isinstance(result, Response):
        return result
    if isinstance(result, Mapping):
        return Response(data=dict(result))
    if isinstance(result, str):
        return Response(data={"text": result})
    raise TypeError(f"a handler must return a Response, a dict or None, not {type(result).__name__}")
