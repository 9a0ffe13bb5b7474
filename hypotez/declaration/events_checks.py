"""The checked contracts of triggers, events, reactions, schedules and state (``hypotez validate``):

* every name a text reads exists where it is rendered (a schedule has no ``user``; ``{{ state.member.pts }}``
  names a declared key of that scope), and every text compiles;
* every state key is written somewhere (``set``/``increment``) and read somewhere (warnings);
* every action's Discord permission is declared in ``permissions:``, and what it names makes sense
  (``increment`` a counter, a reaction on a message or in a channel, a cron line that parses, a time zone
  that exists, a regular expression that compiles).
"""

from __future__ import annotations

import zoneinfo
from difflib import get_close_matches
from typing import Any, Callable, Iterable

from hypotez.declaration.events_model import EventsSpec, ResponseSpec, StateKeySpec
from hypotez.declaration.schema_events import STATE_SCOPES

Add = Callable[..., None]  # Declaration.add(path, message, hint=None, *, at_key=True, severity="error")

COMMON = ("user", "user_id", "caller", "channel", "channel_id", "server", "server_id", "now", "date", "time",
          "prefix", "bot", "language", "state")
# The names a text may read, by where it is rendered.
CONTEXT_NAMES = {
    "trigger": COMMON + ("message", "match"),
    "member": COMMON + ("member",),
    "role": COMMON + ("member", "role"),
    "reaction": COMMON + ("member", "emoji", "message_id"),
    "schedule": ("channel", "channel_id", "server", "server_id", "now", "date", "time", "prefix", "bot",
                 "language", "state", "run"),
}
# A command's names are checked by the registry (hypotez.registry.inline_checks); here only its state.
# The state scopes each context knows the owner of (a schedule has no user, so no user's state).
CONTEXT_SCOPES = {"command": STATE_SCOPES, "component": STATE_SCOPES, "role": STATE_SCOPES, "trigger": STATE_SCOPES, "member": STATE_SCOPES, "reaction": STATE_SCOPES,
                  "schedule": ("channel", "server", "global")}


def _state_reads(tree: Any) -> list[tuple[str, str, int]]:
    """(scope, key, line) for every ``state.<scope>.<key>`` (and ``state.top.<key>``) a text reads."""
    from jinja2 import nodes

    out = []
    for node in tree.find_all(nodes.Getattr):
        inner = node.node
        if isinstance(inner, nodes.Getattr) and isinstance(inner.node, nodes.Name) and inner.node.name == "state":
            out.append((inner.attr, node.attr, node.lineno))
    return out


