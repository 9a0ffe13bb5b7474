"""The declaration checks of command groups and of Discord's own settings: a group is only a heading
(no answer or arguments of its own), two levels deep at most, 25 entries per level, slash names and
descriptions Discord accepts, no command whose name is taken by a group, and Discord's settings only on
the top-level command (the only place Discord reads them)."""

from __future__ import annotations

import re
from typing import Any, Mapping

from hypotez.declaration.building_groups import SUBCOMMANDS
from hypotez.declaration.checks import SLASH_DESCRIPTION_MAX, SLASH_OPTIONS_MAX, DeclarationChecker
from hypotez.declaration.model import Spec
from hypotez.declaration.schema_groups import DISCORD_SIDE_KEYS

# What a command does when it runs: a group cannot have it (Discord cannot run a group itself).
_OWN_ANSWER = ("handler", "reply", "text", "embed", "arguments")
_SLASH_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


def top_level_slash_count(spec: Spec) -> int:
    """The slash commands Discord counts against its 100: top-level commands and top-level groups that
    have at least one slash subcommand."""
    plain = sum(1 for c in spec.commands if c.slash and not c.yaml_path)
    groups = sum(1 for g in spec.groups.values() if g.depth == 1
                 and any(c.slash and c.name.startswith(g.name + " ") for c in spec.commands))
    return plain + groups


def check_groups(checker: DeclarationChecker, spec: Spec, commands_raw: Mapping[str, Any]) -> None:
    """``commands_raw``: the ``commands:`` mapping as written."""
    check_localized(checker, spec)
    top_names = {n.lower() for c in spec.commands if not c.yaml_path for n in c.names}
    for group in spec.groups.values():
        path = group.yaml_path
        raw = _raw_at(commands_raw, path) or {}
        for key in _OWN_ANSWER:
            if key in raw:
                checker.add(path + (key,), f"group '{group.name}' has subcommands, so it cannot have "
                                           f"'{key}' of its own: Discord runs only its subcommands",
                            f"move '{key}' into one of its subcommands ({', '.join(group.children)})")
        if len(group.children) > SLASH_OPTIONS_MAX:
            checker.add(path + (SUBCOMMANDS,), f"group '{group.name}' has {len(group.children)} subcommands; "
                                               f"Discord allows {SLASH_OPTIONS_MAX}",
                        "split it into two groups, or into subcommand groups one level deeper")
        if group.depth == 1 and group.name.lower() in top_names:
            checker.add(path, f"'{group.name}' is the name of a group and also of another command or alias",
                        "rename one of them")
        if group.slash:
            _slash_part(checker, path, group.name, group.description)
        for child, child_raw in (raw.get(SUBCOMMANDS) or {}).items():
            if not isinstance(child_raw, dict):
                continue
            child_path = path + (SUBCOMMANDS, str(child))
            if group.depth == 2 and isinstance(child_raw.get(SUBCOMMANDS), dict):
                checker.add(child_path + (SUBCOMMANDS,),
                            f"'{group.name} {child}' would be a third level of subcommands; Discord allows "
                            "two: /command group subcommand",
                            f"make '{child}' a plain subcommand of '{group.name}', or move it up a level")
            for key in DISCORD_SIDE_KEYS:
                if key in child_raw:
                    top = group.name.split(" ")[0]
                    checker.add(child_path + (key,), f"'{key}' of '{group.name} {child}': Discord reads it only "
                                                     f"on the top-level command",
                                f"put it on '{top}' (it then applies to all of /{top})")


def _slash_part(checker: DeclarationChecker, path: tuple[Any, ...], name: str, description: str) -> None:
    part = name.rpartition(" ")[2]
    if not (1 <= len(part) <= 32) or not set(part) <= _SLASH_NAME_OK:
        checker.add(path, f"'{part}' cannot be the name of a slash command group: Discord allows 1-32 lower-case "
                          "letters, digits, - and _", "rename it, or set 'slash: false' for the group")
    if len(description) > SLASH_DESCRIPTION_MAX:
        checker.add(path + ("description",), f"the description of group '{name}' is {len(description)} "
                                             f"characters; Discord allows {SLASH_DESCRIPTION_MAX}",
                    "shorten it (put the long text under 'help:')", at_key=False)


