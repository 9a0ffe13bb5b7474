"""Who owns what: each Discord server is its own tenant unless the spec shares one between servers.

A tenant's feedback, corrections, remembered answers, active datasets, training jobs, models and part of
the data folder are its own; nothing of one tenant is readable or writable from another.

* ``bot.tenancy: isolated`` (the default): a server's tenant is its id. A direct message belongs to a
  tenant of its own, one per user (``dm-<user id>``): the user's feedback and the answers given there,
  and no data folder (file commands are refused in direct messages). Conversational answers in direct
  messages come from ``bot.home_server``'s model when the spec names one, read-only; else from the user's
  own (untrained) model, so they get the fallback.
* ``bot.tenancy: shared``: one tenant (``""``) for every server and every direct message, the data folder
  itself as its files: a bot that serves one community spread over several servers.

The tenant ``""`` also holds what was stored before servers were separated; an isolated bot hands it to
its one server when that server can be told from the data (:mod:`hypotez.services.legacy`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from hypotez.incoming import Author, Place

ISOLATED, SHARED = "isolated", "shared"
MODES = (ISOLATED, SHARED)
SHARED_TENANT = ""
DM_PREFIX = "dm-"
_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a message's data lives: its tenant, the tenant whose model answers it, and whether that
    model may be trained from here (not from a direct message answered by the home server's model)."""

    tenant: str
    model_tenant: str
    has_files: bool = True
    can_train: bool = True


@dataclass(frozen=True, slots=True)
class Tenancy:
    mode: str = ISOLATED
    home_server: str | None = None

    @classmethod
    def from_settings(cls, mode: str | None, home_server: str | None) -> "Tenancy":
        return cls(mode or ISOLATED, str(home_server) if home_server is not None else None)

    @property
    def shared(self) -> bool:
        return self.mode == SHARED

    def scope(self, place: Place, author: Author) -> Scope:
        if self.shared:
            return Scope(SHARED_TENANT, SHARED_TENANT)
        if place.guild_id is not None:
            return Scope(str(place.guild_id), str(place.guild_id))
        own = DM_PREFIX + str(author.id)
        if self.home_server is not None:
            return Scope(own, self.home_server, has_files=False, can_train=False)
        return Scope(own, own, has_files=False)


def folder_name(tenant: str) -> str:
    """A tenant's folder name: its key when that is a plain name (Discord ids are), else a digest, so no
    key can climb out of the folder it names."""
    if _SAFE.match(tenant):
        return tenant
    return "t-" + hashlib.sha256(tenant.encode()).hexdigest()[:32]
