"""The JSON Schema of ``commands.yaml``: the loader validates with it, and ``hypotez schema`` prints it
for editors (YAML language server) to complete and check the file."""

from __future__ import annotations

import copy
import json
from typing import Any


from hypotez.declaration.permissions import DISCORD_PERMISSIONS
from hypotez.declaration.model import ERROR_KINDS
from hypotez.declaration.schema_storage import STORAGE_SCHEMA
from hypotez.declaration.schema_metrics import METRICS_SCHEMA
from hypotez.declaration.schema_list import LIST_RULES
from hypotez.declaration.schema_groups import extend_schema
from hypotez.declaration import schema_components
from hypotez.declaration.schema_events import extend as extend_with_events

ARGUMENT_TYPES = ["text", "integer", "number", "boolean", "choice", "json", "list", "path", "attachment",
                  "member", "channel"]


# Names people know from Discord's own settings screens (not discord.py's) → discord.py's names.
PERMISSION_SYNONYMS = {
    "manage_server": "manage_guild", "admin": "administrator", "timeout_members": "moderate_members",
    "view_channels": "view_channel", "mention_all": "mention_everyone",
    "use_slash_commands": "use_application_commands",
}

# JSON Schema keywords an argument may carry as validation rules.
RULE_KEYWORDS: dict[str, dict[str, Any]] = {
    "minimum": {"type": "number", "description": "Smallest allowed number."},
    "maximum": {"type": "number", "description": "Largest allowed number."},
    "exclusiveMinimum": {"type": "number", "description": "The number must be greater than this."},
    "exclusiveMaximum": {"type": "number", "description": "The number must be less than this."},
    "multipleOf": {"type": "number", "exclusiveMinimum": 0, "description": "The number must be a multiple of this."},
    "minLength": {"type": "integer", "minimum": 0, "description": "Fewest characters allowed."},
    "maxLength": {"type": "integer", "minimum": 0, "description": "Most characters allowed."},
    "pattern": {"type": "string", "description": "A regular expression the text must match."},
    "enum": {"type": "array", "minItems": 1, "description": "The only values allowed."},
    "minItems": {"type": "integer", "minimum": 0, "description": "list and JSON lists: fewest items."},
    "maxItems": {"type": "integer", "minimum": 0, "description": "list and JSON lists: most items."},
    **LIST_RULES,
}

# bot.attachments.hosts: a host name (HTTPS on 443), or scheme://host:port for a file server of one's own.
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
HOST_ENTRY = rf"^([A-Za-z0-9.-]+|https?://[A-Za-z0-9.-]+:{_PORT})$"

_NAME = {"type": "string", "pattern": r"^[^\s]{1,64}$"}
_LANGUAGE = {"type": "string", "pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$"}
# A text written in the spec: one Jinja text, or one per language ({ru: ..., en: ...}).
_LOCALIZED = {"oneOf": [{"type": "string"},
                        {"type": "object", "minProperties": 1, "propertyNames": _LANGUAGE,
                         "additionalProperties": {"type": "string"}}],
              "description": "A text (Jinja: {{ user }}, {{ argument }}), or one per language: {ru: ..., en: ...}."}
