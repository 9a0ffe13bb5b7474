"""What was typed, resolved through command groups: ``!tag add x`` is the command ``"tag add"`` with
``x`` after it; ``!config role set x`` goes one level deeper. A group named alone, or with a word that is
none of its subcommands, is an unknown command whose suggestions are that group's subcommands."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Mapping

from hypotez.declaration.model_groups import GroupSpec


def folded(groups: Mapping[str, GroupSpec], fold: bool) -> dict[str, GroupSpec]:
    """The groups by the name as it is looked up: lower-case when the bot is case-insensitive. Built once
    per dispatcher, so a message that names no group costs one dictionary look-up."""
    return {name.lower() if fold else name: group for name, group in groups.items()}


def resolve(groups: Mapping[str, GroupSpec], name: str, rest: str, *, fold: bool) -> tuple[str, str]:
    """``("tag", "add x")`` → ``("tag add", "x")`` when ``tag`` is a group; anything else unchanged.
    ``groups``: :func:`folded`; ``fold``: the bot is case-insensitive (names typed are folded)."""
    if not groups:
        return name, rest
    key = name.lower() if fold else name
    while key in groups:
        word, _, after = rest.strip().partition(" ")
        if not word:
            return key, ""
        key, rest = f"{key} {word.lower() if fold else word}", after
    return key if " " in key else name, rest


def suggestions(groups: Mapping[str, GroupSpec], name: str, visible: list[str], *, fold: bool) -> list[str] | None:
    """Suggestions for an unknown ``name`` inside a group (``"tag ad"``, or ``"tag"`` alone), or None when
    ``name`` is not in a group. ``visible``: the names help shows."""
    key = name.lower() if fold else name
    group = groups.get(key)
    if group is not None:  # the group alone: what it offers
        return [n for n in group.child_names() if n in visible or (n.lower() if fold else n) in groups][:3]
    parent, _, _ = name.rpartition(" ")
    group = groups.get(parent.lower() if fold else parent) if parent else None
    if group is None:
        return None
    prefix = group.name + " "
    return get_close_matches(name, [n for n in visible if n.startswith(prefix)]
                             + [g.name for g in groups.values() if g.name.startswith(prefix)], n=3, cutoff=0.6)
