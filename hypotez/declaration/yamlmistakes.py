"""What a YAML syntax error really was, in plain words, at the line of the mistake.

PyYAML reports where its parser gave up, which is often lines after the mistake and in words about
indentation or tags: an unclosed quote swallows the next lines and fails four lines later. Here each
line up to the error is read the way a person writes them (``key: value``, ``- item``) and the usual
mistakes are looked for — a quote not closed, an apostrophe inside '…', ``: `` in an unquoted text,
typographic quotes, a missing colon, a ``[`` not closed or a stray ``]``, a text starting with ``!``,
``&`` or ``*``. A suspicion is kept only when repairing it lets the parser get past where it failed
(the file is parsed again with that line mended), so a legal construct is never blamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import yaml

# A key as people write them in a spec: a plain word (letters of any script, digits, _ - .).
_KEY = re.compile(r"(?P<key>[^\s:#'\"\[\]{},&*!|>%@`-][^:#]*?)\s*:(?=\s|$)")
_NO_COLON = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s+(?P<rest>\S.*)$")
_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*\s*(#.*)?$")
# The escapes YAML allows inside "…" (YAML 1.1, what PyYAML reads).
_ESCAPES = set("0abt\tnvfre \"/\\N_LPxuU\n")
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_CURLY_OPEN = "“„«‘"
_SPECIAL_START = {"!": "a tag", "&": "an anchor", "*": "an alias", "%": "a directive", "@": "reserved",
                  "`": "reserved"}
MAX_RETRIES = 60


@dataclass(slots=True)
class Mistake:
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str
    mend: Callable[[str], str]  # the line, repaired


_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: each parse again costs little
# What the parses again may read in all: a 2 MB spec gets a few tries, a hand-written one many.
PARSE_BUDGET = 20_000_000


def _parse_error_position(text: str) -> tuple[int, int] | None:
    """Where the first syntax error of ``text`` is, as (line, column) 0-based, or None if it parses."""
    try:
        for _ in yaml.parse(text, Loader=_PARSER):
            pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return (mark.line, mark.column) if mark else (0, 0)
    except yaml.YAMLError:
        return (0, 0)
    return None


def explain_syntax_error(text: str, error_line: int) -> Mistake | None:
    """The first mistake on lines up to ``error_line`` (0-based) whose repair moves the error on."""
    lines = text.split("\n")
    original = _parse_error_position(text)
    if original is None:
        return None
    tries, most = 0, min(MAX_RETRIES, PARSE_BUDGET // max(len(text), 1))
    for mistake in _suspects(lines[: error_line + 1]):
        tries += 1
        if tries > most:
            break
        mended = list(lines)
        mended[mistake.line - 1] = mistake.mend(lines[mistake.line - 1])
        after = _parse_error_position("\n".join(mended))
        if after is None or after > original and after[0] > mistake.line - 1:
            return mistake
    return None


def _suspects(lines: list[str]):
    block_indent: int | None = None  # inside a '|' or '>' text: lines indented deeper are its text
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        column = indent
        while stripped.startswith("- ") or stripped == "-":
            column += 2
            stripped = line[column:].lstrip(" ")
            column = len(line) - len(stripped)
        key = _KEY.match(stripped)
        if key:
            value_start = column + key.end()
            value = line[value_start:].lstrip(" ")
            value_column = len(line) - len(value)
            if _BLOCK_INDICATOR.match(value):
                block_indent = indent
                continue
            yield from _value_suspects(number, line, value, value_column, key["key"])
        elif column == indent:  # not a list item: a 'key value' line without its colon?
            missing = _NO_COLON.match(stripped)
            if missing:
                key_end = column + len(missing["key"])
                yield Mistake(number, column + 1, f"'{missing['key']} {missing['rest']}' has no colon after "
                                                  f"'{missing['key']}'",
                              f"write it as '{missing['key']}: {missing['rest']}'",
                              lambda s, e=key_end: s[:e] + ":" + s[e:])
        else:
            yield from _value_suspects(number, line, stripped, column, None)


def _value_suspects(number: int, line: str, value: str, column: int, key: str | None):
    if not value:
        return
    lead = f"{key}: " if key else "- "
    first = value[0]
    if first == '"':
        yield from _double_quoted(number, line, value, column, lead)
    elif first == "'":
        yield from _single_quoted(number, line, value, column, lead)
    elif first in "[{":
        yield from _flow(number, line, value, column)
    elif first in _SPECIAL_START:
        text = _without_comment(value)
        yield Mistake(number, column + 1, f"a text starting with '{first}' must be in quotes "
                                          f"(YAML reads '{first}' at the start as {_SPECIAL_START[first]})",
                      f"write it as: {lead}{_quoted(text)}", _wrap(column, len(text)))
    else:
        text = _without_comment(value)
        if ": " in text or text.endswith(":"):
            if first in _CURLY_OPEN:
                yield Mistake(number, column + 1, f"{first}…{_closing(first)} are typographic quotes, which YAML "
                                                  "does not read as quotes, so the ': ' inside starts a new key",
                              f"put the whole text in straight quotes: {lead}{_quoted(text)}",
                              _wrap(column, len(text)))
            else:
                yield Mistake(number, column + 1, "this text contains ': ', which YAML reads as the start of "
                                                  "a new key",
                              f"put the whole text in quotes: {lead}{_quoted(text)}", _wrap(column, len(text)))


def _double_quoted(number: int, line: str, value: str, column: int, lead: str):
    index = 1
    while index < len(value):
        char = value[index]
        if char == "\\":
            escape = value[index + 1] if index + 1 < len(value) else "\n"
            digits = _HEX_DIGITS.get(escape, 0)
            if escape not in _ESCAPES or not re.fullmatch(r"[0-9A-Fa-f]*", value[index + 2: index + 2 + digits]) \
                    or len(value[index + 2: index + 2 + digits]) < digits:
                text = value[1:]
                end = text.find('"')
                text = text[:end] if end >= 0 else text
                yield Mistake(number, column + index + 1,
                              f"'\\{escape}' inside \"…\" starts an escape sequence: a backslash is special in double quotes",
                              f"use single quotes, where a backslash is just a backslash: {lead}'{text}' "
                              "(or write each backslash twice)",
                              lambda s: s.replace("\\", "\\\\"))
                return
            index += 2
            continue
        if char == '"':
            rest = _without_comment(value[index + 1:].lstrip(" "))
            if rest:
                yield Mistake(number, column + index + 2, f"text after the closing quote: {rest!r}",
                              "a quoted text ends at its closing quote: put everything inside the quotes",
                              lambda s, c=column + index: s[:c] + s[c + 1:] + '"')
            return
        index += 1
    yield Mistake(number, column + 1, 'the quote (") opened here is not closed',
                  'add the closing " at the end of the text, on the same line (for a text over several '
                  "lines, write '|' and the lines below it, indented)", lambda s: s.rstrip() + '"')


def _single_quoted(number: int, line: str, value: str, column: int, lead: str):
    index = 1
    while index < len(value):
        if value[index] == "'":
            if value[index + 1: index + 2] == "'":
                index += 2
                continue
            rest = _without_comment(value[index + 1:].lstrip(" "))
            if rest:
                whole = _without_comment(value)[1:].rstrip("'")
                yield Mistake(number, column + index + 1, f"the apostrophe in '{whole[:index + 1]}…' ends the "
                                                          "text quoted with '…'",
                              f"write the apostrophe twice: {lead}'{whole.replace(chr(39), chr(39) * 2)}', "
                              f"or use double quotes: {lead}\"{whole}\"",
                              lambda s, c=column + index: s[:c] + "'" + s[c:])
            return
        index += 1
    yield Mistake(number, column + 1, "the quote (') opened here is not closed",
                  "add the closing ' at the end of the text, on the same line (for a text over several "
                  "lines, write '|' and the lines below it, indented)", lambda s: s.rstrip() + "'")


def _flow(number: int, line: str, value: str, column: int):
    stack: list[str] = []
    quote: str | None = None
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "\"'" and (index == 0 or value[index - 1] in " [{,"):
            quote = char
        elif char == "#" and index and value[index - 1] == " ":
            if stack and index + 1 < len(value) and not value[index + 1].isspace():
                word = re.match(r"[^,\]}]*", value[index:])[0].rstrip()
                yield Mistake(number, column + index + 1, f"'#' starts a comment, so the rest of the line "
                                                          f"({value[index:].rstrip()!r}) is not read and the "
                                                          f"'{stack[0]}' is not closed",
                              f"put it in quotes: {_quoted(word)}",
                              lambda s, c=column + index, n=len(word): s[:c] + _quoted(s[c:c + n]) + s[c + n:])
                return
            break
        elif char in "[{":
            stack.append(char)
        elif char in "]}":
            if not stack:
                yield Mistake(number, column + index + 1, f"an extra '{char}' here closes a list that was "
                                                          "never opened",
                              f"remove it: {_without_comment(value[:index])}",
                              lambda s, c=column + index: s[:c] + s[c + 1:])
                return
            stack.pop()
            if not stack:
                rest = _without_comment(value[index + 1:].lstrip(" "))
                if rest.startswith(("]", "}")):
                    continue  # reported as an extra closer on the next character
                if rest:
                    return
    if stack:
        closers = "".join("]" if c == "[" else "}" for c in reversed(stack))
        opener = stack[0]
        yield Mistake(number, column + 1, f"the {'list' if opener == '[' else 'mapping'} opened with "
                                          f"'{opener}' here is not closed",
                      f"add '{closers}' at its end, on the same line: {_without_comment(value).rstrip()}{closers}",
                      lambda s, c=closers: s.rstrip() + c)


def _without_comment(value: str) -> str:
    """``value`` without a trailing ' # comment' (outside quotes, roughly as YAML cuts it)."""
    quote = None
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and index == 0:
            quote = char
        elif char == "#" and index and value[index - 1] in " \t":
            return value[:index].rstrip()
    return value.rstrip()


def _quoted(text: str) -> str:
    if '"' not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def _wrap(column: int, length: int) -> Callable[[str], str]:
    def mend(line: str) -> str:
        return line[:column] + _quoted(line[column: column + length]) + line[column + length:]
    return mend


def _closing(opening: str) -> str:
    return {"“": "”", "„": "“", "«": "»", "‘": "’"}[opening]


def indentation_hint(lines: list[str], line: int) -> str | None:
    """For a line (0-based) indented like no key above it: the columns it could line up with."""
    if not 0 <= line < len(lines):
        return None
    own = len(lines[line]) - len(lines[line].lstrip(" "))
    levels: dict[int, tuple[int, str]] = {}  # indentation → (line, key) of the nearest key above
    for number in range(line - 1, -1, -1):
        text = lines[number]
        stripped = text.lstrip(" ")
        key = _KEY.match(stripped.removeprefix("- "))
        if not stripped or stripped.startswith("#") or not key:
            continue
        indent = len(text) - len(stripped)
        if indent in levels or any(indent > deeper for deeper in levels):
            continue  # inside a mapping below: not a level this line can belong to
        levels[indent] = (number + 1, key["key"])
        if indent == 0:
            break
    if own in levels or not levels:
        return None
    choices = [f"by {indent} spaces like '{key}:' (line {number})" for indent, (number, key) in
               sorted(levels.items(), reverse=True)[:2]]
    return (f"this line is indented by {own} spaces, which lines it up with no key above: indent it "
            + " or ".join(choices))
