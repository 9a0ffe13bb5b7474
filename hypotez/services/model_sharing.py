"""Trained models shared by every process of a bot: each version is published to the storage as an
archive of its folder when it is trained, fetched into a process's own data folder the first time that
process needs it, and a process drops a tenant's loaded model when another process announces a new
current one (``model.*`` settings, :mod:`storage_notify`), so the next message loads the new version —
no restart. On SQLite (one process) the archive is kept too, so ``hypotez storage migrate`` carries the
models to PostgreSQL; nothing is ever announced there.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import tarfile
import uuid
from pathlib import Path
from typing import Any

log = logging.getLogger("hypotez.model")

MODEL_SETTINGS = "model."  # the settings that say which model a tenant answers with


def pack(folder: Path) -> bytes:
    """The folder's files as one tar archive (paths relative to it)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def unpack(data: bytes, folder: Path) -> None:
    """Extract an archive into ``folder``, whole or not at all: into a folder of its own first, renamed
    into place (another process unpacking the same version at once is harmless)."""
    partial = folder.with_name(f"{folder.name}.fetching-{uuid.uuid4().hex[:8]}")
    partial.mkdir(parents=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            archive.extractall(partial, filter="data")  # no absolute paths, links or "..": only files inside
        try:
            os.rename(partial, folder)
        except OSError:
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


async def publish(storage: Any, backend_name: str, version: str, folder: Path, *, tenant: str) -> None:
    """Store the version trained in ``folder`` where every process finds it (before it becomes current)."""
    data = await asyncio.to_thread(pack, folder)
    await storage.models.save(backend_name, version, data, tenant=tenant)


async def fetch(storage: Any, backend_name: str, version: str, folder: Path, *, tenant: str) -> bool:
    """Make sure ``folder`` holds the version — unpacked from the storage when another process trained
    it — and that the storage has it (a version trained before models were shared is published now);
    False when no process has it."""
    if folder.is_dir():
        if not await storage.models.has(backend_name, version, tenant=tenant):
            await publish(storage, backend_name, version, folder, tenant=tenant)
        return True
    data = await storage.models.archive(backend_name, version, tenant=tenant)
    if data is None:
        return False
    await asyncio.to_thread(unpack, data, folder)
    log.info("fetched model %s of tenant %r trained by another process", version, tenant)
    return True


def follow_current_models(storage: Any, states: dict[str, Any]) -> None:
    """Drop a tenant's loaded model (``states``: tenant → its state, on this event loop) when another
    process changes which model it answers with; all of them after missed announcements."""
    loop = asyncio.get_running_loop()

    def heard(tenant: str | None, key: str | None) -> None:
        if loop.is_closed():
            return
        if tenant is None:
            loop.call_soon_threadsafe(states.clear)
        elif key is not None and key.startswith(MODEL_SETTINGS):
            loop.call_soon_threadsafe(states.pop, tenant, None)

    storage.watch(heard)