class EventsChecker:
    def __init__(self, events: EventsSpec, add: Add, languages: Iterable[str], commands: Iterable[Any] = ()):
        self.events = events
        # Jinja is loaded only for a spec with events: importing the declaration stage stays light.
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.add = add
        self.env = ImmutableSandboxedEnvironment()
        self.languages = tuple(languages)
        self.commands = tuple(commands)
        self.read: set[str] = set()
        self.written: set[str] = set()

    def run(self) -> None:
        for trigger in self.events.triggers:
            path = ("triggers", trigger.name)
            if len(trigger.modes) != 1:
                written = " and ".join(f"'{m}'" for m in trigger.modes)
                self.add(path, f"trigger '{trigger.name}' " + (f"has {written}: it needs exactly one" if written
                                                               else "says nothing about what to match"),
                         "one of: contains, starts_with, exact, regex")
            self._trigger_pattern(trigger.mode, trigger.pattern, path + (trigger.mode,))
            self.response(trigger.response, "trigger", path, needs_message=True)
        for kind in ("member_join", "member_leave"):
            response = getattr(self.events, kind)
            if response is not None:
                self.response(response, "member", ("events", kind))
                if response.channel is None and not response.dm and response.says_something:
                    self.add(("events", kind), f"'{kind}' says something but not where",
                             "add 'channel: <name>' (e.g. welcome) or 'dm: true'")
        for kind in ("role_added", "role_removed"):
            for index, (_role, response) in enumerate(getattr(self.events, kind)):
                path = ("events", kind, index)
                self.response(response, "role", path)
                if response.channel is None and not response.dm and response.says_something:
                    self.add(path, f"'{kind}' says something but not where",
                             "add 'channel: <name>' or 'dm: true'")
        for reaction in self.events.reactions:
            self.reaction(reaction)
        for schedule in self.events.schedules:
            self.schedule(schedule)
        for command in self.commands:
            self.command_state(command)
        self.state_keys()

    def command_state(self, command: Any) -> None:
        """The state a command's text reads: declared keys, of the scope it names."""
        if command.builtin or command.inline is None:
            return
        for language, texts in command.inline.texts.items():
            for source in texts:
                if "state" not in source:
                    continue
                try:
                    tree = self.env.parse(source)
                except Exception:  # a text that does not compile: the registry's checks say so
                    continue
                for scope, key, _line in _state_reads(tree):
                    self.state_read(scope, key, "command", ("commands", command.name, "text"))

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

    def response(self, response: ResponseSpec, context: str, path: tuple[Any, ...], *,
                 needs_message: bool = False, extra_permissions: tuple[str, ...] = ()) -> None:
        if not response.says_something and not response.actions and context != "reaction":
            self.add(path, "it does nothing: no text, no reply template and no actions",
                     "add 'text: ...' or 'actions: [...]'", severity="warning")
        for language, text in response.texts.items():
            self.text(text, context, path + ("text",) + ((language,) if language != "*" else ()))
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
            self.written.add(action.target)
            key = self.events.state.get(action.target)
            if key is None:
                self._unknown_key(action.target, action.path)
            elif action.kind == "increment" and not key.counter:
                self.add(action.path, f"state '{key.key}' is a value, not a counter: it cannot be incremented",
                         "declare it with 'type: counter', or use 'set'")
            elif key.scope not in CONTEXT_SCOPES[context]:
                self.add(action.path, f"state '{key.key}' is per {key.scope}, and a {context} has no {key.scope}",
                         f"use a key per {' or '.join(CONTEXT_SCOPES[context])}")
            if action.kind == "set" and isinstance(action.value, str):
                self.text(action.value, context, action.path)

    def text(self, source: str, context: str, path: tuple[Any, ...]) -> None:
        import jinja2
        from jinja2 import meta

        try:
            tree = self.env.parse(source)
        except jinja2.TemplateSyntaxError as error:
            self.add(path, f"the text does not compile: {error.message} (line {error.lineno} of the text)",
                     "check that every {{ has its }} and every {% its %}", at_key=False)
            return
        known = CONTEXT_NAMES[context]
        for name in sorted(meta.find_undeclared_variables(tree) - set(self.env.globals) - set(known)):
            close = get_close_matches(name, known, n=1, cutoff=0.6)
            listed = "names you can use here: " + ", ".join(known)
            self.add(path, f"unknown name '{name}' in a {context}'s text",
                     f"did you mean '{close[0]}'? ({listed})" if close else listed, at_key=False)
        for scope, key, _line in _state_reads(tree):
            self.state_read(scope, key, context, path)

    def state_read(self, scope: str, key: str, context: str, path: tuple[Any, ...]) -> None:
        if scope == "top":
            spec = self.events.state.get(key)
            self.read.add(key)
            if spec is None:
                self._unknown_key(key, path)
            elif not spec.counter:
                self.add(path, f"state.top.{key}: only counters have a leaderboard", "declare it 'type: counter'",
                         at_key=False)
            return
        if scope not in STATE_SCOPES:
            self.add(path, f"state.{scope}: there is no state scope '{scope}'",
                     "scopes: " + ", ".join(STATE_SCOPES) + ", and state.top.<counter> for a leaderboard",
                     at_key=False)
            return
        self.read.add(key)
        spec = self.events.state.get(key)
        if spec is None:
            self._unknown_key(key, path)
        elif spec.scope != scope:
            self.add(path, f"state '{key}' is per {spec.scope}, not per {scope}",
                     f"write state.{spec.scope}.{key}", at_key=False)
        elif scope not in CONTEXT_SCOPES[context]:
            self.add(path, f"state.{scope}.{key}: a {context} has no {scope}", at_key=False)

    def _unknown_key(self, key: str, path: tuple[Any, ...]) -> None:
        close = get_close_matches(key, list(self.events.state), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"declare it under 'state:', e.g. {key}: {{scope: member}}"
        self.add(path, f"unknown state key '{key}'", hint, at_key=False)

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
                self.response(response, "reaction", path + (kind,), extra_permissions=reaction.permissions)

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
            self.response(schedule.response, "schedule", path)

    def state_keys(self) -> None:
        limits = self.events.limits
        if len(self.events.state) > limits.max_keys:
            self.add(("state",), f"{len(self.events.state)} state keys; at most {limits.max_keys} are allowed",
                     "raise state_limits.max_keys or use fewer keys")
        for key, spec in self.events.state.items():
            self._state_key(key, spec)

    def _state_key(self, key: str, spec: StateKeySpec) -> None:
        path = ("state", key)
        if key not in self.written:
            self.add(path, f"state '{key}' is never written", "add a 'set' or 'increment' action that writes it",
                     severity="warning")
        if key not in self.read:
            self.add(path, f"state '{key}' is never read",
                     f"show it in a text: {{{{ state.{spec.scope}.{key} }}}}", severity="warning")
        if spec.counter and spec.default is not None and not isinstance(spec.default, int):
            self.add(path + ("default",), "a counter's default must be a whole number", at_key=False)
        if spec.leaderboard and not spec.counter and spec.leaderboard != 10:
            self.add(path + ("leaderboard",), "only counters have a leaderboard", "declare it 'type: counter'")


def check_events(events: EventsSpec, add: Add, languages: Iterable[str],
                 commands: Iterable[Any] = ()) -> dict[tuple[Any, ...], str]:
    """Check ``events`` (problems through ``add``); returns the template files its answers name, by where,
    for the registry to check as it checks the commands' ones."""
    if not events.empty:
        EventsChecker(events, add, languages, commands).run()
    return event_templates(events)


def event_templates(events: EventsSpec) -> dict[tuple[Any, ...], str]:
    """The template files the events' answers name, by where."""
    return {response.path + ("reply",): response.template for response in events.responses()
            if response.template is not None}
