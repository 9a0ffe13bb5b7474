"""What the reference (hypotez.docs) says of a command's slash form beyond its arguments: the settings
Discord enforces (its own or its group's), what the bot itself needs, and where suggestions come from.
Worded by ``words`` (the ``docs.`` block of the reasons catalogs, in the bot's language)."""

from __future__ import annotations

from typing import Any, Callable

from hypotez.declaration.model import ArgumentSpec, CommandSpec, Spec

Words = Callable[..., str]


def anchor(name: str) -> str:
    """The Markdown/HTML anchor of a command's section ("tag add" → "tag-add")."""
    return name.replace(" ", "-")


def discord_notes(spec: Spec, command: CommandSpec, words: Words) -> str:
    top = command.name.split(" ")[0]
    side = command.discord or (spec.groups[top].discord if command.yaml_path and top in spec.groups else None)
    notes = []
    if side is not None:
        if side.default_permissions:
            notes.append(words("shown_to", names=", ".join(side.default_permissions)))
        if side.contexts:
            notes.append(words("offered_in", places=", ".join(words(f"context_{c}") for c in side.contexts)))
        if side.installs:
            notes.append(words("installs", names=", ".join(side.installs)))
        if side.nsfw:
            notes.append(words("nsfw_only"))
    if command.bot_permissions:
        notes.append(words("bot_needs", names=", ".join(command.bot_permissions)))
    return "; " + "; ".join(notes) if notes else ""


def autocomplete_note(argument: ArgumentSpec, words: Words) -> str:
    spec: Any = argument.autocomplete
    if spec is None:
        return ""
    if spec.source == "list":
        source = ", ".join(spec.values)
    elif spec.source in ("files", "stored"):
        source = words(f"source_{spec.source}")
    else:
        source = words("source_handler", handler=spec.handler)
    return words("suggests", source=source)
