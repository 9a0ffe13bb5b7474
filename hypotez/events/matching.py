"""Does a message match a trigger: contains / starts with / exact / regular expression, with case and
accent folding. Regular expressions run with the ``regex`` module's time limit: a pattern that would
backtrack for minutes on a crafted message (``(a+)+$``) gives up and counts as no match."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

import regex

from hypotez.declaration.events_model import TriggerSpec

log = logging.getLogger("hypotez.events")

REGEX_SECONDS = 0.05
# Longer messages are matched on their beginning only (Discord allows 4,000 characters).
MAX_MATCHED = 4000


def fold(text: str, *, case: bool, accents: bool) -> str:
    """``text`` as a trigger compares it: without accents (é → e, ё → е) and in one case when asked."""
    if accents and not text.isascii():  # ASCII has no accents: the common case costs nothing
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return text.casefold() if case else text


@dataclass(frozen=True, slots=True)
class Matcher:
    trigger: TriggerSpec
    folded: str
    compiled: Any = None

    @classmethod
    def of(cls, trigger: TriggerSpec) -> "Matcher":
        folded = fold(trigger.pattern, case=trigger.ignore_case and trigger.mode != "regex",
                      accents=trigger.ignore_accents)
        compiled = None
        if trigger.mode == "regex":
            compiled = regex.compile(folded, regex.IGNORECASE | regex.V0 if trigger.ignore_case else regex.V0)
        return cls(trigger, folded, compiled)

    def match(self, text: str, folded: dict[tuple[bool, bool], str] | None = None) -> dict[str, Any] | None:
        """What the template sees as ``match`` (``match.text``, ``match.groups``, named groups), or None.
        ``folded``: the message folded each way so far, shared by the triggers tried on one message."""
        trigger = self.trigger
        original = text[:MAX_MATCHED]
        way = (trigger.ignore_case and trigger.mode != "regex", trigger.ignore_accents)
        cache = folded if folded is not None else {}
        text = cache.get(way)
        if text is None:
            text = cache[way] = fold(original, case=way[0], accents=way[1])
        # What follows a prefix, as it was written, when folding kept the length (it nearly always does).
        source = original if len(original) == len(text) else text
        if trigger.mode == "contains":
            return {"text": self.trigger.pattern, "groups": []} if self.folded in text else None
        if trigger.mode == "starts_with":
            return {"text": self.trigger.pattern, "groups": [], "rest": source[len(self.folded):].strip()} \
                if text.startswith(self.folded) else None
        if trigger.mode == "exact":
            return {"text": self.trigger.pattern, "groups": []} if text.strip() == self.folded else None
        try:
            found = self.compiled.search(text, timeout=REGEX_SECONDS)
        except TimeoutError:
            log.warning("trigger %r: its regular expression took over %.2f s on a message of %d characters; "
                        "counted as no match", trigger.name, REGEX_SECONDS, len(text))
            return None
        if found is None:
            return None
        return {"text": found.group(0), "groups": list(found.groups()), **found.groupdict()}
