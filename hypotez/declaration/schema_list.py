"""The schema part of ``list`` arguments: ``!poll Lunch? pizza, sushi, soup``. Items are separated by
commas (or by spaces when there is no comma); ``items:`` gives the rules each item must follow (the
same keywords as an argument's), ``minItems`` / ``maxItems`` how many there may be."""

from __future__ import annotations

from typing import Any

# The types an item may have: what it is converted to before its rules are checked.
ITEM_TYPES = ["text", "integer", "number"]
# The item type → its JSON Schema type (the rules are JSON Schema keywords).
ITEM_JSON_TYPES = {"text": "string", "integer": "integer", "number": "number"}

LIST_RULES: dict[str, dict[str, Any]] = {
    "items": {
        "type": "object",
        "additionalProperties": False,
        "description": "list: the type of each item (text, integer or number) and the rules it must follow.",
        "properties": {
            "type": {"enum": ITEM_TYPES},
            "minLength": {"type": "integer", "minimum": 0, "description": "Fewest characters in an item."},
            "maxLength": {"type": "integer", "minimum": 0, "description": "Most characters in an item."},
            "pattern": {"type": "string", "description": "A regular expression each item must match."},
            "enum": {"type": "array", "minItems": 1, "description": "The only items allowed."},
            "minimum": {"type": "number", "description": "Smallest number allowed in an item."},
            "maximum": {"type": "number", "description": "Largest number allowed in an item."},
        },
    },
    "uniqueItems": {"type": "boolean", "description": "list: every item must be different."},
}
