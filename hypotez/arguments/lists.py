"""``list`` arguments: ``pizza, sushi, soup`` (or ``pizza sushi soup`` when there is no comma) → a list
of items, each converted to the item type (``items: {type: integer}``) before the rules are checked
(``items:`` per item, ``minItems`` / ``maxItems`` / ``uniqueItems`` on the whole list)."""

from __future__ import annotations

import json
from typing import Any, Callable

from hypotez.arguments.tokens import QUOTES, tokenize
from hypotez.declaration.model import ArgumentSpec
from hypotez.errors import BadArgument
from hypotez.reasons import Reason

MAX_ITEMS = 1000  # more than anyone types; a paste of a whole file is refused instead of split


def split_items(text: str) -> list[str]:
    """The items of a typed list: separated by commas when there is one, else by spaces (quotes group
    words); a JSON list (``["a", "b"]``) is read as JSON. Empty items are dropped."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            text = text[1:-1]
        else:
            if isinstance(parsed, list):
                return [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in parsed]
    if "," in text:
        return [item for item in (_unquoted(part.strip()) for part in text.split(",")) if item]
    return [token.text for token in tokenize(text) if token.text]


def _unquoted(item: str) -> str:
    if len(item) >= 2 and item[0] in QUOTES and item[-1] == QUOTES[item[0]]:
        return item[1:-1].strip()
    return item


def to_list(argument: ArgumentSpec, value: Any, convert_item: dict[str, Callable[[ArgumentSpec, Any], Any]]) \
        -> list[Any]:
    """``value`` (typed text, or a list from the spec's default) as the list of converted items."""
    items = list(value) if isinstance(value, (list, tuple)) else split_items(str(value))
    if len(items) > MAX_ITEMS:
        raise BadArgument(argument.name, Reason("rule.maxItems", limit=MAX_ITEMS, value=len(items)))
    item_type = (argument.rules.get("items") or {}).get("type", "text")
    converter = convert_item[item_type]
    result = []
    for number, item in enumerate(items, 1):
        try:
            result.append(converter(argument, item))
        except BadArgument as error:
            raise BadArgument(argument.name, Reason("list.item", number=number, reason=error.reason)) from None
    return result
