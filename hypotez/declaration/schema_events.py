"""The JSON Schema of what a bot does besides answering commands: message triggers, member events,
reactions, schedules and the bot's memory (state). Hooked into :mod:`hypotez.declaration.schema` by
:func:`extend`; the spec model is in :mod:`hypotez.declaration.events_model`."""

from __future__ import annotations

from typing import Any

from hypotez.declaration.permissions import DISCORD_PERMISSIONS

STATE_SCOPES = ("user", "member", "channel", "server", "global")
STATE_KEY = r"^[a-z_][a-z0-9_]{0,31}$"
_NAME = {"type": "string", "pattern": r"^[a-z0-9_-]{1,64}$",
         "description": "A name of your choosing: lower-case letters, digits, '_' and '-'."}
_TEXT = {"oneOf": [{"type": "string"}, {"type": "object", "minProperties": 1,
                                         "propertyNames": {"pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$"},
                                         "additionalProperties": {"type": "string"}}],
         "description": "A text (Jinja: {{ user }}, {{ state.member.points }}), or one per language."}
_TEMPLATE = {"type": "string", "pattern": r"^[A-Za-z0-9_./-]+$",
             "description": "A template file in templates/<language>/, without .j2."}
_NAMES = {"type": "array", "items": {"type": ["string", "integer"]}, "minItems": 1}
_KEY = {"type": "string", "pattern": STATE_KEY}

ACTION = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "description": "One thing to do: add_role, remove_role, delete_message, react, dm, set, increment.",
    "properties": {
        "add_role": {"type": "string", "minLength": 1, "description": "Give the member this role."},
        "remove_role": {"type": "string", "minLength": 1, "description": "Take this role from the member."},
        "delete_message": {"const": True, "description": "Delete the message that triggered it."},
        "react": {"type": "string", "minLength": 1, "description": "React to the message with this emoji."},
        "dm": _TEXT,
        "set": {"type": "object", "additionalProperties": False, "required": ["key", "value"],
                "properties": {"key": _KEY, "value": {"type": ["string", "number", "boolean"]}}},
        "increment": {"oneOf": [_KEY, {"type": "object", "additionalProperties": False, "required": ["key"],
                                       "properties": {"key": _KEY, "by": {"type": "integer"}}}]},
    },
    "additionalProperties": False,
}

# What every trigger, event, reaction and schedule may answer with.
_RESPONSE = {
    "text": _TEXT,
    "reply": _TEMPLATE,
    "channel": {"type": ["string", "integer"], "description": "Where to post (a channel name or id)."},
    "dm": {"type": "boolean", "description": "Answer in a direct message instead."},
    "actions": {"type": "array", "items": {"$ref": "#/$defs/action"}},
    "permissions": {"type": "array", "uniqueItems": True, "items": {"enum": list(DISCORD_PERMISSIONS)},
                    "description": "The bot's Discord permissions its actions may use (add_role: "
                                   "manage_roles, delete_message: manage_messages, react: add_reactions)."},
}
_COOLDOWN = {"type": "object", "additionalProperties": False, "required": ["rate", "per"],
             "properties": {"rate": {"type": "integer", "minimum": 1},
                            "per": {"type": "number", "exclusiveMinimum": 0},
                            "scope": {"enum": ["user", "channel", "server"]}}}
_EXAMPLE = {"oneOf": [{"type": "string"}, {
    "type": "object", "additionalProperties": False, "required": ["say"],
    "properties": {"say": {"type": "string", "minLength": 1},
                   "expect": {"type": "string", "description": "A text the bot's reply must contain."},
                   "expect_nothing": {"const": True, "description": "The bot must not answer."}}}]}

TRIGGER = {
    "type": "object", "additionalProperties": False,
    "description": "Answers a message that is not a command and matches.",
    "properties": {
        "contains": {"type": "string", "minLength": 1}, "starts_with": {"type": "string", "minLength": 1},
        "exact": {"type": "string", "minLength": 1}, "regex": {"type": "string", "minLength": 1},
        "ignore_case": {"type": "boolean", "description": "Match HELLO for hello (true)."},
        "ignore_accents": {"type": "boolean", "description": "Match café for cafe, ё for е (true)."},
        "channels": _NAMES, "roles": _NAMES,
        "priority": {"type": "integer", "description": "Higher first (0)."},
        "stop": {"type": "boolean", "description": "After it matches, no later trigger and no "
                                                   "conversational reply (true)."},
        "cooldown": _COOLDOWN,
        "examples": {"type": "array", "items": _EXAMPLE},
        **_RESPONSE,
    },
}
MEMBER_EVENT = {"type": "object", "additionalProperties": False, "properties": dict(_RESPONSE)}
ROLE_EVENT = {"type": "array", "minItems": 1, "items": {
    "type": "object", "additionalProperties": False, "required": ["role"],
    "properties": {"role": {"type": "string", "minLength": 1, "description": "The role given or taken."},
                   **_RESPONSE}}}
