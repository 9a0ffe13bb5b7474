"""Answers written in the spec itself: ``text:`` (one text, several to pick from at random, or one per
language) and ``embed:`` (a Discord card with templated fields), built into :class:`InlineReply`.

Compiling the texts and checking Discord's embed limits is the registry's (hypotez.registry.inline_checks).
"""

from __future__ import annotations

from typing import Any, Mapping

from hypotez.declaration.model import ANY_LANGUAGE, EmbedFieldSpec, EmbedSpec, InlineReply, frozen_mapping

EMBED_TEXTS = ("title", "description", "url", "footer", "image", "thumbnail")


def _localized(value: Any) -> Mapping[str, str] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return frozen_mapping({str(k): str(v) for k, v in value.items()})
    return frozen_mapping({ANY_LANGUAGE: str(value)})


def _texts(value: Any) -> Mapping[str, tuple[str, ...]]:
    if value is None:
        return frozen_mapping()
    if isinstance(value, dict):
        return frozen_mapping({str(k): (v,) if isinstance(v, str) else tuple(v) for k, v in value.items()})
    return frozen_mapping({ANY_LANGUAGE: (value,) if isinstance(value, str) else tuple(value)})


def build_inline(raw: Mapping[str, Any]) -> InlineReply | None:
    if raw.get("text") is None and raw.get("embed") is None:
        return None
    embed_raw = raw.get("embed")
    embed = None
    if embed_raw:
        embed = EmbedSpec(
            **{key: _localized(embed_raw.get(key)) for key in EMBED_TEXTS},
            color=embed_raw.get("color"),  # as written: the registry turns it into a colour
            fields=tuple(EmbedFieldSpec(_localized(f["name"]), _localized(f["value"]),  # type: ignore[arg-type]
                                        bool(f.get("inline", False))) for f in embed_raw.get("fields") or ()),
        )
    return InlineReply(texts=_texts(raw.get("text")), embed=embed)
