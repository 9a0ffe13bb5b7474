"""The JSON Schema of the interactive parts of ``commands.yaml``: ``ephemeral:`` and ``components:`` of a
command (and of ``bot.messages``), the top-level ``modals:`` and ``context_menus:``. :func:`extend`
hooks them into :data:`hypotez.declaration.schema.SCHEMA`."""

from __future__ import annotations

from typing import Any

from hypotez.declaration.permissions import DISCORD_PERMISSIONS

COMPONENT_ID = r"^[a-z0-9_-]{1,20}$"
_LANGUAGE = {"type": "string", "pattern": r"^[a-z]{2}(-[A-Za-z]{2})?$"}
_LOCALIZED = {"oneOf": [{"type": "string"},
                        {"type": "object", "minProperties": 1, "propertyNames": _LANGUAGE,
                         "additionalProperties": {"type": "string"}}],
              "description": "A text (Jinja), or one per language: {ru: ..., en: ...}."}

ACTION = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "description": "What it does: one of reply, edit, run (with arguments), toggle_role, modal; a button or "
                   "a select menu may first take actions (actions:), and then reply, edit or run.",
    "properties": {
        "reply": {**_LOCALIZED, "description": "Answer with this text (Jinja: {{ user }}, {{ value }}, ...)."},
        "edit": {**_LOCALIZED, "description": "Replace the text of the message the component is on."},
        "run": {"type": "string", "pattern": r"^[^\s]{1,64}$", "description": "Run this command."},
        "arguments": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},
                      "description": "run: the command's arguments (Jinja texts)."},
        "toggle_role": {"type": "string", "minLength": 1,
                        "description": "Give the role to whoever presses, or take it away if they have it."},
        "modal": {"type": "string", "pattern": r"^[a-z0-9_-]{1,40}$", "description": "Open this form (modals:)."},
        "ephemeral": {"type": "boolean", "description": "Only the person who pressed sees the answer (true)."},
        # The actions triggers and events take (hypotez.declaration.schema_events), in order, before the answer.
        "actions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/action"},
                    "description": "Buttons and select menus: add_role, remove_role, delete_message, react, dm, "
                                   "set, increment, done before the answer (whoever pressed is the member)."},
        "permissions": {"$ref": "#/$defs/action_permissions"},
    },
}
# Defined once (the action above appears in several places of the schema).
ACTION_PERMISSIONS = {"type": "array", "uniqueItems": True, "items": {"enum": list(DISCORD_PERMISSIONS)},
                      "description": "The bot's Discord permissions its actions may use (add_role: manage_roles, "
                                     "react: add_reactions)."}

_OPTION = {"type": "object", "additionalProperties": False, "required": ["label", "value"],
           "properties": {"label": _LOCALIZED, "value": {"type": ["string", "number"]},
                          "description": _LOCALIZED, "emoji": {"type": "string"}}}

COMPONENT = {
    "type": "object", "additionalProperties": False, "required": ["id"],
    "description": "A button or a select menu under the reply.",
    "properties": {
        "id": {"type": "string", "pattern": COMPONENT_ID, "description": "Names it (unique in the command)."},
        "type": {"enum": ["button", "link", "select", "user_select", "role_select", "channel_select"]},
        "label": _LOCALIZED,
        "style": {"enum": ["primary", "secondary", "success", "danger"]},
        "emoji": {"type": "string", "minLength": 1},
        "url": _LOCALIZED,
        "row": {"type": "integer", "minimum": 0, "maximum": 4},
        "placeholder": _LOCALIZED,
        "options": {"type": "array", "minItems": 1, "items": _OPTION},
        "min_values": {"type": "integer", "minimum": 0, "maximum": 25},
        "max_values": {"type": "integer", "minimum": 1, "maximum": 25},
        "action": ACTION,
        "permissions": {"$ref": "#/$defs/permissions"},
        "expires": {"type": "number", "exclusiveMinimum": 0,
                    "description": "Seconds after the reply is sent when it stops working."},
    },
}

COMPONENTS = {"type": "array", "minItems": 1, "items": COMPONENT,
              "description": "Buttons and select menus attached to the reply."}
EPHEMERAL = {"oneOf": [{"type": "boolean"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}],
             "description": "Only the user sees the reply (slash commands and components): true, or the "
                            "outcomes for which it is so."}

_INPUT = {"type": "object", "additionalProperties": False, "required": ["label"],
          "properties": {"label": _LOCALIZED, "style": {"enum": ["short", "paragraph"]},
                         "placeholder": _LOCALIZED}}

MODAL = {
    "type": "object", "additionalProperties": False, "required": ["title", "inputs", "action"],
    "properties": {
        "title": _LOCALIZED,
        "inputs": {"type": "object", "minProperties": 1,
                   "propertyNames": {"type": "string", "pattern": r"^[a-z_][a-z0-9_]{0,31}$"},
                   "additionalProperties": {"$ref": "#/$defs/modal_input"},
                   "description": "Text inputs, with the rules of arguments (type, minLength, pattern...)."},
        "action": ACTION,
    },
}

CONTEXT_MENU = {
    "type": "object", "additionalProperties": False, "required": ["target", "action"],
    "properties": {
        "target": {"enum": ["message", "user"], "description": "Right-click on a message or on a user."},
        "action": ACTION,
        "permissions": {"$ref": "#/$defs/permissions"},
        "where": {"enum": ["any", "guild"]},
    },
}


def extend(schema: dict[str, Any]) -> None:
    """Add the interactive parts to ``schema`` (the whole commands.yaml schema), in place."""
    defs = schema["$defs"]
    defs["action_permissions"] = ACTION_PERMISSIONS
    defs["command"]["properties"].update(components=COMPONENTS, ephemeral=EPHEMERAL)
    schema["properties"]["bot"]["properties"]["messages"]["properties"].update(components=COMPONENTS)
    argument = defs["argument"]
    defs["modal_input"] = {**argument, "required": ["type", "label"],
                           "properties": {**argument["properties"], **_INPUT["properties"]}}
    defs["modal_input"]["properties"]["type"] = {"enum": ["text", "integer", "number", "boolean", "choice",
                                                          "json"]}
    for key in ("greedy", "kind", "must_exist", "permissions"):
        defs["modal_input"]["properties"].pop(key, None)
    schema["properties"]["modals"] = {"type": "object", "description": "Forms, by name.",
                                      "propertyNames": {"type": "string", "pattern": r"^[a-z0-9_-]{1,40}$"},
                                      "additionalProperties": MODAL}
    schema["properties"]["context_menus"] = {
        "type": "object", "description": "Right-click commands on a message or a user, by the name shown.",
        "propertyNames": {"type": "string", "minLength": 1, "maxLength": 32},
        "additionalProperties": CONTEXT_MENU}
