"""Command groups flattened for building: every leaf of ``subcommands:`` becomes one entry named by the
whole path typed (``"config role set"``), with what its groups set for it and it does not override
(permissions, cooldown, where, slash, hidden); and every group becomes a :class:`GroupSpec`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from hypotez.declaration.model import Location
from hypotez.declaration.model_groups import DiscordSideSpec, GroupSpec, LocalizedSpec, default_text
from hypotez.declaration.yamlload import Locations

# What a group hands down to its subcommands unless they say otherwise.
INHERITED = ("permissions", "cooldown", "where", "slash", "hidden", "bot_permissions")
SUBCOMMANDS = "subcommands"


@dataclass(frozen=True, slots=True)
class FlatEntry:
    """One command to build: its whole name, the YAML as written, the YAML with what it inherits, and
    where it is in the file."""

    name: str
    written: dict[str, Any]
    merged: dict[str, Any]
    path: tuple[str, ...]


def flatten(commands_raw: dict[str, Any], bad_paths: set[tuple[Any, ...]], locations: Locations,
            default_slash: bool, language: str = "en") -> tuple[list[FlatEntry], dict[str, GroupSpec]]:
    entries: list[FlatEntry] = []
    groups: dict[str, GroupSpec] = {}
    for name, raw in commands_raw.items():
        if ("commands", name) in bad_paths or not isinstance(raw, dict):
            continue
        entries.extend(_walk(str(name), raw, {}, ("commands", str(name)), groups, locations, default_slash, language))
    return entries, groups


def _walk(name: str, raw: dict[str, Any], inherited: dict[str, Any], path: tuple[str, ...],
          groups: dict[str, GroupSpec], locations: Locations, default_slash: bool, language: str) -> Iterator[FlatEntry]:
    merged = {**inherited, **raw}
    children = raw.get(SUBCOMMANDS)
    # A third level (a group under a group under a command) is refused by the checks, and not built.
    if not isinstance(children, dict):
        yield FlatEntry(name, raw, merged, path)
        return
    if name.count(" ") >= 2:
        return
    line, column = locations.of_key(path)
    groups[name] = GroupSpec(
        name=name, description=default_text(raw.get("description", ""), language), children=tuple(str(c) for c in children),
        yaml_path=path, slash=bool(merged.get("slash", default_slash)), hidden=bool(merged.get("hidden", False)),
        discord=DiscordSideSpec.from_raw(raw), location=Location(locations.file, line, column),
        localized=LocalizedSpec.from_raw(raw))
    handed_down = {key: merged[key] for key in INHERITED if key in merged}
    for child, child_raw in children.items():
        if isinstance(child_raw, dict):
            yield from _walk(f"{name} {child}", child_raw, handed_down, path + (SUBCOMMANDS, str(child)), groups,
                             locations, default_slash, language)
