"""Localized slash commands: names, descriptions, option names and descriptions and choice names per
language, from the spec's per-language texts, through discord.py's ``app_commands.Translator`` (it fills
in Discord's ``name_localizations`` / ``description_localizations`` when the commands are synced).

Each text is a ``locale_str`` carrying the spec's texts in its extras (``hypotez``); the translator
picks the one for a Discord locale: the language written exactly (``pt-BR``), else its base (``en`` for
``en-US`` and ``en-GB``)."""

from __future__ import annotations

import json
from typing import Any, Mapping

import discord
from discord import app_commands
from discord.app_commands import locale_str

from hypotez.declaration.model import Spec
from hypotez.user_locale import language_for_locale

EXTRA = "hypotez"


def localized(text: str, texts: Mapping[str, str] | None, shorten: Any = None) -> str | locale_str:
    """``text`` as discord.py takes it: a ``locale_str`` with the per-language ``texts`` when there are any."""
    if not texts:
        return text
    return locale_str(text, **{EXTRA: {k: shorten(v) if shorten else v for k, v in texts.items()}})


class SpecTranslator(app_commands.Translator):
    async def translate(self, string: locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        texts = string.extras.get(EXTRA)
        if not texts:
            return None
        key = language_for_locale(texts, locale.value)
        return texts[key] if key is not None else None


async def use_spec_translator(tree: app_commands.CommandTree[Any]) -> None:
    await tree.set_translator(SpecTranslator())


def localization_fingerprint(spec: Spec) -> str:
    """What of the spec the translations come from, for the sync's "has anything changed" hash (the
    untranslated payloads do not show them)."""
    def of(value: Any) -> Any:
        return None if value is None else [dict(value.names), dict(value.descriptions),
                                           {k: dict(v) for k, v in value.choice_names.items()}]
    parts = [[c.name, of(c.localized), [of(a.localized) for a in c.arguments]] for c in spec.commands]
    parts += [[g.name, of(g.localized)] for g in spec.groups.values()]
    return json.dumps(parts, sort_keys=True, ensure_ascii=False)
