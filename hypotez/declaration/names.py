"""The rules for command names, in one place: what validate accepts in a hand-written spec is what
``hypotez new command`` accepts (letters of any script, Cyrillic included)."""

from __future__ import annotations

NAME_MAX = 64  # as the schema's pattern: one word without spaces
SLASH_NAME_MAX = 32


def name_ok(name: str) -> bool:
    """Any command name (prefix commands): one word of 1-64 characters without spaces."""
    return 1 <= len(name) <= NAME_MAX and not any(ch.isspace() for ch in name)


def slash_name_ok(name: str) -> bool:
    """Discord's rule for slash command names: 1-32 lower-case letters (of any script), digits, - and _."""
    return 1 <= len(name) <= SLASH_NAME_MAX and name == name.lower() and \
        all(ch.isalnum() or ch in "-_" for ch in name)


SLASH_NAME_RULE = "Discord allows 1-32 lower-case letters, digits, - and _"


def slash_name_hint(name: str) -> str:
    if name != name.lower() and slash_name_ok(name.lower()):
        return f"write it in lower case: {name.lower()}, or set 'slash: false' for this command"
    return "rename it, or set 'slash: false' for this command"
