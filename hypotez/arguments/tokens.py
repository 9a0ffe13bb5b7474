"""Splitting the text after a command into tokens: whitespace separates, quotes group words, a
backslash escapes a quote inside quotes, ``key="a value"`` keeps its value together."""

from __future__ import annotations

from dataclasses import dataclass

from hypotez.errors import BadArgument
from hypotez.reasons import Reason

QUOTES = {'"': '"', "'": "'", "«": "»", "“": "”", "„": "“"}


# Made for every word typed after a command: not frozen, which would make each several times dearer.
@dataclass(slots=True)
class Token:
    text: str
    start: int  # where the token starts in the argument text (for "the rest of the line")
    quoted: bool


def tokenize(text: str) -> list[Token]:
    """Split on whitespace; quotes group words; a backslash escapes a quote inside quotes."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in QUOTES:
            closing = QUOTES[text[i]]
            i += 1
            chars: list[str] = []
            while i < n and text[i] != closing:
                if text[i] == "\\" and i + 1 < n and text[i + 1] in (closing, "\\"):
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise BadArgument(None, Reason("argument.quote_unclosed", quote=text[start], position=start + 1,
                                               closing=closing))
            i += 1
            tokens.append(Token("".join(chars), start, True))
            continue
        while i < n and not text[i].isspace():
            # key="quoted value": the quote groups the value
            if text[i] in QUOTES and i > start and text[i - 1] == "=":
                closing = QUOTES[text[i]]
                end = text.find(closing, i + 1)
                if end < 0:
                    raise BadArgument(None, Reason("argument.quote_unclosed", quote=text[i], position=i + 1,
                                                   closing=closing))
                key = text[start:i]
                # Not "quoted": only a fully quoted word is taken literally (never as key=value).
                tokens.append(Token(key + text[i + 1:end], start, False))
                i = end + 1
                break
            i += 1
        else:
            tokens.append(Token(text[start:i], start, False))
            continue
    return tokens

