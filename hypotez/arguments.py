"""Arguments: split the text after a command into values, bind them to the declared arguments,
convert each to its type and check it against its rules (JSON Schema keywords).

``!train data=set.jsonl positive=no`` (key=value), ``!train set.jsonl no`` (positional) and
``!feedback "it works" `` (quoted) all bind the same way. A text argument followed only by optional
arguments takes the rest of the line, so ``!feedback it works well`` needs no quotes (the optional
arguments after it are then given by name).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

import jsonschema

from hypotez.errors import BadArgument, MissingArgument
from hypotez.reasons import Reason, json_problem
from hypotez.declaration.model import ArgumentSpec, CommandSpec

QUOTES = {'"': '"', "'": "'", "«": "»", "“": "”", "„": "“"}
TRUE_WORDS = {"yes", "y", "true", "t", "1", "on", "enable", "enabled", "да", "д", "вкл"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "off", "disable", "disabled", "нет", "н", "выкл"}
MAX_JSON_CHARS = 100_000


# Made for every word typed after a command: not frozen, which would make each several times dearer.
@dataclass(slots=True)
class Token:
    text: str
    start: int  # where the token starts in the argument text (for "the rest of the line")
    quoted: bool


def tokenize(text: str) -> list[Token]:
    """Split on whitespace; quotes group words; a backslash escapes a quote inside quotes."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in QUOTES:
            closing = QUOTES[text[i]]
            i += 1
            chars: list[str] = []
            while i < n and text[i] != closing:
                if text[i] == "\\" and i + 1 < n and text[i + 1] in (closing, "\\"):
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise BadArgument(None, Reason("argument.quote_unclosed", quote=text[start], position=start + 1,
                                               closing=closing))
            i += 1
            tokens.append(Token("".join(chars), start, True))
            continue
        while i < n and not text[i].isspace():
            # key="quoted value": the quote groups the value
            if text[i] in QUOTES and i > start and text[i - 1] == "=":
                closing = QUOTES[text[i]]
                end = text.find(closing, i + 1)
                if end < 0:
                    raise BadArgument(None, Reason("argument.quote_unclosed", quote=text[i], position=i + 1,
                                                   closing=closing))
                key = text[start:i]
                # Not "quoted": only a fully quoted word is taken literally (never as key=value).
                tokens.append(Token(key + text[i + 1:end], start, False))
                i = end + 1
                break
            i += 1
        else:
            tokens.append(Token(text[start:i], start, False))
            continue
    return tokens


def _split_keyword(token: Token, command: CommandSpec) -> tuple[str, str] | None:
    if "=" not in token.text:
        return None
    key, _, value = token.text.partition("=")
    key = key.strip().lower()
    if command.argument(key) is not None:
        return key, value
    return None


def bind_text(command: CommandSpec, text: str) -> dict[str, str]:
    """Bind the raw argument text to argument names (values still strings)."""
    text = text.strip()
    tokens = tokenize(text)
    bound: dict[str, str] = {}
    positional: list[Token] = []
    keyword_starts: list[int] = []
    for token in tokens:
        pair = None if token.quoted else _split_keyword(token, command)
        if pair is None:
            positional.append(token)
            continue
        key, value = pair
        if key in bound:
            raise BadArgument(key, Reason("argument.given_twice", name=key))
        bound[key] = value
        keyword_starts.append(token.start)

    open_args = [a for a in command.arguments if a.name not in bound and a.type != "attachment"]
    for index, token in enumerate(positional):
        if not open_args:
            extra = " ".join(t.text for t in positional[index:])
            raise BadArgument(None, Reason("argument.too_many_values", extra=extra))
        argument = open_args.pop(0)
        if argument.type == "text" and (argument.greedy or not any(a.required for a in open_args)):
            # A text argument followed only by optional ones takes the rest of the line (spacing
            # kept where it can be); the optional ones after it are then given by name.
            rest = positional[index:]
            if len(rest) == 1:
                bound[argument.name] = rest[0].text
            elif any(start > rest[0].start for start in keyword_starts):
                bound[argument.name] = " ".join(t.text for t in rest)
            else:
                bound[argument.name] = text[rest[0].start:].strip()
            break
        bound[argument.name] = token.text
    return bound


