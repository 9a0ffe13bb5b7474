"""Schema errors in words: each jsonschema error on commands.yaml becomes a located problem that says
what is wrong and how to fix it ("unknown key 'descripton' in command 'hi' — did you mean ...")."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

import jsonschema

from hypotez.errors import SpecProblem
from hypotez.declaration import schema as schema_module
from hypotez.declaration.traps import empty_value_hint
from hypotez.declaration.schema_groups import CONTEXT_SYNONYMS
from hypotez.declaration import schema_events
from hypotez.declaration.yamlload import Locations

_PATTERN_HINTS = {
    "handler": "write it as 'module.path:function', e.g. 'handlers.general:hi'",
    "prefix": "a prefix is one or a few characters with no spaces, e.g. '!'",
    "language": "a language code such as 'en' or 'ru'",
}


def _colon_text(value: Any) -> str | None:
    """``Tip: be kind`` as the user wrote it, when YAML read it as a one-key mapping; else None."""
    if isinstance(value, dict) and len(value) == 1:
        [(key, item)] = value.items()
        if isinstance(key, str) and isinstance(item, (str, int, float)) and not isinstance(item, bool):
            return f"{key}: {item}"
    return None


def _type_words(expected: Any) -> str:
    words = {"object": "a mapping (key: value lines)", "array": "a list ([a, b] or '- item' lines)",
             "string": "a text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "null": "empty"}
    if isinstance(expected, list):
        return " or ".join(words.get(t, t) for t in expected)
    return words.get(expected, str(expected))


# Words people write for a value hypotez spells otherwise (other languages' and Discord's own names):
# → (the value, why, or "").
_SYNONYMS = {
    "string": ("text", "", ), "str": ("text", ""), "int": ("integer", ""), "float": ("number", ""),
    "bool": ("boolean", ""), "array": ("list", ""), "enum": ("choice", ""), "object": ("json", ""),
    "dict": ("json", ""), "user": ("member", ""), "file": ("attachment", "or 'path' for a file of the data folder"),
    "server": ("guild", "Discord's API calls a server a guild"),
    "servers": ("guild", "Discord's API calls a server a guild"),
    "private": ("dm", "a direct message"), "everywhere": ("any", ""), "all": ("any", ""),
}
# What a number in the spec could be, for hints ("e.g. per: 60").
_EXAMPLES = {"rate": "3", "per": "60", "threshold": "0.55", "few_shot": "5", "recognisers": "1",
             "max_bytes": "10000000", "max_seconds": "120", "speak_max_chars": "300", "epochs": "3"}
_BOOLEAN_WORDS = {"true", "false", "yes", "no", "on", "off"}


def _unquoted(text: str, expected: Any) -> str | None:
    """``text`` as it should be written without quotes, when it is a number or yes/no value where
    one is expected ("200" for a whole number, "false" for true/false); else None. Quotes make YAML
    read a text: we say so rather than guess, so a spec means the same to every YAML tool."""
    expected = set(expected) if isinstance(expected, list) else {expected}
    word = text.strip()
    if "boolean" in expected and word.lower() in _BOOLEAN_WORDS:
        return word.lower()
    try:
        if "integer" in expected and str(int(word)) == word.lstrip("+"):
            return word
        if "number" in expected and float(word) == float(word):
            return word
    except ValueError:
        return None
    return None


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
        names = [str(path[1])]
        while len(path) >= 4 and path[2] == "subcommands":  # a group's subcommand: "tag add"
            names.append(str(path[3]))
            path = path[:1] + (" ".join(names),) + path[4:]
        command = f"command '{path[1]}'"
        if len(path) >= 4 and path[2] == "arguments":
            return f"argument '{path[3]}' of {command}"
        if len(path) >= 3 and path[2] in ("permissions", "cooldown", "contexts", "installs", "default_permissions",
                                             "bot_permissions"):
            return f"'{path[2]}' of {command}"
        if len(path) >= 7 and path[2] == "components" and path[4:6] == ("action", "actions") \
                and isinstance(path[3], int) and isinstance(path[6], int):  # a button's action: "action 1 of component 0 of command 'x'"
            return f"action {path[6] + 1} of component {path[3] + 1} of {command}"
        return command
    if path and path[0] == "bot":
        return "'bot'" if len(path) < 3 else f"'bot.{path[1]}'"
    return schema_events.describe_path(path) or "the top level"


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/x"}`` replaced by the definition (merged with the keys
    written beside it). jsonschema then validates without resolving a reference per command and
    argument, which was half its time; the errors are the same (a $ref adds no step to their paths)."""
    if isinstance(node, dict):
        if "$ref" in node:
            merged = dict(_inline_refs(defs[node["$ref"].rsplit("/", 1)[-1]], defs))
            merged.update({k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"})
            return merged
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


# The schema commands.yaml is validated against: SCHEMA (the published one) without references.
VALIDATION_SCHEMA: dict[str, Any] = _inline_refs(schema_module.SCHEMA, schema_module.SCHEMA.get("$defs", {}))


def _schema_at(schema_path: list[Any]) -> dict[str, Any]:
    node: Any = VALIDATION_SCHEMA
    for part in schema_path:
        node = node[part]
    return node


def schema_problems(errors: list[jsonschema.ValidationError], locations: Locations) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    split = _split_fields(errors)
    for error in errors:
        if id(error) in split:
            problems.extend(split[id(error)](locations))
        else:
            problems.extend(_explain(error, locations))
    return problems


def _missing(error: jsonschema.ValidationError) -> str | None:
    return error.message.split("'")[1] if error.validator == "required" and "'" in error.message else None


def _split_fields(errors: list[jsonschema.ValidationError]) -> dict[int, Any]:
    """Embed fields written as two list items (`- name: A` then `- value: B`): one problem, at the
    first, saying they belong in one item (not "add 'value:'" then "add 'name:'")."""
    by_path = {tuple(e.absolute_path): e for e in errors if _missing(e) and len(e.absolute_path) >= 2
               and e.absolute_path[-2] == "fields"}
    words: dict[int, Any] = {}
    for path, error in by_path.items():
        following = by_path.get(path[:-1] + (path[-1] + 1,))
        if _missing(error) != "value" or following is None or _missing(following) != "name":
            continue
        name = error.instance.get("name")

        def problem(locations: Locations, path: tuple[Any, ...] = path, name: Any = name) -> list[SpecProblem]:
            return [locations.problem(path, f"the embed field {name!r} is split into two list items: "
                                            "'- name:' and '- value:' are one field each",
                                      "write 'value:' in the same item as 'name:': remove the '-' before "
                                      "'value:' and indent it like 'name:'")]
        words[id(error)] = problem
        words[id(following)] = lambda locations: []
    return words


def _explain(error: jsonschema.ValidationError, locations: Locations) -> list[SpecProblem]:
    path = tuple(error.absolute_path)
    where = describe_path(path)
    key = path[-1] if path else None
    rule = error.validator

    if "propertyNames" in error.relative_schema_path or "propertyNames" in error.schema_path:
        return _bad_name(path, error.instance, where, locations)

    if rule in ("oneOf", "anyOf") and error.context:
        # A mapping where a text or a mapping may go: what is wrong with it as a mapping, not "not a text".
        shaped = [e for e in error.context if e.validator != "type"] if isinstance(error.instance, dict) else []
        best = jsonschema.exceptions.best_match(shaped or error.context)
        if key == "reply":
            return [locations.problem(path, f"'reply' of {where} must be a template name or a mapping "
                                            f"of outcome: template name (got {_actual_words(error.instance)})")]
        if key == "text" and len(path) == 3 and isinstance(error.instance, list):
            split = [(i, _colon_text(item)) for i, item in enumerate(error.instance) if _colon_text(item)]
            if split:
                return [locations.problem(path + (i,), f"item {i + 1} of 'text' of {where} was read as a key "
                                                       f"and its value, not as a text: ': ' starts a key",
                                          f'put it in quotes: - "{text}"') for i, text in split]
        if key == "autocomplete":
            close = get_close_matches(str(error.instance), ["files", "stored"], n=1)
            return [locations.problem(path, f"'autocomplete' of {where} must be a list of values, 'files', 'stored' "
                                            f"or {{handler: module:function}} (got {_actual_words(error.instance)})",
                                      f"did you mean '{close[0]}'?" if close else None)]
        if key == "text" and len(path) == 3:
            return [locations.problem(path, f"'text' of {where} must be a text, a list of texts (one is picked "
                                            f"at random) or a mapping language: text "
                                            f"(got {_actual_words(error.instance)})",
                                      empty_value_hint(locations, path) or
                                      "put the text in quotes if it starts with a special character")]
        if len(path) >= 4 and path[2] == "embed":
            return [locations.problem(path, f"'{key}' of the embed of {where} must be a text or a mapping "
                                            f"language: text (got {_actual_words(error.instance)})",
                                      empty_value_hint(locations, path))]
        return _explain(best, locations) if best is not None else []

    if rule == "additionalProperties":
        allowed = sorted(_schema_at(list(error.absolute_schema_path)[:-1]).get("properties", {}))
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
            hint = empty_value_hint(locations, path) or \
                "the value is empty: write it after the colon, or remove the line"
        elif error.validator_value == "object" and isinstance(error.instance, list):
            hint = "write 'name: value' lines here, not '- item' lines"
        elif isinstance(error.instance, str) and _unquoted(error.instance, error.validator_value) is not None:
            hint = f"remove the quotes: {key}: {_unquoted(error.instance, error.validator_value)}" \
                if isinstance(key, str) else "remove the quotes"
        elif error.validator_value in ("integer", "number") and isinstance(key, str) and key in _EXAMPLES:
            hint = f"write {_type_words(error.validator_value)}, e.g. {key}: {_EXAMPLES[key]}"
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

    if rule == "enum" and len(path) >= 2 and path[-2] in ("discord", "default_permissions", "bot_permissions"):
        name = str(error.instance)
        known = schema_module.PERMISSION_SYNONYMS.get(name.lower().replace(" ", "_"))
        close = [known] if known else get_close_matches(name, [str(v) for v in error.validator_value], n=1)
        hint = f"did you mean '{close[0]}'?" if close else \
            "use discord.py's permission names, e.g. manage_guild, administrator, manage_messages"
        return [locations.problem(path, f"'{name}' in {where} is not a Discord permission name", hint)]

    if rule == "enum":
        allowed = [str(v) for v in error.validator_value]
        synonym = _SYNONYMS.get(str(error.instance).lower())
        close = [synonym[0]] if synonym and synonym[0] in allowed else \
            get_close_matches(str(error.instance), allowed, n=1, cutoff=0.5)
        if len(path) >= 2 and path[-2] in ("contexts", "installs"):  # Discord's words for them differ
            close = [CONTEXT_SYNONYMS[str(error.instance)]] if str(error.instance) in CONTEXT_SYNONYMS else close
        hint = f"did you mean '{close[0]}'?" if close else None
        if close and synonym and synonym[0] == close[0] and synonym[1]:
            hint = f"did you mean '{close[0]}'? ({synonym[1]})"
        what = f"'{key}'" if isinstance(key, str) else "value"
        return [locations.problem(path, f"{what} in {where} is {_actual_words(error.instance)}; "
                                        f"allowed: {', '.join(allowed)}", hint)]

    if rule == "pattern" and path[:3] == ("bot", "attachments", "hosts"):
        return [locations.problem(path, f"{error.instance!r} in {where} is not a host: write a host name "
                                        "(downloaded over HTTPS on port 443) or scheme://host:port for a file "
                                        "server of your own (http or https, a port from 1 to 65535, nothing "
                                        "after it)", "e.g. cdn.discordapp.com or http://files.example.org:8080")]

    if rule == "pattern" and path[:2] == ("bot", "slash_servers"):
        return [locations.problem(path, f"{error.instance!r} in 'bot.slash_servers' is not a server id",
                                  "give the number Discord shows with 'Copy Server ID' (Developer Mode on)")]

    if rule == "pattern":
        hint = _PATTERN_HINTS.get(str(key))
        return [locations.problem(path, f"'{key}' in {where} has the wrong form: {error.instance!r}", hint)]


    if rule in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "greater than", "maximum": "at most",
                 "exclusiveMaximum": "less than"}[rule]
        what = f"'{key}'" if isinstance(key, str) else "this value"
        example = _EXAMPLES.get(str(key))
        hint = f"write a number {words} {error.validator_value}" + (f", e.g. {key}: {example}" if example else "")
        return [locations.problem(path, f"{what} in {where} must be {words} {error.validator_value} "
                                        f"(it is {error.instance})", hint)]

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
    events_words = schema_events.bad_name(path[0], bad) if path else None
    if events_words is not None:
        return [locations.problem(path + (bad,), *events_words, at_key=True)]
    return [locations.problem(path + (bad,), f"command name '{bad}' is not allowed",
                              "a command name is one word without spaces (at most 64 characters), "
                              "e.g. say_hi", at_key=True)]

