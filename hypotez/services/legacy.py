"""Data from before servers were separated, handed to the server it belongs to.

An older hypotez kept one server's rows, models and files without naming the server. On an isolated bot
(:mod:`hypotez.tenancy`) that data is moved to its server when the data says which one it is (the
server of its feedback, the server whose language was set): the rows in one transaction, the models and
the data folder's files by renaming (same file system, nothing copied, nothing half-written). When the
data names no server or several, nothing moves: a warning says how to choose (``hypotez adopt``).
Moving is idempotent: an interrupted move finishes at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

from hypotez.services.datafolder import INTERNAL_FOLDER, DataFolder
from hypotez.services.storage import Storage
from hypotez.services.tenant import SERVERS_FOLDER, tenant_folder, tenant_state
from hypotez.tenancy import SHARED

log = logging.getLogger("hypotez.legacy")

LEGACY_MODELS = "models"
# What the bot itself writes at the top of the data folder (the console's spoken answers): no server's.
BOT_OUTPUT = ("spoken",)


def legacy_files(data: DataFolder) -> list[Path]:
    """The data folder's own entries, which an isolated bot gives to no server until one adopts them."""
    if not data.root.is_dir():
        return []
    return sorted(p for p in data.root.iterdir() if p.name not in (INTERNAL_FOLDER, SERVERS_FOLDER, *BOT_OUTPUT))


def has_legacy_data(storage: Storage, data: DataFolder) -> bool:
    return storage.has_legacy_rows_sync() or (data.internal / LEGACY_MODELS).is_dir()


def adopt(storage: Storage, data: DataFolder, server: str) -> dict[str, int]:
    """Give the legacy rows, models and files to ``server``. Returns what moved, by kind."""
    moved = {"models": _move_models(data, server), "files": _move_files(data, server)}
    storage.adopt_legacy_sync(server)
    log.warning("data from before servers were separated now belongs to server %s (%d model versions, "
                "%d entries of the data folder moved to %s)", server, moved["models"], moved["files"],
                tenant_folder(data, server).root)
    return moved


def _move_models(data: DataFolder, server: str) -> int:
    source = data.internal / LEGACY_MODELS
    if not source.is_dir():
        return 0
    target = tenant_state(data, server) / LEGACY_MODELS
    moved = 0
    for backend in sorted(p for p in source.iterdir() if p.is_dir()):
        (target / backend.name).mkdir(parents=True, exist_ok=True)
        for version in sorted(backend.iterdir()):
            destination = target / backend.name / version.name
            if not destination.exists():
                os.rename(version, destination)
                moved += 1
        _remove_if_empty(backend)
    _remove_if_empty(source)
    return moved


def _move_files(data: DataFolder, server: str) -> int:
    target = tenant_folder(data, server).ensure().root
    moved = 0
    for entry in legacy_files(data):
        destination = target / entry.name
        if destination.exists() or destination.is_symlink():
            log.warning("not moving %s: %s already exists (move it by hand)", entry, destination)
            continue
        os.rename(entry, destination)  # a symlink moves as a link: its target is never followed or copied
        moved += 1
    return moved


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


async def adopt_legacy_data(spec: Any, services: Any) -> str | None:
    """At start-up of an isolated bot: hand legacy data to its server when the data names exactly one.
    Returns the server it went to, or None."""
    if spec.settings.tenancy == SHARED or not isinstance(services.storage, Storage):
        return None
    return await asyncio.to_thread(_adopt_if_clear, services.storage, services.data)


def _adopt_if_clear(storage: Storage, data: DataFolder) -> str | None:
    if not has_legacy_data(storage, data):
        if legacy_files(data):
            log.warning("%s has files outside any server's folder; each server's files are in %s/<server id>/ "
                        "(move them there, or run 'hypotez adopt SERVER_ID')", data.root,
                        data.root / SERVERS_FOLDER)
        return None
    servers = storage.legacy_servers_sync()
    if len(servers) != 1:
        log.warning("%s holds data from before servers were separated, and %s. Choose the server it belongs "
                    "to with 'hypotez adopt SERVER_ID', or set bot.tenancy: shared to keep one set of data "
                    "for every server.", data.root,
                    "it names no server" if not servers else f"it names {len(servers)} servers "
                    f"({', '.join(sorted(servers))})")
        return None
    [server] = servers
    adopt(storage, data, server)
    return server
