"""The checked contracts of triggers, events, reactions, schedules and state (``hypotez validate``):

* every state key is written somewhere (``set``/``increment``) and read somewhere (warnings:
  :func:`check_state_keys`, given the reads and writes found);
* every action's Discord permission is declared in ``permissions:``, and what it names makes sense
  (``increment`` a counter, a reaction on a message or in a channel, a cron line that parses, a time zone
  that exists, a regular expression that compiles).

What the texts and template files read (names, ``{{ state.member.points }}``) is Jinja: the registry
checks it (hypotez.registry.event_names) with the texts, templates and contexts listed here
(:class:`EventTexts`), and the state wording of :func:`state_read_problems`.
"""

from __future__ import annotations

import zoneinfo
from difflib import get_close_matches
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from hypotez.declaration.events_model import EventsSpec, ResponseSpec, StateKeySpec
from hypotez.declaration.schema_events import STATE_SCOPES

Add = Callable[..., None]  # Declaration.add(path, message, hint=None, *, at_key=True, severity="error")

# The state scopes each context knows the owner of (a schedule has no user, so no user's state).
CONTEXT_SCOPES = {"command": STATE_SCOPES, "component": STATE_SCOPES, "role": STATE_SCOPES, "trigger": STATE_SCOPES,
                  "member": STATE_SCOPES, "reaction": STATE_SCOPES, "schedule": ("channel", "server", "global")}


@dataclass(frozen=True, slots=True)
class EventText:
    """A text written in the spec that an event renders (``text:``, a ``dm``, a ``set`` value)."""

    path: tuple[Any, ...]
    source: str
    context: str  # trigger | member | role | reaction | schedule | component


@dataclass(frozen=True, slots=True)
class EventTemplate:
    """A template file an event's ``reply:`` names."""

    path: tuple[Any, ...]
    template: str
    context: str
    label: str  # "trigger 'thanks'", "the member_join event"


@dataclass(slots=True)
class EventTexts:
    """What the registry checks of the events (names read, state read), and the state keys written."""

    texts: list[EventText] = field(default_factory=list)
    templates: list[EventTemplate] = field(default_factory=list)
    # Texts whose state reads only are checked and counted: buttons' and menus' (their names are theirs).
    state_texts: list[EventText] = field(default_factory=list)
    written: set[str] = field(default_factory=set)

    @property
    def template_refs(self) -> dict[tuple[Any, ...], str]:
        """The template files, by where: the registry checks they exist and compile."""
        return {t.path: t.template for t in self.templates}


