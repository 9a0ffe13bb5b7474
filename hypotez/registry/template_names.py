"""Every name and attribute a command's templates read, checked against what they are given: the scope
(hypotez.scope.SHAPES), the command's arguments, and the data its handler declares (handler_data).
Template files are reported at their FILE:LINE:COL (what an ``{% include %}``d file reads, at that file's),
texts written in the spec where they are written; each with "did you mean" for a near name and the list
of what exists. The events' templates are checked the same way against their own scopes (event_names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jinja2
from jinja2 import nodes

from hypotez import shapes
from hypotez.declaration.model import ArgumentSpec
from hypotez.incoming import Attachment, ChannelRef, MemberRef
from hypotez.registry.handler_data import handler_data
from hypotez.registry.template_findings import Included, StateRead, Unknown
from hypotez.registry.template_walk import TemplateWalker
from hypotez.rendering import BUILTIN_TEMPLATES, Renderer
from hypotez.scope import SCOPE, SHAPES

# An argument's value as its converter gives it (types added later, or unknown, may hold anything).
ARGUMENT_SHAPES: dict[str, Any] = {
    "text": str, "choice": str, "integer": int, "number": float, "boolean": bool, "json": shapes.ANY,
    "path": Path, "attachment": Attachment, "member": MemberRef, "channel": ChannelRef, "list": list,
}
# Names Jinja gives every template besides its globals.
_JINJA_NAMES = ("self", "super", "varargs", "kwargs")


@dataclass(frozen=True, slots=True)
class NameScope:
    """What the templates of one command are given."""

    label: str  # "command 'hi'"
    shapes: Mapping[str, Any]
    arguments: tuple[str, ...]
    data: tuple[str, ...] | None  # what the handler declares it gives; None: it does not say
    has_handler: bool
    listed: tuple[str, ...] | None = None  # the names the hint lists (default: a command's scope)

    @property
    def strict(self) -> bool:
        return self.data is not None


def argument_shape(argument: ArgumentSpec) -> Any:
    shape = ARGUMENT_SHAPES.get(argument.type, shapes.ANY)
    return shape if argument.required or argument.has_default else shape | None


def command_scope(label: str, arguments: Iterable[ArgumentSpec], handler: Callable[..., Any] | None,
                  has_handler: bool) -> NameScope:
    """The scope of a command's templates: SHAPES, then its arguments, then its handler's data (later
    names replace earlier ones, as the pipeline merges them)."""
    arguments = list(arguments)
    found: dict[str, Any] = dict(SHAPES)
    found["state"] = shapes.ANY  # what the bot remembers (hypotez.events): the spec's state keys, checked there
    found.update({a.name: argument_shape(a) for a in arguments})
    data = handler_data(handler) if handler is not None else ({} if not has_handler else None)
    if data:
        found.update(data)
    return NameScope(label, found, tuple(a.name for a in arguments), tuple(data) if data is not None else None,
                     has_handler)


def walked(env: jinja2.Environment, tree: nodes.Template, scope: NameScope, *,
           follow_includes: bool = False) -> TemplateWalker:
    walker = TemplateWalker(scope.shapes, [*env.globals, *_JINJA_NAMES], strict=scope.strict,
                            include=include_loader(env) if follow_includes else None)
    walker.walk(tree)
    return walker


def include_loader(env: jinja2.Environment) -> Callable[[str], Included]:
    """What ``{% include 'name' %}`` pulls in, found as the renderer's loader finds it at run time."""
    def load(name: str) -> Included:
        try:
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return Included(name, "", None, "missing")
        except UnicodeDecodeError:
            return Included(name, "", None, f"the included template '{name}' is not UTF-8 text: save it as UTF-8")
        source = source.removeprefix("\ufeff")
        try:
            return Included(filename or name, source, env.parse(source, name, filename))
        except jinja2.TemplateSyntaxError as error:
            return Included(filename or name, source, None,
                            f"the included template '{name}' does not compile: {error.message} (line {error.lineno})")
    return load


def message(unknown: Unknown, where: str) -> str:
    if unknown.base is None:
        return f"unknown name '{unknown.name}' in {where}"
    return f"'{unknown.base}' has no '{unknown.name}' ({where})"


