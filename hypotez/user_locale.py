"""A Discord locale (``en-US``, ``pt-BR``, ``ru``) matched with the languages a spec is written in:
the language written exactly, else the locale's base language (``en`` for ``en-US`` and ``en-GB``)."""

from __future__ import annotations

from typing import Any, Iterable


def language_for_locale(languages: Iterable[str], locale: str | None) -> str | None:
    if not locale:
        return None
    keys = {language.lower(): language for language in languages}
    wanted = locale.lower()
    return keys.get(wanted) or keys.get(wanted.split("-")[0])


def interaction_language(settings: Any, locale: str | None) -> str | None:
    """The reply language of an interaction from a user with ``locale``, when the spec's settings say replies
    follow it (``bot.locale_replies``) and the bot speaks it; else None (the server's language)."""
    return language_for_locale(settings.languages, locale) if settings.locale_replies else None