# --- conversion -----------------------------------------------------------------------------


@dataclass(slots=True)
class ConversionContext:
    """What converters need from the outside: the data folder and the adapter's resolver."""

    resolve_path: Callable[[ArgumentSpec, str], Any] | None = None
    resolve_member: Callable[[str], Any] | None = None
    resolve_channel: Callable[[str], Any] | None = None
    # Raises NotAllowed when the author may not give an argument with permissions of its own; called
    # before the value is looked at (a refused user learns nothing, e.g. whether a file exists).
    permit: Callable[[ArgumentSpec], None] | None = None


def _to_bool(argument: ArgumentSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadArgument(argument.name, Reason("argument.not_boolean", value=value))


def _to_int(argument: ArgumentSpec, value: Any) -> int:
    if isinstance(value, bool):
        raise BadArgument(argument.name, Reason("argument.must_be_integer"))
    if isinstance(value, int):
        return value
    text = str(value).strip().replace("_", "")
    try:
        return int(text)
    except ValueError:
        raise BadArgument(argument.name, Reason("argument.not_integer", value=value)) from None


def _to_number(argument: ArgumentSpec, value: Any) -> float:
    if isinstance(value, bool):
        raise BadArgument(argument.name, Reason("argument.must_be_number"))
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            raise BadArgument(argument.name, Reason("argument.not_number", value=value)) from None
    if not math.isfinite(number):
        raise BadArgument(argument.name, Reason("argument.not_finite", value=value))
    return number


def _to_json(argument: ArgumentSpec, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if len(value) > MAX_JSON_CHARS:
        raise BadArgument(argument.name, Reason("argument.json_too_long", limit=MAX_JSON_CHARS))
    text = value.strip()
    if text.startswith("```"):  # people paste code blocks from Discord
        text = text.strip("`")
        if text.startswith("json"):
            text = text[4:]
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadArgument(argument.name, Reason("argument.json_invalid", problem=json_problem(error.msg),
                                                line=error.lineno, column=error.colno)) from None
    except RecursionError:
        raise BadArgument(argument.name, Reason("argument.json_too_deep")) from None


def _to_choice(argument: ArgumentSpec, value: Any) -> Any:
    for choice in argument.choices:
        if str(choice).lower() == str(value).strip().lower():
            return choice
    raise BadArgument(argument.name, Reason("argument.not_a_choice", value=value,
                                            choices=[str(c) for c in argument.choices]))


def _to_text(argument: ArgumentSpec, value: Any) -> str:
    return str(value)


def convert(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
    """Convert one raw value (text, or an already-typed value from a slash command) and check its rules."""
    kind = argument.type
    if kind == "text":
        result = _to_text(argument, value)
    elif kind == "integer":
        result = _to_int(argument, value)
    elif kind == "number":
        result = _to_number(argument, value)
    elif kind == "boolean":
        result = _to_bool(argument, value)
    elif kind == "choice":
        result = _to_choice(argument, value)
    elif kind == "json":
        result = _to_json(argument, value)
    elif kind == "path":
        check_rules(argument, str(value))
        if context.resolve_path is None:
            return str(value)
        return context.resolve_path(argument, str(value))
    elif kind == "member":
        return _resolve(argument, value, context.resolve_member, "member")
    elif kind == "channel":
        return _resolve(argument, value, context.resolve_channel, "channel")
    else:  # attachment: already an Attachment object from the adapter
        return value
    check_rules(argument, result)
    return result


def _resolve(argument: ArgumentSpec, value: Any, resolver: Callable[[str], Any] | None, what: str) -> Any:
    if not isinstance(value, str):
        return value  # already resolved by the adapter (slash commands)
    found = resolver(value) if resolver else None
    if found is None:
        raise BadArgument(argument.name, Reason(f"argument.no_{what}_called", value=value))
    return found


@lru_cache(maxsize=4096)
def _validator(rules_json: str) -> jsonschema.protocols.Validator:
    schema = json.loads(rules_json)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def _rules_schema(argument: ArgumentSpec) -> dict[str, Any] | None:
    if not argument.rules and not argument.schema:
        return None  # most arguments: nothing to check, nothing to build
    schema: dict[str, Any] = dict(argument.rules)
    if argument.schema:
        schema.update(argument.schema)
    return schema or None


# Rules whose reason needs only the limit and the value given.
_LIMIT_RULES = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
                "minItems", "maxItems", "minProperties", "maxProperties")
_JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


def _shown(value: Any) -> Any:
    return value if not isinstance(value, str) or len(value) < 60 else value[:57] + "…"


def _type_reason(expected: Any) -> Reason:
    name = expected[0] if isinstance(expected, list) and expected else expected
    return Reason(f"type.{name}") if name in _JSON_TYPES else Reason("type.other", name=str(name))


def _rule_reason(error: jsonschema.ValidationError) -> Reason:
    """Why a value breaks one rule, from the facts jsonschema gives (never its English message)."""
    rule, limit, value = error.validator, error.validator_value, error.instance
    shown = _shown(value)
    if rule in _LIMIT_RULES:
        return Reason(f"rule.{rule}", limit=limit, value=shown)
    if rule == "maxLength":
        return Reason("rule.maxLength", limit=limit, length=len(value) if isinstance(value, str) else "?")
    if rule == "pattern":
        return Reason("rule.pattern", value=shown, pattern=limit)
    if rule == "enum" and isinstance(limit, list):
        return Reason("rule.enum", choices=[str(c) for c in limit], value=shown)
    if rule == "const":
        return Reason("rule.const", expected=limit, value=shown)
    if rule == "uniqueItems":
        return Reason("rule.uniqueItems")
    if rule == "type":
        return Reason("rule.type", expected=_type_reason(limit), value=shown)
    if rule == "format":
        return Reason("rule.format", value=shown, format=limit)
    if rule == "required" and isinstance(value, dict):
        missing = next((name for name in limit if name not in value), None)
        if missing is not None:
            return Reason("rule.required", name=missing)
    if rule == "additionalProperties" and isinstance(value, dict) and limit is False:
        declared = set(error.schema.get("properties", {}))
        return Reason("rule.additionalProperties", names=sorted(set(value) - declared))
    return Reason("rule.other", rule=rule, detail=error.message)


def describe_rule_failure(argument: ArgumentSpec, error: jsonschema.ValidationError) -> Reason:
    reason = _rule_reason(error)
    if error.absolute_path:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        return Reason("rule.at", where=where.lstrip("."), reason=reason)
    return reason


def check_rules(argument: ArgumentSpec, value: Any) -> None:
    schema = _rules_schema(argument)
    if schema is None:
        return
    validator = _validator(json.dumps(schema, sort_keys=True))
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is not None:
        raise BadArgument(argument.name, describe_rule_failure(argument, error))


def finish(command: CommandSpec, values: Mapping[str, Any], context: ConversionContext,
           attachments: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Convert the bound values of ``command``; fill defaults; demand required ones; refuse a value for
    an argument with permissions of its own to whom they do not allow (``context.permit``).

    Attachment arguments take the message's attachments in order when not given otherwise.
    """
    result: dict[str, Any] = {}
    spare_attachments = list(attachments)

    def permit(argument: ArgumentSpec) -> None:
        if argument.permissions.restricted and context.permit is not None:
            context.permit(argument)

    for argument in command.arguments:
        if argument.type == "attachment" and argument.name not in values:
            if spare_attachments:
                permit(argument)
                result[argument.name] = spare_attachments.pop(0)
            elif argument.required:
                raise MissingArgument(argument.name)
            else:
                result[argument.name] = None
            continue
        raw = values.get(argument.name)
        if raw is None or (isinstance(raw, str) and raw == "" and argument.type != "text"):
            if argument.has_default:
                result[argument.name] = convert(argument, argument.default, context) \
                    if argument.default is not None else None
            elif argument.required:
                raise MissingArgument(argument.name)
            else:
                result[argument.name] = None
            continue
        permit(argument)
        result[argument.name] = convert(argument, raw, context)
    return result
