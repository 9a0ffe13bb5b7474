"""What a reply carries besides its text: whether only the user sees it, and its components, rendered
in the reply's language with custom ids that carry what the reply was made with (see ids)."""

from __future__ import annotations

import time
from typing import Any, Mapping

from hypotez.components.ids import encode
from hypotez.components.rendered import RenderedComponent, RenderedInput, RenderedModal, RenderedOption, Rows, lay_out
from hypotez.declaration.model import Localized, pick_language
from hypotez.declaration.model_components import ComponentSpec, Interactions, ModalSpec
from hypotez.rendering import Renderer

SIMPLE = (str, int, float, bool)


def _plain(value: Any) -> bool:
    if isinstance(value, SIMPLE) or value is None:
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, dict) and all(isinstance(k, str) and _plain(v) for k, v in value.items())


def carried_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments a reply was made with that a custom id can carry (plain values and JSON; members,
    paths and files are left out)."""
    return {k: v for k, v in arguments.items() if _plain(v)}


class ReplyParts:
    """Renders the interactive parts of replies for one registry (the pipeline holds one)."""

    def __init__(self, interactions: Interactions | None, renderer: Renderer, default_language: str):
        self.interactions = interactions or Interactions()
        self.renderer = renderer
        self.default_language = default_language

    def text(self, texts: Localized | None, scope: dict[str, Any], language: str) -> str:
        if not texts:
            return ""
        return self.renderer.render_source(pick_language(texts, language, self.default_language), scope,
                                           language).strip()

    def has_parts(self, owner: str) -> bool:
        parts = self.interactions.of(owner)
        return bool(parts.components) or parts.ephemeral is not False

    async def attach(self, reply: Any, owner: str, outcome: str | None, scope: dict[str, Any],
                     carried: Mapping[str, Any], language: str, store: Any) -> None:
        """Set ``reply``'s ``ephemeral`` and ``components`` for the outcome ``outcome`` of ``owner``."""
        parts = self.interactions.of(owner)
        if parts.is_ephemeral(outcome):
            reply.ephemeral = True
        if parts.components and not reply.is_error:
            reply.components = await self.rows(owner, parts.components, scope, carried, language, store)

    async def rows(self, owner: str, components: tuple[ComponentSpec, ...], scope: dict[str, Any],
                   carried: Mapping[str, Any], language: str, store: Any) -> Rows:
        now = time.time()
        items = []
        for spec in components:
            expires = int(now + spec.expires) + 1 if spec.expires else 0
            custom_id = "" if spec.type == "link" else await encode("c", owner, spec.id, expires, carried, store)
            options = tuple(RenderedOption(self.text(o.label, scope, language), o.value,
                                           self.text(o.description, scope, language), o.emoji) for o in spec.options)
            items.append((spec.row, RenderedComponent(
                id=spec.id, custom_id=custom_id, type=spec.type, label=self.text(spec.label, scope, language),
                style=spec.style, emoji=spec.emoji, url=self.text(spec.url, scope, language),
                placeholder=self.text(spec.placeholder, scope, language), options=options,
                min_values=spec.min_values, max_values=spec.max_values)))
        return lay_out(items)

    async def modal(self, spec: ModalSpec, scope: dict[str, Any], carried: Mapping[str, Any], language: str,
                    store: Any) -> RenderedModal:
        custom_id = await encode("m", "", spec.name, 0, carried, store)
        inputs = tuple(RenderedInput(
            name=i.argument.name, label=self.text(i.label, scope, language), style=i.style,
            placeholder=self.text(i.placeholder, scope, language),
            required=i.argument.required and not i.argument.has_default,
            min_length=i.argument.rules.get("minLength"), max_length=i.argument.rules.get("maxLength"))
            for i in spec.inputs)
        return RenderedModal(custom_id, self.text(spec.title, scope, language), inputs)
