"""What the bot's memory (``state:``) and its schedules' rows are made of, for every state store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypotez.errors import HypotezError

# The tenant of values that belong to no server: a user's own (state.user) and the bot's (state.global).
BOT_TENANT = "*"
BOT_SCOPES = ("user", "global")
APPLIED_KEPT = 30 * 86400  # seconds a write's tag is kept (a run is posted again within minutes of a crash)


class StateFull(HypotezError):
    """A write the limits refuse: ``what`` is ``value_too_long`` or ``too_many_rows``; ``limit`` the limit."""

    def __init__(self, what: str, key: str, limit: int):
        super().__init__(f"state {key!r}: {what} (limit {limit})")
        self.what, self.key, self.limit = what, key, limit


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose value: ``scope`` (user, member, channel, server, global) and the owner's id in it."""

    scope: str
    id: str


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """A schedule's next run; the run claimed and not yet posted (``pending``), and whether that run's
    actions are done (``acted``: a run posted again after a crash does not do them twice)."""

    next_run: float
    pending: float | None
    fingerprint: str
    acted: bool = False


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    id: str
    name: str
    value: int


def tenant_of(scope: str, tenant: str) -> str:
    return BOT_TENANT if scope in BOT_SCOPES else tenant


def encoded_value(key: str, value: Any, max_length: int) -> str:
    """The value as stored (JSON), refused when longer than ``max_length`` characters. A text's length
    is its own (the quotes and escapes JSON adds do not count: ``max_length: 12`` takes 12 letters);
    another value's is that of its JSON."""
    encoded = json.dumps(value, ensure_ascii=False)
    if len(value if isinstance(value, str) else encoded) > max_length:
        raise StateFull("value_too_long", key, max_length)
    return encoded
