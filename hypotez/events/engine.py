"""The events of one registry: message triggers (before the conversational reply), member events and
reactions, and what a schedule posts. Made by the dispatcher; a hot reload makes a new one.

For each event: its filters, then its actions (:mod:`hypotez.actions.runner`), then its text rendered
with the names its context has (``hypotez.registry.event_names.EVENT_SHAPES``, state loaded once)
and posted through the adapter's actuator. A broken template or a refused action is logged, never shown
to users as a traceback."""

from __future__ import annotations

import datetime
import logging
from dataclasses import replace
from typing import Any, Callable

import jinja2

from hypotez.actions.base import Actuator
from hypotez.actions.runner import ActionContext, ActionRunner
from hypotez.checks import Cooldowns
from hypotez.declaration.events_model import ActionSpec, EventsSpec, ReactionSpec, ResponseSpec, ScheduleSpec, TriggerSpec
from hypotez.declaration.model import CommandSpec, CooldownSpec, pick_language
from hypotez.events.info import MemberInfo, ServerInfo, member_scope, place_scope
from hypotez.events.matching import Matcher
from hypotez.incoming import Place
from hypotez.reasons import Reason, Reasons
from hypotez.rendering import Renderer, TemplateFailed, TemplateMissing
from hypotez.scope import Server
from hypotez.services.state_store import Owner, StateStore

log = logging.getLogger("hypotez.events")

Clock = Callable[[], float]


def owners_of(member: MemberInfo | None, place: Place) -> dict[str, Owner]:
    owners = {"channel": Owner("channel", place.channel_id), "server": Owner("server", place.guild_id or ""),
              "global": Owner("global", "")}
    if member is not None:
        owners.update(user=Owner("user", member.id), member=Owner("member", member.id))
    return owners


