"""Templates that are only text and ``{{ name }}``s — most replies ("Привет, {{ user }}!") — rendered by
joining their parts, without Jinja's per-render context and generator (most of a reply's rendering).

The parse tree decides (:meth:`Interpolation.of`): a template with a filter, an attribute, a tag or any
other expression stays a Jinja template. What it renders is what Jinja renders with hypotez's settings
(no autoescape, no finalize): ``str()`` of each value, and a name neither in the data nor among the
environment's globals is the error ``StrictUndefined`` raises."""

from __future__ import annotations

from typing import Any, Mapping

import jinja2
import jinja2.nodes

_MISSING = object()


class Interpolation:
    __slots__ = ("parts", "globals", "filename")

    def __init__(self, parts: tuple[tuple[str, bool], ...], globals_: Mapping[str, Any], filename: str | None):
        self.parts = parts  # (text, False) or (name, True), in order
        self.globals = globals_
        self.filename = filename

    @classmethod
    def of(cls, tree: jinja2.nodes.Template, globals_: Mapping[str, Any],
           filename: str | None) -> "Interpolation | None":
        """The template ``tree`` as an interpolation, or None when it is anything more."""
        parts: list[tuple[str, bool]] = []
        for node in tree.body:
            if not isinstance(node, jinja2.nodes.Output):
                return None
            for child in node.nodes:
                if isinstance(child, jinja2.nodes.TemplateData):
                    parts.append((child.data, False))
                elif isinstance(child, jinja2.nodes.Name) and child.ctx == "load":
                    parts.append((child.name, True))
                else:
                    return None
        return cls(tuple(parts), globals_, filename)

    def render(self, **data: Any) -> str:
        out = []
        for text, is_name in self.parts:
            if not is_name:
                out.append(text)
                continue
            value = data.get(text, _MISSING)
            if value is _MISSING:
                value = self.globals.get(text, _MISSING)
                if value is _MISSING:
                    raise jinja2.UndefinedError(f"'{text}' is undefined")
            out.append(value if type(value) is str else str(value))
        return "".join(out)