class EventsChecker:
    def __init__(self, events: EventsSpec, add: Add, languages: Iterable[str]):
        self.events = events
        self.add = add
        self.languages = tuple(languages)
        self.found = EventTexts()

    def run(self) -> None:
        for trigger in self.events.triggers:
            path = ("triggers", trigger.name)
            if len(trigger.modes) != 1:
                written = " and ".join(f"'{m}'" for m in trigger.modes)
                self.add(path, f"trigger '{trigger.name}' " + (f"has {written}: it needs exactly one" if written
                                                               else "says nothing about what to match"),
                         "one of: contains, starts_with, exact, regex")
            self._trigger_pattern(trigger.mode, trigger.pattern, path + (trigger.mode,))
            self.response(trigger.response, "trigger", path, f"trigger '{trigger.name}'", needs_message=True)
        for kind in ("member_join", "member_leave"):
            response = getattr(self.events, kind)
            if response is not None:
                self.response(response, "member", ("events", kind), f"the {kind} event")
                if response.channel is None and not response.dm and response.says_something:
                    self.add(("events", kind), f"'{kind}' says something but not where",
                             "add 'channel: <name>' (e.g. welcome) or 'dm: true'")
        for kind in ("role_added", "role_removed"):
            for index, (role, response) in enumerate(getattr(self.events, kind)):
                path = ("events", kind, index)
                self.response(response, "role", path, f"the {kind} event of role '{role}'")
                if response.channel is None and not response.dm and response.says_something:
                    self.add(path, f"'{kind}' says something but not where",
                             "add 'channel: <name>' or 'dm: true'")
        for reaction in self.events.reactions:
            self.reaction(reaction)
        for schedule in self.events.schedules:
            self.schedule(schedule)

    # -- parts ------------------------------------------------------------------------------

    def _trigger_pattern(self, mode: str, pattern: str, path: tuple[Any, ...]) -> None:
        if mode != "regex":
            return
        import regex

        try:
            regex.compile(pattern)
        except regex.error as error:
            self.add(path, f"the regular expression does not compile: {error}",
                     "check brackets and backslashes; in YAML, write it in single quotes", at_key=False)

    def response(self, response: ResponseSpec, context: str, path: tuple[Any, ...], label: str, *,
                 needs_message: bool = False, extra_permissions: tuple[str, ...] = ()) -> None:
        if not response.says_something and not response.actions and context != "reaction":
            self.add(path, "it does nothing: no text, no reply template and no actions",
                     "add 'text: ...' or 'actions: [...]'", severity="warning")
        for language, text in response.texts.items():
            self.text(text, context, path + ("text",) + ((language,) if language != "*" else ()))
        if response.template is not None:
            self.found.templates.append(EventTemplate(response.path + ("reply",), response.template, context, label))
        declared = set(response.permissions) | set(extra_permissions)
        for action in response.actions:
            self.action(action, context, declared, path, needs_message)

    def action(self, action: Any, context: str, declared: set[str], path: tuple[Any, ...],
               needs_message: bool) -> None:
        permission = action.permission
        if permission is not None and permission not in declared:
            self.add(action.path, f"'{action.kind}' needs the bot's '{permission}' permission, which is not "
                                  "declared", f"add 'permissions: [{permission}]' next to 'actions:'")
        if action.kind in ("delete_message", "react") and context not in ("trigger", "reaction", "command",
                                                                          "component"):
            self.add(action.path, f"'{action.kind}' needs a message, and a {context} has none",
                     "use it in a trigger or a reaction")
        if action.kind in ("add_role", "remove_role", "dm") and context == "schedule":
            self.add(action.path, f"'{action.kind}' needs a member, and a schedule has none",
                     "use it in a trigger, a member event or a reaction")
        if action.kind == "dm":
            for language, text in action.target.items():
                self.text(text, context, action.path)
        if action.kind in ("set", "increment"):
            self.found.written.add(action.target)
            key = self.events.state.get(action.target)
            if key is None:
                self.add(action.path, *_unknown_key(self.events.state, action.target), at_key=False)
            elif action.kind == "increment" and not key.counter:
                self.add(action.path, f"state '{key.key}' is a value, not a counter: it cannot be incremented",
                         "declare it with 'type: counter', or use 'set'")
            elif key.scope not in CONTEXT_SCOPES[context]:
                self.add(action.path, f"state '{key.key}' is per {key.scope}, and a {context} has no {key.scope}",
                         f"use a key per {' or '.join(CONTEXT_SCOPES[context])}")
            if action.kind == "set" and isinstance(action.value, str):
                self.text(action.value, context, action.path)

    def text(self, source: str, context: str, path: tuple[Any, ...]) -> None:
        self.found.texts.append(EventText(path, source, context))

    def reaction(self, reaction: Any) -> None:
        path = ("reactions", reaction.name)
        if reaction.message is None and reaction.channel is None:
            self.add(path, f"reaction '{reaction.name}' names neither a message nor a channel",
                     "add 'message: <message id>' or 'channel: <name>'")
        if reaction.role is not None and "manage_roles" not in reaction.permissions:
            self.add(path + ("role",), "a reaction role needs the bot's 'manage_roles' permission, which is "
                                       "not declared", "add 'permissions: [manage_roles]'")
        for kind in ("added", "removed"):
            response = getattr(reaction, kind)
            if response is not None:
                self.response(response, "reaction", path + (kind,), f"reaction '{reaction.name}' ({kind})",
                              extra_permissions=reaction.permissions)

    def schedule(self, schedule: Any) -> None:
        from croniter import croniter

        path = ("schedules", schedule.name)
        if (schedule.cron is None) == (schedule.every is None):
            self.add(path, f"schedule '{schedule.name}' needs one of 'cron' or 'every'",
                     "e.g. cron: '0 9 * * 1' (Mondays at 9:00) or every: 3600 (hourly)")
        elif schedule.cron is not None and not croniter.is_valid(schedule.cron):
            self.add(path + ("cron",), f"'{schedule.cron}' is not a cron line",
                     "five fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * 1'", at_key=False)
        try:
            zoneinfo.ZoneInfo(schedule.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            close = get_close_matches(schedule.timezone, sorted(zoneinfo.available_timezones()), n=1)
            self.add(path + ("timezone",), f"unknown time zone '{schedule.timezone}'",
                     f"did you mean '{close[0]}'?" if close else "e.g. Europe/Moscow, UTC", at_key=False)
        if schedule.command is not None and schedule.response.says_something:
            self.add(path, "a schedule either runs a command or posts a text, not both",
                     "remove 'command' or 'text'/'reply'")
        if schedule.command is None and not schedule.response.says_something and not schedule.response.actions:
            self.add(path, f"schedule '{schedule.name}' does nothing", "add 'text: ...' or 'command: \"!...\"'")
        elif schedule.command is None or schedule.response.actions:
            self.response(schedule.response, "schedule", path, f"schedule '{schedule.name}'")


def state_read_problems(state: Mapping[str, StateKeySpec], scope: str, key: str,
                        context: str) -> list[tuple[str, str | None]]:
    """What is wrong with a text of ``context`` reading ``state.<scope>.<key>`` (``scope`` "top": the
    leaderboard of ``key``): (message, hint) each."""
    spec = state.get(key)
    if scope == "top":
        if spec is None:
            return [_unknown_key(state, key)]
        return [] if spec.counter else [(f"state.top.{key}: only counters have a leaderboard",
                                         "declare it 'type: counter'")]
    if scope not in STATE_SCOPES:
        return [(f"state.{scope}: there is no state scope '{scope}'",
                 "scopes: " + ", ".join(STATE_SCOPES) + ", and state.top.<counter> for a leaderboard")]
    if spec is None:
        return [_unknown_key(state, key)]
    if spec.scope != scope:
        return [(f"state '{key}' is per {spec.scope}, not per {scope}", f"write state.{spec.scope}.{key}")]
    if scope not in CONTEXT_SCOPES[context]:
        return [(f"state.{scope}.{key}: a {context} has no {scope}", None)]
    return []


def read_key(scope: str, key: str) -> str | None:
    """The state key a ``state.<scope>.<key>`` read counts as read (None: not a scope, nothing is read)."""
    return key if scope == "top" or scope in STATE_SCOPES else None


def _unknown_key(state: Mapping[str, StateKeySpec], key: str) -> tuple[str, str]:
    close = get_close_matches(key, list(state), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"declare it under 'state:', e.g. {key}: {{scope: member}}"
    return f"unknown state key '{key}'", hint


def check_state_keys(events: EventsSpec, read: Iterable[str], written: Iterable[str], add: Add) -> None:
    """The state keys' own checks, and a warning for each key never written or never read — given every
    read and write found (events' texts and templates, commands' answers, actions)."""
    read, written = set(read), set(written)
    limits = events.limits
    if len(events.state) > limits.max_keys:
        add(("state",), f"{len(events.state)} state keys; at most {limits.max_keys} are allowed",
            "raise state_limits.max_keys or use fewer keys")
    for key, spec in events.state.items():
        path = ("state", key)
        if key not in written:
            add(path, f"state '{key}' is never written", "add a 'set' or 'increment' action that writes it",
                severity="warning")
        if key not in read:
            add(path, f"state '{key}' is never read",
                f"show it in a text: {{{{ state.{spec.scope}.{key} }}}}", severity="warning")
        if spec.counter and spec.default is not None and not isinstance(spec.default, int):
            add(path + ("default",), "a counter's default must be a whole number", at_key=False)
        if spec.leaderboard and not spec.counter and spec.leaderboard != 10:
            add(path + ("leaderboard",), "only counters have a leaderboard", "declare it 'type: counter'")


def check_events(events: EventsSpec, add: Add, languages: Iterable[str]) -> EventTexts:
    """Check ``events`` (problems through ``add``); returns what the registry checks next: the texts and
    template files its answers name, and the state keys its actions write."""
    if events.empty:
        return EventTexts()
    checker = EventsChecker(events, add, languages)
    checker.run()
    return checker.found
