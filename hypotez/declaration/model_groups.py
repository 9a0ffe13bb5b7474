"""Command groups and Discord's own settings of a slash command, as frozen dataclasses.

A group (``tag`` with ``subcommands: {add: ..., remove: ...}``) is not a command: its leaves are, and
they are ordinary :class:`~hypotez.declaration.model.CommandSpec` entries of the Spec whose name is the
whole path typed, ``"tag add"``. So help, docs, the checks and the pipeline treat them as any command;
only resolving what was typed (``!tag add x``) and building the slash tree need the groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DiscordSideSpec:
    """What Discord enforces on a top-level slash command, before the bot ever sees an interaction."""

    default_permissions: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()   # guild, dm, private_channel; empty: Discord's default
    installs: tuple[str, ...] = ()   # guild, user; empty: Discord's default
    nsfw: bool = False

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> "DiscordSideSpec | None":
        if not any(key in raw for key in ("default_permissions", "contexts", "installs", "nsfw")):
            return None
        return cls(default_permissions=tuple(raw.get("default_permissions") or ()),
                   contexts=tuple(raw.get("contexts") or ()), installs=tuple(raw.get("installs") or ()),
                   nsfw=bool(raw.get("nsfw", False)))


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A group: its whole name (``"config role"``), what it says of itself, and its children's short names
    in the order written (each is a leaf command ``"<name> <child>"`` or a group of that name)."""

    name: str
    description: str
    children: tuple[str, ...]
    yaml_path: tuple[str, ...]
    slash: bool = True
    hidden: bool = False
    discord: DiscordSideSpec | None = None
    location: Any = None

    @property
    def depth(self) -> int:
        return self.name.count(" ") + 1

    def child_names(self) -> tuple[str, ...]:
        return tuple(f"{self.name} {child}" for child in self.children)


@dataclass(frozen=True, slots=True)
class AutocompleteSpec:
    """Where an argument's suggestions come from: ``source`` is "list" (``values``), "files", "stored"
    or "handler" (``handler``, a dotted path)."""

    source: str
    values: tuple[str, ...] = ()
    handler: str | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> "AutocompleteSpec | None":
        if raw is None:
            return None
        if isinstance(raw, list):
            return cls("list", tuple(str(v) for v in raw))
        if isinstance(raw, dict):
            return cls("handler", handler=str(raw["handler"]))
        return cls(str(raw))
