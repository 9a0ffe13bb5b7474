"""commands.yaml → a :class:`Declaration`: the Spec, with every problem found so far, located.

Stages, each only reading what the one before produced: YAML with positions → JSON Schema check
(hypotez.declaration.wording) → building the dataclasses (building) → the checks that need nothing
but the declaration (checks). What later stages must check (handlers, templates, defaults converted)
is listed in the Declaration, with where to report it; the registry build does it
(hypotez.registry), so `hypotez validate` reports every problem together, sorted by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema

from hypotez.errors import SpecError, SpecFileError, SpecProblem
from hypotez.declaration.building import HELP_COMMAND, build_command, build_settings, builtin_help, error_roots
from hypotez.declaration.building_components import build_interactions
from hypotez.declaration.checks import SLASH_COMMANDS_MAX, DeclarationChecker, check_arg_order
from hypotez.declaration.model import (DEFAULT_REPLY, ERROR_KINDS, ArgumentSpec, CommandSpec, Settings, Spec,
                                       frozen_mapping)
from hypotez.declaration.building_groups import flatten
from hypotez.declaration.checks_groups import check_autocomplete, check_groups, top_level_slash_count
from hypotez.declaration.reasons_check import check_reason_catalogs
from hypotez.declaration.traps import TEMPLATE_SUFFIXES, not_a_spec, trap_warnings
from hypotez.declaration.events_building import build_events
from hypotez.declaration.component_actions_checks import check_events_and_components
from hypotez.declaration.events_checks import EventTexts
from hypotez.declaration.wording import VALIDATION_SCHEMA, schema_problems
from hypotez.declaration.yamlload import MAX_SPEC_BYTES, Locations, load_yaml

_VALIDATOR = jsonschema.Draft202012Validator(VALIDATION_SCHEMA)

Path_ = tuple[Any, ...]  # a path into the YAML, e.g. ("commands", "train", "handler")


@dataclass(slots=True)
class HandlerRef:
    """A handler the spec names, and where to report a problem with it."""

    path: Path_
    dotted: str
    argument_names: list[str]


@dataclass(slots=True)
class Declaration:
    """The declaration stage's result: the Spec, the problems found, and what later stages check.

    ``spec`` holds every command that could be built, even when there are problems, so that the
    registry's checks can still report theirs (every problem at once)."""

    spec: Spec
    problems: list[SpecProblem]
    locations: Locations
    # The YAML of each command as written (some checks need to know what was written, not defaulted).
    raw_commands: dict[str, Any] = field(default_factory=dict)
    handlers: list[HandlerRef] = field(default_factory=list)
    # where in the YAML → the template name it names
    templates: dict[Path_, str] = field(default_factory=dict)
    # Commands without a handler: their templates may use only the scope and their arguments.
    template_only: list[CommandSpec] = field(default_factory=list)
    # Arguments whose default must pass the argument's own converter and rules.
    defaults: list[tuple[Path_, ArgumentSpec]] = field(default_factory=list)
    # What the events' texts and templates are, for the registry to check what they read.
    event_texts: EventTexts = field(default_factory=EventTexts)

    @property
    def file(self) -> str:
        return self.locations.file

    def add(self, path: Path_, message: str, hint: str | None = None, *, at_key: bool = True,
            severity: str = "error") -> None:
        self.problems.append(self.locations.problem(path, message, hint, at_key=at_key, severity=severity))

    def finished(self) -> Spec:
        """The Spec, with its warnings; raises :class:`SpecError` when any problem is an error."""
        if any(p.severity == "error" for p in self.problems):
            raise SpecError(self.problems)
        return replace(self.spec, warnings=tuple(sorted(p for p in self.problems if p.severity == "warning")))


def read_spec_file(path: Path) -> bytes:
    if not path.exists():
        raise SpecFileError(str(path), "no such file")
    if path.is_dir():
        raise SpecFileError(str(path), "is a folder; give the path of the YAML file")
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:  # refuse before reading it all
            raise SpecError([SpecProblem(str(path), 1, 1, f"the file is {size / 1_000_000:.1f} MB; a spec may be "
                                                          f"at most {MAX_SPEC_BYTES // 1_000_000} MB",
                                         "is this the right file?")])
        return path.read_bytes()
    except OSError as error:
        raise SpecFileError(str(path), f"cannot be read ({error.strerror or error})") from None


def load_declaration(path: Path | str, *, templates_dir: Path | None = None,
                     display_name: str | None = None) -> Declaration:
    """Read and check a spec file as far as the declaration goes. Raises :class:`SpecError` when
    nothing can be built from it, :class:`SpecFileError` when it cannot be read at all."""
    path = Path(path)
    return load_declaration_text(read_spec_file(path), path=path, templates_dir=templates_dir,
                                 display_name=display_name)