def hint(unknown: Unknown, scope: NameScope) -> str:
    if unknown.base is None:
        close = get_close_matches(unknown.name, list(unknown.known), n=1, cutoff=0.6)
        listed = "names you can use: " + ", ".join(scope.listed if scope.listed is not None else SCOPE)
        if scope.arguments:
            listed += "; and the arguments: " + ", ".join(scope.arguments)
        if scope.data:
            listed += "; and what the handler gives: " + ", ".join(scope.data)
        return f"did you mean '{close[0]}'? ({listed})" if close else listed
    has = [name for name in unknown.known if not name.startswith("_")]
    close = get_close_matches(unknown.name, has, n=1, cutoff=0.6)
    kind = shapes.kind(unknown.base_shape)
    if not has and kind:  # {{ user.id }}: another name of the scope has it (caller.id)
        close = [f"{name}.{unknown.name}" for name, shape in scope.shapes.items()
                 if unknown.name in (shapes.declared(shape) or ())][:1]
    listed = f"'{unknown.base}' has: {', '.join(has)}" if has else \
        f"'{unknown.base}' is {kind}: it has no attributes to read" if kind else ""
    root = unknown.base.split(".")[0].split("[")[0]
    if scope.has_handler and root in (scope.data or ()):
        listed += "; the handler's return annotation says what it gives"
    elif scope.has_handler and scope.data is None and root in SHAPES:
        # The handler does not say what it gives: it might give a '{root}' of its own.
        listed += f"; if the handler gives a '{root}' of its own, declare it: -> Response[YourData]"
    if close:
        return f"did you mean '{close[0]}'?" + (f" ({listed})" if listed else "")
    return listed or f"remove '.{unknown.name}'"


def column(line_text: str, unknown: Unknown) -> int:
    """The column (from 1) where the name or attribute is written on its line."""
    if unknown.base is not None:
        pattern = rf"(?<=\.)\s*{re.escape(unknown.name)}\b|(?<=\[)\s*['\"]{re.escape(unknown.name)}['\"]"
    else:
        pattern = rf"(?<![\w.]){re.escape(unknown.name)}\b"
    # Inside {{ }} or {% %} only: the same word in the text around them is not what was read.
    for block in re.finditer(r"\{\{.*?(\}\}|$)|\{%.*?(%\}|$)", line_text):
        match = re.search(pattern, block.group(0))
        if match:
            return block.start() + match.start() + 1 + (len(match.group(0)) - len(match.group(0).lstrip()))
    match = re.search(pattern, line_text)
    return match.start() + 1 if match else 1


StateCheck = Callable[[StateRead], list[tuple[str, str | None]]]  # a state read → (message, hint) problems


def check_template_file(renderer: Renderer, template: str, language: str, scope: NameScope,
                        shown_path: Callable[[str], str],
                        add_at: Callable[[str, int, int, str, str | None], None],
                        state: StateCheck | None = None) -> None:
    """Check one compiled template file (``renderer.parsed``), and the files it includes; ``state``:
    what is wrong with each ``state.<scope>.<key>`` it reads (it also counts the read)."""
    parsed = renderer.parsed(template, language)
    if parsed is None:
        return  # missing, broken or not UTF-8: the template check reports it
    source, filename, tree, _ = parsed
    if Path(filename).is_relative_to(BUILTIN_TEMPLATES):
        return  # hypotez's own (help, errors): checked by its tests
    where = f"template '{template}' of {scope.label}"
    walker = walked(renderer.environment(language), tree, scope, follow_includes=True)
    lines_of = {None: source.splitlines()}

    def at(file: str | None, line: int) -> tuple[str, str]:
        """The file as shown, and the text of the line."""
        lines = lines_of.get(file)
        if lines is None:
            lines = lines_of[file] = walker.sources.get(file or "", "").splitlines()
        return shown_path(file or filename or template), lines[line - 1] if 0 < line <= len(lines) else ""

    for unknown in walker.found:
        shown, text = at(unknown.file, unknown.line)
        add_at(shown, unknown.line, column(text, unknown), message(unknown, where), hint(unknown, scope))
    for misused in walker.misused:
        shown, text = at(misused.file, misused.line)
        add_at(shown, misused.line, text.find(misused.needle) + 1 or 1, f"{misused.message} ({where})", misused.hint)
    for read in walker.state_reads if state is not None else ():
        problems = state(read)
        if problems:
            shown, text = at(read.file, read.line)
            for said, said_hint in problems:
                add_at(shown, read.line, text.find(f"state.{read.scope}.{read.key}") + 1 or 1, f"{said} ({where})",
                       said_hint)


def check_text(env: jinja2.Environment, source: str, what: str, scope: NameScope,
               add: Callable[[str, str], None]) -> None:
    """Check a text written in the spec (already known to compile); ``add(message, hint)``."""
    multiline = "\n" in source.strip("\n")
    walker = walked(env, env.parse(source), scope)
    for unknown in walker.found:
        if unknown.base is None:
            line = f" (line {unknown.line} of the text)" if multiline else ""
            add(message(unknown, what) + line, hint(unknown, scope))
        else:
            add(message(unknown, what + (f", line {unknown.line} of the text" if multiline else "")),
                hint(unknown, scope))
    for misused in walker.misused:
        line = f", line {misused.line} of the text" if multiline else ""
        add(f"{misused.message} ({what}{line})", misused.hint)
