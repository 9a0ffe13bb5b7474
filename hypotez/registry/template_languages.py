"""A template written in another language's folder than the bot's: with ``language: ru``, a
``templates/en/rules.j2`` alone is found (English is the last fallback) and Russian replies silently come
out in English; a ``templates/de/rules.j2`` alone is not found at all. Both are said, with the
languages that do have the template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from hypotez.declaration.model import Settings
from hypotez.rendering import TEMPLATE_SUFFIX, Renderer


def languages_with(templates_dir: Path, name: str) -> list[str]:
    """The language folders of ``templates_dir`` that have template ``name``."""
    if not templates_dir.is_dir():
        return []
    return sorted(folder.name for folder in templates_dir.iterdir()
                  if folder.is_dir() and (folder / (name + TEMPLATE_SUFFIX)).is_file())


def elsewhere_hint(templates_dir: Path, name: str, language: str) -> str | None:
    """For a template missing in the bot's language: the folders that have it, and what to do."""
    found = [lang for lang in languages_with(templates_dir, name) if lang != language]
    if not found:
        return None
    files = ", ".join(f"templates/{lang}/{name}{TEMPLATE_SUFFIX}" for lang in found)
    return (f"it exists in {files}, but the bot's language is '{language}' (language: under bot:): "
            f"copy or translate it into templates/{language}/{name}{TEMPLATE_SUFFIX}")


def check_other_languages(renderer: Renderer, names: Mapping[tuple[Any, ...], str],
                          broken: Mapping[str, tuple[str, str]], settings: Settings,
                          add: Callable[..., None]) -> None:
    """Warn where a command's template was found only in another language's folder."""
    language = settings.language
    base = renderer.templates_dir
    for path, name in names.items():
        if name in broken:
            continue
        found = renderer.find_file(name, language)
        try:
            relative = found.relative_to(base) if found is not None else None
        except ValueError:
            continue  # hypotez's built-ins
        if relative is None or relative.as_posix() == name + TEMPLATE_SUFFIX or relative.parts[0] == language:
            continue  # the bot's own language, or the shared templates/ folder
        other = relative.parts[0]
        have = languages_with(base, name)
        add(path, f"template '{name}' exists only in {', '.join(repr(lang) for lang in have)} "
                  f"({', '.join(f'templates/{lang}/{name}{TEMPLATE_SUFFIX}' for lang in have)}), not in the "
                  f"bot's language '{language}': the '{language}' replies use the '{other}' text",
            f"translate it into templates/{language}/{name}{TEMPLATE_SUFFIX} (or set language: "
            f"{other} under bot:)", severity="warning", at_key=False)
