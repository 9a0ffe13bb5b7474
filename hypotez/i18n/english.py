"""The CLI's own English: "1 problem", "3 problems". Its texts are English only (the operator's tool),
so the count and the word go through the same CLDR engine with English's rule."""

from __future__ import annotations

from hypotez.i18n.plurals import plural


def counted(count: int, word: str, words: str | None = None) -> str:
    """``counted(1, "file")`` → "1 file"; ``counted(3, "file")`` → "3 files"; irregular plurals are given
    (``counted(2, "entry", "entries")``)."""
    return f"{count} {plural(count, word, words or word + 's', language='en')}"
