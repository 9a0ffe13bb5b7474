"""The checks of a declaration that need later stages: handlers imported and their signatures
read, templates compiled (the compiled templates are kept: the registry serves with them), defaults
converted with the argument converters, the answers written in the spec compiled.

Every problem is reported where the declaration says it was written (FILE:LINE:COL).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Callable, Iterable

from hypotez.template_hints import syntax_hint
from hypotez.arguments import ConversionContext, Validator, convert, validator_for
from hypotez.declaration.loader import Declaration
from hypotez.declaration.model import ArgumentSpec, CommandSpec, Settings
from hypotez.errors import HypotezError, SpecProblem
from hypotez.registry.handlers import HandlerProblem, check_signature, resolve_handler
from hypotez.registry.component_checks import check_action_texts
from hypotez.registry.inline_checks import InlineChecker, template_path
from hypotez.registry.template_languages import check_other_languages, elsewhere_hint
from hypotez.registry.event_names import StateReads, check_events_read, command_text_state
from hypotez.registry.template_names import NameScope, StateCheck, check_template_file, command_scope
from hypotez.rendering import Renderer


@dataclass(slots=True)
class RegistryChecker:
    declaration: Declaration
    spec_dir: Path
    renderer: Renderer
    settings: Settings
    validator: Callable[[ArgumentSpec], Validator | None] = validator_for

    @property
    def problems(self) -> list[SpecProblem]:
        return self.declaration.problems

    def add(self, path: tuple[Any, ...], message: str, hint: str | None = None, *, at_key: bool = True,
            severity: str = "error") -> None:
        self.declaration.add(path, message, hint, at_key=at_key, severity=severity)

    def handler(self, path: tuple[Any, ...], dotted: str, argument_names: list[str]) -> Callable[..., Any] | None:
        try:
            function = resolve_handler(dotted, self.spec_dir)
        except HandlerProblem as problem:
            self.add(path, problem.message, problem.hint, at_key=False)
            return None
        for problem in check_signature(function, dotted, argument_names):
            self.add(path, problem.message, problem.hint, at_key=False)
        return function

    def templates(self, names: dict[tuple[Any, ...], str]) -> None:
        language = self.settings.language
        broken = self.renderer.check(set(names.values()), language)
        for path, name in names.items():
            if name in broken:
                kind, message = broken[name]
                hint = syntax_hint(message, self.renderer.environment(language)) if kind == "broken" else None
                if kind == "missing":
                    message = f"template '{name}' does not exist (templates/{language}/{name}.j2)"
                    hint = self._template_hint(name, language)
                self.add(path, message, hint, at_key=False)
        for other in self.settings.languages:
            if other == language:
                continue
            for path, name in names.items():
                if name in broken:
                    continue
                if not self.renderer.exists_in(name, other):
                    self.add(path, f"template '{name}' has no '{other}' translation "
                                   f"(templates/{other}/{name}.j2); the '{language}' one is used",
                             severity="warning", at_key=False)
                elif self.renderer.own_file(name, other) is not None:
                    for kind, message in self.renderer.check([name], other).values():
                        self.add(path, message, syntax_hint(message, self.renderer.environment(other)),
                                 at_key=False)
        check_other_languages(self.renderer, names, broken, self.settings, self.add)

    def template_names(self, templates: Iterable[str], scope: NameScope, state: StateCheck | None = None) -> None:
        """Every name and attribute the template files read is one they are given (template_names), and
        the state they read is declared (``state``: the check of each read)."""
        def add_at(file: str, line: int, column: int, message: str, hint: str | None) -> None:
            self.problems.append(SpecProblem(file, line, column, message, hint))

        base = self.spec_dir
        for name in templates:
            for language in self.settings.languages:
                if language == self.settings.language or self.renderer.own_file(name, language) is not None:
                    check_template_file(self.renderer, name, language, scope,
                                        lambda filename: template_path(filename, base), add_at, state)

    def _template_hint(self, name: str, language: str) -> str:
        folder = self.renderer.templates_dir / language
        existing = sorted(p.relative_to(folder).with_suffix("").as_posix()
                          for p in folder.rglob("*.j2")) if folder.is_dir() else []
        close = get_close_matches(name, existing, n=1)
        if close:
            return f"did you mean '{close[0]}'?"
        elsewhere = elsewhere_hint(self.renderer.templates_dir, name, language)
        if elsewhere:
            return elsewhere
        return f"create templates/{language}/{name}.j2"

    def default(self, path: tuple[Any, ...], argument: ArgumentSpec) -> None:
        try:
            if argument.type in ("member", "channel"):
                raise HypotezError("a member or channel argument cannot have a default")
            # convert checks the converted value against the argument's rules
            convert(argument, argument.default, ConversionContext(validator=self.validator))
        except HypotezError as error:
            reason = getattr(error, "reason", None) or str(error)
            self.add(path + ("default",), f"the default of argument '{argument.name}' fails its own rules: "
                                          f"{reason}", "change the default or the rules", at_key=False)


def check_declaration(declaration: Declaration, renderer: Renderer, *, check_handlers: bool = True,
                      validator: Callable[[ArgumentSpec], Validator | None] = validator_for,
                      ) -> dict[str, Callable[..., Any]]:
    """Run the later-stage checks on ``declaration`` (problems go into it). Templates are compiled into
    ``renderer``, defaults checked with ``validator``; returns the handlers resolved, by dotted path."""
    spec = declaration.spec
    checker = RegistryChecker(declaration, spec.path.parent.resolve(), renderer, spec.settings, validator)
    handlers: dict[str, Callable[..., Any]] = {}
    if check_handlers:
        for ref in declaration.handlers:
            function = checker.handler(ref.path, ref.dotted, ref.argument_names)
            if function is not None:
                handlers[ref.dotted] = function
    for path, argument in declaration.defaults:
        checker.default(path, argument)
    scopes: dict[str, NameScope] = {}

    def scope_of(command: CommandSpec) -> NameScope:
        """What the command's texts and templates are given (made once per command)."""
        scope = scopes.get(command.name)
        if scope is None:
            scope = scopes[command.name] = command_scope(
                f"command '{command.name}'", command.arguments,
                handlers.get(command.handler) if command.handler else None, command.handler is not None)
        return scope

    inline = InlineChecker(checker.add, renderer.environment(spec.settings.language), spec.settings, scope_of)
    for command in spec.commands:
        if not command.builtin:
            inline.check(command, declaration.raw_commands[command.name])
    check_action_texts(spec.interactions, renderer.environment(spec.settings.language), checker.add)
    checker.templates(declaration.templates)
    # The state read anywhere (events', commands'), checked and counted for the "never read" warnings.
    reads = StateReads(spec.events.state if spec.events is not None else {})
    with_state = spec.events is not None and not spec.events.empty
    for command in spec.commands:
        checker.template_names(command.reply_templates.values(), scope_of(command),
                               reads.check("command") if with_state and not command.builtin else None)
        if with_state:
            command_text_state(renderer.environment(spec.settings.language), command, reads, checker.add)
    messages = spec.settings.messages
    if messages is not None:
        checker.template_names(messages.reply_templates.values(), command_scope(
            "the answers to messages (bot: messages:)", (), handlers.get(messages.handler), True))
    check_events_read(checker, reads)
    renderer.forget_sources()
    return handlers
