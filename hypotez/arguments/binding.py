"""Binding tokens to a command's declared arguments, by name (``data=set.jsonl``) or in order; a text
argument followed only by optional ones takes the rest of the line."""

from __future__ import annotations

from hypotez.arguments.tokens import Token, tokenize
from hypotez.declaration.model import CommandSpec
from hypotez.errors import BadArgument
from hypotez.reasons import Reason


def _split_keyword(token: Token, command: CommandSpec) -> tuple[str, str] | None:
    if "=" not in token.text:
        return None
    key, _, value = token.text.partition("=")
    key = key.strip().lower()
    if command.argument(key) is not None:
        return key, value
    return None


def bind_text(command: CommandSpec, text: str) -> dict[str, str]:
    """Bind the raw argument text to argument names (values still strings)."""
    text = text.strip()
    tokens = tokenize(text)
    bound: dict[str, str] = {}
    positional: list[Token] = []
    keyword_starts: list[int] = []
    for token in tokens:
        pair = None if token.quoted else _split_keyword(token, command)
        if pair is None:
            positional.append(token)
            continue
        key, value = pair
        if key in bound:
            raise BadArgument(key, Reason("argument.given_twice", name=key))
        bound[key] = value
        keyword_starts.append(token.start)

    open_args = [a for a in command.arguments if a.name not in bound and a.type != "attachment"]
    for index, token in enumerate(positional):
        if not open_args:
            extra = " ".join(t.text for t in positional[index:])
            raise BadArgument(None, Reason("argument.too_many_values", extra=extra))
        argument = open_args.pop(0)
        if argument.type == "text" and (argument.greedy or not any(a.required for a in open_args)):
            # A text argument followed only by optional ones takes the rest of the line (spacing
            # kept where it can be); the optional ones after it are then given by name.
            rest = positional[index:]
            if len(rest) == 1:
                bound[argument.name] = rest[0].text
            elif any(start > rest[0].start for start in keyword_starts):
                bound[argument.name] = " ".join(t.text for t in rest)
            else:
                bound[argument.name] = text[rest[0].start:].strip()
            break
        bound[argument.name] = token.text
    return bound

