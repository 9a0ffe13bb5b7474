"""Binding tokens to a command's declared arguments, by name (``data=set.jsonl``) or in order; a text
argument followed only by optional ones takes the rest of the line."""

from __future__ import annotations

from hypotez.arguments.tokens import Token, tokenize
from hypotez.declaration.model import CommandSpec
from hypotez.errors import BadArgument
from hypotez.reasons import Reason


# Arguments that take the rest of the line when only optional ones follow them (a text, a JSON value
# with spaces in it, a list of items).
REST_OF_LINE_TYPES = ("text", "json", "list")
# The same, given by name: their value runs to the next name= (JSON and lists contain spaces).
SPANNING_TYPES = ("json", "list")


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
    pairs = [None if token.quoted else _split_keyword(token, command) for token in tokens]
    skip_until = 0  # tokens before this one belong to a json or list value given by name
    for index, (token, pair) in enumerate(zip(tokens, pairs)):
        if index < skip_until:
            continue
        if pair is None:
            positional.append(token)
            continue
        key, value = pair
        if key in bound:
            raise BadArgument(key, Reason("argument.given_twice", name=key))
        if command.argument(key).type in SPANNING_TYPES:
            # ["a b", "c"] or a, b, c given by name: the value runs to the next name=, spaces and all.
            following = next((i for i in range(index + 1, len(tokens)) if pairs[i] is not None), len(tokens))
            end = tokens[following].start if following < len(tokens) else len(text)
            value = text[text.index("=", token.start) + 1:end].strip()
            skip_until = following
        bound[key] = value
        keyword_starts.append(token.start)

    open_args = [a for a in command.arguments if a.name not in bound and a.type != "attachment"]
    for index, token in enumerate(positional):
        if not open_args:
            extra = " ".join(t.text for t in positional[index:])
            raise BadArgument(None, Reason("argument.too_many_values", extra=extra))
        argument = open_args.pop(0)
        if argument.type in REST_OF_LINE_TYPES and (argument.greedy or not any(a.required for a in open_args)):
            # A text argument followed only by optional ones takes the rest of the line (spacing
            # kept where it can be); the optional ones after it are then given by name.
            rest = positional[index:]
            if len(rest) == 1 and not (argument.type in SPANNING_TYPES and not rest[0].quoted):
                bound[argument.name] = rest[0].text
            elif argument.type in SPANNING_TYPES:  # as typed, up to a name= after it
                end = min((start for start in keyword_starts if start > rest[0].start), default=len(text))
                bound[argument.name] = text[rest[0].start:end].strip()
            elif any(start > rest[0].start for start in keyword_starts):
                bound[argument.name] = " ".join(t.text for t in rest)
            else:
                bound[argument.name] = text[rest[0].start:].strip()
            break
        bound[argument.name] = token.text
    return bound