def load_declaration_text(text: str | bytes, *, path: Path, templates_dir: Path | None = None,
                          display_name: str | None = None) -> Declaration:
    file = display_name or str(path)
    if path.suffix in TEMPLATE_SUFFIXES:
        raise SpecError([not_a_spec(path, file)])
    loaded = load_yaml(text, file)
    problems = list(loaded.problems)
    if loaded.data is None and not problems:
        problems.append(SpecProblem(file, 1, 1, "the spec is empty",
                                    "start with 'commands:' and at least one command (see the README)"))
    if loaded.data is None or problems and not isinstance(loaded.data, dict):
        raise SpecError(problems)
    locations = loaded.locations
    schema_errors = list(_VALIDATOR.iter_errors(loaded.data))
    problems += schema_problems(schema_errors, locations)
    if not isinstance(loaded.data, dict):
        raise SpecError(problems)

    raw = loaded.data
    bad_paths = error_roots(schema_errors)
    bot_raw = raw.get("bot") if isinstance(raw.get("bot"), dict) and ("bot",) not in bad_paths else {}
    try:
        settings = build_settings(bot_raw)
    except (KeyError, TypeError, AttributeError):
        settings = Settings()
    spec_dir = path.parent.resolve()
    templates = Path(templates_dir) if templates_dir else spec_dir / "templates"

    commands: list[CommandSpec] = []
    commands_raw = raw.get("commands") if isinstance(raw.get("commands"), dict) else {}
    # Groups' leaves are commands named by their whole path ("tag add"): hypotez.declaration.building_groups.
    entries, groups = flatten(commands_raw, bad_paths, locations, settings.slash, settings.language)
    for entry in entries:
        try:
            commands.append(build_command(entry.name, entry.merged, settings, locations, entry.path))
        except (KeyError, TypeError, AttributeError, ValueError):
            continue  # the schema check has already reported what is wrong with it
    if not any(c.name == HELP_COMMAND or HELP_COMMAND in c.aliases for c in commands):
        commands.append(builtin_help(settings))

    interactions = build_interactions(raw, commands, bad_paths, locations, _adder(problems, locations))
    events = build_events(raw, locations, bad_paths)
    spec = Spec(settings=settings, commands=tuple(commands), path=path, templates_dir=templates,
                groups=frozen_mapping(groups), interactions=interactions, events=events)
    declaration = Declaration(spec, problems, locations, raw_commands={e.name: e.written for e in entries})
    _check(declaration, bot_raw, commands_raw)
    declaration.event_texts = check_events_and_components(events, interactions, declaration.add,
                                                          settings.languages)
    declaration.templates.update(declaration.event_texts.template_refs)
    problems += trap_warnings(raw, locations, problems)
    problems += check_reason_catalogs(templates, settings.languages, spec_dir, file)
    return declaration


def _adder(problems: list[SpecProblem], locations: Locations) -> Any:
    def add(path: Path_, message: str, hint: str | None = None, *, at_key: bool = True) -> None:
        problems.append(locations.problem(path, message, hint, at_key=at_key))
    return add


def _check(declaration: Declaration, bot_raw: dict[str, Any], commands_raw: dict[str, Any]) -> None:
    """The declaration's own checks; and the list of what the registry build must check."""
    spec, settings = declaration.spec, declaration.spec.settings
    checker = DeclarationChecker(declaration.locations, settings, declaration.problems)
    checker.names(list(spec.commands))
    refs = declaration.templates
    for command in spec.commands:
        if command.builtin:
            refs.update({("commands",): t for t in command.reply_templates.values()})
            continue
        cpath = command.path
        command_raw = declaration.raw_commands[command.name]
        for argument in command.arguments:
            if checker.argument(command, argument, command_raw["arguments"][argument.name]):
                declaration.defaults.append((cpath + ("arguments", argument.name), argument))
            declaration.handlers += [HandlerRef(p, dotted, ["current"])  # autocomplete: {handler: ...}
                                     for p, dotted in check_autocomplete(checker, command, argument)]
        if command.slash:
            checker.slash(command)
        if command.handler:
            declaration.handlers.append(HandlerRef(cpath + ("handler",), command.handler,
                                                   [a.name for a in command.arguments]))
        if isinstance(command_raw.get("reply"), dict):
            for key, template in command.reply_templates.items():
                refs[cpath + ("reply", key)] = template
        elif DEFAULT_REPLY in command.reply_templates:
            refs[cpath + ("reply",) if "reply" in command_raw else cpath] = command.reply_templates[DEFAULT_REPLY]
        if command.handler is None:
            declaration.template_only.append(command)
        check_arg_order(checker, command)

    if settings.messages is not None:
        mpath = ("bot", "messages")
        declaration.handlers.append(HandlerRef(mpath + ("handler",), settings.messages.handler, []))
        reply_raw = bot_raw["messages"].get("reply")
        for key, template in settings.messages.reply_templates.items():
            refs[mpath + ("reply", key) if isinstance(reply_raw, dict) else mpath + ("reply",)] = template

    for kind in ERROR_KINDS:
        epath = ("bot", "errors", kind) if kind in settings.errors else ("bot",)
        refs.setdefault(epath if epath != ("bot",) else ("bot", "<error>", kind),
                        settings.errors.get(kind) or f"errors/{kind}")

    check_groups(checker, spec, commands_raw)  # hypotez.declaration.checks_groups
    slash = top_level_slash_count(spec)
    if slash > SLASH_COMMANDS_MAX:
        checker.add(("commands",), f"{slash} slash commands; Discord allows {SLASH_COMMANDS_MAX} per bot",
                    "set 'slash: false' on some commands")
