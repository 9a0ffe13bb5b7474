"""Plural forms by CLDR categories (``one``, ``two``, ``few``, ``many``, ``other``; ``zero`` in some
languages), the one engine behind the catalogs' ``{n:plural:...}`` and the templates' ``plural(...)``.

Forms are given by category, ``one=файл|few=файла|many=файлов``, or in the older positional form
``файл|файла|файлов``: the first form is ``one``, the last is ``other``, and the forms between fill the
language's remaining categories in CLDR order (Russian and Polish: ``few``, then ``many``). A category
without a form of its own takes ``other``'s (else the last form given): English ``file|files``,
French ``fichier|fichiers`` and Russian ``файл|файла|файлов`` all read right.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from hypotez.i18n.locales import locale_for

CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def plural_category(count: float, language: str | None) -> str:
    """The CLDR plural category of ``count`` in ``language`` (1 → "one"; 5 → "many" in Russian, "other"
    in English; 1.5 → "other" in Russian, "one" in French)."""
    try:
        number = abs(count)
    except TypeError:
        number = abs(float(count))
    return locale_for(language).plural_form(number)


def _middle(language: str | None) -> list[str]:
    tags = locale_for(language).plural_form.tags
    return [category for category in CATEGORIES if category in tags and category not in ("one", "other")]


def parse_forms(forms: Sequence[str], language: str | None) -> dict[str, str]:
    """Forms as category → word: ``["one=файл", "few=файла"]`` by name, ``["файл", "файла", "файлов"]`` by
    position (see the module's note). Raises ValueError for an unknown category or no forms at all."""
    forms = [form for form in forms]
    if not forms:
        raise ValueError("plural: no word forms given")
    named = [form.partition("=") for form in forms]
    if all(sep and name.strip() in CATEGORIES for name, sep, _ in named):
        return {name.strip(): word for name, _, word in named}
    if any(sep and name.strip() in CATEGORIES for name, sep, _ in named):
        wrong = [form for (name, sep, _), form in zip(named, forms) if not (sep and name.strip() in CATEGORIES)]
        raise ValueError(f"{', '.join(map(repr, wrong))} names no CLDR plural category "
                         f"({', '.join(CATEGORIES)})")
    if len(forms) == 1:
        return {"other": forms[0]}
    chosen = {"one": forms[0], "other": forms[-1]}
    chosen.update(zip(_middle(language), forms[1:-1]))
    return chosen


def _pick(forms: Mapping[str, str], category: str) -> str:
    found = forms.get(category)
    if found is None:
        found = forms.get("other")
    if found is None:
        found = list(forms.values())[-1]
    return found


def choose(count: float, forms: Sequence[str] | Mapping[str, str], language: str | None) -> str:
    """The form of the word for ``count`` in ``language``."""
    table = forms if isinstance(forms, Mapping) else parse_forms(forms, language)
    return _pick(table, plural_category(count, language))


def plural(count: float, *forms: str, language: str | None = None, **by_category: str) -> str:
    """The templates' helper: ``plural(n, "file", "files")``, ``plural(n, "файл", "файла", "файлов")`` or
    ``plural(n, one="файл", few="файла", many="файлов")``; ``language`` is the reply's."""
    if by_category:
        unknown = [name for name in by_category if name not in CATEGORIES]
        if unknown or forms:
            raise ValueError(f"plural: give the forms by position or by CLDR category ({', '.join(CATEGORIES)}), "
                             f"not {', '.join(unknown) or 'both'}")
        return _pick(by_category, plural_category(count, language))
    return choose(count, forms, language)
