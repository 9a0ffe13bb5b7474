"""What to write when a template does not compile: Jinja's words about one line, turned into a hint
(a misspelt filter or test gets "did you mean" and the list of those that exist)."""

from __future__ import annotations

import re
from difflib import get_close_matches
from typing import Any

_UNKNOWN = re.compile(r"No (?P<kind>filter|test) named '(?P<name>[^']+)'")
_PAIRS = ("unexpected '}'", "unexpected end of template", "expected token", "unexpected '%'",
          "unexpected char", "Encountered unknown tag", "unexpected 'end of")


def syntax_hint(message: str, env: Any) -> str | None:
    """A hint for Jinja's syntax error ``message`` in the environment ``env``, or None."""
    unknown = _UNKNOWN.search(message)
    if unknown:
        kind, name = unknown["kind"], unknown["name"]
        known = sorted(env.filters if kind == "filter" else env.tests)
        close = get_close_matches(name, known, n=1, cutoff=0.6)
        start = f"did you mean '{close[0]}'? " if close else f"there is no {kind} '{name}'; "
        return f"{start}the {kind}s are: {', '.join(known)}"
    if any(words in message for words in _PAIRS):
        return "check the {{ }} and {% %} pairs on that line: every one that opens must close"
    return None
