"""What was typed, resolved through command groups: ``!tag add x`` is the command ``"tag add"`` with
``x`` after it; ``!config role set x`` goes one level deeper. A group named alone, or with a word that is
none of its subcommands, is an unknown command whose suggestions are that group's subcommands."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Mapping

from hypotez.declaration.model_groups import GroupSpec


def resolve(groups: Mapping[str, GroupSpec], name: str, rest: str, *, fold: bool) -> tuple[str, str]:
    """``("tag", "add x")`` → ``("tag add", "x")`` when ``tag`` is a group; anything else unchanged.
    ``fold``: the bot is case-insensitive (group keys are as written; names typed are folded)."""
    if not groups:
        return name, rest
    key = name.lower() if fold else name
    while _group(groups, key, fold) is not None:
        word, _, after = rest.strip().partition(" ")
        if not word:
            return key, ""
        key, rest = f"{key} {word.lower() if fold else word}", after
    return key if " " in key else name, rest


def suggestions(groups: Mapping[str, GroupSpec], name: str, visible: list[str], *, fold: bool) -> list[str] | None:
    """Suggestions for an unknown ``name`` inside a group (``"tag ad"``, or ``"tag"`` alone), or None when
    ``name`` is not in a group. ``visible``: the names help shows."""
    group = _group(groups, name, fold)
    if group is not None:  # the group alone: what it offers
        return [n for n in group.child_names() if n in visible or _group(groups, n, fold)][:3]
    parent, _, _ = name.rpartition(" ")
    group = _group(groups, parent, fold) if parent else None
    if group is None:
        return None
    return get_close_matches(name, [n for n in visible if n.startswith(parent + " ")]
                             + [g for g in groups if g.startswith(parent + " ")], n=3, cutoff=0.6)


def _group(groups: Mapping[str, GroupSpec], key: str, fold: bool) -> GroupSpec | None:
    if not fold:
        return groups.get(key)
    return groups.get(key) or next((g for n, g in groups.items() if n.lower() == key), None)
