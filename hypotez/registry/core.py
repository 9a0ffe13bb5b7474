"""The Registry: what a Spec needs to be served, built once — handlers resolved, every template
compiled (in every language), the texts of the commands that answer everyone alike, one compiled
validator per argument with rules, the reason catalogs.

The Dispatcher runs on a Registry; a hot reload builds a new one and swaps it. A registry never
reads a file once built, so an invocation still running on an old one finishes with what it began with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from hypotez.arguments import Validator, validator_for
from hypotez.declaration.model import DEFAULT_REPLY, ERROR_KINDS, ArgumentSpec, CommandSpec, Spec
from hypotez.reasons import Reasons
from hypotez.registry.handlers import resolve_handler
from hypotez.rendering import Renderer
from hypotez.inline_answers import inline_constant

# command name → (the command, language → its text), for the commands answered without running anything.
StaticTexts = dict[str, tuple[CommandSpec, dict[str, str]]]
_UNKNOWN: Any = object()


@dataclass(slots=True)
class Registry:
    spec: Spec
    handlers: Mapping[str, Callable[..., Any]]
    renderer: Renderer
    reasons: Reasons
    static_texts: StaticTexts = field(default_factory=dict)
    # id(argument) → its validator (None: no rules); the registry holds the spec, so the ids stay those of live objects.
    validators: dict[int, Validator | None] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: Spec, *, renderer: Renderer | None = None,
                  handlers: Mapping[str, Callable[..., Any]] | None = None,
                  validators: dict[int, Validator | None] | None = None) -> "Registry":
        """Build the registry of a valid ``spec``. ``renderer``, ``handlers`` and ``validators`` are what
        the checks already compiled and resolved (hypotez.registry.build): nothing is done twice."""
        renderer = renderer or Renderer(spec.templates_dir, spec.settings.language)
        resolved = dict(handlers or {})
        spec_dir = spec.path.parent.resolve()
        for dotted in _handler_names(spec):
            if dotted not in resolved:
                resolved[dotted] = resolve_handler(dotted, spec_dir)
        renderer.preload(template_names(spec), spec.settings.languages)
        validators = validators if validators is not None else validators_of(spec)
        registry = cls(spec, resolved, renderer, Reasons(spec.templates_dir, spec.settings.languages),
                       validators=validators)
        registry.static_texts = registry._find_static_texts()
        return registry

    def validator(self, argument: ArgumentSpec) -> Validator | None:
        """The compiled validator of ``argument``'s rules (None: it has none)."""
        found = self.validators.get(id(argument), _UNKNOWN)
        # An argument not in the spec (a command made on the fly): compiled on the spot.
        return validator_for(argument) if found is _UNKNOWN else found

    def _find_static_texts(self) -> StaticTexts:
        """The commands whose reply is the same text whoever asks (Dispatcher.static_reply), with it."""
        found: StaticTexts = {}
        settings = self.spec.settings
        for command in self.spec.commands:
            if not command.static or (self.spec.interactions and command.name in self.spec.interactions.replies):
                continue
            texts: dict[str, str] = {}
            for language in settings.languages:
                if command.inline is not None:
                    text = inline_constant(command, language, settings.language)
                else:
                    text = self.renderer.compiled_constant(command.reply_templates[DEFAULT_REPLY], language)
                if text is not None:
                    texts[language] = text
            if texts:
                found[command.name] = (command, texts)
        return found


def validators_of(spec: Spec) -> dict[int, Validator | None]:
    """id(argument) → its compiled validator (None: no rules), for every argument of ``spec``."""
    return {id(argument): validator_for(argument) for command in spec.commands for argument in command.arguments}


def _handler_names(spec: Spec) -> list[str]:
    names = [c.handler for c in spec.commands if c.handler]
    if spec.settings.messages is not None:
        names.append(spec.settings.messages.handler)
    return names


def template_names(spec: Spec) -> set[str]:
    names = {name for command in spec.commands for name in command.reply_templates.values()}
    if spec.settings.messages is not None:
        names |= set(spec.settings.messages.reply_templates.values())
    return names | {spec.error_template(kind) for kind in ERROR_KINDS}
