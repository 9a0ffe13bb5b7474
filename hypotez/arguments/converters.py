"""Converting one raw value (typed text, or a value a slash command already typed) to its argument's
type, through a table of converters by type (as discord.py's ``CONVERTER_MAPPING``), then checking it
against the argument's rules; and finishing a command's bound values (defaults, required ones).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from hypotez.arguments.lists import to_list
from hypotez.arguments.rules import Validator, check_rules, validator_for
from hypotez.declaration.model import ArgumentSpec, CommandSpec
from hypotez.errors import BadArgument, MissingArgument
from hypotez.reasons import Reason, json_problem

TRUE_WORDS = {"yes", "y", "true", "t", "1", "on", "enable", "enabled", "да", "д", "вкл"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "off", "disable", "disabled", "нет", "н", "выкл"}
MAX_JSON_CHARS = 100_000


@dataclass(slots=True)
class ConversionContext:
    """What converters need from the outside: the data folder, the adapter's resolver, the validators."""

    resolve_path: Callable[[ArgumentSpec, str], Any] | None = None
    resolve_member: Callable[[str], Any] | None = None
    resolve_channel: Callable[[str], Any] | None = None
    # Raises NotAllowed when the author may not give an argument with permissions of its own; called
    # before the value is looked at (a refused user learns nothing, e.g. whether a file exists).
    permit: Callable[[ArgumentSpec], None] | None = None
    # The compiled rules of an argument: the registry's (compiled once); by default compiled on the spot.
    validator: Callable[[ArgumentSpec], Validator | None] = validator_for


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


_ITEM_CONVERTERS = {"text": lambda argument, item: str(item).strip(), "integer": _to_int, "number": _to_number}


def _to_list(argument: ArgumentSpec, value: Any) -> list[Any]:
    return to_list(argument, value, _ITEM_CONVERTERS)

def _path(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
    check_rules(argument, str(value), context.validator(argument))  # the rules apply to the text typed
    if context.resolve_path is None:
        return str(value)
    return context.resolve_path(argument, str(value))


def _member(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
    return _resolve(argument, value, context.resolve_member, "member")


def _channel(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
    return _resolve(argument, value, context.resolve_channel, "channel")


def _attachment(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
    return value  # already an Attachment object from the adapter


def _resolve(argument: ArgumentSpec, value: Any, resolver: Callable[[str], Any] | None, what: str) -> Any:
    if not isinstance(value, str):
        return value  # already resolved by the adapter (slash commands)
    found = resolver(value) if resolver else None
    if found is None:
        raise BadArgument(argument.name, Reason(f"argument.no_{what}_called", value=value))
    return found


Converter = Callable[[ArgumentSpec, Any, ConversionContext], Any]


def _checked(to_value: Callable[[ArgumentSpec, Any], Any]) -> Converter:
    """A converter that turns the value into its type, then checks it against the argument's rules."""
    def converter(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
        result = to_value(argument, value)
        check_rules(argument, result, context.validator(argument))
        return result

    return converter


# Argument type (schema.ARGUMENT_TYPES) → its converter.
CONVERTERS: dict[str, Converter] = {
    "text": _checked(_to_text),
    "integer": _checked(_to_int),
    "number": _checked(_to_number),
    "boolean": _checked(_to_bool),
    "choice": _checked(_to_choice),
    "json": _checked(_to_json),
    "list": _checked(_to_list),
    "path": _path,
    "member": _member,
    "channel": _channel,
    "attachment": _attachment,
}


def convert(argument: ArgumentSpec, value: Any, context: ConversionContext) -> Any:
    """Convert one raw value (text, or an already-typed value from a slash command) and check its rules."""
    return CONVERTERS[argument.type](argument, value, context)


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
