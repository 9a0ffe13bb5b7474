"""The rows the storage hands back, and how a tenant's settings are keyed (shared by every backend)."""

from __future__ import annotations

from dataclasses import dataclass

# Settings that belong to the bot, not to a tenant: the slash-command marker, each server's language.
GLOBAL_SETTINGS = ("slash_hash", "language:", "tenancy.")


def setting_key(key: str, tenant: str) -> str:
    """The stored key of a tenant's setting. The legacy tenant keeps the keys older versions wrote."""
    return f"{tenant}/{key}" if tenant else key


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    created: float
    user_id: str
    user_name: str
    text: str


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    message_id: str
    created: float
    channel_id: str | None
    user_id: str | None
    prompt: str
    answer: str


@dataclass(frozen=True, slots=True)
class Correction:
    id: int
    created: float
    message_id: str
    user_id: str
    prompt: str
    answer: str
    correction: str