_TEXTS = {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]}
# Letters of any script (a command 'погода' has templates/ru/погода.j2); nothing a file name cannot hold.
_TEMPLATE_NAME = {"type": "string", "pattern": r'^[^\s:*?"<>|\\]+$',
                  "description": "A template file name in templates/<language>/, without the .j2 ending."}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://hypotez.dev/commands.schema.json",
    "title": "hypotez commands.yaml",
    "description": "Declares a Discord bot: its settings and its commands.",
    "type": "object",
    "additionalProperties": False,
    "required": ["commands"],
    "properties": {
        "bot": {
            "type": "object",
            "description": "Settings of the whole bot.",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "description": "The bot's name, shown in help."},
                "description": {"type": "string", "description": "What the bot does, shown in help."},
                "prefix": {"type": "string", "minLength": 1, "maxLength": 10, "pattern": r"^\S+$",
                           "description": "What starts a command in a message, e.g. '!'."},
                "language": {"type": "string", "pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$",
                             "description": "Default language of the replies: the templates/<language>/ folder."},
                "languages": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$"},
                              "uniqueItems": True, "description": "Every language the templates exist in."},
                "slash": {"type": "boolean", "description": "Also make slash commands by default (true)."},
                "case_insensitive": {"type": "boolean", "description": "Accept !HI for !hi (true)."},
                "errors": {
                    "type": "object",
                    "description": "Templates that answer user errors, by kind.",
                    "additionalProperties": False,
                    "properties": {kind: _TEMPLATE_NAME for kind in ERROR_KINDS},
                },
                "messages": {
                    "type": "object",
                    "description": "How the bot answers messages that are not commands.",
                    "additionalProperties": False,
                    "properties": {
                        "handler": {"type": "string", "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"},
                        "reply": {"oneOf": [_TEMPLATE_NAME, {"type": "object",
                                                             "additionalProperties": _TEMPLATE_NAME}]},
                        "channels": {"type": "array", "items": {"type": "string"},
                                     "description": "Channel names or ids where the bot answers every message; "
                                                    "elsewhere only when mentioned or in DMs. Empty: everywhere."},
                        "mention_only": {"type": "boolean"},
                    },
                },
                "model": {
                    "type": "object", "additionalProperties": False,
                    "description": "The Model service: which backend trains and answers.",
                    "properties": {
                        "backend": {"enum": ["local", "openai"]},
                        "threshold": {"type": "number", "minimum": 0, "maximum": 1,
                                      "description": "How similar a question must be to a trained one (0-1)."},
                        "mode": {"enum": ["examples", "fine_tune"]},
                        "method": {"enum": ["supervised", "dpo"]},
                        "chat_model": {"type": "string"}, "base_model": {"type": "string"},
                        "system_prompt": {"type": "string"}, "api_key": {"type": "string"},
                        "base_url": {"type": "string"},
                        "few_shot": {"type": "integer", "minimum": 0, "maximum": 50},
                        "epochs": {"type": "integer", "minimum": 1, "maximum": 50},
                        "context_limit": {"type": "integer", "minimum": 256},
                        "price_per_million": {"type": "number", "minimum": 0},
                        "poll_interval": {"type": "number", "exclusiveMinimum": 0},
                        "max_poll_interval": {"type": "number", "exclusiveMinimum": 0},
                        "max_poll_failures": {"type": "integer", "minimum": 1},
                        "max_retries": {"type": "integer", "minimum": 0},
                        "timeout": {"type": "number", "exclusiveMinimum": 0},
                    },
                },
                "voice": {
                    "type": "object", "additionalProperties": False,
                    "description": "The Voice service: speech to text and text to speech.",
                    "properties": {
                        "language": {"type": "string", "pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$"},
                        "stt": {"enum": ["whisper", "sphinx", "google"],
                                "description": "Speech to text: whisper (offline, needs hypotez[offline]), "
                                               "sphinx (offline, English) or google (online)."},
                        "tts": {"enum": ["espeak", "rhvoice", "gtts"],
                                "description": "Text to speech: espeak (offline), rhvoice (offline, natural; "
                                               "needs RHVoice from Debian non-free) or gtts (online)."},
                        "rhvoice_voice": {"type": "string", "pattern": r"^[A-Za-z][\w-]*$",
                                          "description": "The RHVoice voice (default: aleksandr for Russian, "
                                                         "alan for English)."},
                        "max_seconds": {"type": "number", "exclusiveMinimum": 0},
                        "max_bytes": {"type": "integer", "minimum": 1},
                        "speak_max_chars": {"type": "integer", "minimum": 1},
                        "speed": {"type": "integer", "minimum": 50, "maximum": 400},
                        "recognisers": {"type": "integer", "minimum": 1, "maximum": 16,
                                        "description": "Worker processes for offline recognition (default 1)."},
                        "timeout": {"type": "number", "exclusiveMinimum": 0},
                        "sphinx_model": {"type": "string"}, "google_key": {"type": "string"},
                        "whisper_model": {"type": "string",
                                          "description": "A faster-whisper model folder to use instead of "
                                                         "the shipped Whisper base model."},
                        "whisper_threads": {"type": "integer", "minimum": 1, "maximum": 64,
                                            "description": "CPU threads per recognition worker (default: "
                                                           "the cores shared between the workers)."},
                        "google_endpoint": {"type": "string"}, "gtts_endpoint": {"type": "string"},
                    },
                },
                "admin_channel": {"type": ["string", "integer"],
                                  "description": "Channel (name or id) where problems are reported to the "
                                                 "admins, e.g. a change to the spec that was rejected."},
                "tenancy": {"enum": ["isolated", "shared"],
                            "description": "isolated (default): each server keeps its own feedback, answers, "
                                           "datasets, models and files; shared: all servers share them "
                                           "(one community on several servers)."},
                "home_server": {"type": ["string", "integer"], "pattern": r"^[0-9]+$",
                                "description": "The server (id) whose model answers direct messages "
                                               "(isolated bots). Without it direct messages get no model."},
                "storage": STORAGE_SCHEMA,
                "attachments": {
                    "type": "object", "additionalProperties": False,
                    "description": "Which attachments the bot downloads.",
                    "properties": {
                        "hosts": {"type": "array", "minItems": 1, "uniqueItems": True,
                                  "items": {"type": "string", "pattern": HOST_ENTRY},
                                  "description": "Where attachments are downloaded from (default: Discord's CDN, "
                                                 "cdn.discordapp.com and media.discordapp.net). A host name "
                                                 "means HTTPS on port 443; a file server of your own is "
                                                 "written scheme://host:port (http or https), e.g. "
                                                 "http://files.example.org:8080."},
                        "max_bytes": {"type": "integer", "minimum": 1,
                                      "description": "Largest attachment downloaded, in bytes (default 25 MB)."},
                    },
                },
                "metrics": METRICS_SCHEMA,
            },
        },
        "commands": {
            "type": "object",
            "description": "The commands, by name.",
            "propertyNames": _NAME,
            "additionalProperties": {"$ref": "#/$defs/command"},
        },
    },
    "$defs": {
        "command": {
            "type": "object",
            "additionalProperties": False,
            "required": ["description"],
            "properties": {
                "description": {"type": "string", "minLength": 1, "description": "One line: what the command does."},
                "help": {"type": "string", "description": "Longer help, shown by 'help <command>'."},
                "aliases": {"type": "array", "items": _NAME, "uniqueItems": True},
                "handler": {"type": "string", "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
                            "description": "Python function that does the work: 'package.module:function'."},
                "reply": {
                    "description": "The template that answers, or a mapping outcome → template.",
                    "oneOf": [_TEMPLATE_NAME, {"type": "object", "minProperties": 1,
                                               "additionalProperties": _TEMPLATE_NAME}],
                },
                "text": {
                    "description": "The answer, written here instead of in a template file: a text, a list "
                                   "of texts (one is picked at random), or one of these per language "
                                   "({ru: ..., en: ...}).",
                    "oneOf": [_TEXTS, {"type": "object", "minProperties": 1, "propertyNames": _LANGUAGE,
                                       "additionalProperties": _TEXTS}],
                },
                "embed": {"$ref": "#/$defs/embed"},
                "arguments": {
                    "type": "object",
                    "description": "The command's arguments, in the order they are typed.",
                    "propertyNames": {"type": "string", "pattern": r"^[a-z_][a-z0-9_]{0,31}$"},
                    "additionalProperties": {"$ref": "#/$defs/argument"},
                },
                "permissions": {"$ref": "#/$defs/permissions"},
                "cooldown": {"$ref": "#/$defs/cooldown"},
                "where": {"enum": ["any", "guild", "dm"], "description": "Where it may run (any)."},
                "slash": {"type": "boolean", "description": "Also a slash command (the bot's default)."},
                "hidden": {"type": "boolean", "description": "Left out of help."},
                "examples": {"type": "array", "items": {"type": "string"}},
            },
        },
        "argument": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"enum": ARGUMENT_TYPES},
                "description": {"type": "string"},
                "required": {"type": "boolean"},
                "default": {},
                "choices": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
                "greedy": {"type": "boolean", "description": "Takes the rest of the message (text only)."},
                "kind": {"enum": ["file", "folder", "any"], "description": "path: what it must name."},
                "must_exist": {"type": "boolean", "description": "path: must already exist (true)."},
                "schema": {"type": "object", "description": "json: a JSON Schema the value must match."},
                "permissions": {"$ref": "#/$defs/permissions",
                                "description": "Who may give this argument (same form as a command's): "
                                               "e.g. a path into the data folder for trainers only, on a "
                                               "command anyone may run."},
                **RULE_KEYWORDS,
            },
        },
        "embed": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "description": "A Discord embed (a card) answering the command. Every text may use {{ ... }}.",
            "properties": {
                "title": _LOCALIZED, "description": _LOCALIZED, "url": _LOCALIZED,
                "color": {"type": ["string", "integer"],
                          "description": "'#5865F2', a colour name (red, green, blue, ...) or a number."},
                "fields": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["name", "value"],
                    "properties": {"name": _LOCALIZED, "value": _LOCALIZED, "inline": {"type": "boolean"}}}},
                "footer": _LOCALIZED,
                "image": _LOCALIZED,
                "thumbnail": _LOCALIZED,
            },
        },
        "permissions": {
            "type": "object",
            "additionalProperties": False,
            "description": "Who may run it: any one of 'roles', or all of 'discord' permissions.",
            "properties": {
                "roles": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "discord": {"type": "array", "items": {"enum": list(DISCORD_PERMISSIONS)}},
                "users": {"type": "array", "items": {"type": ["string", "integer"]}},
            },
        },
        "cooldown": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rate", "per"],
            "properties": {
                "rate": {"type": "integer", "minimum": 1, "description": "Uses allowed..."},
                "per": {"type": "number", "exclusiveMinimum": 0, "description": "...per this many seconds."},
                "scope": {"enum": ["user", "channel", "guild", "global"]},
            },
        },
    },
}


schema_components.extend(SCHEMA)
extend_with_events(SCHEMA)  # triggers, events, reactions, schedules, state


def schema() -> dict[str, Any]:
    """A copy of the schema (callers may not change the one the loader uses)."""
    return copy.deepcopy(SCHEMA)


def schema_json() -> str:
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False)


extend_schema(SCHEMA)  # command groups and Discord-side settings (hypotez.declaration.schema_groups)
