"""The parts of the JSON Schema for command groups (``subcommands:``) and for the settings Discord
itself enforces on a slash command (who sees it by default, where and how it may be installed, NSFW).

Groups nest at most two levels under a top-level command (``/config role set``), which is all Discord
allows. The schema is not recursive (the loader inlines every ``$ref``): a first-level subcommand may
have ``subcommands:`` of its own, whose entries are leaf commands; a third level is reported by the
declaration checks (hypotez.declaration.checks_groups) with its place in the file."""

from __future__ import annotations

import copy
from typing import Any

from hypotez.declaration.permissions import DISCORD_PERMISSIONS

CONTEXTS = ("guild", "dm", "private_channel")
INSTALLS = ("guild", "user")
# Words people use for them (Discord's own API says guild, bot_dm, private_channel, guild_install, user_install).
CONTEXT_SYNONYMS = {"server": "guild", "servers": "guild", "bot_dm": "dm", "dms": "dm", "group_dm": "private_channel",
                    "guild_install": "guild", "user_install": "user", "account": "user"}

# Keys a command may carry for Discord's own handling of its slash form.
DISCORD_SIDE_KEYS: dict[str, dict[str, Any]] = {
    "default_permissions": {
        "type": "array", "uniqueItems": True, "items": {"enum": list(DISCORD_PERMISSIONS)},
        "description": "Discord shows the slash command only to members with all these permissions, until a "
                       "server's admins change it (Server Settings → Integrations). Top-level commands only."},
    "contexts": {
        "type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(CONTEXTS)},
        "description": "Where Discord offers the slash command: guild (servers), dm (direct messages with "
                       "the bot), private_channel (group DMs, for user installs). Top-level commands only."},
    "installs": {
        "type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(INSTALLS)},
        "description": "How the bot may be installed for it: guild (added to a server) and/or user (added "
                       "to a person's account). Top-level commands only."},
    "nsfw": {"type": "boolean", "description": "Only in age-restricted channels. Top-level commands only."},
}

# Settings of the whole bot about its slash commands.
BOT_KEYS: dict[str, dict[str, Any]] = {
    "locale_replies": {
        "type": "boolean",
        "description": "Answer slash commands in the user's Discord language when the bot has it (in "
                       "'languages'), instead of the server's (false)."},
    "slash_servers": {
        "type": "array", "uniqueItems": True, "items": {"type": ["string", "integer"], "pattern": r"^[0-9]+$"},
        "description": "Server ids to sync the slash commands to instead of globally: they show up there "
                       "at once (handy while developing); the global ones are then removed."},
}

# Where a slash option's suggestions come from, as the user types (hypotez.autocomplete).
AUTOCOMPLETE: dict[str, Any] = {
    "description": "Suggestions while typing the slash option, and 'did you mean' for a near miss in the "
                   "prefix form: a list of values; 'files' (names in the server's data folder, for path "
                   "arguments); 'stored' (values given before on this server); or {handler: module:function}.",
    "oneOf": [
        {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
        {"enum": ["files", "stored"]},
        {"type": "object", "additionalProperties": False, "required": ["handler"],
         "properties": {"handler": {"type": "string", "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"}}},
    ],
}

_LANGUAGE = {"type": "string", "pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$"}
_NAMES = {"type": "object", "minProperties": 1, "propertyNames": _LANGUAGE, "additionalProperties": {"type": "string"},
          "description": "The slash name per language, as Discord shows it to users of that language: {ru: тег}."}
_CHOICE = {"type": "object", "additionalProperties": False, "required": ["value"],
           "properties": {"value": {"type": ["string", "number"]}, "names": _NAMES},
           "description": "A choice with its name per language: {value: red, names: {ru: красный}}."}


def _per_language(text: dict[str, Any]) -> dict[str, Any]:
    """``text`` (a string's schema), or the same per language ({ru: ..., en: ...})."""
    single = {key: value for key, value in text.items() if key != "description"}
    return {"oneOf": [single, {"type": "object", "minProperties": 1, "propertyNames": _LANGUAGE,
                               "additionalProperties": single}],
            "description": text.get("description", "") + " One text, or one per language: {ru: ..., en: ...}."}


_SUBCOMMAND_NAME = {"type": "string", "pattern": r"^[^\s]{1,64}$"}


def _subcommands(ref: str) -> dict[str, Any]:
    return {"type": "object", "minProperties": 1, "propertyNames": _SUBCOMMAND_NAME,
            "additionalProperties": {"$ref": ref},
            "description": "Makes this command a group: /name sub (and !name sub). A group has no "
                           "handler, answer or arguments of its own."}


def extend_schema(schema: dict[str, Any]) -> None:
    """Add groups and Discord's settings to ``schema`` (the one ``schema.SCHEMA``), in place. Called once,
    when everything else of the command's definition is there (it is copied for the levels below)."""
    defs = schema["$defs"]
    argument = defs["argument"]["properties"]
    argument["autocomplete"] = copy.deepcopy(AUTOCOMPLETE)
    # Words per language for Discord's localizations (hypotez.adapters.discord_translator).
    argument["description"] = _per_language(argument.get("description", {"type": "string"}))
    argument["names"] = copy.deepcopy(_NAMES)
    argument["choices"]["items"] = {"oneOf": [argument["choices"]["items"], copy.deepcopy(_CHOICE)]}
    defs["command"]["properties"]["description"] = _per_language(defs["command"]["properties"]["description"])
    defs["command"]["properties"]["names"] = copy.deepcopy(_NAMES)
    command = defs["command"]
    command["properties"].update(copy.deepcopy(DISCORD_SIDE_KEYS))
    command["properties"]["bot_permissions"] = {
        "type": "array", "uniqueItems": True, "items": {"enum": list(DISCORD_PERMISSIONS)},
        "description": "Permissions the bot itself needs for this command (e.g. attach_files to send files): "
                       "hypotez invite asks for them, and start-up says which commands lack them."}
    leaf = copy.deepcopy(command)
    # A third level is allowed by the schema so that the checks can say where and why Discord refuses it.
    leaf["properties"]["subcommands"] = {"type": "object"}
    middle = copy.deepcopy(command)
    middle["properties"]["subcommands"] = _subcommands("#/$defs/subcommand_leaf")
    defs["subcommand_leaf"] = leaf
    defs["subcommand"] = middle
    command["properties"]["subcommands"] = _subcommands("#/$defs/subcommand")
    schema["properties"]["bot"]["properties"].update(copy.deepcopy(BOT_KEYS))
