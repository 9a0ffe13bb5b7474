"""What the reference (hypotez.docs) says of a command's slash form beyond its arguments: the settings
Discord enforces (its own or its group's), what the bot itself needs, and where suggestions come from."""

from __future__ import annotations

from hypotez.declaration.model import ArgumentSpec, CommandSpec, Spec

_CONTEXTS = {"guild": "servers", "dm": "direct messages", "private_channel": "group DMs"}
_SOURCES = {"files": "file names in the data folder", "stored": "values given before"}


def anchor(name: str) -> str:
    """The Markdown/HTML anchor of a command's section ("tag add" → "tag-add")."""
    return name.replace(" ", "-")


def discord_notes(spec: Spec, command: CommandSpec) -> str:
    top = command.name.split(" ")[0]
    side = command.discord or (spec.groups[top].discord if command.yaml_path and top in spec.groups else None)
    notes = []
    if side is not None:
        if side.default_permissions:
            notes.append("Discord shows it to members with " + ", ".join(side.default_permissions))
        if side.contexts:
            notes.append("offered in " + ", ".join(_CONTEXTS[c] for c in side.contexts))
        if side.installs:
            notes.append("installs: " + ", ".join(side.installs))
        if side.nsfw:
            notes.append("age-restricted channels only")
    if command.bot_permissions:
        notes.append("the bot needs " + ", ".join(command.bot_permissions))
    return "; " + "; ".join(notes) if notes else ""


def autocomplete_note(argument: ArgumentSpec) -> str:
    spec = argument.autocomplete
    if spec is None:
        return ""
    source = (", ".join(spec.values) if spec.source == "list" else _SOURCES.get(spec.source)
              or f"handler {spec.handler}")
    return f"suggests {source}"
