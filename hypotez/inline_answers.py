"""Rendering an answer written in the spec (``text:`` / ``embed:``) for one invocation."""

from __future__ import annotations

import random
from typing import Any

import jinja2

from hypotez.embeds import EmbedData, EmbedField, parse_color
from hypotez.errors import BadReply
from hypotez.rendering import Renderer
from hypotez.declaration.model import CommandSpec, EmbedSpec, Localized, pick_language


class InlineRenderer:
    def __init__(self, renderer: Renderer, default_language: str, rng: random.Random):
        self.renderer = renderer
        self.default_language = default_language
        self.rng = rng
        self._reads: dict[tuple[str, str], frozenset[str] | None] = {}

    def reads(self, command: CommandSpec, language: str) -> frozenset[str] | None:
        """The names the command's answer (every text it may pick, its embed) reads in ``language``, None
        when unknown: the pipeline gathers only those (a server's facts only for ``server``...)."""
        key = (command.name, language)
        if key not in self._reads:
            self._reads[key] = self._find_reads(command, language)
        return self._reads[key]

    def _find_reads(self, command: CommandSpec, language: str) -> frozenset[str] | None:
        inline = command.inline
        assert inline is not None
        sources = list(pick_language(inline.texts, language, self.default_language)) if inline.texts else []
        if inline.embed is not None:
            spec = inline.embed
            localized = [spec.title, spec.description, spec.url, spec.footer, spec.image, spec.thumbnail,
                         *(part for f in spec.fields for part in (f.name, f.value))]
            sources += [pick_language(texts, language, self.default_language) for texts in localized if texts]
        found: set[str] = set()
        for source in sources:
            try:
                reads = self.renderer.source_reads(source, language)
            except jinja2.TemplateError:  # rendering it says what is wrong, where
                return None
            if reads is None:
                return None
            found |= reads
        return frozenset(found)

    def _text(self, texts: Localized | None, data: dict[str, Any], language: str) -> str:
        if not texts:
            return ""
        return self.renderer.render_source(pick_language(texts, language, self.default_language), data, language)

    def render(self, command: CommandSpec, data: dict[str, Any], language: str) -> tuple[str, list[EmbedData]]:
        inline = command.inline
        assert inline is not None
        text = ""
        if inline.texts:
            choices = pick_language(inline.texts, language, self.default_language)
            text = self.renderer.render_source(self.rng.choice(choices), data, language)
        embeds = [self.embed(command, inline.embed, data, language)] if inline.embed is not None else []
        return text, embeds

    def embed(self, command: CommandSpec, spec: EmbedSpec, data: dict[str, Any], language: str) -> EmbedData:
        embed = EmbedData(
            title=self._text(spec.title, data, language),
            description=self._text(spec.description, data, language),
            url=self._text(spec.url, data, language),
            color=parse_color(spec.color) if spec.color is not None else None,
            fields=tuple(EmbedField(self._text(f.name, data, language), self._text(f.value, data, language),
                                    f.inline) for f in spec.fields),
            footer=self._text(spec.footer, data, language),
            image=self._text(spec.image, data, language),
            thumbnail=self._text(spec.thumbnail, data, language),
        )
        problems = embed.problems()
        if problems:
            raise BadReply(command.name, problems, str(command.location) if command.location else None)
        return embed


def inline_constant(command: CommandSpec, language: str, default_language: str) -> str | None:
    """The answer's text when it is always the same (one text without ``{``, no embed), else None."""
    inline = command.inline
    if inline is None or inline.embed is not None or not inline.texts:
        return None
    choices = pick_language(inline.texts, language, default_language)
    if len(choices) != 1 or "{" in choices[0]:
        return None
    return choices[0].strip()
