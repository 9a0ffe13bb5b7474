"""Custom ids that say everything a press needs, so components work after a restart with nothing
kept in memory: ``hz1`` and a compact JSON list ``[kind, owner, item, expiry, carried]``.

``kind`` is ``c`` (a component of ``owner``'s replies: a command, or ``~`` for conversational
answers) or ``m`` (the modal ``item``); ``expiry`` is a Unix time (0: never); ``carried`` is what the
reply was made with (its arguments, the message a context menu was used on). Discord allows 100
characters: when ``carried`` does not fit, it is stored in the bot's settings under a hash of it and
the id carries ``"@<hash>"``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

PREFIX = "hz1"
CUSTOM_ID_MAX = 100
STORED_KEY = "component:"

Store = Callable[[str, Any], Awaitable[None]]
Load = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Decoded:
    kind: str
    owner: str
    item: str
    expires: int
    carried: Any  # a mapping, or "@<hash>" to load


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


async def encode(kind: str, owner: str, item: str, expires: int, carried: Mapping[str, Any], store: Store) -> str:
    custom_id = PREFIX + _dumps([kind, owner, item, expires, dict(carried)])
    if len(custom_id) <= CUSTOM_ID_MAX:
        return custom_id
    blob = _dumps(dict(carried))
    digest = hashlib.sha256(blob.encode()).hexdigest()[:16]
    await store(STORED_KEY + digest, dict(carried))  # written before the id is sent: a press always finds it
    return PREFIX + _dumps([kind, owner, item, expires, "@" + digest])


def decode(custom_id: str) -> Decoded | None:
    """The parts of one of hypotez's custom ids; None for anything else (another bot's, a forged one)."""
    if not custom_id.startswith(PREFIX):
        return None
    try:
        kind, owner, item, expires, carried = json.loads(custom_id[len(PREFIX):])
    except (ValueError, TypeError):
        return None
    if kind not in ("c", "m") or not isinstance(owner, str) or not isinstance(item, str) \
            or not isinstance(expires, int) or not isinstance(carried, (dict, str)):
        return None
    return Decoded(kind, owner, item, expires, carried)


async def carried(decoded: Decoded, load: Load) -> dict[str, Any] | None:
    """What the id carries, loaded when it was stored aside; None when it can no longer be found."""
    if isinstance(decoded.carried, dict):
        return decoded.carried
    if not decoded.carried.startswith("@"):
        return None
    value = await load(STORED_KEY + decoded.carried[1:])
    return value if isinstance(value, dict) else None
