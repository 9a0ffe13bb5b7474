"""Splitting long replies at Discord's 2,000-character limit without breaking lines or code blocks.

Discord reads code blocks the way its markdown parser does: a block opens and closes at three backticks
anywhere in a message (not only at the start of a line), and its language is a short tag right after
the opening fence, ended by a newline (```` ```python⏎ ````); a long line after a fence is the block's
first line, not its language. The splitter follows the same rules. It counts fences as
``str.count("```")`` does, never cuts inside a run of backticks (unless one run is longer than a whole
part, then only between two fences of it), closes a block it cuts through at the end of one part and
reopens it, with its language, at the start of the next, and closes a block the text leaves open.

Every part is cut from what is left of the text and is at least one character long, with room kept
for the fences it may get: what is left shrinks at every step, so the split always ends, in time
linear in the text's length.
"""

from __future__ import annotations

import re
from bisect import bisect_right

DISCORD_LIMIT = 2000
FENCE = "```"
CLOSE = "\n" + FENCE
MAX_LANGUAGE = 20
# Room for a reopened fence with the longest language, the closing fence, and text worth a part.
MIN_LIMIT = 64

_LANGUAGE = re.compile(r"([A-Za-z0-9_+\-.#]{1,%d})\n" % MAX_LANGUAGE)
# What may stand between a fence and a cut for the block to be still empty: (part of) a language tag,
# its newline, blank lines.
_NOTHING_YET = re.compile(r"[A-Za-z0-9_+\-.#]{0,%d}(?:\n\s*)?" % MAX_LANGUAGE)
_BACKTICKS = re.compile("`{3,}")


def split_message(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """Split into parts of at most ``limit`` characters, none empty, each with its code fences balanced.
    Whitespace at the cuts is dropped; nothing else is lost."""
    if limit < MIN_LIMIT:
        raise ValueError(f"a limit under {MIN_LIMIT} characters leaves no room for code fences")
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit and text.count(FENCE) % 2 == 0:  # most replies: one part, as it is
        return [text]
    return _Splitter(text, limit).parts()


class _Splitter:
    def __init__(self, text: str, limit: int):
        self.text = text
        self.limit = limit
        # Where each fence ends, in order: a run of n backticks holds n // 3 fences, from its start.
        self.fence_ends = [run.start() + 3 * (k + 1) for run in _BACKTICKS.finditer(text)
                           for k in range(len(run.group()) // 3)]

    def _fences_before(self, position: int) -> int:
        return bisect_right(self.fence_ends, position)

    def _open_at(self, position: int) -> bool:
        return self._fences_before(position) % 2 == 1

    def _opener(self, position: int) -> int:
        """Where the fence that opened the block open at ``position`` ends."""
        return self.fence_ends[self._fences_before(position) - 1]

    def _language(self, position: int) -> str:
        """The language of the block open at ``position``, when its tag lies wholly before it."""
        tag = _LANGUAGE.match(self.text, self._opener(position))
        return tag.group(1) if tag is not None and tag.end() <= position else ""

    def parts(self) -> list[str]:
        text, limit = self.text, self.limit
        ends_open = len(self.fence_ends) % 2 == 1
        parts: list[str] = []
        start = 0
        while start < len(text):
            opening = FENCE + self._language(start) + "\n" if self._open_at(start) else ""
            if len(opening) + len(text) - start + (len(CLOSE) if ends_open else 0) <= limit:
                if text[start:].strip():
                    parts.append(opening + text[start:] + (CLOSE if ends_open else ""))
                break
            cut = self._cut(start, limit - len(opening) - len(CLOSE))
            head = text[start:cut].rstrip()
            if head:
                parts.append(opening + head + (CLOSE if self._open_at(cut) else ""))
            start = cut
            while start < len(text) and text[start] == "\n":
                start += 1
        return parts

    def _cut(self, start: int, budget: int) -> int:
        """Where the part beginning at ``start`` ends: after at most ``budget`` characters, and after
        at least one."""
        cut = self._break(start, budget)
        # A block opened in this part but still empty at the cut (only its fence, its language, blank
        # lines) would show as an empty block: it starts the next part instead.
        while self._open_at(cut) and self._opener(cut) > start:
            fence_end = self._opener(cut)
            if not _NOTHING_YET.fullmatch(self.text, fence_end, cut):
                break
            run_start = fence_end - 3
            while run_start > start and self.text[run_start - 1] == "`":
                run_start -= 1
            if run_start <= start:
                break
            cut = run_start
        return cut

    def _break(self, start: int, budget: int) -> int:
        """At a paragraph's end, else a line's, else a space, in the last two thirds of the window; else
        as far as the budget goes, but not inside a run of backticks."""
        text = self.text
        window = text[start:start + budget]
        for separator in ("\n\n", "\n", " "):
            index = window.rfind(separator)
            if index > budget // 3:
                return start + index + len(separator)
        cut = start + budget
        if text[cut - 1] != "`" or text[cut] != "`":
            return cut
        run_start = cut - 1
        while run_start > start and text[run_start - 1] == "`":
            run_start -= 1
        if run_start > start:
            return run_start
        # One run of backticks longer than a part: cut between two of its fences, so each part still
        # counts the fences the run holds.
        return start + budget // 3 * 3
