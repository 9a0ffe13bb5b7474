"""Splitting long replies at Discord's 2,000-character limit without breaking lines or code blocks."""

from __future__ import annotations

DISCORD_LIMIT = 2000
FENCE = "```"


def _cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` so the first part is at most ``limit`` characters: at a line break, else a
    space, else anywhere."""
    window = text[:limit]
    for separator in ("\n\n", "\n", " "):
        index = window.rfind(separator)
        if index > limit // 3:
            return index + len(separator)
    return limit


def split_message(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """Split into parts of at most ``limit`` characters. A code block cut in two is closed at the end of
    one part and reopened at the start of the next, so both render as code."""
    text = text.strip()
    if not text:
        return []
    parts: list[str] = []
    reopen = ""
    budget = limit - len(FENCE) - 1  # room to close a code block we cut through
    while text:
        text = reopen + text
        if len(text) <= limit:
            parts.append(text)
            break
        cut = _cut_point(text, budget)
        head, text = text[:cut].rstrip("\n"), text[cut:].lstrip("\n")
        fences = head.count(FENCE)
        if fences % 2 == 1:
            language = head[head.rfind(FENCE) + 3:].split("\n", 1)[0].strip()
            head += "\n" + FENCE
            reopen = FENCE + language + "\n"
        else:
            reopen = ""
        if head.strip():
            parts.append(head)
        if not text.strip():
            break
    return parts
