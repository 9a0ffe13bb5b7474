"""Suggestions for an argument as it is typed (``autocomplete:``): from a list in the spec, from the names
in the server's part of the data folder (path arguments), from the values given before on this server, or
from a handler. The slash form shows them while the user types; the prefix form answers a near miss
(``!tag add nwes`` when ``news`` is known) with "did you mean".

Suggestions follow the same rules as running the command: a member who may not give the argument (or
run the command) gets none, and a server sees only its own files and values."""

from __future__ import annotations

import logging
from difflib import get_close_matches
from typing import Any, Iterable, Mapping

from hypotez.checks import check_argument_permissions, check_permissions
from hypotez.declaration.model import ArgumentSpec, CommandSpec
from hypotez.errors import BadArgument, CheckFailure, HypotezError
from hypotez.invocation import Author, Invocation, Place
from hypotez.reasons import Reason

log = logging.getLogger("hypotez.autocomplete")

MAX_SUGGESTIONS = 25  # Discord shows at most 25
STORED_KEEP = 100  # values remembered per argument and server
MAX_FILES = 5000  # names read from the data folder for one suggestion
NEAR_MISS = 0.75


def autocompleted(command: CommandSpec) -> tuple[ArgumentSpec, ...]:
    return tuple(a for a in command.arguments if a.autocomplete is not None)


def stored_key(command: CommandSpec, argument: ArgumentSpec) -> str:
    return f"autocomplete:{command.name}:{argument.name}"


def filtered(values: Iterable[str], current: str, limit: int | None = MAX_SUGGESTIONS) -> list[str]:
    """``values`` that start with ``current`` (case-insensitively), then those that contain it; once each."""
    typed = current.strip().lower()
    unique = list(dict.fromkeys(values))
    first = [v for v in unique if v.lower().startswith(typed)]
    then = [v for v in unique if typed in v.lower() and v not in first]
    found = first + then
    return found if limit is None else found[:limit]


async def candidates(dispatcher: Any, command: CommandSpec, argument: ArgumentSpec, author: Author, place: Place,
                     current: str, *, limit: int | None = MAX_SUGGESTIONS) -> list[str]:
    """What to suggest to ``author`` at ``place`` who has typed ``current``. ``dispatcher``: the pipeline's."""
    spec = argument.autocomplete
    if spec is None:
        return []
    try:  # no suggestion reveals what the member could not get by running the command
        check_permissions(command, author, place)
        check_argument_permissions(argument, author, place)
    except CheckFailure:
        return []
    if spec.source == "list":
        values: list[str] = list(spec.values)
    elif spec.source == "files":
        values = _data_names(dispatcher.services_at(place, author).data, argument.kind)
    elif spec.source == "stored":
        values = list(await dispatcher.services_at(place, author).storage.get_setting(stored_key(command, argument), [])
                      or [])
    else:
        values = await _from_handler(dispatcher, command, argument, author, place, current)
    return filtered(values, current, limit)


def _data_names(data: Any, kind: str) -> list[str]:
    """Files (kind "file"), folders ("dir") or both in a server's data folder, as paths to type."""
    files: list[str] = []
    try:
        with data.walk(data.root) as found:
            for entry in found:
                if entry.kind == "file":
                    files.append(entry.relative)
                if len(files) >= MAX_FILES:
                    break
    except (HypotezError, OSError, AttributeError):  # no folder yet, or none at all (direct messages)
        return []
    folders = sorted({f.rsplit("/", i)[0] for f in files for i in range(1, f.count("/") + 1)})
    return sorted(files) if kind == "file" else folders if kind == "dir" else sorted(files) + folders


async def _from_handler(dispatcher: Any, command: CommandSpec, argument: ArgumentSpec, author: Author, place: Place,
                        current: str) -> list[str]:
    assert argument.autocomplete is not None and argument.autocomplete.handler is not None
    function = dispatcher.handlers[argument.autocomplete.handler]
    invocation = Invocation(command=command, author=author, place=place, services=dispatcher.services_at(place, author),
                            language=dispatcher.language_at(place), spec=dispatcher.spec, reasons=dispatcher.reasons)
    try:
        result = await function(invocation, current=current)
    except Exception as error:  # a handler's bug: no suggestions, and the log says why
        log.exception("autocomplete handler %s failed: %s", argument.autocomplete.handler, error)
        return []
    return [str(value) for value in result or ()]


async def check_near_misses(dispatcher: Any, command: CommandSpec, author: Author, place: Place,
                            bound: Mapping[str, Any]) -> None:
    """Raise "did you mean" for a value typed that is not a known one but close to one."""
    for argument in autocompleted(command):
        value = bound.get(argument.name)
        if not isinstance(value, str) or not value:
            continue
        known = await candidates(dispatcher, command, argument, author, place, "", limit=None)
        if value in known:
            continue
        close = get_close_matches(value, known, n=1, cutoff=NEAR_MISS)
        if close:
            raise BadArgument(argument.name, Reason("autocomplete.did_you_mean", value=value, suggestion=close[0]))


async def remember(dispatcher: Any, command: CommandSpec, author: Author, place: Place,
                   arguments: Mapping[str, Any]) -> None:
    """Keep the values given to arguments with ``autocomplete: stored`` (the newest first)."""
    for argument in autocompleted(command):
        assert argument.autocomplete is not None
        value = arguments.get(argument.name)
        if argument.autocomplete.source != "stored" or value is None or value == "":
            continue
        storage = dispatcher.services_at(place, author).storage
        key = stored_key(command, argument)
        before = [v for v in await storage.get_setting(key, []) or [] if v != str(value)]
        await storage.set_setting(key, [str(value), *before][:STORED_KEEP])
