"""Building the frozen dataclasses of a Spec from the YAML the schema check accepted."""

from __future__ import annotations

from typing import Any

import jsonschema

from hypotez.declaration import schema as schema_module
from hypotez.declaration.inline import build_inline
from hypotez.declaration.model import (DEFAULT_REPLY, MISSING, ArgumentSpec, CommandSpec, CooldownSpec, Location,
                                       MessagesSpec, PermissionSpec, Settings, frozen_mapping)
from hypotez.declaration.model_groups import AutocompleteSpec, DiscordSideSpec, LocalizedSpec, choice_value, default_text
from hypotez.declaration.yamlload import Locations

HELP_COMMAND = "help"


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


def _build_argument(name: str, raw: dict[str, Any], location: Location, language: str = "en") -> ArgumentSpec:
    rules = {k: raw[k] for k in RULE_NAMES if k in raw}
    has_default = "default" in raw
    required = raw.get("required", not has_default and raw.get("type") != "boolean")
    choices = tuple(choice_value(c) for c in raw.get("choices") or ())
    return ArgumentSpec(
        name=name,
        type=raw["type"],
        description=default_text(raw.get("description", ""), language),
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
        autocomplete=AutocompleteSpec.from_raw(raw.get("autocomplete")),
        localized=LocalizedSpec.from_raw(raw),
    )


def _permissions(raw: dict[str, Any]) -> PermissionSpec:
    return PermissionSpec(roles=tuple(raw.get("roles") or ()), discord=tuple(raw.get("discord") or ()),
                          users=tuple(str(u) for u in raw.get("users") or ()))


def build_command(name: str, raw: dict[str, Any], settings: Settings, locations: Locations,
                  path: tuple[str, ...] | None = None) -> CommandSpec:
    """``name`` is the whole name typed (``"tag add"`` for a subcommand, found at ``path`` in the YAML)."""
    path = path or ("commands", name)
    # A subcommand's aliases are other names beside it in its group: "tag new" for "tag add".
    group = name.rpartition(" ")[0] + " " if " " in name else ""
    arguments = tuple(
        _build_argument(arg_name, arg_raw, _loc(locations, path + ("arguments", arg_name)), settings.language)
        for arg_name, arg_raw in (raw.get("arguments") or {}).items()
    )
    permissions_raw = raw.get("permissions") or {}
    cooldown_raw = raw.get("cooldown")
    inline = build_inline(raw)
    return CommandSpec(
        name=name,
        description=default_text(raw["description"], settings.language),
        aliases=tuple(group + alias for alias in raw.get("aliases") or ()),
        help=raw.get("help", "").strip(),
        handler=raw.get("handler"),
        # An answer written in the spec replaces the default template file.
        # A subcommand's own template is in its group's folder: templates/<language>/tag/add.j2.
        reply_templates=frozen_mapping({} if inline is not None and "reply" not in raw
                                       else _replies(raw.get("reply"), name.replace(" ", "/"))),
        arguments=arguments,
        permissions=_permissions(permissions_raw),
        cooldown=CooldownSpec(cooldown_raw["rate"], float(cooldown_raw["per"]), cooldown_raw.get("scope", "user"))
        if cooldown_raw else None,
        where=raw.get("where", "any"),
        slash=bool(raw.get("slash", settings.slash)),
        hidden=bool(raw.get("hidden", False)),
        examples=tuple(e["say"] if isinstance(e, dict) else e for e in raw.get("examples") or ()),
        location=_loc(locations, path),
        inline=inline,
        yaml_path=path if path != ("commands", name) else (),
        discord=DiscordSideSpec.from_raw(raw),
        bot_permissions=tuple(raw.get("bot_permissions") or ()),
        localized=LocalizedSpec.from_raw(raw),
    )


def build_settings(raw: dict[str, Any]) -> Settings:
    language = raw.get("language", "en")
    languages = tuple(raw.get("languages") or (language,))
    if language not in languages:
        languages = (language, *languages)
    messages_raw = raw.get("messages")
    messages = None
    if messages_raw and messages_raw.get("handler"):
        messages = MessagesSpec(
            handler=messages_raw["handler"],
            reply_templates=frozen_mapping(_replies(messages_raw.get("reply"), "answer")),
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
        metrics=frozen_mapping(raw.get("metrics") or {}),
        slash_servers=tuple(str(server) for server in raw.get("slash_servers") or ()),
        locale_replies=bool(raw.get("locale_replies", False)),
    )


HELP_DESCRIPTIONS = {"en": "Shows the commands and how to use them",
                     "ru": "Показать команды и как ими пользоваться"}
HELP_ARGUMENT_DESCRIPTIONS = {"en": "a command to explain", "ru": "команда, о которой рассказать"}


def builtin_help(settings: Settings) -> CommandSpec:
    return CommandSpec(
        name=HELP_COMMAND,
        description=HELP_DESCRIPTIONS.get(settings.language, HELP_DESCRIPTIONS["en"]),
        handler="hypotez.builtin_commands:help_command",
        reply_templates=frozen_mapping({DEFAULT_REPLY: "help", "command": "help_command"}),
        arguments=(ArgumentSpec(name="command", type="text", required=False,
                                description=HELP_ARGUMENT_DESCRIPTIONS.get(settings.language,
                                                                           HELP_ARGUMENT_DESCRIPTIONS["en"])),),
        slash=settings.slash,
        builtin=True,
    )



def error_roots(errors: list[jsonschema.ValidationError]) -> set[tuple[Any, ...]]:
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


def refused(bad: set[tuple[Any, ...]], path: tuple[Any, ...]) -> bool:
    """Whether the schema check refused ``path``, something in it, or what holds it (then it is not built)."""
    return any(p[:len(path)] == path or path[:len(p)] == p for p in bad)
