"""The checks of a declaration that need nothing but the declaration: unique names, rules that fit
their argument's type, Discord's limits on slash commands, the order of arguments.

Checks that need a later stage (handlers imported, templates compiled, defaults converted) are the
registry's (hypotez.registry.checks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jsonschema

from hypotez.declaration.names import SLASH_NAME_RULE, slash_name_hint, slash_name_ok
from hypotez.errors import SpecProblem
from hypotez.declaration.model import ArgumentSpec, CommandSpec, Settings
from hypotez.declaration.yamlload import Locations

SLASH_DESCRIPTION_MAX = 100
SLASH_OPTIONS_MAX = 25
SLASH_CHOICES_MAX = 25
SLASH_COMMANDS_MAX = 100


@dataclass(slots=True)
class DeclarationChecker:
    locations: Locations
    settings: Settings
    problems: list[SpecProblem]

    def add(self, path: tuple[Any, ...], message: str, hint: str | None = None, *, at_key: bool = True,
            severity: str = "error") -> None:
        self.problems.append(self.locations.problem(path, message, hint, at_key=at_key, severity=severity))

    def names(self, commands: list[CommandSpec]) -> None:
        seen: dict[str, tuple[str, tuple[Any, ...]]] = {}
        fold = (lambda s: s.lower()) if self.settings.case_insensitive else (lambda s: s)
        for command in commands:
            base = command.path
            entries = [(command.name, base)] + [(alias, base + ("aliases", i))
                                                for i, alias in enumerate(command.aliases)]
            for name, path in entries:
                key = fold(name)
                if key in seen and seen[key][0] != command.name:
                    other, other_path = seen[key]
                    line = self.locations.of_key(other_path)[0]
                    this = f"command name '{name}'" if path == base else f"alias '{name}' of command '{command.name}'"
                    that = f"the name of command '{other}'" if other_path[-2:-1] != ("aliases",) else \
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

    def argument(self, command: CommandSpec, argument: ArgumentSpec, raw: dict[str, Any]) -> bool:
        """Check one argument; True when its default is left to check with the converters (the
        registry's), that is when the rules it would be checked against are themselves valid."""
        path = command.path + ("arguments", argument.name)
        if argument.type == "choice" and not argument.choices:
            self.add(path + ("type",), f"argument '{argument.name}' of command '{command.name}' is a choice "
                                       f"but lists no choices", "add 'choices: [a, b, c]'", at_key=False)
        if argument.choices and argument.type != "choice":
            self.add(path + ("choices",), f"'choices' only applies to arguments of type choice "
                                          f"(this one is {argument.type})", "set 'type: choice'")
        if argument.greedy and argument.type != "text":
            self.add(path + ("greedy",), "'greedy' only applies to text arguments",
                     "remove 'greedy:' (only a text argument can take the rest of the line)")
        for key in ("kind", "must_exist"):
            if key in raw and argument.type != "path":
                self.add(path + (key,), f"'{key}' only applies to path arguments (this one is {argument.type})",
                         f"remove '{key}:', or set 'type: path'")
        if argument.type == "path" and not command.permissions.restricted and not argument.permissions.restricted:
            # A path reaches the data folder: a command anyone may run must not read it for anyone.
            self.add(path, f"argument '{argument.name}' of command '{command.name}' names a path in the data "
                           f"folder, and anyone may run '{command.name}': anyone could read the data folder "
                           "through it",
                     "add 'permissions:' to the argument (e.g. permissions: {roles: [Trainer]}) or to the command")
        if "schema" in raw and argument.type != "json":
            self.add(path + ("schema",), f"'schema' only applies to json arguments (this one is {argument.type})",
                     "remove 'schema:', or set 'type: json'")
        numeric = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
        textual = {"minLength", "maxLength", "pattern"}
        for rule in argument.rules:
            if rule in numeric and argument.type not in ("integer", "number"):
                self.add(path + (rule,), f"'{rule}' only applies to integer or number arguments "
                                         f"(this one is {argument.type})", _instead(rule, argument.type))
            if rule in textual and argument.type not in ("text", "path", "choice"):
                self.add(path + (rule,), f"'{rule}' only applies to text arguments (this one is {argument.type})",
                         _instead(rule, argument.type))
            if rule in ("minItems", "maxItems", "uniqueItems") and argument.type not in ("json", "list"):
                self.add(path + (rule,), f"'{rule}' only applies to list and json arguments "
                                         f"(this one is {argument.type})", f"remove '{rule}:', or set 'type: list'")
            if rule == "items" and argument.type != "list":
                self.add(path + (rule,), f"'items' only applies to list arguments (this one is {argument.type})",
                         "remove 'items:', or set 'type: list'")
        if argument.type == "list" and not self._list_items(path, argument):
            return False
        if "pattern" in argument.rules:
            try:
                re.compile(argument.rules["pattern"])
            except re.error as error:
                self.add(path + ("pattern",), f"'pattern' is not a valid regular expression: {error}",
                         "fix the pattern (a Python regular expression): every [ and ( must close; to match a "
                         "'[' or '(' itself write '\\[' or '\\(', in single quotes", at_key=False)
                return False
        if argument.schema is not None:
            try:
                jsonschema.validators.validator_for(dict(argument.schema)).check_schema(dict(argument.schema))
            except jsonschema.SchemaError as error:
                self.add(path + ("schema",), f"'schema' is not a valid JSON Schema: {error.message}")
                return False
        if raw.get("required") is True and "default" in raw:
            self.add(path + ("default",), f"argument '{argument.name}' is required but has a default",
                     "remove 'required: true' (a default makes it optional) or remove the default")
        if argument.type == "attachment" and "default" in raw:
            self.add(path + ("default",), "an attachment argument cannot have a default")
        return "default" in raw and raw["default"] is not None and argument.type not in ("attachment",)

    def _list_items(self, path: tuple[Any, ...], argument: ArgumentSpec) -> bool:
        """The rules under 'items:' of a list argument fit its item type; False if a pattern is broken."""
        items = argument.rules.get("items") or {}
        item_type = items.get("type", "text")
        ipath = path + ("items",)
        for rule in items:
            if rule in ("minimum", "maximum") and item_type == "text":
                self.add(ipath + (rule,), f"'{rule}' under 'items' only applies to items that are numbers",
                         f"add 'type: integer' under 'items:', or for the length of an item write "
                         f"'{_COUNTERPARTS[rule]}:'")
            if rule in ("minLength", "maxLength", "pattern") and item_type != "text":
                self.add(ipath + (rule,), f"'{rule}' under 'items' only applies to items that are texts "
                                          f"(these are {item_type})", _instead(rule, item_type))
        if "pattern" in items:
            try:
                re.compile(items["pattern"])
            except re.error as error:
                self.add(ipath + ("pattern",), f"'pattern' under 'items' is not a valid regular expression: "
                                               f"{error}", "fix the pattern (a Python regular expression): "
                                               "every [ and ( must close", at_key=False)
                return False
        return True

    def slash(self, command: CommandSpec) -> None:
        path = command.path
        for name in command.names:
            name = name.rpartition(" ")[2]  # a subcommand's own part of its name ("add" of "tag add")
            if not slash_name_ok(name):
                self.add(path, f"'{name}' cannot be a slash command name: {SLASH_NAME_RULE}", slash_name_hint(name))
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



def check_arg_order(checker: DeclarationChecker, command: CommandSpec) -> None:
    seen_optional = None
    for argument in command.arguments:
        if argument.type == "attachment":
            continue
        if not argument.required:
            seen_optional = seen_optional or argument
        elif seen_optional is not None:
            checker.add(command.path + ("arguments", argument.name),
                        f"required argument '{argument.name}' comes after optional argument "
                        f"'{seen_optional.name}' in command '{command.name}'",
                        "put required arguments first, so they can be typed without names")
            return


# A rule written for the wrong type of argument, and the one meant: maxLength on a number is maximum.
_COUNTERPARTS = {"minLength": "minimum", "maxLength": "maximum", "minimum": "minLength", "maximum": "maxLength"}


def _instead(rule: str, argument_type: str) -> str:
    other = _COUNTERPARTS.get(rule)
    if other and argument_type in ("integer", "number"):
        return f"for a number, write '{other}:'"
    if other and argument_type in ("text", "path", "choice"):
        return f"for the length of a text, write '{other}:'"
    if argument_type == "list":
        return f"for each item, write it under 'items:' (items: {{{rule}: ...}})"
    return f"remove '{rule}:'"
