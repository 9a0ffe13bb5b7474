"""commands.yaml → located problems or a :class:`Spec`.

Stages, each only reading what the one before produced: YAML with positions → JSON Schema check →
building the dataclasses → semantic checks (names, handlers, templates, defaults, Discord limits).
Every problem is collected and reported together, sorted by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Callable

import jsonschema

from hypotez.arguments import ConversionContext, check_rules, convert
from hypotez.errors import HypotezError, SpecError, SpecFileError, SpecProblem
from hypotez.rendering import Renderer
from hypotez.declaration import schema as schema_module
from hypotez.declaration.handlers import HandlerProblem, check_signature, resolve_handler
from hypotez.declaration.inline import InlineChecker, build_inline, check_template_names, template_path
from hypotez.declaration.model import (DEFAULT_REPLY, ERROR_KINDS, MISSING, ArgumentSpec, CommandSpec, CooldownSpec,
                                Location, MessagesSpec, PermissionSpec, Settings, Spec, frozen_mapping)
from hypotez.declaration.reasons_check import check_reason_catalogs
from hypotez.declaration.yamlload import MAX_SPEC_BYTES, Locations, load_yaml

SLASH_DESCRIPTION_MAX = 100
SLASH_OPTIONS_MAX = 25
SLASH_CHOICES_MAX = 25
SLASH_COMMANDS_MAX = 100
HELP_COMMAND = "help"

_VALIDATOR = jsonschema.Draft202012Validator(schema_module.SCHEMA)

_PATTERN_HINTS = {
    "handler": "write it as 'module.path:function', e.g. 'handlers.general:hi'",
    "prefix": "a prefix is one or a few characters with no spaces, e.g. '!'",
    "language": "a language code such as 'en' or 'ru'",
}


def _type_words(expected: Any) -> str:
    words = {"object": "a mapping (key: value lines)", "array": "a list ([a, b] or '- item' lines)",
             "string": "a text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "null": "empty"}
    if isinstance(expected, list):
        return " or ".join(words.get(t, t) for t in expected)
    return words.get(expected, str(expected))


def _actual_words(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"{value!r}"


def describe_path(path: tuple[Any, ...]) -> str:
    """Words for where in the spec a path points: "command 'train'", "argument 'data' of command 'train'"."""
    if len(path) >= 2 and path[0] == "commands":
        command = f"command '{path[1]}'"
        if len(path) >= 4 and path[2] == "arguments":
            return f"argument '{path[3]}' of {command}"
        if len(path) >= 3 and path[2] in ("permissions", "cooldown"):
            return f"'{path[2]}' of {command}"
        return command
    if path and path[0] == "bot":
        return "'bot'" if len(path) < 3 else f"'bot.{path[1]}'"
    return "the top level"


def _schema_at(schema_path: list[Any]) -> dict[str, Any]:
    node: Any = schema_module.SCHEMA
    for part in schema_path:
        if isinstance(node, dict) and "$ref" in node:
            node = _deref(node["$ref"])
        node = node[part]
    if isinstance(node, dict) and "$ref" in node:
        node = _deref(node["$ref"])
    return node


def _deref(ref: str) -> dict[str, Any]:
    node: Any = schema_module.SCHEMA
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _schema_problems(errors: list[jsonschema.ValidationError], locations: Locations) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    for error in errors:
        problems.extend(_explain(error, locations))
    return problems


def _explain(error: jsonschema.ValidationError, locations: Locations) -> list[SpecProblem]:
    path = tuple(error.absolute_path)
    where = describe_path(path)
    key = path[-1] if path else None
    rule = error.validator

    if "propertyNames" in error.relative_schema_path or "propertyNames" in error.schema_path:
        return _bad_name(path, error.instance, where, locations)

    if rule in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if key == "reply":
            return [locations.problem(path, f"'reply' of {where} must be a template name or a mapping "
                                            f"of outcome: template name (got {_actual_words(error.instance)})")]
        if key == "text" and len(path) == 3:
            return [locations.problem(path, f"'text' of {where} must be a text, a list of texts (one is picked "
                                            f"at random) or a mapping language: text "
                                            f"(got {_actual_words(error.instance)})",
                                      "put the text in quotes if it starts with a special character")]
        if len(path) >= 4 and path[2] == "embed":
            return [locations.problem(path, f"'{key}' of the embed of {where} must be a text or a mapping "
                                            f"language: text (got {_actual_words(error.instance)})")]
        return _explain(best, locations) if best is not None else []

    if rule == "additionalProperties":
        allowed = sorted(_schema_at(list(error.relative_schema_path)[:-1]).get("properties", {}))
        extras = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        out = []
        for extra in extras:
            close = get_close_matches(str(extra), allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
            out.append(locations.problem(path + (extra,), f"unknown key '{extra}' in {where}", hint, at_key=True))
        return out

    if rule == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        if isinstance(error.instance, dict) and get_close_matches(missing, [str(k) for k in error.instance],
                                                                  n=1, cutoff=0.75):
            return []  # a misspelt key: the unknown-key problem already says "did you mean"
        if path == ():
            return [locations.problem(path, f"the spec needs a '{missing}' section",
                                      "add 'commands:' with at least one command under it")]
        return [locations.problem(path, f"{where} needs a '{missing}'",
                                  f"add '{missing}:' under {where}", at_key=True)]

    if rule == "type":
        if path == ():
            return [locations.problem(path, f"the spec must be a mapping with 'bot:' and 'commands:' "
                                            f"sections, not {_actual_words(error.instance)}",
                                      "start the file with 'commands:' (see the README for an example)")]
        what = f"'{key}'" if isinstance(key, str) else f"item {key + 1}" if isinstance(key, int) else "this value"
        hint = None
        if error.instance is None:
            hint = "the value is empty: write it after the colon, or remove the line"
        elif error.validator_value == "object" and isinstance(error.instance, list):
            hint = "write 'name: value' lines here, not '- item' lines"
        elif error.validator_value == "array" and isinstance(error.instance, str):
            hint = f"write it as a list: [{error.instance}]"
        if path[:1] == ("commands",) and len(path) == 2:
            what = f"command '{key}'"
            hint = hint or "a command is a mapping: description:, handler:, arguments: ..."
        return [locations.problem(path, f"{what} in {where} must be {_type_words(error.validator_value)}, "
                                        f"not {_actual_words(error.instance)}" if what.startswith("'") or
                                  what.startswith("item") else
                                  f"{what} must be {_type_words(error.validator_value)}, "
                                  f"not {_actual_words(error.instance)}", hint)]

    if rule == "enum" and len(path) >= 2 and path[-2] == "discord":
        name = str(error.instance)
        known = schema_module.PERMISSION_SYNONYMS.get(name.lower().replace(" ", "_"))
        close = [known] if known else get_close_matches(name, [str(v) for v in error.validator_value], n=1)
        hint = f"did you mean '{close[0]}'?" if close else \
            "use discord.py's permission names, e.g. manage_guild, administrator, manage_messages"
        return [locations.problem(path, f"'{name}' in {where} is not a Discord permission name", hint)]

    if rule == "enum":
        allowed = [str(v) for v in error.validator_value]
        close = get_close_matches(str(error.instance), allowed, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else None
        what = f"'{key}'" if isinstance(key, str) else "value"
        return [locations.problem(path, f"{what} in {where} is {_actual_words(error.instance)}; "
                                        f"allowed: {', '.join(allowed)}", hint)]

    if rule == "pattern" and path[:3] == ("bot", "attachments", "hosts"):
        return [locations.problem(path, f"{error.instance!r} in {where} is not a host: write a host name "
                                        "(downloaded over HTTPS on port 443) or scheme://host:port for a file "
                                        "server of your own (http or https, a port from 1 to 65535, nothing "
                                        "after it)", "e.g. cdn.discordapp.com or http://files.example.org:8080")]

    if rule == "pattern":
        hint = _PATTERN_HINTS.get(str(key))
        return [locations.problem(path, f"'{key}' in {where} has the wrong form: {error.instance!r}", hint)]


    if rule in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "greater than", "maximum": "at most",
                 "exclusiveMaximum": "less than"}[rule]
        what = f"'{key}'" if isinstance(key, str) else "this value"
        return [locations.problem(path, f"{what} in {where} must be {words} {error.validator_value} "
                                        f"(it is {error.instance})")]

    if rule in ("minLength", "minItems", "minProperties") and error.validator_value == 1:
        what = f"'{key}'" if isinstance(key, str) else "this value"
        return [locations.problem(path, f"{what} in {where} is empty", "write something there, or remove the line")]

    what = f"'{key}'" if isinstance(key, str) else "value"
    return [locations.problem(path, f"{what} in {where}: {error.message}")]


def _bad_name(path: tuple[Any, ...], bad: Any, where: str, locations: Locations) -> list[SpecProblem]:
    if path[-1:] == ("arguments",):
        return [locations.problem(path + (bad,), f"argument name '{bad}' in {where} is not allowed",
                                  "argument names are lower-case letters, digits and _, starting with a "
                                  "letter, at most 32 characters (e.g. data_dir)", at_key=True)]
    return [locations.problem(path + (bad,), f"command name '{bad}' is not allowed",
                              "a command name is one word without spaces (at most 64 characters), "
                              "e.g. say_hi", at_key=True)]


# --- building the dataclasses -----------------------------------------------------------------


def _loc(locations: Locations, path: tuple[Any, ...], at_key: bool = True) -> Location:
    line, column = locations.of_key(path) if at_key else locations.of_value(path)
    return Location(locations.file, line, column)


def _replies(raw: Any, fallback: str) -> dict[str, str]:
    if raw is None:
        return {DEFAULT_REPLY: fallback}
    if isinstance(raw, str):
        return {DEFAULT_REPLY: raw}
    return dict(raw)


RULE_NAMES = tuple(schema_module.RULE_KEYWORDS)


def _build_argument(name: str, raw: dict[str, Any], location: Location) -> ArgumentSpec:
    rules = {k: raw[k] for k in RULE_NAMES if k in raw}
    has_default = "default" in raw
    required = raw.get("required", not has_default and raw.get("type") != "boolean")
    choices = tuple(raw.get("choices") or ())
    return ArgumentSpec(
        name=name,
        type=raw["type"],
        description=raw.get("description", ""),
        required=bool(required),
        default=raw["default"] if has_default else (False if raw.get("type") == "boolean" and not required
                                                    else MISSING),
        choices=choices,
        greedy=bool(raw.get("greedy", False)),
        kind={"folder": "dir"}.get(raw.get("kind", "any"), raw.get("kind", "any")),
        must_exist=bool(raw.get("must_exist", True)),
        rules=frozen_mapping(rules),
        schema=frozen_mapping(raw["schema"]) if raw.get("schema") else None,
        permissions=_permissions(raw.get("permissions") or {}),
        location=location,
    )


def _permissions(raw: dict[str, Any]) -> PermissionSpec:
    return PermissionSpec(roles=tuple(raw.get("roles") or ()), discord=tuple(raw.get("discord") or ()),
                          users=tuple(str(u) for u in raw.get("users") or ()))


def _build_command(name: str, raw: dict[str, Any], settings: Settings, locations: Locations) -> CommandSpec:
    path = ("commands", name)
    arguments = tuple(
        _build_argument(arg_name, arg_raw, _loc(locations, path + ("arguments", arg_name)))
        for arg_name, arg_raw in (raw.get("arguments") or {}).items()
    )
    permissions_raw = raw.get("permissions") or {}
    cooldown_raw = raw.get("cooldown")
    inline = build_inline(raw)
    return CommandSpec(
        name=name,
        description=raw["description"].strip(),
        aliases=tuple(raw.get("aliases") or ()),
        help=raw.get("help", "").strip(),
        handler=raw.get("handler"),
        # An answer written in the spec replaces the default template file.
        replies=frozen_mapping({} if inline is not None and "reply" not in raw else _replies(raw.get("reply"), name)),
        arguments=arguments,
        permissions=_permissions(permissions_raw),
        cooldown=CooldownSpec(cooldown_raw["rate"], float(cooldown_raw["per"]), cooldown_raw.get("scope", "user"))
        if cooldown_raw else None,
        where=raw.get("where", "any"),
        slash=bool(raw.get("slash", settings.slash)),
        hidden=bool(raw.get("hidden", False)),
        examples=tuple(raw.get("examples") or ()),
        location=_loc(locations, path),
        inline=inline,
    )


def _build_settings(raw: dict[str, Any]) -> Settings:
    language = raw.get("language", "en")
    languages = tuple(raw.get("languages") or (language,))
    if language not in languages:
        languages = (language, *languages)
    messages_raw = raw.get("messages")
    messages = None
    if messages_raw and messages_raw.get("handler"):
        messages = MessagesSpec(
            handler=messages_raw["handler"],
            replies=frozen_mapping(_replies(messages_raw.get("reply"), "answer")),
            channels=tuple(str(c) for c in messages_raw.get("channels") or ()),
            mention_only=bool(messages_raw.get("mention_only", False)),
        )
    return Settings(
        name=raw.get("name", "hypotez"),
        description=raw.get("description", ""),
        prefix=raw.get("prefix", "!"),
        language=language,
        languages=languages,
        slash=bool(raw.get("slash", True)),
        case_insensitive=bool(raw.get("case_insensitive", True)),
        errors=frozen_mapping(raw.get("errors") or {}),
        messages=messages,
        model=frozen_mapping(raw.get("model") or {}),
        voice=frozen_mapping(raw.get("voice") or {}),
        storage=frozen_mapping(raw.get("storage") or {}),
        admin_channel=str(raw["admin_channel"]) if raw.get("admin_channel") is not None else None,
        attachments=frozen_mapping(raw.get("attachments") or {}),
        tenancy=raw.get("tenancy", "isolated"),
        home_server=str(raw["home_server"]) if raw.get("home_server") is not None else None,
    )


HELP_DESCRIPTIONS = {"en": "Shows the commands and how to use them",
                     "ru": "Показать команды и как ими пользоваться"}


def builtin_help(settings: Settings) -> CommandSpec:
    return CommandSpec(
        name=HELP_COMMAND,
        description=HELP_DESCRIPTIONS.get(settings.language, HELP_DESCRIPTIONS["en"]),
        handler="hypotez.builtin_commands:help_command",
        replies=frozen_mapping({DEFAULT_REPLY: "help", "command": "help_command"}),
        arguments=(ArgumentSpec(name="command", type="text", required=False,
                                description="a command to explain"),),
        slash=settings.slash,
        builtin=True,
    )


# --- semantic checks --------------------------------------------------------------------------


@dataclass(slots=True)
class _Checker:
    locations: Locations
    spec_dir: Path
    renderer: Renderer
    settings: Settings
    problems: list[SpecProblem]
    check_handlers: bool = True

    def add(self, path: tuple[Any, ...], message: str, hint: str | None = None, *, at_key: bool = True,
            severity: str = "error") -> None:
        self.problems.append(self.locations.problem(path, message, hint, at_key=at_key, severity=severity))

    def names(self, commands: list[CommandSpec]) -> None:
        seen: dict[str, tuple[str, tuple[Any, ...]]] = {}
        fold = (lambda s: s.lower()) if self.settings.case_insensitive else (lambda s: s)
        for command in commands:
            base = ("commands", command.name)
            entries = [(command.name, base)] + [(alias, base + ("aliases", i))
                                                for i, alias in enumerate(command.aliases)]
            for name, path in entries:
                key = fold(name)
                if key in seen and seen[key][0] != command.name:
                    other, other_path = seen[key]
                    line = self.locations.of_key(other_path)[0]
                    this = f"command name '{name}'" if path == base else f"alias '{name}' of command '{command.name}'"
                    that = f"the name of command '{other}'" if len(other_path) == 2 else \
                        f"an alias of command '{other}'"
                    self.add(path, f"{this} is already {that} (line {line})",
                             "every command name and alias must be unique: rename one of them",
                             at_key=path == base)
                elif key in seen:
                    self.add(path, f"'{name}' is listed twice for command '{command.name}'",
                             "remove the repeated alias", at_key=False)
                else:
                    seen[key] = (command.name, path)
            if self.settings.prefix and command.name.startswith(self.settings.prefix):
                self.add(base, f"command '{command.name}' starts with the prefix "
                               f"'{self.settings.prefix}'", f"name it '{command.name[len(self.settings.prefix):]}': "
                                                            "the prefix is added for you")

    def handler(self, command: CommandSpec, path: tuple[Any, ...], dotted: str,
                argument_names: list[str]) -> Callable[..., Any] | None:
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
                hint = None
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
                        self.add(path, message, at_key=False)

    def template_names(self, command: CommandSpec) -> None:
        """The template files of a command without a handler may only use the scope and its arguments."""
        def add_at(file: str, line: int, column: int, message: str, hint: str | None) -> None:
            self.problems.append(SpecProblem(file, line, column, message, hint))

        base = self.spec_dir
        for name in command.replies.values():
            for language in self.settings.languages:
                if language == self.settings.language or self.renderer.own_file(name, language) is not None:
                    check_template_names(self.renderer.environment(language), name, language, command,
                                         lambda filename: template_path(filename, base), add_at)

    def _template_hint(self, name: str, language: str) -> str:
        folder = self.renderer.templates_dir / language
        existing = sorted(p.relative_to(folder).with_suffix("").as_posix()
                          for p in folder.rglob("*.j2")) if folder.is_dir() else []
        close = get_close_matches(name, existing, n=1)
        if close:
            return f"did you mean '{close[0]}'?"
        return f"create templates/{language}/{name}.j2"

    def argument(self, command: CommandSpec, argument: ArgumentSpec, raw: dict[str, Any]) -> None:
        path = ("commands", command.name, "arguments", argument.name)
        if argument.type == "choice" and not argument.choices:
            self.add(path + ("type",), f"argument '{argument.name}' of command '{command.name}' is a choice "
                                       f"but lists no choices", "add 'choices: [a, b, c]'", at_key=False)
        if argument.choices and argument.type != "choice":
            self.add(path + ("choices",), f"'choices' only applies to arguments of type choice "
                                          f"(this one is {argument.type})", "set 'type: choice'")
        if argument.greedy and argument.type != "text":
            self.add(path + ("greedy",), "'greedy' only applies to text arguments")
        for key in ("kind", "must_exist"):
            if key in raw and argument.type != "path":
                self.add(path + (key,), f"'{key}' only applies to path arguments (this one is {argument.type})")
        if argument.type == "path" and not command.permissions.restricted and not argument.permissions.restricted:
            # A path reaches the data folder: a command anyone may run must not read it for anyone.
            self.add(path, f"argument '{argument.name}' of command '{command.name}' names a path in the data "
                           f"folder, and anyone may run '{command.name}': anyone could read the data folder "
                           "through it",
                     "add 'permissions:' to the argument (e.g. permissions: {roles: [Trainer]}) or to the command")
        if "schema" in raw and argument.type != "json":
            self.add(path + ("schema",), f"'schema' only applies to json arguments (this one is {argument.type})")
        numeric = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
        textual = {"minLength", "maxLength", "pattern"}
        for rule in argument.rules:
            if rule in numeric and argument.type not in ("integer", "number"):
                self.add(path + (rule,), f"'{rule}' only applies to integer or number arguments "
                                         f"(this one is {argument.type})")
            if rule in textual and argument.type not in ("text", "path", "choice"):
                self.add(path + (rule,), f"'{rule}' only applies to text arguments (this one is {argument.type})")
            if rule in ("minItems", "maxItems") and argument.type != "json":
                self.add(path + (rule,), f"'{rule}' only applies to json arguments (this one is {argument.type})")
        if "pattern" in argument.rules:
            try:
                re.compile(argument.rules["pattern"])
            except re.error as error:
                self.add(path + ("pattern",), f"'pattern' is not a valid regular expression: {error}",
                         at_key=False)
                return
        if argument.schema is not None:
            try:
                jsonschema.validators.validator_for(dict(argument.schema)).check_schema(dict(argument.schema))
            except jsonschema.SchemaError as error:
                self.add(path + ("schema",), f"'schema' is not a valid JSON Schema: {error.message}")
                return
        if raw.get("required") is True and "default" in raw:
            self.add(path + ("default",), f"argument '{argument.name}' is required but has a default",
                     "remove 'required: true' (a default makes it optional) or remove the default")
        if argument.type == "attachment" and "default" in raw:
            self.add(path + ("default",), "an attachment argument cannot have a default")
        if "default" in raw and raw["default"] is not None and argument.type not in ("attachment",):
            self._default(path, argument)

    def _default(self, path: tuple[Any, ...], argument: ArgumentSpec) -> None:
        try:
            if argument.type in ("member", "channel"):
                raise HypotezError("a member or channel argument cannot have a default")
            value = convert(argument, argument.default, ConversionContext())
            check_rules(argument, value)
        except HypotezError as error:
            reason = getattr(error, "facts", {}).get("reason", str(error))
            self.add(path + ("default",), f"the default of argument '{argument.name}' fails its own rules: "
                                          f"{reason}", "change the default or the rules", at_key=False)

    def slash(self, command: CommandSpec) -> None:
        path = ("commands", command.name)
        for name in command.names:
            if not (1 <= len(name) <= 32) or any(not (ch.isalnum() or ch in "-_") for ch in name) \
                    or name != name.lower():
                self.add(path, f"'{name}' cannot be a slash command name: Discord allows 1-32 lower-case "
                               "letters, digits, - and _",
                         "rename it, or set 'slash: false' for this command")
                break
        if len(command.description) > SLASH_DESCRIPTION_MAX:
            self.add(path + ("description",), f"the description of slash command '{command.name}' is "
                                              f"{len(command.description)} characters; Discord allows "
                                              f"{SLASH_DESCRIPTION_MAX}",
                     "shorten it (put the long text under 'help:'), or set 'slash: false'", at_key=False)
        if len(command.arguments) > SLASH_OPTIONS_MAX:
            self.add(path + ("arguments",), f"slash command '{command.name}' has {len(command.arguments)} "
                                            f"arguments; Discord allows {SLASH_OPTIONS_MAX}",
                     "remove some, or set 'slash: false'")
        for argument in command.arguments:
            arg_path = path + ("arguments", argument.name)
            if len(argument.choices) > SLASH_CHOICES_MAX:
                self.add(arg_path + ("choices",), f"argument '{argument.name}' has {len(argument.choices)} "
                                                  f"choices; slash commands allow {SLASH_CHOICES_MAX}",
                         "keep 25 or fewer, or set 'slash: false' for this command")
            if len(argument.description) > SLASH_DESCRIPTION_MAX:
                self.add(arg_path + ("description",), f"the description of argument '{argument.name}' is "
                                                      f"{len(argument.description)} characters; slash commands "
                                                      f"allow {SLASH_DESCRIPTION_MAX}", "shorten it",
                         at_key=False)


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


def load_spec(path: Path | str, *, templates_dir: Path | None = None, check_handlers: bool = True,
              display_name: str | None = None) -> Spec:
    """Load and validate a spec file. Raises :class:`SpecError` listing every problem found,
    or :class:`SpecFileError` when the file cannot be read at all."""
    path = Path(path)
    data = read_spec_file(path)
    return load_spec_text(data, path=path, templates_dir=templates_dir, check_handlers=check_handlers,
                          display_name=display_name)


def load_spec_text(text: str | bytes, *, path: Path, templates_dir: Path | None = None,
                   check_handlers: bool = True, display_name: str | None = None) -> Spec:
    file = display_name or str(path)
    loaded = load_yaml(text, file)
    problems = list(loaded.problems)
    if loaded.data is None and not problems:
        problems.append(SpecProblem(file, 1, 1, "the spec is empty",
                                    "start with 'commands:' and at least one command (see the README)"))
    if loaded.data is None or problems and not isinstance(loaded.data, dict):
        raise SpecError(problems)
    locations = loaded.locations
    schema_errors = list(_VALIDATOR.iter_errors(loaded.data))
    problems += _schema_problems(schema_errors, locations)
    if not isinstance(loaded.data, dict):
        raise SpecError(problems)

    raw = loaded.data
    bad_paths = _error_roots(schema_errors)
    bot_raw = raw.get("bot") if isinstance(raw.get("bot"), dict) and ("bot",) not in bad_paths else {}
    try:
        settings = _build_settings(bot_raw)
    except (KeyError, TypeError, AttributeError):
        settings = Settings()
    spec_dir = path.parent.resolve()
    templates = Path(templates_dir) if templates_dir else spec_dir / "templates"
    renderer = Renderer(templates, settings.language)
    checker = _Checker(locations, spec_dir, renderer, settings, problems, check_handlers)

    commands: list[CommandSpec] = []
    commands_raw = raw.get("commands") if isinstance(raw.get("commands"), dict) else {}
    for name, command_raw in commands_raw.items():
        if ("commands", name) in bad_paths or not isinstance(command_raw, dict):
            continue
        try:
            commands.append(_build_command(name, command_raw, settings, locations))
        except (KeyError, TypeError, AttributeError, ValueError):
            continue  # the schema check has already reported what is wrong with it

    if not any(c.name == HELP_COMMAND or HELP_COMMAND in c.aliases for c in commands):
        commands.append(builtin_help(settings))

    checker.names(commands)
    template_refs: dict[tuple[Any, ...], str] = {}
    inline_checker = InlineChecker(checker.add, renderer.environment(settings.language), settings)
    template_only: list[CommandSpec] = []
    for command in commands:
        if command.builtin:
            template_refs.update({("commands",): t for t in command.replies.values()})
            continue
        cpath = ("commands", command.name)
        command_raw = commands_raw[command.name]
        for argument in command.arguments:
            checker.argument(command, argument, command_raw["arguments"][argument.name])
        if command.slash:
            checker.slash(command)
        if command.handler and check_handlers:
            checker.handler(command, cpath + ("handler",), command.handler,
                            [a.name for a in command.arguments])
        inline_checker.check(command, command_raw)
        if isinstance(command_raw.get("reply"), dict):
            for key, template in command.replies.items():
                template_refs[cpath + ("reply", key)] = template
        elif DEFAULT_REPLY in command.replies:
            template_refs[cpath + ("reply",) if "reply" in command_raw else cpath] = command.replies[DEFAULT_REPLY]
        if command.handler is None:
            template_only.append(command)
        _check_arg_order(checker, command)

    if settings.messages is not None:
        mpath = ("bot", "messages")
        if check_handlers:
            checker.handler(None, mpath + ("handler",), settings.messages.handler, [])  # type: ignore[arg-type]
        reply_raw = bot_raw["messages"].get("reply")
        for key, template in settings.messages.replies.items():
            template_refs[mpath + ("reply", key) if isinstance(reply_raw, dict) else mpath + ("reply",)] = template

    for kind in ERROR_KINDS:
        epath = ("bot", "errors", kind) if kind in settings.errors else ("bot",)
        template_refs.setdefault(epath if epath != ("bot",) else ("bot", "<error>", kind),
                                 settings.errors.get(kind) or f"errors/{kind}")
    checker.templates(template_refs)
    for command in template_only:
        checker.template_names(command)
    problems += check_reason_catalogs(templates, settings.languages, spec_dir, file)

    if len([c for c in commands if c.slash]) > SLASH_COMMANDS_MAX:
        checker.add(("commands",), f"{len([c for c in commands if c.slash])} slash commands; Discord allows "
                                   f"{SLASH_COMMANDS_MAX} per bot", "set 'slash: false' on some commands")

    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SpecError(problems)
    return Spec(settings=settings, commands=tuple(commands), path=path, templates_dir=templates,
                warnings=tuple(sorted(p for p in problems if p.severity == "warning")))


def _check_arg_order(checker: _Checker, command: CommandSpec) -> None:
    seen_optional = None
    for argument in command.arguments:
        if argument.type == "attachment":
            continue
        if not argument.required:
            seen_optional = seen_optional or argument
        elif seen_optional is not None:
            checker.add(("commands", command.name, "arguments", argument.name),
                        f"required argument '{argument.name}' comes after optional argument "
                        f"'{seen_optional.name}' in command '{command.name}'",
                        "put required arguments first, so they can be typed without names")
            return


def _error_roots(errors: list[jsonschema.ValidationError]) -> set[tuple[Any, ...]]:
    """Paths of the parts the schema rejected (a command, or the bot section): they are not built."""
    roots: set[tuple[Any, ...]] = set()
    for error in errors:
        path = tuple(error.absolute_path)
        if "propertyNames" in error.schema_path and path == ("commands",):
            roots.add(("commands", error.instance))
        elif path[:1] == ("commands",) and len(path) >= 2:
            roots.add(path[:2])
        elif path[:1] == ("bot",):
            roots.add(("bot",))
        else:
            roots.add(path)
    return roots


def replace_commands(spec: Spec, commands: tuple[CommandSpec, ...]) -> Spec:
    return replace(spec, commands=commands)