class EventEngine:
    def __init__(self, events: EventsSpec, *, renderer: Renderer, reasons: Reasons, base: dict[str, Any],
                 default_language: str, cooldowns: Cooldowns, state: StateStore | None,
                 clock: Clock | None = None):
        self.events = events
        self.renderer = renderer
        self.base = base  # prefix, bot (the language is added per event)
        self.default_language = default_language
        self.cooldowns = cooldowns
        self.state = state
        self.clock = clock
        self.actions = ActionRunner(events, state, reasons)
        self.matchers = [Matcher.of(t) for t in events.triggers]
        # Cooldowns are counted by the dispatcher's Cooldowns (kept across reloads) under a name no
        # command can have.
        self._cooldown_commands = {t.name: CommandSpec(name=f"<trigger {t.name}>", description="",
                                                       cooldown=CooldownSpec(t.cooldown.rate, t.cooldown.per,
                                                                             {"server": "guild"}.get(t.cooldown.scope,
                                                                                                     t.cooldown.scope)))
                                   for t in events.triggers if t.cooldown is not None}
        self._command_reads: dict[tuple[str, str], bool] = {}
        self._reads_top = any("state.top." in text for r in events.responses() for text in r.texts.values())

    def now(self) -> datetime.datetime:
        seconds = self.clock() if self.clock is not None else None
        if seconds is None:
            return datetime.datetime.now(datetime.timezone.utc)
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)

    # -- messages -------------------------------------------------------------------------------

    async def on_message(self, *, content: str, member: MemberInfo, author: Any, place: Place, tenant: str,
                         language: str, actuator: Actuator) -> bool:
        """Run the triggers matching a message that is not a command. Returns whether the conversational
        reply may still answer it (no matching trigger said ``stop``)."""
        folded: dict[tuple[bool, bool], str] = {}
        for matcher in self.matchers:
            trigger = matcher.trigger
            if not self._allowed_here(trigger, member, place):
                continue
            found = matcher.match(content, folded)
            if found is None:
                continue
            cooldown = self._cooldown_commands.get(trigger.name)
            if cooldown is not None:
                if await self.cooldowns.retry_after_async(cooldown, author, place) > 0:
                    if trigger.stop:  # on cooldown: no answer (auto-responders do not nag), nor a later one
                        return False
                    continue
                await self.cooldowns.record_async(cooldown, author, place)
            extra = {"message": content, "match": found}
            await self.respond(trigger.response, Reason("event.trigger", name=trigger.name), member=member, place=place,
                               tenant=tenant, language=language, actuator=actuator, extra=extra,
                               server=self._server_of(place))
            if trigger.stop:
                return False
        return True

    @staticmethod
    def _server_of(place: Place) -> Server:
        """The server a message was written on, as a command's answer sees it: its name (empty in a direct
        message), with ``server.member_count``, ``server.owner``... as the adapter knows them."""
        return Server(place.guild_id or "", place.guild_name or "", place.facts() if place.facts is not None else None)

    @staticmethod
    def _allowed_here(trigger: TriggerSpec, member: MemberInfo, place: Place) -> bool:
        if trigger.channels and place.channel_id not in trigger.channels \
                and place.channel_name not in trigger.channels:
            return False
        return not trigger.roles or any(role in member.roles for role in trigger.roles)

    # -- members and reactions ------------------------------------------------------------------

    async def on_member(self, kind: str, *, member: MemberInfo, server: ServerInfo, place: Place, tenant: str,
                        language: str, actuator: Actuator) -> None:
        response = self.events.member_join if kind == "join" else self.events.member_leave
        if response is not None:
            await self.respond(response, Reason(f"event.member_{kind}"), member=member,
                               place=self._speaking_in(response, place, actuator), tenant=tenant,
                               language=language, actuator=actuator, server=server)

    async def on_roles(self, added: set[str], removed: set[str], *, member: MemberInfo, server: ServerInfo,
                       place: Place, tenant: str, language: str, actuator: Actuator) -> None:
        """A member was given the roles ``added`` and lost ``removed`` (names)."""
        for kind, names in (("role_added", added), ("role_removed", removed)):
            for role, response in getattr(self.events, kind):
                if role in names:
                    await self.respond(response, Reason(f"event.{kind}", role=role), member=member,
                                       place=self._speaking_in(response, place, actuator), tenant=tenant,
                                       language=language, actuator=actuator, server=server, extra={"role": role})

    @staticmethod
    def _speaking_in(response: ResponseSpec, place: Place, actuator: Actuator) -> Place:
        """Where a member's or a role's event happens: the channel its text is posted in (``channel:``),
        so that its ``{{ channel }}`` and channel state are that channel's; else the server's default
        channel, the adapter's ``place``. Messages and reactions happen where they were written."""
        if response.channel is None or response.dm:
            return place
        found = actuator.channel_named(response.channel)
        if found is None:
            return place
        return replace(place, channel_id=found[0], channel_name=found[1])

    def reactions_for(self, emoji: str, message_id: str, place: Place) -> list[ReactionSpec]:
        return [r for r in self.events.reactions if r.emoji == emoji
                and (r.message is None or r.message == message_id)
                and (r.channel is None or r.channel in (place.channel_id, place.channel_name))]

    async def on_reaction(self, added: bool, *, emoji: str, message_id: str, member: MemberInfo,
                          server: ServerInfo | None, place: Place, tenant: str, language: str,
                          actuator: Actuator) -> None:
        for reaction in self.reactions_for(emoji, message_id, place):
            what = Reason("event.reaction", name=reaction.name)
            if reaction.role is not None:
                role_action = "add_role" if added else "remove_role"
                await self.actions.run(ResponseSpec(actions=(ActionSpec(role_action, reaction.role),)),
                                       self._context(what, member, place, tenant, language, actuator, {}),
                                       reaction.permissions)
            response = reaction.added if added else reaction.removed
            if response is not None:
                await self.respond(response, what, member=member, place=place, tenant=tenant, language=language,
                                   actuator=actuator, server=server,
                                   extra={"emoji": emoji, "message_id": message_id}, declared=reaction.permissions)

    # -- schedules ------------------------------------------------------------------------------

    async def scheduled_text(self, schedule: ScheduleSpec, *, place: Place, server: ServerInfo | None, tenant: str,
                             language: str, run: datetime.datetime) -> str:
        data = await self.scope(None, place, tenant, language, server, {"run": run},
                                top=self._reads_top_in(schedule.response, language))
        return self.render(schedule.response, data, language, Reason("event.schedule", name=schedule.name))

    async def run_schedule_actions(self, schedule: ScheduleSpec, *, place: Place, server: ServerInfo | None,
                                   tenant: str, language: str, actuator: Actuator, run: datetime.datetime) -> None:
        data = {"run": run, **({"server": server} if server is not None else {})}
        context = self._context(Reason("event.schedule", name=schedule.name), None, place, tenant, language, actuator,
                                data)
        # A replayed run writes once; per server, as its run is (one tenant may span servers).
        context.once = f"schedule:{place.guild_id or tenant}:{schedule.name}:{run.timestamp()!r}"
        await self.actions.run(schedule.response, context)

    # -- commands -------------------------------------------------------------------------------

    def reads_state(self, command: CommandSpec, language: str) -> bool:
        """Whether a command's answer reads ``state`` (its texts, or its template files)."""
        key = (command.name, language)
        known = self._command_reads.get(key)
        if known is None:
            known = False
            if self.events.state:
                if command.inline is not None:
                    known = any("state" in text for texts in command.inline.texts.values() for text in texts)
                for template in command.reply_templates.values():
                    reads = self.renderer.reads(template, language)
                    known = known or reads is None or "state" in reads
            self._command_reads[key] = known
        return known

    async def command_state(self, command: CommandSpec, author: Any, place: Place, tenant: str,
                            language: str) -> dict[str, Any] | None:
        """The ``state`` a command's answer reads, or None when it reads none."""
        if not self.reads_state(command, language):
            return None
        return await self.load_state(MemberInfo.of(author), place, tenant, top=True)

    # -- the common part ------------------------------------------------------------------------

    def _context(self, what: Reason, member: MemberInfo | None, place: Place, tenant: str, language: str,
                 actuator: Actuator, data: dict[str, Any]) -> ActionContext:
        async def render(texts: Any) -> str:
            scope = await self.scope(member, place, tenant, language, data.get("server"), data)
            return self.render_texts(texts, scope, language, what)

        return ActionContext(what, tenant, owners_of(member, place), str(member) if member else "", actuator,
                             render, language)

    async def respond(self, response: ResponseSpec, what: Reason, *, member: MemberInfo | None, place: Place,
                      tenant: str, language: str, actuator: Actuator, server: ServerInfo | Server | None = None,
                      extra: dict[str, Any] | None = None, declared: tuple[str, ...] = ()) -> None:
        data = {**(extra or {}), **({"server": server} if server is not None else {})}
        await self.actions.run(response, self._context(what, member, place, tenant, language, actuator, data),
                               declared)
        if not response.says_something:
            return
        scope = await self.scope(member, place, tenant, language, server, data,
                                 top=self._reads_top_in(response, language))
        text = self.render(response, scope, language, what)
        if not text.strip():
            return
        if response.dm:
            await actuator.dm(text)
        elif not await actuator.post(response.channel, text):
            log.warning("%s: no channel %r to post in on server %s", what, response.channel, place.guild_id)

    def _reads_top_in(self, response: ResponseSpec, language: str) -> bool:
        """Whether a template file may read ``state.top`` (the leaderboards): it reads ``state``, or what
        it reads is not known (it includes another)."""
        if response.template is None or not self.events.state:
            return False
        reads = self.renderer.reads(response.template, language)
        return reads is None or "state" in reads

    async def scope(self, member: MemberInfo | None, place: Place, tenant: str, language: str,
                    server: ServerInfo | Server | None, extra: dict[str, Any], *, top: bool = False) -> dict[str, Any]:
        data = {**self.base, "language": language, **place_scope(place, server, self.now())}
        if member is not None:
            data.update(member_scope(member))
        data.update(extra)
        data["state"] = await self.load_state(member, place, tenant, top=top)
        return data

    async def load_state(self, member: MemberInfo | None, place: Place, tenant: str, *,
                         top: bool = False) -> dict[str, Any]:
        declared = self.events.state
        view: dict[str, Any] = {scope: {} for scope in ("user", "member", "channel", "server", "global")}
        for key, spec in declared.items():
            view[spec.scope][key] = spec.initial
        if self.state is not None and declared:
            stored = await self.state.read(tenant, owners_of(member, place).values(), declared)
            for (scope, key), value in stored.items():
                if declared[key].scope == scope:
                    view[scope][key] = value
            if self._reads_top or top:
                view["top"] = {key: await self.state.top(tenant, spec.scope, key, spec.leaderboard)
                               for key, spec in declared.items() if spec.counter}
        return view

    def render(self, response: ResponseSpec, data: dict[str, Any], language: str, what: str) -> str:
        if response.template is not None:
            try:
                return self.renderer.render(response.template, data, language)
            except TemplateFailed as failed:  # the file and line that failed, as for a command's template
                log.error("%s: %s: its template %r failed: %s", failed.location or response.template, what,
                          response.template, failed.problem)
                return ""
            except (TemplateMissing, jinja2.TemplateError) as error:
                log.error("%s: its template %r failed: %s", what, response.template, error)
                return ""
        return self.render_texts(response.texts, data, language, what)

    def render_texts(self, texts: Any, data: dict[str, Any], language: str, what: str) -> str:
        if not texts:
            return ""
        try:
            return self.renderer.render_source(pick_language(texts, language, self.default_language), data,
                                               language).strip()
        except TemplateFailed as failed:
            log.error("%s: its text failed: %s", what, failed.problem)
            return ""
        except jinja2.TemplateError as error:
            log.error("%s: its text failed: %s", what, error)
            return ""