REACTION = {
    "type": "object", "additionalProperties": False, "required": ["emoji"],
    "description": "A reaction added or removed on a message, or on any message of a channel.",
    "properties": {
        "emoji": {"type": "string", "minLength": 1},
        "message": {"type": ["string", "integer"], "pattern": r"^[0-9]+$"},
        "channel": {"type": ["string", "integer"]},
        "role": {"type": "string", "minLength": 1,
                 "description": "A reaction role: given when the reaction is added, taken when removed."},
        "added": {"type": "object", "additionalProperties": False, "properties": dict(_RESPONSE)},
        "removed": {"type": "object", "additionalProperties": False, "properties": dict(_RESPONSE)},
        "permissions": _RESPONSE["permissions"],
    },
}
SCHEDULE = {
    "type": "object", "additionalProperties": False, "required": ["channel"],
    "properties": {
        "cron": {"type": "string", "description": "minute hour day month weekday, e.g. '0 9 * * 1'."},
        "every": {"type": "number", "minimum": 60, "description": "Seconds between runs (at least 60)."},
        "timezone": {"type": "string", "description": "e.g. Europe/Moscow (UTC)."},
        "missed": {"enum": ["skip", "once"],
                   "description": "Runs missed while the bot was down: skip them, or run once (skip)."},
        "command": {"type": "string", "minLength": 1, "description": "A command to run, e.g. '!top'."},
        **_RESPONSE,
    },
}
STATE = {
    "type": "object", "additionalProperties": False, "required": ["scope"],
    "properties": {
        "scope": {"enum": list(STATE_SCOPES)},
        "type": {"enum": ["counter", "value"], "description": "counter: a whole number (0 at first); value: "
                                                             "a text or number."},
        "default": {"type": ["string", "number", "boolean"]},
        "leaderboard": {"type": "integer", "minimum": 1, "maximum": 100,
                        "description": "counters: {{ state.top.<key> }} lists the top N (10)."},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 4000},
    },
}
LIMITS = {"type": "object", "additionalProperties": False, "properties": {
    "max_keys": {"type": "integer", "minimum": 1, "maximum": 500},
    "max_value_length": {"type": "integer", "minimum": 1, "maximum": 4000},
    "max_rows": {"type": "integer", "minimum": 1, "description": "Stored values per server and key."}}}

PROPERTIES: dict[str, Any] = {
    "triggers": {"type": "object", "propertyNames": _NAME, "additionalProperties": {"$ref": "#/$defs/trigger"},
                 "description": "Auto-responders: messages that are not commands, by what they contain."},
    "events": {"type": "object", "additionalProperties": False,
               "properties": {"member_join": {"$ref": "#/$defs/member_event"},
                              "member_leave": {"$ref": "#/$defs/member_event"},
                              "role_added": ROLE_EVENT, "role_removed": ROLE_EVENT}},
    "reactions": {"type": "object", "propertyNames": _NAME, "additionalProperties": {"$ref": "#/$defs/reaction"}},
    "schedules": {"type": "object", "propertyNames": _NAME, "additionalProperties": {"$ref": "#/$defs/schedule"}},
    "state": {"type": "object", "propertyNames": _KEY, "additionalProperties": {"$ref": "#/$defs/state"},
              "description": "What the bot remembers, by key."},
    "state_limits": LIMITS,
}
DEFS = {"action": ACTION, "trigger": TRIGGER, "member_event": MEMBER_EVENT, "reaction": REACTION,
        "schedule": SCHEDULE, "state": STATE}
SECTIONS = tuple(PROPERTIES)


def extend(schema: dict[str, Any]) -> None:
    """Add the sections to the schema of commands.yaml, and expected replies to commands' examples."""
    schema["properties"].update(PROPERTIES)
    schema["$defs"].update(DEFS)
    schema["$defs"]["command"]["properties"]["examples"] = {"type": "array", "items": _EXAMPLE}


_SINGULAR = {"triggers": "trigger", "reactions": "reaction", "schedules": "schedule", "state": "state key"}


def describe_path(path: tuple[Any, ...]) -> str | None:
    """Words for where in these sections a path points ("trigger 'thanks'"); None: not in them."""
    if not path or path[0] not in SECTIONS:
        return None
    section = path[0]
    if section in _SINGULAR and len(path) >= 2:
        where = f"{_SINGULAR[section]} '{path[1]}'"
        if len(path) >= 4 and path[2] == "actions" and isinstance(path[3], int):
            return f"action {path[3] + 1} of {where}"
        if len(path) >= 3 and path[2] == "examples":
            return f"the examples of {where}"
        return where
    if section == "events" and len(path) >= 2:
        return f"'events.{path[1]}'"
    return f"'{section}'"


def bad_name(section: str, bad: Any) -> tuple[str, str] | None:
    """(message, hint) for a name these sections do not allow; None: not one of them."""
    if section not in _SINGULAR:
        return None
    if section == "state":
        return (f"state key '{bad}' is not allowed",
                "state keys are lower-case letters, digits and _, starting with a letter, at most 32 characters")
    return (f"{_SINGULAR[section]} name '{bad}' is not allowed",
            "names are lower-case letters, digits, '_' and '-', at most 64 characters, e.g. say_thanks")
