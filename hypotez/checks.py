"""Checks that run before a command's arguments are looked at: where it may run, who may run it,
and how often; and who may give an argument that has permissions of its own."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from hypotez.errors import NotAllowed, OnCooldown, WrongPlace
from hypotez.invocation import Author, Place
from hypotez.reasons import Reason
from hypotez.declaration.model import ArgumentSpec, CommandSpec, CooldownSpec, PermissionSpec


def check_place(command: CommandSpec, place: Place) -> None:
    if command.where == "guild" and place.is_dm:
        raise WrongPlace("guild", Reason("place.guild"))
    if command.where == "dm" and not place.is_dm:
        raise WrongPlace("dm", Reason("place.dm"))


def _allowed(rules: PermissionSpec, author: Author, place: Place) -> bool:
    """Allowed when there are no restrictions, or the author is listed by id, has any listed role, or
    has every listed Discord permission. Server administrators are always allowed."""
    if not rules.restricted or author.id in rules.users:
        return True
    if not place.is_dm and "administrator" in author.permissions:
        return True
    if rules.roles and not place.is_dm and any(role in author.roles for role in rules.roles):
        return True
    return bool(rules.discord) and not place.is_dm and all(p in author.permissions for p in rules.discord)


def check_permissions(command: CommandSpec, author: Author, place: Place) -> None:
    rules = command.permissions
    if _allowed(rules, author, place):
        return
    if place.is_dm and (rules.roles or rules.discord):
        raise NotAllowed(Reason("permission.server_only"), roles=list(rules.roles),
                         permissions=list(rules.discord))
    raise NotAllowed(Reason("permission.not_allowed"), roles=list(rules.roles),
                     permissions=list(rules.discord))


def check_argument_permissions(argument: ArgumentSpec, author: Author, place: Place) -> None:
    """An argument with its own ``permissions:`` may be given only by those they allow (the rest of
    the command stays open to everyone the command's own permissions let in)."""
    rules = argument.permissions
    if _allowed(rules, author, place):
        return
    key = "permission.argument_server_only" if place.is_dm and (rules.roles or rules.discord) \
        else "permission.argument_not_allowed"
    raise NotAllowed(Reason(key, argument=argument.name), roles=list(rules.roles), permissions=list(rules.discord))


class Cooldowns:
    """Sliding-window rate limits: at most ``rate`` uses per ``per`` seconds, per scope key.

    ``retry_after`` only looks; ``record`` counts a use. The pipeline records a use only once the
    arguments were accepted, so a typo does not cost anyone their turn.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._uses: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _key(command: CommandSpec, cooldown: CooldownSpec, author: Author, place: Place) -> tuple[str, str]:
        scope = {"user": author.id, "channel": place.channel_id,
                 "guild": place.guild_id or f"dm:{author.id}", "global": "*"}[cooldown.scope]
        return (command.name, scope)

    def _window(self, key: tuple[str, str], per: float) -> deque[float]:
        uses = self._uses.setdefault(key, deque())
        now = self._clock()
        while uses and now - uses[0] >= per:
            uses.popleft()
        return uses

    def retry_after(self, command: CommandSpec, author: Author, place: Place) -> float:
        cooldown = command.cooldown
        if cooldown is None:
            return 0.0
        uses = self._window(self._key(command, cooldown, author, place), cooldown.per)
        if len(uses) < cooldown.rate:
            return 0.0
        return max(0.0, cooldown.per - (self._clock() - uses[0]))

    def check(self, command: CommandSpec, author: Author, place: Place) -> None:
        wait = self.retry_after(command, author, place)
        if wait > 0:
            raise OnCooldown(wait)

    def record(self, command: CommandSpec, author: Author, place: Place) -> None:
        cooldown = command.cooldown
        if cooldown is None:
            return
        key = self._key(command, cooldown, author, place)
        uses = self._window(key, cooldown.per)
        if len(uses) >= cooldown.rate:
            raise OnCooldown(max(0.0, cooldown.per - (self._clock() - uses[0])))
        uses.append(self._clock())

    # The pipeline and the events engine await these: counted in memory here, at once; a store that
    # asks a database (hypotez.cooldowns_shared) does it in a worker thread, off the event loop.
    async def retry_after_async(self, command: CommandSpec, author: Author, place: Place) -> float:
        return self.retry_after(command, author, place)

    async def check_async(self, command: CommandSpec, author: Author, place: Place) -> None:
        self.check(command, author, place)

    async def record_async(self, command: CommandSpec, author: Author, place: Place) -> None:
        self.record(command, author, place)
