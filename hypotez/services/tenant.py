"""The services as one tenant sees them (:mod:`hypotez.tenancy`).

Handlers get these views through the Invocation, so the same handler code reads and writes only the
tenant of the message it answers: storage calls carry the tenant, the data folder is the tenant's own
part, and the model is the tenant's model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypotez.errors import BadArgument, PathRefused
from hypotez.reasons import Reason
from hypotez.services.datafolder import DataFolder
from hypotez.services.storage import Correction, Feedback, Storage, StoredAnswer
from hypotez.tenancy import SHARED_TENANT, Scope, folder_name

SERVERS_FOLDER = "servers"


def tenant_folder(root: DataFolder, tenant: str) -> DataFolder:
    """A tenant's part of the data folder: the whole folder for the shared tenant, else its own."""
    if tenant == SHARED_TENANT:
        return root
    return DataFolder(root.root / SERVERS_FOLDER / folder_name(tenant))


def tenant_state(root: DataFolder, tenant: str) -> Path:
    """Where the bot keeps a tenant's own state (models): inside the state folder, never a user's path."""
    if tenant == SHARED_TENANT:
        return root.internal
    return root.internal / "tenants" / folder_name(tenant)


class NoDataFolder(DataFolder):
    """Direct messages have no data folder: every path is refused with a reason that says where to go."""

    def ensure(self) -> "NoDataFolder":
        return self

    def resolve(self, user_path: str, *, must_exist: bool = True, kind: str = "any") -> Path:
        raise PathRefused(str(user_path), Reason("path.direct_message"))

    def parts(self, path: Path) -> tuple[str, ...]:  # so no opening, walking or writing gets further
        raise PathRefused(str(path), Reason("path.direct_message"))

    def create_unique(self, folder: str, stem: str, suffix: str, write: Any) -> Any:
        raise PathRefused(folder, Reason("path.direct_message"))


class TenantStorage:
    """The storage calls a handler makes, bound to one tenant. Server languages and bot-wide settings
    are not a tenant's: they stay on :class:`Storage` (the dispatcher and the adapters use it)."""

    def __init__(self, storage: Storage, tenant: str):
        self.storage = storage
        self.tenant = tenant

    async def add_feedback(self, user_id: str, user_name: str, text: str,
                           guild_id: str | None = None, channel_id: str | None = None) -> int:
        return await self.storage.add_feedback(user_id, user_name, text, guild_id, channel_id, tenant=self.tenant)

    async def latest_feedback(self, limit: int = 1) -> list[Feedback]:
        return await self.storage.latest_feedback(limit, tenant=self.tenant)

    async def record_answer(self, message_id: str, prompt: str, answer: str,
                            channel_id: str | None = None, user_id: str | None = None) -> None:
        await self.storage.record_answer(message_id, prompt, answer, channel_id, user_id, tenant=self.tenant)

    async def find_answer(self, message_id: str) -> StoredAnswer | None:
        return await self.storage.find_answer(message_id, tenant=self.tenant)

    async def add_correction(self, message_id: str, user_id: str, prompt: str, answer: str,
                             correction: str) -> int:
        return await self.storage.add_correction(message_id, user_id, prompt, answer, correction,
                                                 tenant=self.tenant)

    async def corrections(self) -> list[Correction]:
        return await self.storage.corrections(tenant=self.tenant)

    # A server's reply language is the server's, whoever shares its data.
    async def guild_language(self, guild_id: str | None) -> str | None:
        return await self.storage.guild_language(guild_id)

    async def set_guild_language(self, guild_id: str, language: str | None) -> None:
        await self.storage.set_guild_language(guild_id, language)

    async def get_setting(self, key: str, default: Any = None) -> Any:
        return await self.storage.get_setting(key, default, tenant=self.tenant)

    async def set_setting(self, key: str, value: Any) -> None:
        await self.storage.set_setting(key, value, tenant=self.tenant)

    async def save_job(self, job_id: str, status: str, data: dict[str, Any]) -> None:
        await self.storage.save_job(job_id, status, data, tenant=self.tenant)

    async def get_job(self, job_id: str) -> dict[str, Any] | None:
        return await self.storage.get_job(job_id, tenant=self.tenant)

    async def jobs(self, statuses: tuple[str, ...] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        return await self.storage.jobs(statuses, limit, tenant=self.tenant)


class TenantModel:
    """The Model service as one scope sees it: its tenant's model; training refused where the scope
    only borrows another tenant's model (a direct message answered by the home server's)."""

    def __init__(self, model: Any, scope: Scope):
        self.model = model
        self.scope = scope

    @property
    def backend_name(self) -> str:
        return self.model.backend_name

    async def train(self, examples: list, **kwargs: Any) -> Any:
        if not self.scope.can_train:
            raise BadArgument(None, Reason("training.not_in_direct_messages"))
        return await self.model.train(examples, tenant=self.scope.model_tenant, **kwargs)

    async def reply(self, text: str) -> str | None:
        return await self.model.reply(text, tenant=self.scope.model_tenant)

    async def predict(self, inputs: list[str]) -> list:
        return await self.model.predict(inputs, tenant=self.scope.model_tenant)

    async def evaluate(self, cases: list[tuple[str, str | None]]) -> dict[str, Any]:
        return await self.model.evaluate(cases, tenant=self.scope.model_tenant)

    async def status(self) -> dict[str, Any]:
        return await self.model.status(tenant=self.scope.model_tenant)