def _raw_at(commands_raw: Mapping[str, Any], path: tuple[Any, ...]) -> dict[str, Any] | None:
    """The YAML written at ``path`` (("commands", "config", "subcommands", "role")), or None."""
    node: Any = commands_raw
    for key in path[1:]:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


# Discord suggests values only for text and number options.
_AUTOCOMPLETE_TYPES = ("text", "integer", "number", "path")


def check_autocomplete(checker: DeclarationChecker, command: Any, argument: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Check an argument's ``autocomplete:``; the handlers it names (where, dotted path), for the registry
    to resolve like a command's."""
    spec = argument.autocomplete
    if spec is None:
        return []
    path = command.path + ("arguments", argument.name, "autocomplete")
    if argument.type not in _AUTOCOMPLETE_TYPES and not argument.choices:  # with choices: said below
        checker.add(path, f"'autocomplete' only applies to text, integer, number and path arguments (this one is "
                          f"{argument.type})", "for a fixed set of values use 'type: choice' with 'choices:'")
    if argument.choices:
        checker.add(path, "an argument cannot have both 'choices' and 'autocomplete' (Discord shows one or the other)",
                    "keep 'choices' for a fixed set of at most 25, or 'autocomplete' for suggestions")
    if spec.source == "files" and argument.type != "path":
        checker.add(path, f"'autocomplete: files' suggests names in the data folder: it applies to path arguments "
                          f"(this one is {argument.type})", "set 'type: path', or give a list of values")
    if spec.source == "list":
        long = [value for value in spec.values if len(value) > SLASH_DESCRIPTION_MAX]
        if long:
            checker.add(path, f"the suggestion {long[0][:20]!r}... is {len(long[0])} characters; Discord shows at "
                              f"most {SLASH_DESCRIPTION_MAX}", "shorten it", at_key=False)
    return [(path + ("handler",), spec.handler)] if spec.handler else []


# Discord's locales (discord.Locale; tests/test_localized_commands.py checks the list against discord.py).
DISCORD_LOCALES = ("id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no",
                   "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN",
                   "ja", "zh-TW", "ko")
_LOCALIZED_NAME = re.compile(r"^[-_\w]{1,32}$")


def _reaches_discord(language: str) -> bool:
    lowered = language.lower()
    return any(lowered == locale.lower() or lowered == locale.lower().split("-")[0] for locale in DISCORD_LOCALES)


def check_localized(checker: DeclarationChecker, spec: Spec) -> None:
    """Names and descriptions per language: what Discord accepts, in languages it has."""
    entries: list[tuple[tuple[Any, ...], str, Any]] = [(g.yaml_path, f"group '{g.name}'", g.localized)
                                                       for g in spec.groups.values()]
    for command in spec.commands:
        if command.builtin:
            continue
        entries.append((command.path, f"command '{command.name}'", command.localized))
        entries += [(command.path + ("arguments", a.name), f"argument '{a.name}' of command '{command.name}'",
                     a.localized) for a in command.arguments]
    for path, what, words in entries:
        if words is None:
            continue
        for language, name in words.names.items():
            if not _LOCALIZED_NAME.match(name) or name != name.lower():
                checker.add(path + ("names", language), f"{name!r} cannot be the {language} slash name of {what}: "
                                                        "Discord allows 1-32 lower-case letters, digits, - and _",
                            at_key=False)
        for language, text in words.descriptions.items():
            if len(text) > SLASH_DESCRIPTION_MAX:
                checker.add(path + ("description", language), f"the {language} description of {what} is {len(text)} "
                                                              f"characters; Discord allows {SLASH_DESCRIPTION_MAX}",
                            "shorten it", at_key=False)
        for language in [*words.names, *words.descriptions]:
            if not _reaches_discord(language):
                checker.add(path, f"Discord has no language {language!r} for {what}: its words in it are not shown "
                                  "in Discord", f"Discord's languages: {', '.join(DISCORD_LOCALES)}", severity="warning")
