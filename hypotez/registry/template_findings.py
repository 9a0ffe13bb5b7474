"""What walking a template finds (hypotez.registry.template_walk): names and attributes its data cannot
have, filters given what they cannot take, the state it reads; and how it reaches the templates it
includes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

from jinja2 import nodes


@dataclass(frozen=True, slots=True)
class Unknown:
    """A name or attribute a template reads that its data cannot have."""

    line: int
    # "nmae" for a name; ("caller", "nmae") style: the expression read so far and the attribute.
    name: str
    base: str | None  # the expression it was read from ("caller", "f"), None for a name
    base_shape: Any  # the shape of that expression (for the hint: what it has)
    known: tuple[str, ...]  # what exists there: the names in scope, or the attributes of the base
    file: str | None = None  # the included file it is in; None: the template walked


@dataclass(frozen=True, slots=True)
class Misused:
    """A filter given an argument it cannot take (``date('longg')``): said at validate time instead of
    written wrong in every reply."""

    line: int
    needle: str  # what to look for on the line, for the column
    message: str
    hint: str
    file: str | None = None


@dataclass(frozen=True, slots=True)
class StateRead:
    """``{{ state.member.points }}``: scope "member", key "points" (``state.top.points``: scope "top")."""

    line: int
    scope: str
    key: str
    file: str | None = None


class Included(NamedTuple):
    """An included template, as the renderer's loader finds it (or why it cannot)."""

    filename: str
    source: str
    tree: nodes.Template | None
    problem: str | None = None  # "missing", or why it does not compile


# name (as written in the include) → the included template; None when the walk does not follow includes
IncludeLoader = Callable[[str], Included] | None
