"""The Babel locale of a reply's language code."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

FALLBACK_LOCALE = "en"


@lru_cache(maxsize=None)
def locale_for(language: str | None) -> Locale:
    """The CLDR locale for ``language`` ("ru", "pt-BR", "pt_BR"); English for a code CLDR does not know.
    Cached like a compiled regex: locales are read-only data."""
    if language:
        try:
            return Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(FALLBACK_LOCALE)
