"""Command groups and Discord's own settings of a slash command, as frozen dataclasses.

A group (``tag`` with ``subcommands: {add: ..., remove: ...}``) is not a command: its leaves are, and
they are ordinary :class:`~hypotez.declaration.model.CommandSpec` entries of the Spec whose name is the
whole path typed, ``"tag add"``. So help, docs, the checks and the pipeline treat them as any command;
only resolving what was typed (``!tag add x``) and building the slash tree need the groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping


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
    localized: "LocalizedSpec | None" = None

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


@dataclass(frozen=True, slots=True)
class LocalizedSpec:
    """A command's, group's or argument's words per language, for Discord's localizations: ``names`` and
    ``descriptions`` map a language to a text; ``choice_names`` a choice's value to its names."""

    names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    descriptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    choice_names: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> "LocalizedSpec | None":
        description = raw.get("description")
        names = raw.get("names") or {}
        choices = {str(c["value"]): MappingProxyType(dict(c.get("names") or {}))
                   for c in raw.get("choices") or () if isinstance(c, dict) and c.get("names")}
        if not isinstance(description, dict) and not names and not choices:
            return None
        return cls(names=MappingProxyType(dict(names)),
                   descriptions=MappingProxyType(dict(description) if isinstance(description, dict) else {}),
                   choice_names=MappingProxyType(choices))


def default_text(raw: Any, language: str) -> str:
    """The text of ``raw`` (a text, or one per language) in ``language``, else the first given."""
    if isinstance(raw, dict):
        return str(raw.get(language) or next(iter(raw.values()), "")).strip()
    return str(raw or "").strip()


def choice_value(raw: Any) -> Any:
    """A choice as the spec gives it: a value, or {value: ..., names: {ru: ...}}."""
    return raw["value"] if isinstance(raw, dict) else raw
