"""Trained model versions kept in the database, so that every process finds them: each version of a
tenant's model as one archive of its folder (``hypotez.services.model_sharing`` packs and unpacks it).

Which version is current stays a setting (``model.current``); writing it announces the change to the
other processes (:mod:`storage_notify`), which then load the new version without a restart.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any


class ModelArchives:
    def __init__(self, backend: Any):
        self.backend = backend

    def save_sync(self, backend_name: str, version: str, archive: bytes, *, tenant: str) -> None:
        """Store a version (once: a version, once trained, never changes)."""
        self.backend.run("INSERT INTO models (tenant, backend, version, created, archive) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (tenant, backend, version) DO NOTHING",
                         (tenant, backend_name, version, time.time(), archive))

    async def save(self, backend_name: str, version: str, archive: bytes, *, tenant: str) -> None:
        await asyncio.to_thread(lambda: self.save_sync(backend_name, version, archive, tenant=tenant))

    def archive_sync(self, backend_name: str, version: str, *, tenant: str) -> bytes | None:
        rows = self.backend.all("SELECT archive FROM models WHERE tenant = ? AND backend = ? AND version = ?",
                                (tenant, backend_name, version))
        return bytes(rows[0][0]) if rows else None

    async def archive(self, backend_name: str, version: str, *, tenant: str) -> bytes | None:
        return await asyncio.to_thread(lambda: self.archive_sync(backend_name, version, tenant=tenant))

    def has_sync(self, backend_name: str, version: str, *, tenant: str) -> bool:
        return bool(self.backend.all("SELECT 1 FROM models WHERE tenant = ? AND backend = ? AND version = ?",
                                     (tenant, backend_name, version)))

    async def has(self, backend_name: str, version: str, *, tenant: str) -> bool:
        return await asyncio.to_thread(lambda: self.has_sync(backend_name, version, tenant=tenant))

    def versions_sync(self, backend_name: str, *, tenant: str) -> list[str]:
        rows = self.backend.all("SELECT version FROM models WHERE tenant = ? AND backend = ? ORDER BY created",
                                (tenant, backend_name))
        return [row[0] for row in rows]

    async def versions(self, backend_name: str, *, tenant: str) -> list[str]:
        return await asyncio.to_thread(lambda: self.versions_sync(backend_name, tenant=tenant))
