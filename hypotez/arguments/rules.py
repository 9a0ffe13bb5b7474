"""The rules of an argument (JSON Schema keywords, and ``schema:`` for JSON arguments): one compiled
validator per argument, and why a value breaks a rule, as a Reason (never jsonschema's English)."""

from __future__ import annotations

from typing import Any

import jsonschema

from hypotez.declaration.model import ArgumentSpec
from hypotez.declaration.schema_list import ITEM_JSON_TYPES
from hypotez.errors import BadArgument
from hypotez.reasons import Reason

Validator = jsonschema.protocols.Validator
# Formats (email, date, …) checked by every validator; the checker holds no state, so one serves all.
_FORMATS = jsonschema.FormatChecker()


def validator_for(argument: ArgumentSpec) -> Validator | None:
    """The compiled validator of ``argument``'s rules; None when it has none (most arguments)."""
    schema = _rules_schema(argument)
    if schema is None:
        return None
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=_FORMATS)


def _rules_schema(argument: ArgumentSpec) -> dict[str, Any] | None:
    if not argument.rules and not argument.schema:
        return None  # most arguments: nothing to check, nothing to build
    schema: dict[str, Any] = dict(argument.rules)
    if isinstance(schema.get("items"), dict) and argument.type == "list":
        # A list's items are converted to their type first; the rules then see that JSON type.
        items = dict(schema["items"])
        items["type"] = ITEM_JSON_TYPES[items.get("type", "text")]
        schema["items"] = items
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
    if argument.type == "list" and len(error.absolute_path) == 1:
        return Reason("list.item", number=error.absolute_path[0] + 1, reason=reason)
    if error.absolute_path:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        return Reason("rule.at", where=where.lstrip("."), reason=reason)
    return reason


def check_rules(argument: ArgumentSpec, value: Any, validator: Validator | None) -> None:
    """Raise BadArgument when ``value`` breaks a rule of ``argument`` (``validator``: its compiled rules)."""
    if validator is None:
        return
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is not None:
        raise BadArgument(argument.name, describe_rule_failure(argument, error))
