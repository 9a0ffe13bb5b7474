"""What the events' texts and template files read, checked against what each event gives them
(hypotez.events.engine: ``place_scope``, ``member_scope`` and the event's own names): a member event has
``member`` and ``server.member_count``, a schedule has no ``user``. Texts written in the spec are reported
where they are written, template files (and what they include) at their FILE:LINE:COL. Every
``state.<scope>.<key>`` read — events', commands', in texts or template files — is checked against the
declared keys and counted, for the "never read" warnings (hypotez.declaration.events_checks)."""

from __future__ import annotations

import datetime
from difflib import get_close_matches
from typing import Any, Callable, TypedDict

import jinja2

from hypotez import shapes
from hypotez.declaration.events_checks import EventText, check_state_keys, read_key, state_read_problems
from hypotez.events.info import MemberInfo, ServerInfo
from hypotez.scope import Channel, Server
from hypotez.registry.template_findings import StateRead, Unknown
from hypotez.registry.template_names import NameScope, StateCheck, hint, message, walked
from hypotez.template_hints import syntax_hint

# The registry's checker (hypotez.registry.checks.RegistryChecker), which calls this module: named, not imported.
RegistryChecker = Any


class EventCaller(TypedDict):
    """``caller`` in an event: the member, as a mapping (hypotez.events.info.member_scope)."""

    id: str
    name: str
    display_name: str
    mention: str
    roles: list[str]


_PLACE = {"channel": Channel, "channel_id": str, "server": ServerInfo | str, "server_id": str,
          "now": datetime.datetime, "date": str, "time": str, "prefix": str, "bot": str, "language": str,
          "state": shapes.ANY}
_MEMBER = {"user": str, "user_id": str, "caller": EventCaller}


def _names(*parts: dict[str, Any], server: Any = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in parts:
        found.update(part)
    if server is not None:
        found["server"] = server
    found.update(extra)
    return found


_COMMON = ("user", "user_id", "caller", "channel", "channel_id", "server", "server_id", "now", "date", "time",
           "prefix", "bot", "language", "state")
# The names each context's texts are given, in the order the hints list them, and their shapes. A
# trigger's ``server`` is a command's (hypotez.scope.Server); a schedule's may be its name alone.
EVENT_SHAPES: dict[str, dict[str, Any]] = {
    context: {name: found[name] for name in order if name in found}
    for context, order, found in (
        ("trigger", _COMMON + ("message", "match"),
         _names(_PLACE, _MEMBER, server=Server, message=str, match=dict[str, Any])),
        ("member", _COMMON + ("member",), _names(_PLACE, _MEMBER, server=ServerInfo, member=MemberInfo)),
        ("role", _COMMON + ("member", "role"),
         _names(_PLACE, _MEMBER, server=ServerInfo, member=MemberInfo, role=str)),
        ("reaction", _COMMON + ("member", "emoji", "message_id"),
         _names(_PLACE, _MEMBER, member=MemberInfo, emoji=str, message_id=str)),
        ("schedule", ("channel", "channel_id", "server", "server_id", "now", "date", "time", "prefix", "bot",
                      "language", "state", "run"), _names(_PLACE, run=datetime.datetime)),
    )
}


def event_scope(context: str, label: str) -> NameScope:
    names = EVENT_SHAPES[context]
    return NameScope(label, names, (), (), False, listed=tuple(names))


class StateReads:
    """The state keys read anywhere, and the check of each read in its context."""

    def __init__(self, state: Any):
        self.state = state
        self.read: set[str] = set()

    def check(self, context: str) -> StateCheck:
        def check(found: StateRead) -> list[tuple[str, str | None]]:
            return self.found(found.scope, found.key, context)
        return check

    def found(self, scope: str, key: str, context: str) -> list[tuple[str, str | None]]:
        counted = read_key(scope, key)
        if counted is not None:
            self.read.add(counted)
        return state_read_problems(self.state, scope, key, context)


def _name_hint(unknown: Unknown, scope: NameScope) -> str:
    known = scope.listed or ()
    close = get_close_matches(unknown.name, list(unknown.known), n=1, cutoff=0.6)
    listed = "names you can use here: " + ", ".join(known)
    return f"did you mean '{close[0]}'? ({listed})" if close else listed


def check_event_text(env: jinja2.Environment, text: EventText, reads: StateReads,
                     add: Callable[..., None]) -> None:
    """A text an event renders: it compiles, reads only names its context has, and declared state."""
    try:
        tree = env.parse(text.source)
        env.compile(tree)  # unknown filters and tests are found here
    except jinja2.TemplateSyntaxError as error:
        add(text.path, f"the text does not compile: {error.message} (line {error.lineno} of the text)",
            syntax_hint(error.message or "", env) or "check that every {{ has its }} and every {% its %}",
            at_key=False)
        return
    except RecursionError:
        add(text.path, "the text is nested too deeply to be a template", at_key=False)
        return
    context = text.context
    scope = event_scope(context, f"a {context}'s text")
    walker = walked(env, tree, scope)
    multiline = "\n" in text.source.strip("\n")
    names = {u.name: u for u in walker.found if u.base is None}
    for name in sorted(names):
        add(text.path, f"unknown name '{name}' in a {context}'s text", _name_hint(names[name], scope), at_key=False)
    seen: set[tuple[str, str, int]] = set()
    for unknown in walker.found:
        if unknown.base is not None and (unknown.base, unknown.name, unknown.line) not in seen:
            seen.add((unknown.base, unknown.name, unknown.line))
            where = scope.label + (f", line {unknown.line} of the text" if multiline else "")
            add(text.path, message(unknown, where), hint(unknown, scope), at_key=False)
    for misused in walker.misused:
        add(text.path, f"{misused.message} ({scope.label})", misused.hint, at_key=False)
    for read in walker.state_reads:
        for said, said_hint in reads.found(read.scope, read.key, context):
            add(text.path, said, said_hint, at_key=False)


def command_text_state(env: jinja2.Environment, command: Any, reads: StateReads, add: Callable[..., None]) -> None:
    """The state a command's text reads: declared keys, of the scope it names (its names: inline_checks)."""
    if command.builtin or command.inline is None:
        return
    for texts in command.inline.texts.values():
        for source in texts:
            if "state" in source:
                text_state(env, EventText(("commands", command.name, "text"), source, "command"), reads, add)


def text_state(env: jinja2.Environment, text: EventText, reads: StateReads, add: Callable[..., None]) -> None:
    """The state a text reads: declared keys, of a scope its context has (its other names are checked
    with its command's or component's)."""
    try:
        tree = env.parse(text.source)
    except jinja2.TemplateSyntaxError:  # the registry's inline and components' checks say so
        return
    for read in walked(env, tree, NameScope("", {}, (), None, False)).state_reads:
        for said, said_hint in reads.found(read.scope, read.key, text.context):
            add(text.path, said, said_hint, at_key=False)


def check_events_read(checker: RegistryChecker, reads: StateReads) -> None:
    """The events' texts and template files, then every state key's checks with all the reads found."""
    declaration = checker.declaration
    spec = declaration.spec
    found = declaration.event_texts
    env = checker.renderer.environment(spec.settings.language)
    for text in found.texts:
        check_event_text(env, text, reads, checker.add)
    for text in found.state_texts:
        text_state(env, text, reads, checker.add)
    for template in found.templates:
        checker.template_names([template.template], event_scope(template.context, template.label),
                               state=reads.check(template.context))
    if spec.events is not None:
        check_state_keys(spec.events, reads.read, found.written, checker.add)
